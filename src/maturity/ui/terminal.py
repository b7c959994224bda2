"""Prompters that talk to a person: a rich one for terminals, and a plain one for screen readers and scripts.

The only place the interview meets rich. The plain prompter writes nothing but text lines (no boxes, no colour,
no cursor movement) and reads one line per answer, which is what a screen reader and a script both need.

Reading never raises for odd input: a closed standard input, bytes that are not text, or a terminal that went
away all read as "input has ended", which the interview turns into a saved file and a way to resume.

Everything shown comes from files someone else wrote (the questionnaire) or typed (notes, answers), so every
string passes through the one terminal sanitiser (model.text.for_terminal) on its way out, in both prompters,
and the rich prompter hands rich only Text objects, never strings it would read as markup.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from maturity.engine.interview import Step, answer_words, detail_problem, typed
from maturity.model.definitions import AssessmentDetails, Question, Questionnaire, Stage
from maturity.model.text import for_terminal, one_line
from maturity.model.vocabulary import DEFAULT_MARKING, plural


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
    keys += ["e note", "v evidence", "q save and quit"]
    if step.current is not None:
        keys.append("Enter keep the earlier answer" if step.earlier else "Enter keep the current answer")
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


def _flat(text: str) -> str:
    return " ".join(text.split())


def _where(step: Step) -> str:
    """Where the question sits: 'Stage 2 of 8, question 3 of 7' or 'Context, question 1 of 3'."""
    if step.stage is None:
        return f"Context, question {step.number_in_stage} of {step.asked_in_stage}"
    return f"Stage {step.stage_number} of {step.stage_count}, question {step.number_in_stage} of {step.asked_in_stage}"


def _progress(step: Step) -> str:
    """'12 of 58 answered', with what the last answer did to the total; for context, what the context is for."""
    if step.stage is None:
        return ""  # the context's purpose is said once, before its first question (context_intro)
    change = ""
    if step.total_change > 0:
        change = f" (that answer added {plural(step.total_change, 'question')})"
    elif step.total_change < 0:
        change = f" (that answer took away {plural(-step.total_change, 'question')})"
    return f"{step.answered} of {step.total} answered{change}"


def _current(step: Step, questionnaire: Questionnaire) -> str | None:
    if step.current is None:
        return None
    words = one_line(answer_words(questionnaire, step.question, step.current))
    return f"Earlier answer: {words} (Enter keeps it)" if step.earlier else f"Current answer: {words}"


def _annotations(step: Step) -> list[str]:
    lines = []
    if step.note:
        lines.append(f"Note: {one_line(step.note)}")
    if step.evidence:
        lines.append(f"Evidence: {one_line('; '.join(step.evidence))}")
    return lines


def context_intro(questionnaire: Questionnaire, count: int) -> str:
    """What the person hears before the first context question: how many come first, and why."""
    conditional = any(q.when is not None for q in questionnaire.context)
    many = f"{'up to ' if conditional else ''}{plural(count, 'question')}"
    return (
        f"First, {many} about the situation; your answers decide which of the questions in the "
        f"{plural(len(questionnaire.stages), 'stage')} that follow you are asked."
    )


class PlainPrompter:
    """Text lines only: for screen readers (--plain, ACCESSIBLE, TERM=dumb) and for scripted input."""

    def __init__(
        self, questionnaire: Questionnaire, read: Callable[[], str | None] | None = None, out: TextIO | None = None
    ) -> None:
        self.questionnaire = questionnaire
        self.out = out or sys.stdout
        self.read = read or _read_line
        self.echo = read is None and not stdin_is_terminal()
        self.context_said = False

    def _say(self, text: str = "") -> None:
        self.out.write(for_terminal(text) + "\n")
        self.out.flush()

    def say(self, text: str) -> None:
        self._say(text)

    def line(self, prompt: str) -> str | None:
        """One line typed after `prompt`; None when input has ended."""
        return self._line(prompt)

    def _line(self, prompt: str) -> str | None:
        self.out.write(for_terminal(prompt))
        self.out.flush()
        text = self.read()
        if self.echo and text is not None:  # input from a script is not echoed by a terminal: keep a transcript
            self.out.write(one_line(text) + "\n")
        return text

    def details(self, current: AssessmentDetails | None) -> AssessmentDetails:
        self._say(f"{self.questionnaire.title}. First, who and what this assessment is for.")
        values: dict[str, str | None] = {}
        # (key, prompt, required, default): a default is taken on Enter and shown in the prompt
        for key, label, required, default in (
            ("organisation", "Organisation", True, None),
            ("service", "Service", True, None),
            ("assessor", "Your name (the assessor)", False, None),
            ("prepared_for", "Who the report is for, e.g. Cabinet or the trust board", False, None),
            ("marking", "Protective marking", False, DEFAULT_MARKING),
        ):
            previous = getattr(current, key) if current is not None and key != "assessor" else None
            default = previous or default
            shown = f" [{one_line(default)}]" if default else ("" if required else " (optional)")
            while True:
                text = self._line(f"{label}{shown}: ")
                if text is None:
                    raise EOFError(f"input ended before the {key.replace('_', ' ')} was given")
                text = typed(text) or default or ""
                problem = detail_problem(key, text) if text else None
                if problem:
                    self._say(f"Not accepted: {problem}.")
                    continue
                if text or not required:
                    values[key] = text or default
                    break
                self._say(f"The {key} is needed for the report.")
        return AssessmentDetails(
            organisation=values["organisation"] or "",
            service=values["service"] or "",
            assessor=values["assessor"],
            date=dt.date.today(),
            prepared_for=values["prepared_for"],
            marking=values["marking"],
        )

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        self._say()
        self._say(f"Stage {number} of {count}: {stage.title}.")
        if stage.intro:
            self._say(_flat(stage.intro))

    def _context_intro(self, step: Step) -> None:
        if step.stage is None and not self.context_said:
            self.context_said = True
            self._say()
            self._say(context_intro(self.questionnaire, step.asked_in_stage))

    def ask(self, step: Step, error: str | None) -> str | None:
        q = step.question
        if error:
            self._say(f"Not accepted: {error}.")
        else:
            self._context_intro(step)
            self._say()
            again = "Going back over it. " if step.revisiting else ""
            progress = _progress(step)
            self._say(f"{again}{_where(step)}. {progress + '. ' if progress else ''}{q.id}: {_flat(q.text)}")
            for key, label, description in choices(q, self.questionnaire):
                self._say(f"  {key}. {label}" + (f": {_flat(description)}" if description else ""))
            current = _current(step, self.questionnaire)
            for line in [*([current] if current else []), *_annotations(step)]:
                self._say(f"{line}.")
            self._say(f"Keys: {_keys(step)}.")
        return self._line(f"{_hint(q)}: ")

    def help(self, question: Question) -> None:
        self._say(_flat(question.help or "No help is written for this question."))
        if question.sources:
            self._say(f"Sources: {', '.join(question.sources)}.")

    def note(self, question: Question, current: str | None) -> str | None:
        if current:
            self._say(f"Current note: {one_line(current)}")
        return self._line("Note (Enter keeps it as it is, a single - removes it): ")

    def evidence(self, question: Question, current: Sequence[str]) -> str | None:
        if current:
            self._say(f"Current evidence: {one_line('; '.join(current))}")
        return self._line(
            "Evidence: the documents that show this answer, separated by ; (Enter keeps, a single - removes): "
        )

    def choose(self, text: str, options: Sequence[tuple[str, str]], default: str) -> str | None:
        keys = [key for key, _ in options]
        self._say(text)
        for key, label in options:
            self._say(f"  {key}. {label}")
        while True:
            answer = self._line(f"Type {' or '.join(keys)} (Enter: {default}): ")
            if answer is None:
                return None
            chosen = typed(answer).lower() or default
            if chosen in keys:
                return chosen
            self._say(f"Not accepted: type {' or '.join(keys)}.")


def stdin_is_terminal() -> bool:
    """Whether a person is typing: False for a pipe, a file, a closed or missing standard input."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):  # closed, or a terminal that went away
        return False


def _read_line() -> str | None:
    """One line from standard input; None when it has ended, is closed, or cannot be read."""
    stream = sys.stdin
    if stream is None:
        return None
    try:
        line = stream.readline()
    except (ValueError, OSError):
        return None
    except UnicodeDecodeError:
        return "\ufffd"  # not text: refused by the question as an answer it cannot understand
    return None if line == "" else line.rstrip("\r\n")


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
        except (EOFError, ValueError, OSError):
            return None
        except UnicodeDecodeError:
            return "\ufffd"

    def stage_intro(self, stage: Stage, number: int, count: int) -> None:
        from rich.panel import Panel

        body = _text(_flat(stage.intro or ""))
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
        self._context_intro(step)
        table = Table.grid(padding=(0, 1))
        table.add_column(justify="right", style="bold")
        table.add_column()
        for key, label, description in choices(q, self.questionnaire):
            line = _text(label, style="bold")
            if description:
                line.append("  " + for_terminal(_flat(description)), style="")
            table.add_row(_text(f"{key}."), line)
        parts: list[Any] = [_text(_flat(q.text), style="bold"), Text()]
        if table.row_count:
            parts.append(table)
        current = _current(step, self.questionnaire)
        notes = [*([current] if current else []), *_annotations(step)]
        if notes:
            parts += [Text(), *(_text(line, style="italic") for line in notes)]
        if step.stage is not None:
            progress = Table.grid(padding=(0, 2))
            progress.add_row(
                ProgressBar(total=max(step.total, 1), completed=step.answered, width=30), _text(_progress(step))
            )
            parts += [Text(), progress]
        parts.append(_text(f"Keys: {_keys(step)}", style="dim"))
        again = "Going back over it · " if step.revisiting else ""
        where = again + _where(step).replace(", ", " · ") + f" · {q.id}"
        self.console.print(Panel(Group(*parts), title=_text(where), title_align="left"))
        return self._line(f"{_hint(q)}: ")

    def help(self, question: Question) -> None:
        from rich.panel import Panel

        text = _flat(question.help or "No help is written for this question.")
        if question.sources:
            text += f"\n\nSources: {', '.join(question.sources)}"
        self.console.print(Panel(_text(text), title="Help", title_align="left", border_style="green"))


def _text(text: str, style: str = "") -> Any:
    """Text for rich: made safe for a terminal, and a Text object, so that rich never reads it as markup
    ("[link=...]" in a stage title)."""
    from rich.text import Text

    return Text(for_terminal(text), style=style)
