"""Prompters that talk to a person: a rich one for terminals, and a plain one for screen readers and scripts.

The only place the interview meets rich. The plain prompter writes nothing but text lines (no boxes, no colour,
no cursor movement) and reads one line per answer, which is what a screen reader and a script both need.

Everything shown comes from files someone else wrote (the questionnaire) or typed (notes, answers), so every
string passes through the one terminal sanitiser (model.text.for_terminal) on its way out, and the rich prompter
hands rich only Text objects, never strings it would read as markup ("[link=...]" in a stage title).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from maturity.engine.interview import Step
from maturity.model.definitions import AssessmentDetails, Question, Questionnaire, Stage
from maturity.model.text import for_terminal
from maturity.model.vocabulary import STATUS_WORDS


def choices(question: Question, questionnaire: Questionnaire) -> list[tuple[str, str, str | None]]:
    """(key, label, description) for each choice, in order, for any question kind."""
    if question.kind == "scale":
        return [(str(lv.level), lv.label, lv.description) for lv in questionnaire.levels_of(question)]
    if question.kind in ("single", "multiple"):
        return [(str(i), o.label, o.description) for i, o in enumerate(questionnaire.options_of(question), 1)]
    if question.kind == "yes_no":
        return [("1", "Yes", None), ("2", "No", None)]
    return []


def _keys(step: Step) -> str:
    keys = ["? help"] + (["b back"] if step.allow_back else []) + ["s skip"]
    if step.question.allow_dont_know:
        keys.append("d don't know")
    if step.question.allow_not_applicable:
        keys.append("n not applicable")
    keys += ["e note", "q save and quit"]
    if step.current is not None:
        keys.append("Enter keep the current answer")
    return ", ".join(keys)


def _hint(question: Question) -> str:
    return {
        "scale": "type the level number",
        "single": "type the option number",
        "multiple": "type option numbers separated by commas",
        "yes_no": "type yes or no",
        "number": "type a number" + (f" ({question.unit})" if question.unit else ""),
        "text": "type your answer",
    }[question.kind]


def _current(step: Step) -> str | None:
    answer = step.current
    if answer is None:
        return None
    if answer.status is not None:
        return STATUS_WORDS[answer.status]
    value = answer.value
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


class PlainPrompter:
    """Text lines only: for screen readers (--plain, ACCESSIBLE, TERM=dumb) and for scripted input."""

    def __init__(
        self, questionnaire: Questionnaire, read: Callable[[], str | None] | None = None, out: TextIO | None = None
    ) -> None:
        self.questionnaire = questionnaire
        self.out = out or sys.stdout
        self.read = read or _read_line
        self.echo = read is None and not sys.stdin.isatty()

    def _say(self, text: str = "") -> None:
        self.out.write(for_terminal(text) + "\n")
        self.out.flush()

    def say(self, text: str) -> None:
        self._say(text)

    def _line(self, prompt: str) -> str | None:
        self.out.write(for_terminal(prompt))
        self.out.flush()
        text = self.read()
        if self.echo and text is not None:  # input from a script is not echoed by a terminal: keep a transcript
            self.out.write(for_terminal(text) + "\n")
        return text

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails:
        self._say(f"{self.questionnaire.title}. First, who and what this assessment is for.")
        values: dict[str, str | None] = {}
        for key, label, required in (
            ("organisation", "Organisation", True),
            ("service", "Service", True),
            ("assessor", "Your name (the assessor)", False),
        ):
            while True:
                text = self._line(f"{label}{'' if required else ' (optional)'}: ")
                if text is None:
                    raise EOFError(f"input ended before the {key} was given")
                text = text.strip()
                if text or not required:
                    values[key] = text or None
                    break
                self._say(f"The {key} is needed for the report.")
        import datetime as dt

        return AssessmentDetails(
            organisation=values["organisation"] or "",
            service=values["service"] or "",
            assessor=values["assessor"],
            date=dt.date.today(),
        )

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        self._say()
        self._say(f"Stage {number} of {count}: {stage.title}.")
        if stage.intro:
            self._say(" ".join(stage.intro.split()))

    def ask(self, step: Step, error: str | None) -> str | None:
        q = step.question
        if error:
            self._say(f"Not accepted: {error}.")
        else:
            where = f"stage {step.stage_number} of {step.stage_count}, " if step.stage else "context, "
            self._say()
            self._say(
                f"Question {step.number_in_stage} of {step.asked_in_stage}, {where}"
                f"{step.answered_total} of {step.asked_total} answered. {q.id}: {' '.join(q.text.split())}"
            )
            for key, label, description in choices(q, self.questionnaire):
                self._say(f"  {key}. {label}" + (f": {' '.join(description.split())}" if description else ""))
            current = _current(step)
            if current is not None:
                self._say(f"Current answer: {current}.")
            self._say(f"Keys: {_keys(step)}.")
        return self._line(f"{_hint(q)}: ")

    def help(self, question: Question) -> None:
        self._say(" ".join((question.help or "No help is written for this question.").split()))
        if question.sources:
            self._say(f"Sources: {', '.join(question.sources)}.")

    def note(self, question: Question, current: str | None) -> str | None:
        if current:
            self._say(f"Current note: {current}")
        text = self._line("Note or evidence (Enter to keep, a single - to remove): ")
        if text is None or not text.strip():
            return current
        return None if text.strip() == "-" else text.strip()


def _read_line() -> str | None:
    line = sys.stdin.readline()
    return None if line == "" else line.rstrip("\n")


class RichPrompter(PlainPrompter):
    """A panel per question with where you are, a progress bar, the numbered levels and the keys."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        from rich.console import Console

        super().__init__(questionnaire)
        self.console = Console(highlight=False)

    def _say(self, text: str = "") -> None:
        self.console.print(_text(text))

    def _line(self, prompt: str) -> str | None:
        try:
            return self.console.input(_text(prompt))
        except EOFError:
            return None

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        from rich.panel import Panel

        body = _text(" ".join((stage.intro or "").split()))
        self.console.print()
        title = _text(f"Stage {number} of {count}: {stage.title}")
        self.console.print(Panel(body, title=title, title_align="left", border_style="cyan"))

    def ask(self, step: Step, error: str | None) -> str | None:
        from rich.console import Group
        from rich.panel import Panel
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        q = step.question
        if error:
            self.console.print(_text(f"Not accepted: {error}.", style="bold red"))
            return self._line(f"{_hint(q)}: ")
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for key, label, description in choices(q, self.questionnaire):
            line = _text(label, style="bold")
            if description:
                line.append("  " + for_terminal(" ".join(description.split())), style="")
            table.add_row(_text(f"{key}."), line)
        parts: list[Any] = [_text(" ".join(q.text.split()), style="bold"), Text()]
        if table.row_count:
            parts.append(table)
        current = _current(step)
        if current is not None:
            parts += [Text(), _text(f"Current answer: {current}", style="italic")]
        progress = Table.grid(padding=(0, 2))
        progress.add_row(
            ProgressBar(total=max(step.asked_total, 1), completed=step.answered_total, width=30),
            Text(f"{step.answered_total} of {step.asked_total} answered"),
        )
        parts += [Text(), progress, Text(f"Keys: {_keys(step)}", style="dim")]
        where = (
            f"Stage {step.stage_number} of {step.stage_count}" if step.stage else "Context"
        ) + f" · question {step.number_in_stage} of {step.asked_in_stage} · {q.id}"
        self.console.print(Panel(Group(*parts), title=_text(where), title_align="left"))
        return self._line(f"{_hint(q)}: ")

    def help(self, question: Question) -> None:
        from rich.panel import Panel

        text = " ".join((question.help or "No help is written for this question.").split())
        if question.sources:
            text += f"\n\nSources: {', '.join(question.sources)}"
        self.console.print(Panel(_text(text), title="Help", title_align="left", border_style="green"))


def _text(text: str, style: str = "") -> Any:
    """Text for rich: made safe for a terminal, and a Text object, so that rich never reads it as markup."""
    from rich.text import Text

    return Text(for_terminal(text), style=style)
