"""Reports from an Assessment: the only module that imports jinja2.

Templates, bundled or the user's own (which override the bundled ones by name), run in jinja2's sandbox with
strict undefined variables, so a template cannot reach Python internals and a misspelt variable is an error,
not a blank. HTML is autoescaped; Markdown escapes user text with the `md` filter. Templates receive plain data
(`report_context`), never the models themselves.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from maturity.io.files import read_bytes
from maturity.io.resources import bundled_dir
from maturity.model.assessment import Assessment, VerdictResult
from maturity.model.definitions import Questionnaire, Rules
from maturity.model.problems import DefinitionError, Problem
from maturity.model.text import for_terminal
from maturity.model.version import __version__
from maturity.model.vocabulary import DEFAULT_MARKING, RAG_ORDER, RAG_WORDS, SEVERITY_WORDS, STATUS_WORDS, format_number
from maturity.render.combined import combined_context

if TYPE_CHECKING:
    from maturity.engine.roadmap import Roadmap

# The report formats rendered from templates, and the template each uses.
TEMPLATES: dict[str, str] = {"terminal": "report.txt.j2", "md": "report.md.j2", "html": "report.html.j2"}
TEXT_FORMATS = ("terminal", "md", "html", "json")
FORMATS = (*TEXT_FORMATS, "pdf")
# The extension each format's file is named with, and the extensions that name a format (strictly: a file name
# with any other extension is refused, so no format is ever written under another's name).
SUFFIXES: dict[str, str] = {"terminal": ".txt", "md": ".md", "html": ".html", "json": ".json", "pdf": ".pdf"}
FORMAT_OF_SUFFIX: dict[str, str] = {
    ".txt": "terminal",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".pdf": "pdf",
}
MAX_TEMPLATE_BYTES = 1024 * 1024
TOP_PAIN_POINTS = 7
TERMINAL_WIDTH = 100  # the terminal report's line length when the caller gives none
REPORT_FORMAT_VERSION = 1
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(value: Any) -> str:
    """User text inside Markdown: no markup, no HTML, no table breaks, on one line."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;")
    return _MD_SPECIAL.sub(
        lambda m: "&lt;" if m.group(1) == "<" else "&gt;" if m.group(1) == ">" else "\\" + m.group(1),
        " ".join(text.split()),
    )


MAX_OUTPUT_CHARS = 20_000_000  # a report larger than this is a runaway template, not a report
MAX_MACRO_DEPTH = 60  # macros calling macros deeper than this are a runaway recursion
MAX_RANGE = 10_000  # the longest range() a template may loop over
_MAX_WIDTH = 10_000  # the widest field a template may pad to (format, center, indent)
_WIDE = re.compile(r"\d{5,}")
# What one rendering may spend, counted rather than timed so that a report renders or fails the same way on any
# machine: loop iterations (three nested loops of 10,000 would run for days), characters built on the way to the
# output (a string grown a slice at a time is copied again at every step), and the size of a whole number (a
# power of a power has billions of digits; no report shows more than a few).
MAX_LOOP_STEPS = 1_000_000
MAX_BUILT_CHARS = 10 * MAX_OUTPUT_CHARS
MAX_INT_BITS = 1 << 16


class TemplateLimit(Exception):
    """A user template went past one of the sandbox's limits (size, recursion, a range or a number)."""


def _css_string(value: Any) -> Any:
    """Text as a quoted CSS string (for the page header): every character but letters, digits and spaces
    escaped, so user text can never end the string or the style sheet."""
    from markupsafe import Markup

    text = " ".join(str(value).split())
    escaped = "".join(c if c.isalnum() or c == " " else f"\\{ord(c):06x} " for c in text)  # the space ends it
    return Markup(f'"{escaped}"')


def _wrap(value: Any, width: int = TERMINAL_WIDTH, indent: str = "", first: str | None = None) -> str:
    """Plain text wrapped at word boundaries (never inside a word), each line indented."""
    width = max(20, min(int(width), _MAX_WIDTH))
    text = " ".join(("" if value is None else str(value)).split())
    lines = textwrap.wrap(
        text,
        width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) if lines else (indent if first is None else first).rstrip()


def _sandbox_class() -> Any:
    """The sandbox with limits on what a template may build: jinja2's sandbox stops a template reaching Python's
    internals, these stop one from exhausting memory or the stack (`'a' * 10**12`, `range(10**9)`, a macro
    that calls itself, `'%09999999d'|format(1)`)."""
    from jinja2.runtime import Macro
    from jinja2.sandbox import SandboxedEnvironment

    class Sandbox(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})
        code_generator_class = _metered_code_generator()
        depth = 0
        steps = 0
        built = 0

        def start(self) -> None:
            """A new rendering: its own budget of steps and characters."""
            self.depth = self.steps = self.built = 0

        def step(self) -> None:
            """One iteration of a template loop (every `{% for %}` body starts with a call to this)."""
            self.steps += 1
            if self.steps > MAX_LOOP_STEPS:
                raise TemplateLimit(f"its loops ran more than {MAX_LOOP_STEPS:,} times")

        def measured(self, value: Any) -> Any:
            """A value the template built, counted against the rendering's budget and refused when larger than
            a whole report may be."""
            size = len(value) if isinstance(value, (str, list, tuple, dict, set)) else 0
            if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
                raise TemplateLimit("a number has more digits than a report can show")
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimit("a string or list would be larger than a report can be")
            self.built += size
            if self.built > MAX_BUILT_CHARS:
                raise TemplateLimit(f"it built more than {MAX_BUILT_CHARS:,} characters on the way to the report")
            return value

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 1000:
                raise TemplateLimit(f"a power of {right} is too large")
            ints = isinstance(left, int) and isinstance(right, int)
            if ints and operator == "**" and right > 0 and abs(left).bit_length() * right > MAX_INT_BITS:
                raise TemplateLimit("a number has more digits than a report can show")
            if ints and operator == "*" and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise TemplateLimit("a number has more digits than a report can show")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT_CHARS:
                        raise TemplateLimit("a repeated string or list would be larger than a report can be")
            if operator == "%" and isinstance(left, str) and any(int(m) > _MAX_WIDTH for m in _WIDE.findall(left)):
                raise TemplateLimit("a format field is too wide")
            sized = isinstance(left, (str, list)) and isinstance(right, (str, list))
            if operator == "+" and sized and len(left) + len(right) > MAX_OUTPUT_CHARS:
                raise TemplateLimit("a string or list would be larger than a report can be")
            return self.measured(super().call_binop(context, operator, left, right))

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(__obj, Macro):
                owner = getattr(__obj, "__self__", None)
                _refuse_amplifying(owner, getattr(__obj, "__name__", ""), args, kwargs)
                result = __self.measured(super().call(__context, __obj, *args, **kwargs))
                if isinstance(owner, (list, dict, set)):  # l.extend(l) grows the list, not the result
                    __self.measured(owner)
                return result
            if __self.depth >= MAX_MACRO_DEPTH:
                raise TemplateLimit(f"macros call each other more than {MAX_MACRO_DEPTH} deep")
            __self.depth += 1
            try:
                return super().call(__context, __obj, *args, **kwargs)
            finally:
                __self.depth -= 1

        def wrap_str_format(self, value: Any) -> Any:
            owner = getattr(value, "__self__", None)
            if isinstance(owner, str) and any(int(m) > _MAX_WIDTH for m in _WIDE.findall(owner)):
                raise TemplateLimit("a format field is too wide")
            return super().wrap_str_format(value)

        def join_path(self, template: str, parent: str) -> str:
            """`{% extends "report.md.j2" %}` inside the user's own report.md.j2 means the bundled one: a name
            that a template gives for itself is looked up in the folders after the one it came from."""
            base, _, _ = parent.partition("@")
            if template == base:
                layer = self.loader.layer_of(parent) if isinstance(self.loader, Layers) else None
                if layer is not None:
                    return f"{template}@{layer + 1}"
            return template

    return Sandbox


class Layers:
    """The template folders, the user's first: a name is found in the first folder holding it, and
    "NAME@K" looks only from folder K on (how an override reaches the template it extends)."""

    def __init__(self, directories: tuple[str, ...]) -> None:
        self.directories = [Path(d) for d in directories]

    def layer_of(self, name: str) -> int | None:
        """The first folder holding `name` (from folder K on, for "NAME@K"). Whatever the folder holds under that
        name counts, a pipe or a folder too, so that the user's own file is refused with a reason rather than
        passed over for the bundled one; a name that climbs out of the folders ("..", "/etc/...") is in none."""
        from jinja2.loaders import split_template_path

        base, _, skip = name.partition("@")
        start = int(skip) if skip.isdigit() else 0
        pieces = split_template_path(base)  # TemplateNotFound for a name with ".." in it
        return next(
            (k for k in range(start, len(self.directories)) if os.path.lexists(self.directories[k].joinpath(*pieces))),
            None,
        )

    def source(self, name: str) -> tuple[str, str]:
        from jinja2 import TemplateNotFound
        from jinja2.loaders import split_template_path

        base, _, _ = name.partition("@")
        layer = self.layer_of(name)
        if layer is None:
            raise TemplateNotFound(base)
        path = self.directories[layer].joinpath(*split_template_path(base))
        raw = read_bytes(path, MAX_TEMPLATE_BYTES)  # a regular file under the cap, or a located problem
        try:
            return raw.decode("utf-8"), str(path)
        except UnicodeDecodeError as exc:
            raise _BadEncoding(str(path), raw[: exc.start].count(b"\n") + 1) from None


class _BadEncoding(Exception):
    def __init__(self, path: str, line: int) -> None:
        super().__init__(path)
        self.path, self.line = path, line


@functools.lru_cache(maxsize=16)
def _environment(directories: tuple[str, ...]) -> Any:
    """One sandboxed environment per search path, kept: jinja2 caches compiled templates per environment and
    reloads a template whose file changed."""
    from jinja2 import BaseLoader, StrictUndefined, select_autoescape

    class Loader(BaseLoader, Layers):
        def __init__(self) -> None:
            Layers.__init__(self, directories)

        def get_source(self, environment: Any, template: str) -> tuple[str, str, Any]:
            text, path = self.source(template)
            mtime = Path(path).stat().st_mtime
            return text, path, lambda: Path(path).is_file() and Path(path).stat().st_mtime == mtime

    env = _sandbox_class()(
        loader=Loader(),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # jinja2's own filters metered; ours below clamp their sizes or cannot grow what they are given
    for name, function in list(env.filters.items()):
        env.filters[name] = _metered_filter(env, name, function)
    env.filters["md"] = _md
    env.filters["num"] = lambda value, places=2: format_number(value, places)
    env.filters["css_string"] = _css_string
    env.filters["wrap"] = _wrap
    env.filters["center"] = lambda value, width=80: str(value).center(min(int(width), _MAX_WIDTH))
    formatted = env.filters["format"]

    def format_filter(value: Any, *args: Any, **kwargs: Any) -> str:
        if any(int(m) > _MAX_WIDTH for m in _WIDE.findall(str(value))):
            raise TemplateLimit("a format field is too wide")
        return str(formatted(value, *args, **kwargs))

    env.filters["format"] = format_filter
    indent = env.filters["indent"]
    env.filters["indent"] = lambda value, width=4, *a, **k: indent(
        value, min(width, _MAX_WIDTH) if isinstance(width, int) else str(width)[:_MAX_WIDTH], *a, **k
    )
    env.globals.pop("lipsum", None)  # paragraphs of filler on demand: nothing a report needs
    env.globals["range"] = _bounded_range
    env.filters["loop_step"] = lambda _: env.step()
    env.filters["measured"] = env.measured
    return env


def _refuse_amplifying(owner: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse, before it runs, a call that would build a string larger than any report from a small one:
    `'x'.ljust(10**9)`, `s|slice(10**9)`, `('\t' * 1000).expandtabs(10**6)`, a replace that multiplies."""
    numbers = [a for a in (*args, *kwargs.values()) if isinstance(a, int) and not isinstance(a, bool)]
    if any(abs(n) > MAX_OUTPUT_CHARS for n in numbers):
        raise TemplateLimit("a size or count is larger than a report can be")
    if not isinstance(owner, str):
        return
    estimate = 0
    if name == "expandtabs":
        estimate = len(owner) * max(numbers[:1] or [8])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        estimate = len(owner) + (owner.count(args[0]) if args[0] else len(owner) + 1) * len(args[1])
    if estimate > MAX_OUTPUT_CHARS:
        raise TemplateLimit("a string would be larger than a report can be")


def _metered_filter(env: Any, name: str, function: Any) -> Any:
    """A filter whose arguments are checked before it runs and whose result counts against the budget."""

    first = 2 if getattr(function, "jinja_pass_arg", None) else 1  # after the context or environment, the value

    @functools.wraps(function)
    def metered(*args: Any, **kwargs: Any) -> Any:
        value = args[first - 1] if len(args) >= first else None
        owner = value if name == "replace" and isinstance(value, str) else None
        _refuse_amplifying(owner, name, args[first:], kwargs)
        return env.measured(function(*args, **kwargs))

    return metered


def _metered_code_generator() -> Any:
    """jinja2's code generator, with every loop iteration counted and every `~` measured: the two things a
    template can do without calling anything the sandbox sees."""
    from jinja2 import nodes
    from jinja2.compiler import CodeGenerator
    from jinja2.visitor import NodeTransformer

    class Meter(NodeTransformer):
        def visit_For(self, node: Any) -> Any:
            self.generic_visit(node)
            # of the context, not of a constant, which the optimiser would call once while compiling
            tick = nodes.Filter(nodes.ContextReference(), "loop_step", [], [], None, None, lineno=node.lineno)
            node.body = [nodes.ExprStmt(tick, lineno=node.lineno), *node.body]
            return node

        def visit_Concat(self, node: Any) -> Any:
            self.generic_visit(node)
            return nodes.Filter(node, "measured", [], [], None, None, lineno=node.lineno)

    class MeteredCodeGenerator(CodeGenerator):
        def visit_Template(self, node: Any, frame: Any = None) -> None:
            super().visit_Template(Meter().visit(node), frame)

    return MeteredCodeGenerator


def _bounded_range(*args: int) -> range:
    found = range(*args)
    if len(found) > MAX_RANGE:
        raise TemplateLimit(f"a range of {len(found)} items is longer than the {MAX_RANGE} a template may loop over")
    return found


def check_templates(directory: Path, require_all: bool) -> list[Problem]:
    """Every template in the folder must compile; the bundled folder must also hold every report's template."""
    from jinja2 import TemplateSyntaxError

    problems: list[Problem] = []
    if require_all:
        for name in TEMPLATES.values():
            if not (directory / name).is_file():
                problems.append(Problem.make("MQ401", f"the report template '{name}' is missing", str(directory)))
    env = _environment((str(directory),))
    for path in sorted(directory.glob("*.j2")):
        try:
            raw = read_bytes(path, MAX_TEMPLATE_BYTES)  # a pipe named x.j2 is refused, not waited on
            env.parse(raw.decode("utf-8"), name=path.name, filename=str(path))
        except DefinitionError as exc:
            problems.extend(exc.problems)
        except TemplateSyntaxError as exc:
            problems.append(
                Problem.make("MQ402", f"the template does not compile: {exc.message}", str(path), exc.lineno or 0, 1)
            )
        except UnicodeDecodeError:
            problems.append(Problem.make("MQ003", "the template is not valid UTF-8", str(path)))
    return problems


_STATUS_TITLES = {k: v[:1].upper() + v[1:] for k, v in STATUS_WORDS.items()}  # "Don't know"
QUOTE_CHARS = 240  # how much of a note page one and the indicator table quote (the appendix has it in full)
CHART_LABEL_CHARS = 28  # a stage name wraps at this many characters in the chart, never cut


def _answer_words(question: Any, result: Any, questionnaire: Questionnaire) -> str:
    """An answer as the person chose it: the level or option label, not its id."""
    if result.status != "answered":
        return str(_STATUS_TITLES.get(result.status, result.status))
    value = result.value
    if question is None:
        return str(value)
    if question.kind == "scale":
        label = next((lv.label for lv in questionnaire.levels_of(question) if lv.level == value), None)
        return f"{value}: {label}" if label else str(value)
    if question.kind in ("single", "multiple"):
        return questionnaire.answer_label(question, value) or "Nothing chosen"
    if question.kind == "yes_no":
        return "Yes" if value in (True, "yes") else "No"
    return str(value)


def _shorten(text: str | None, limit: int) -> str | None:
    """Text cut at a word boundary before `limit` characters, with an ellipsis when it was cut."""
    if text is None:
        return None
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def _lower_first(text: str) -> str:
    """ "The service ..." -> "the service ..." inside a sentence, leaving "NHS ..." and "I ..." alone."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _first_sentence(text: str | None) -> str | None:
    if not text:
        return None
    words = " ".join(text.split())
    end = re.search(r"(?<=[.!?])\s+(?=[A-Z])", words)
    return words[: end.start()] if end else words


class _Words:
    """Ids as a reader sees them: every question, stage, indicator and pain point with its title."""

    def __init__(self, assessment: Assessment, questionnaire: Questionnaire, rules: Rules) -> None:
        self.assessment, self.questionnaire, self.rules = assessment, questionnaire, rules
        self.questions = {q.id: q for q in questionnaire.questions()}
        self.results = {r.id: r for r in assessment.questions}
        self.nodes = {n.id: n for n in assessment.nodes}
        self.indicators = {i.id: i for i in assessment.verdict.indicators}
        self.pains = {p.id: p.title for p in rules.pain_points}

    def question(self, qid: str) -> dict[str, Any]:
        """A question with its text, the answer by its label, and the assessor's note and evidence."""
        question = self.questions.get(qid)
        result = self.results.get(qid)
        answer = _answer_words(question, result, self.questionnaire) if result is not None else "Not asked"
        return {
            "id": qid,
            "text": " ".join(question.text.split()) if question else qid,
            "answer": answer,
            "status": result.status if result is not None else "not_asked",
            "note": result.note if result is not None else None,
            "note_short": _shorten(result.note, QUOTE_CHARS) if result is not None else None,
            "evidence": list(result.evidence) if result is not None else [],
        }

    def trigger(self, trigger: Any) -> str:
        """One test that fired, as a sentence: "STR-1 What objectives ...? answered 1: Savings or relief only"."""
        subject, ident = trigger.subject, trigger.id
        if subject == "question":
            q = self.question(ident)
            result = self.results.get(ident)
            if result is not None and result.stage is None:  # a context question: its id is no word for a reader
                return f'the answer to "{q["text"]}" is {q["answer"]}'
            if q["status"] == "answered":
                return f"{ident} {q['text']} answered {q['answer']}"
            return f"{ident} {q['text']}: {q['answer'].lower()}"
        if subject in ("score", "level"):
            if ident == "verdict":
                return f"the verdict's warning points are {trigger.actual}"
            node = self.nodes.get(ident)
            name = "the overall result" if ident == "overall" else node.title if node else ident
            return f"the {subject} of {name} is {trigger.actual}"
        if subject == "indicator":
            ind = self.indicators.get(ident)
            rating = RAG_WORDS.get(trigger.actual, str(trigger.actual)).lower()  # mid-sentence, as "red, from..."
            return f"{ind.title if ind else ident} is rated {rating}"
        if subject == "count":
            tier, _, rated = ident.rpartition("/")
            one = str(trigger.actual) == "1"
            kind = f"{tier + ' ' if tier else ''}indicator{'' if one else 's'} {'is' if one else 'are'}"
            return f"{trigger.actual} {kind} rated {RAG_WORDS.get(rated, rated).lower()}"
        return f"the pain point '{self.pains.get(ident, ident)}' {trigger.actual}"


def _indicators(words: _Words) -> list[dict[str, Any]]:
    out = []
    for ind in words.assessment.verdict.indicators:
        out.append(
            {
                **ind.model_dump(mode="json"),
                "rating_words": RAG_WORDS[ind.rating],
                "answers": [words.question(a.question) for a in ind.answers],
                "to_green": ind.evidence if ind.rating != "green" and ind.evidence else None,
                "unevidenced": [words.question(q) for q in getattr(ind, "unevidenced", ())],
            }
        )
    return out


def _deciding(words: _Words, indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The three indicators that decided the verdict: those a deciding veto or outcome read, then the worst
    rated by tier weight (for a good verdict, the heaviest: what it rests on)."""
    verdict = words.assessment.verdict
    triggers = verdict.vetoed_by.triggered_by if verdict.vetoed_by is not None else verdict.triggered_by
    named = [t.id for t in triggers if t.subject == "indicator"]
    order = {i["id"]: n for n, i in enumerate(indicators)}
    ranked = sorted(
        indicators,
        key=lambda i: (
            i["id"] not in named,
            RAG_ORDER[i["rating"]] if verdict.rag != "green" else 0,  # worst first
            -i["tier_weight"],
            order[i["id"]],
        ),
    )
    return ranked[:3]


def _pain_points(words: _Words) -> list[dict[str, Any]]:
    """Pain points in the engine's report order (those behind the verdict first, causes before symptoms), with
    their triggers in words."""
    out = []
    for pain in words.assessment.pain_points:
        body = pain.model_dump(mode="json")
        body["triggers"] = list(dict.fromkeys(words.trigger(t) for t in pain.triggered_by))
        body["severity_words"] = SEVERITY_WORDS[pain.severity]
        body.setdefault("role", "cause")
        body.setdefault("deciding", False)
        body.setdefault("evidence_gap", False)
        out.append(body)
    return out


def _verdict_sentence(verdict: VerdictResult) -> str:
    if not verdict.assessed:
        return f"The verdict was not assessed: {verdict.not_assessed_reason}."
    if verdict.vetoed_by is not None:
        return f"{verdict.label}, because {_lower_first(verdict.vetoed_by.reason.rstrip('.'))}."
    first = _first_sentence(verdict.summary)
    return f"{verdict.label}: {_lower_first(first)}" if first else f"{verdict.label}."


def _verdict_reason(verdict: VerdictResult, words: _Words) -> str:
    """Why the verdict is what it is, as a sentence to stand beside its label (which it does not repeat)."""
    if not verdict.assessed:
        return f"{(verdict.not_assessed_reason or 'It does not apply').rstrip('.')}."
    if verdict.vetoed_by is not None:
        reason = verdict.vetoed_by.reason.rstrip(".")
        return f"{reason[:1].upper()}{reason[1:]}."
    outcome = (
        next((o for o in words.rules.verdict.outcomes if o.id == verdict.outcome), None)
        if words.rules.verdict
        else None
    )
    stated = outcome.reason if outcome is not None and verdict.triggered_by else None
    if stated:  # the rules say in words why their condition gives this outcome
        return f"{stated.rstrip('.')}."
    summary = _first_sentence(verdict.summary)
    if summary:
        return summary
    decided = list(dict.fromkeys(words.trigger(t) for t in verdict.triggered_by))
    if decided:
        text = "; ".join(decided)
        return f"{text[:1].upper()}{text[1:]}."
    return "No other outcome's conditions held."


def _points_words(verdict: VerdictResult, rules: Rules) -> str | None:
    """The verdict's points, saying which way they run."""
    if not verdict.assessed or verdict.points is None or rules.verdict is None:
        return None
    ratings = rules.verdict.ratings
    worse = "more" if ratings.get("red", 2) > ratings.get("green", 0) else "fewer"
    return (
        f"{format_number(verdict.points, 2)} of a possible {format_number(verdict.max_points, 2)} warning points "
        f"({worse} points mean more signs of the problem; each red indicator counts most, weighted by its tier)"
    )


def _chart(
    stages: list[Any], rules: Rules, next_levels: dict[str, dict[str, Any]], depths: dict[str, int] | None = None
) -> dict[str, Any]:
    """The stage chart's geometry: continuous scores on the levels' axis, each level's band, the next level.
    A row under a reported roll-up node (depth 2 or more) is indented, so the chart shows the model's levels."""
    bands = sorted(rules.levels, key=lambda b: b.from_)
    low, high = bands[0].from_, max(b.to for b in bands)
    if high <= low:
        high = low + 1
    left, width, row, top = 250.0, 380.0, 44, 40

    def x(score: float) -> float:
        return round(left + width * (min(max(score, low), high) - low) / (high - low), 1)

    rows = []
    for n, stage in enumerate(stages):
        lines = textwrap.wrap(stage.title, CHART_LABEL_CHARS, break_long_words=False) or [stage.title]
        y = top + n * row
        nxt = next_levels.get(stage.id)
        depth = (depths or {}).get(stage.id, 1)
        rows.append(
            {
                "id": stage.id,
                "title": stage.title,
                "kind": stage.kind,
                "indent": 14 * (depth - 1) if any(d > 1 for d in (depths or {}).values()) else 0,
                "lines": lines,
                "y": y,
                "score": stage.score,
                "end": x(stage.score) if stage.score is not None else None,
                "level": stage.level,
                "level_name": stage.level_name,
                "rag": stage.rag,
                "next": {**nxt, "x": x(nxt["from"])} if nxt else None,
            }
        )
    shaded = [
        {"x": x(b.from_), "w": round(x(b.to) - x(b.from_), 1), "level": b.level, "name": b.name, "even": i % 2 == 0}
        for i, b in enumerate(bands)
    ]
    ticks = sorted({b.from_ for b in bands} | {high})
    return {
        "rows": rows,
        "bands": shaded,
        "ticks": [{"x": x(t), "label": format_number(t, 2)} for t in ticks],
        "left": left,
        "right": left + width,
        "top": top,
        "height": top + row * len(stages) + 30,
    }


class Row(NamedTuple):
    """A roll-up node and how deep it sits below the overall result (1: a child of overall)."""

    node: Any
    depth: int


def hierarchy(assessment: Assessment) -> list[Row]:
    """Every roll-up node below the overall result, top down (each node followed by the nodes it rolls up, in
    the rules' order): the stages, their groups, and roll-up nodes the rules report, with how deep each sits.

    Nodes that are neither reported nor a stage or group (working nodes of the rules) are passed through: their
    children are shown in their place. A stage that no reported node reaches follows at depth 1, so every stage is
    always shown once.
    """
    nodes = {n.id: n for n in assessment.nodes}
    shown: set[str] = set()
    rows: list[Row] = []

    def visit(node_id: str, depth: int) -> None:
        node = nodes.get(node_id)
        if node is None or node_id in shown:
            return
        visible = node.kind in ("stage", "group") or (node.kind == "node" and node.reported)
        if visible:
            shown.add(node_id)
            rows.append(Row(node, depth))
        for child in node.explanation.children:
            if child.kind != "question":
                visit(child.id, depth + 1 if visible else depth)

    for child in nodes["overall"].explanation.children if "overall" in nodes else ():
        if child.kind != "question":
            visit(child.id, 1)
    for node in assessment.nodes:  # stages and reported nodes the overall result does not reach
        if node.kind == "stage" or (node.kind == "node" and node.reported):
            visit(node.id, 1)
    return rows


def _levels_sentence(assessment: Assessment, with_level: bool = True) -> str:
    """What a model without a verdict says first: the overall level (unless shown beside it), then its weakest and
    strongest parts."""
    overall = assessment.overall
    parts = [n for n in assessment.nodes if n.kind in ("stage", "node") and n.reported and n.score is not None]
    level = f"Level {overall.level} {overall.level_name or ''}".rstrip() if overall.level is not None else "No level"
    score = format_number(overall.score, 2)
    text = f"{level} overall (a score of {score})." if with_level else f"An overall score of {score}."
    if len(parts) > 1:
        weakest = min(parts, key=lambda n: (n.level if n.level is not None else -1, n.score))
        strongest = max(parts, key=lambda n: (n.level if n.level is not None else -1, n.score))
        if (weakest.level, weakest.score) != (strongest.level, strongest.score):
            text += (
                f" Weakest: {weakest.title} (level {weakest.level}, {format_number(weakest.score, 2)});"
                f" strongest: {strongest.title} (level {strongest.level}, {format_number(strongest.score, 2)})."
            )
    return text


def _roadmap(
    assessment: Assessment, questionnaire: Questionnaire, rules: Rules, roadmap: Roadmap | None
) -> Roadmap | None:
    """The given roadmap, else one computed from the answers the assessment records (None if they do not fit)."""
    if roadmap is not None:
        return roadmap
    from maturity.engine.roadmap import answers_from_assessment, build_roadmap
    from maturity.model.problems import MaturityError

    if (assessment.questionnaire.id, assessment.questionnaire.version) != (questionnaire.id, questionnaire.version):
        return None
    try:
        return build_roadmap(questionnaire, rules, answers_from_assessment(assessment), assessment)
    except MaturityError:
        return None


def _next_levels(stages: list[Any], rules: Rules) -> dict[str, dict[str, Any]]:
    """For each stage, the next level up and the score it starts at, for the chart's "next level" marks."""
    bands = sorted(rules.levels, key=lambda b: b.level)
    out: dict[str, dict[str, Any]] = {}
    for stage in stages:
        above = [b for b in bands if stage.level is None or b.level > stage.level]
        if above:
            out[stage.id] = {"level": above[0].level, "name": above[0].name, "from": above[0].from_}
    return out


def _link(url: str | None) -> str | None:
    """A reference's address, only when it is a web address (a link must never run anything)."""
    if url is None:
        return None
    url = url.strip()
    return url if re.fullmatch(r"https?://[^\s<>\"'`]+", url) else None


def _actions(pains: list[dict[str, Any]], deciding: list[dict[str, Any]], verdict: VerdictResult) -> list[str]:
    """The three next actions: what the pain points behind the verdict say to do, then the other pain points in
    report order, then the open items' evidence, then what would move the deciding indicators to green."""
    found = [p["action"] for p in pains if p["deciding"]]
    found += [p["action"] for p in pains if not p["deciding"]]
    found += [str(item["action"]) for item in _open_items(verdict) if item.get("action")]
    found += [i["to_green"] for i in deciding if i["to_green"]]
    return list(dict.fromkeys(found))[:3]


def _open_items(verdict: VerdictResult) -> list[dict[str, Any]]:
    """The verdict's open items (red and amber indicators, then high pain points), as plain dictionaries."""
    return [item.model_dump(mode="json") for item in verdict.open_items]


def _answers(words: _Words) -> list[dict[str, Any]]:
    """Every question that was asked, in questionnaire order, with its answer in words and its stage's title."""
    stage_titles = {s.id: s.title for s in words.questionnaire.stages}
    answers: list[dict[str, Any]] = []
    for result in words.assessment.questions:
        if result.status == "not_asked":
            continue
        answers.append(
            {
                **result.model_dump(mode="json"),
                "order": len(answers),
                "answer": _answer_words(words.questions.get(result.id), result, words.questionnaire),
                "stage_title": stage_titles.get(result.stage or "", "Context"),
            }
        )
    return answers


def _references(words: _Words) -> list[dict[str, Any]]:
    """The sources cited by the questions, the pain points and the indicators, each once, by tag."""
    assessment, questionnaire, rules = words.assessment, words.questionnaire, words.rules
    known = {r.tag: r for r in [*questionnaire.references, *rules.references]}
    cited = sorted(
        {s.split()[0] for p in assessment.pain_points for s in p.sources}
        | {s.split()[0] for i in assessment.verdict.indicators for s in i.sources}
        | {s.split()[0] for q in questionnaire.questions() for s in q.sources}
    )
    return [{**known[t].model_dump(mode="json"), "link": _link(known[t].url)} for t in cited if t in known]


def _evidence_gaps(words: _Words) -> list[dict[str, Any]]:
    """Each stage's don't-knows and unanswered questions, as questions a reader can follow up."""
    return [
        {
            "stage": g.stage,
            "title": g.title,
            "dont_know": [words.question(q) for q in g.dont_know],
            "unanswered": [words.question(q) for q in g.unanswered],
        }
        for g in words.assessment.evidence_gaps
    ]


def _summary(words: _Words, deciding: list[dict[str, Any]], pains: list[dict[str, Any]]) -> dict[str, Any]:
    """The executive summary on the first page: the verdict (or, with none, the levels) in a sentence, why, what
    decided it with the answers quoted, the next three actions, and how much was not known."""
    assessment, verdict = words.assessment, words.assessment.verdict
    findings = [{**i, "quotes": [{**a, "evidence": a["evidence"][:3]} for a in i["answers"]]} for i in deciding]
    if not findings:  # no verdict: the worst pain points decide what the summary says
        findings = [
            {"title": p["title"], "rating": None, "severity_words": p["severity_words"], "quotes": []}
            for p in pains[:3]
        ]
    return {
        "sentence": _verdict_sentence(verdict) if verdict.defined else _levels_sentence(assessment),
        "reason": _verdict_reason(verdict, words) if verdict.defined else _levels_sentence(assessment, False),
        "findings_title": "What decided it" if verdict.defined else "What stands out",
        "findings": findings,
        "actions": _actions(pains, deciding, verdict),
        "dont_know": sum(len(g.dont_know) for g in assessment.evidence_gaps),
        "unanswered": sum(len(g.unanswered) for g in assessment.evidence_gaps),
    }


def _verdict(words: _Words, indicators: list[dict[str, Any]]) -> dict[str, Any]:
    """The verdict with its words: sentence, reason, points, what decided it, its indicators and open items."""
    verdict = words.assessment.verdict
    return {
        **verdict.model_dump(mode="json"),
        "sentence": _verdict_sentence(verdict),
        "reason": _verdict_reason(verdict, words),
        "points_words": _points_words(verdict, words.rules),
        # each test once: a veto and an outcome may read the same indicator
        "decided_words": list(dict.fromkeys(words.trigger(t) for t in (verdict.vetoed_by or verdict).triggered_by)),
        "indicators": indicators,
        "open_items": _open_items(verdict),
        "open_items_title": verdict.open_items_title or "Before going to market",
    }


def _parts(assessment: Assessment, rules: Rules) -> dict[str, Any]:
    """The stages and the roll-up nodes the rules report like them, in the roll-up's order, for the stage table
    and the chart; and every roll-up level top down when the model has more of them than stages."""
    tree = hierarchy(assessment)
    stages = [row.node for row in tree if row.node.kind in ("stage", "node")]
    depths = {row.node.id: row.depth for row in tree}
    next_levels = _next_levels(stages, rules)
    nested = any(row.depth > 1 or row.node.kind == "group" for row in tree)
    breakdown = [{**row.node.model_dump(mode="json", exclude={"explanation"}), "depth": row.depth} for row in tree]
    return {
        "stages": [s.model_dump(mode="json") for s in stages],
        "chart": _chart(stages, rules, next_levels, depths),
        "breakdown": breakdown if nested else [],
        "next_levels": next_levels,
    }


def report_context(
    assessment: Assessment,
    questionnaire: Questionnaire,
    rules: Rules,
    questionnaire_digest: str | None = None,
    generated: str | None = None,
    roadmap: Roadmap | None = None,
    width: int = TERMINAL_WIDTH,
) -> dict[str, Any]:
    """Everything a template may show, as plain data.

    `generated` (default today) is fixed by tests so that reports are reproducible byte for byte; `roadmap` can be
    passed when the caller has already computed it; `width` is the terminal report's line length.
    """
    words = _Words(assessment, questionnaire, rules)
    indicators = _indicators(words)
    deciding = _deciding(words, indicators) if assessment.verdict.assessed else []
    pains = _pain_points(words)
    found = _roadmap(assessment, questionnaire, rules, roadmap)
    details = assessment.details.model_dump(mode="json")
    details["marking"] = details.get("marking") or DEFAULT_MARKING
    return {
        "title": f"{assessment.details.organisation}: {assessment.details.service}",
        "questionnaire_title": questionnaire.title,
        "details": details,
        "summary": _summary(words, deciding, pains),
        "verdict": _verdict(words, indicators),
        "overall": assessment.overall.model_dump(mode="json"),
        **_parts(assessment, rules),
        "pain_points": pains,
        "top_pain_points": pains[:TOP_PAIN_POINTS],
        "more_pain_points": pains[TOP_PAIN_POINTS:],
        "contradictions": [
            {**c.model_dump(mode="json"), "triggers": [words.trigger(t) for t in c.triggered_by]}
            for c in assessment.contradictions
        ],
        "evidence_gaps": _evidence_gaps(words),
        "answers": _answers(words),
        "references": _references(words),
        "levels": [b.model_dump(mode="json", by_alias=True) for b in rules.levels],
        "questionnaire": {
            "id": questionnaire.id,
            "title": questionnaire.title,
            "version": questionnaire.version,
            "digest": questionnaire_digest,
        },
        "rules": {"id": rules.id, "version": rules.version},
        "tool_version": __version__,
        "generated": generated or dt.date.today().isoformat(),
        "roadmap": found.to_dict() if found is not None else None,
        "combined": combined_context(assessment.details, questionnaire),
        "severity_words": SEVERITY_WORDS,
        "rag_words": RAG_WORDS,
        "width": width,
    }


def render_report(
    assessment: Assessment,
    questionnaire: Questionnaire,
    rules: Rules,
    fmt: str = "md",
    templates: Path | None = None,
    questionnaire_digest: str | None = None,
    generated: str | None = None,
    roadmap: Roadmap | None = None,
    width: int = TERMINAL_WIDTH,
) -> str:
    """Render one report as text (every format but pdf: see `render_report_bytes`). `templates` is a folder whose
    templates override the bundled ones by name."""
    if fmt not in TEXT_FORMATS:
        raise DefinitionError(
            Problem.make("MQ104", f"unknown report format '{fmt}' (choose {', '.join(TEXT_FORMATS)})")
        )
    context = report_context(assessment, questionnaire, rules, questionnaire_digest, generated, roadmap, width)
    if fmt == "json":
        body = {
            "report_format_version": REPORT_FORMAT_VERSION,
            "tool_version": __version__,
            "generated": context["generated"],
            "questionnaire": context["questionnaire"],
            "assessment": assessment.model_dump(mode="json"),
            "roadmap": context["roadmap"],
        }
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
    return render_template(TEMPLATES[fmt], context, templates)


def render_report_bytes(
    assessment: Assessment,
    questionnaire: Questionnaire,
    rules: Rules,
    fmt: str,
    templates: Path | None = None,
    questionnaire_digest: str | None = None,
    generated: str | None = None,
    roadmap: Roadmap | None = None,
) -> bytes:
    """Any report format as the bytes of its file: the text formats in UTF-8, pdf from the HTML report."""
    if fmt != "pdf":
        text = render_report(assessment, questionnaire, rules, fmt, templates, questionnaire_digest, generated, roadmap)
        return text.encode("utf-8")
    require_pdf()
    html = render_report(assessment, questionnaire, rules, "html", templates, questionnaire_digest, generated, roadmap)
    return html_to_pdf(html)


class FormatUnavailable(Exception):
    """A format needs an optional extra that is not installed (a usage problem: say how to install it)."""


class FormatError(Exception):
    """The format asked for and the file named do not agree, or the file's extension names no format."""


def output_format(chosen: str | None, out: Path | None, formats: tuple[str, ...] = FORMATS) -> str:
    """The format to write: from `--out`'s extension, strictly; `--format`, when given, must agree with it.

    An extension that names no format is refused, listing the formats, and so is a format asked for under
    another's extension: a .pdf file never holds plain text, an .html file never holds terminal text.
    """
    names = ", ".join(f"{SUFFIXES[f]} ({f})" for f in formats)
    if out is None:
        return chosen or "terminal"
    suffix = out.suffix.lower()
    if not suffix:
        if chosen is None:
            raise FormatError(f"--out {out}: the file name has no extension to choose a format; use one of {names}")
        return chosen
    found = FORMAT_OF_SUFFIX.get(suffix)
    if found is None or found not in formats:
        raise FormatError(f"--out {out}: '{suffix}' is not a report format; use one of {names}")
    if chosen is not None and chosen != found:
        raise FormatError(
            f"--out {out} names a {found} file but --format {chosen} was asked for; name the file "
            f"{out.with_suffix(SUFFIXES[chosen]).name} or drop --format"
        )
    return found


PDF_INSTALL = (
    "PDF reports need WeasyPrint, an optional extra: pip install 'maturity[pdf]' (it uses the pango library, "
    "which Debian and Ubuntu install with libpango-1.0-0)"
)


def require_pdf() -> None:
    """Raise FormatUnavailable, saying how to install it, when WeasyPrint cannot be imported."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the package is there but pango is not
        raise FormatUnavailable(f"{PDF_INSTALL} ({exc})") from None


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the PDF renderer fetches nothing ({url})")


def html_to_pdf(html: str) -> bytes:
    """A4 PDF of a self-contained HTML document, with WeasyPrint; nothing is fetched from anywhere.

    Python's cycle collector is paused while WeasyPrint works: its boxes, styles and layouts point at each other,
    so one report makes about a million objects in reference cycles, and the collector's passes over them took
    about a seventh of the render (bench_report.py). They die with the render, the peak memory is the same
    (85 MiB for the bundled failing example either way), and the collector runs as usual afterwards.
    """
    require_pdf()
    import gc
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its warnings about CSS it ignores are not ours
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    collecting = gc.isenabled()
    gc.disable()
    try:
        document = weasyprint.HTML(string=html, url_fetcher=_no_fetching)
        return bytes(document.write_pdf())
    finally:
        if collecting:
            gc.enable()


def render_template(name: str, context: dict[str, Any], templates: Path | None = None) -> str:
    """Render a named template (such as compare.md.j2) with plain data, in the reports' sandbox.

    Documents other than the report (the comparison of two assessments) share its sandbox, escaping, `md` filter,
    overriding by name and error codes, rather than a second, looser way to run user templates. Every failure
    of a template, at compile time or while it runs, is a located problem (MQ4xx, the file and line).
    """
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    bundled = bundled_dir("report_templates")
    if templates is not None and not templates.is_dir():
        raise DefinitionError(
            Problem.make("MQ401", "the templates folder does not exist (or is not a folder)", str(templates))
        )
    directories = ([templates] if templates else []) + [bundled]
    where = str((templates / name) if templates and (templates / name).is_file() else bundled / name)
    env = _environment(tuple(str(d) for d in directories))
    env.start()
    try:
        parts: list[str] = []
        size = 0
        for chunk in env.get_template(name).generate(**context):
            size += len(chunk)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateLimit(f"the report is larger than {MAX_OUTPUT_CHARS:,} characters")
            parts.append(chunk)
        text = "".join(parts)
    except TemplateNotFound as exc:
        missing = str(exc.name or name).partition("@")[0]
        if missing == name:
            raise DefinitionError(Problem.make("MQ401", f"the template '{name}' is missing", where)) from None
        file, line = _template_frame(exc, where)  # named by an include, import or extends
        raise DefinitionError(
            Problem.make("MQ401", f"the template '{missing}' it names is not in the templates folder", file, line, 1)
        ) from None
    except TemplateSyntaxError as exc:
        raise DefinitionError(
            Problem.make(
                "MQ402", f"the template does not compile: {exc.message}", exc.filename or where, exc.lineno or 0, 1
            )
        ) from None
    except _BadEncoding as exc:
        raise DefinitionError(Problem.make("MQ003", "the template is not valid UTF-8", exc.path, exc.line, 1)) from None
    except TemplateLimit as exc:
        file, line = _template_frame(exc, where)
        raise DefinitionError(Problem.make("MQ404", f"the template went past a limit: {exc}", file, line, 1)) from None
    except RecursionError as exc:
        file, line = _template_frame(exc, where)
        raise DefinitionError(
            Problem.make("MQ404", "the template went past a limit: it calls itself too deeply", file, line, 1)
        ) from None
    except (SecurityError, TemplateError) as exc:
        file, line = _template_frame(exc, where)
        raise DefinitionError(Problem.make("MQ403", f"the template failed: {exc}", file, line, 1)) from None
    except (ArithmeticError, MemoryError, TypeError, ValueError, LookupError, AttributeError) as exc:
        file, line = _template_frame(exc, where)
        words = str(exc) or type(exc).__name__
        raise DefinitionError(
            Problem.make("MQ403", f"the template failed: {words} ({type(exc).__name__})", file, line, 1)
        ) from None
    # A note could carry terminal escape sequences or bidirectional overrides; no report format has a use for them.
    return for_terminal(text)  # the one sanitiser: whole escape sequences, controls and bidi overrides go


def _template_frame(exc: BaseException, where: str) -> tuple[str, int]:
    """The template file and line an error was raised at (jinja2 maps its frames back to template lines)."""
    import traceback

    found = (where, 0)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".j2"):
            found = (frame.filename, frame.lineno or 0)
    return found


def summary_lines(
    assessment: Assessment, questionnaire: Questionnaire, rules: Rules, width: int = TERMINAL_WIDTH, top: int = 3
) -> list[str]:
    """The end of an interview, for the terminal: the verdict and why, each stage's level, the top pain points
    and how many answers were "don't know" or skipped, wrapped at word boundaries to `width`."""
    words = _Words(assessment, questionnaire, rules)
    verdict = assessment.verdict
    lines: list[str] = []
    label = f"{verdict.label} ({RAG_WORDS[verdict.rag]})" if verdict.assessed and verdict.rag else verdict.label
    if verdict.defined:  # a model with levels only says nothing of a verdict
        lines += _wrap(f"Verdict: {label}. {_verdict_reason(verdict, words)}", width, "  ", "").split("\n")
    if verdict.low_confidence and verdict.low_confidence_message:
        lines += _wrap(f"Low confidence: {verdict.low_confidence_message}", width, "  ", "  ").split("\n")
    overall = assessment.overall
    level = f"level {overall.level} {overall.level_name or ''}".rstrip() if overall.level is not None else "no level"
    rag = f", {RAG_WORDS[overall.rag]}" if overall.rag else ""
    lines.append(f"Overall maturity: {level} (score {format_number(overall.score, 2)}{rag})")
    for row in hierarchy(assessment):  # stages and reported roll-up nodes, each under the node it rolls up into
        stage = row.node
        if stage.kind == "group":
            continue
        stage_level = (
            f"level {stage.level} {stage.level_name or ''}".rstrip() if stage.level is not None else "no level"
        )
        stage_rag = f", {RAG_WORDS[stage.rag]}" if stage.rag else ""
        indent = "  " * row.depth
        lines += _wrap(f"{stage.title}: {stage_level}{stage_rag}", width, indent + "    ", indent).split("\n")
    pains = _pain_points(words)
    if pains:
        lines.append("Top pain points:")
        for n, pain in enumerate(pains[:top], 1):
            text = f"[{pain['severity_words']}] {pain['title']}: {pain['action']}"
            lines += _wrap(text, width, "     ", f"  {n}. ").split("\n")
    dont_know = sum(len(g.dont_know) for g in assessment.evidence_gaps)
    unanswered = sum(len(g.unanswered) for g in assessment.evidence_gaps)
    given = sum(1 for q in assessment.questions if q.status != "not_asked")
    lines += _wrap(
        f'Answers: {given} questions asked; {dont_know} answered "don\'t know" and {unanswered} skipped or '
        "unanswered (each is an evidence gap in the report).",
        width,
        "  ",
        "",
    ).split("\n")
    return lines
