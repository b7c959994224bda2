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
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maturity import __version__
from maturity.io.resources import bundled_dir
from maturity.model.assessment import Assessment
from maturity.model.definitions import Questionnaire, Rules
from maturity.model.problems import DefinitionError, Problem
from maturity.model.vocabulary import RAG_WORDS, SEVERITY_WORDS, format_number
from maturity.render.combined import combined_context

if TYPE_CHECKING:
    from maturity.engine.roadmap import Roadmap

# The report formats rendered from templates, and the template each uses.
TEMPLATES: dict[str, str] = {"terminal": "report.txt.j2", "md": "report.md.j2", "html": "report.html.j2"}
FORMATS = ("terminal", "md", "html", "json")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_TEMPLATE_BYTES = 1024 * 1024
TOP_PAIN_POINTS = 7
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


@functools.lru_cache(maxsize=16)
def _environment(directories: tuple[str, ...]) -> Any:
    """One sandboxed environment per search path, kept: jinja2 caches compiled templates per environment and
    reloads a template whose file changed."""
    from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in directories]),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _md
    env.filters["num"] = lambda value, places=2: format_number(value, places)
    return env


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
            raw = path.read_bytes()
            if len(raw) > MAX_TEMPLATE_BYTES:
                problems.append(Problem.make("MQ402", "the template is larger than 1 MiB", str(path)))
                continue
            env.parse(raw.decode("utf-8"), name=path.name, filename=str(path))
        except TemplateSyntaxError as exc:
            problems.append(
                Problem.make("MQ402", f"the template does not compile: {exc.message}", str(path), exc.lineno or 0, 1)
            )
        except UnicodeDecodeError:
            problems.append(Problem.make("MQ003", "the template is not valid UTF-8", str(path)))
        except OSError as exc:
            problems.append(Problem.make("MQ001", f"cannot read the template: {exc.strerror}", str(path)))
    return problems


def _answer_words(question: Any, result: Any, questionnaire: Questionnaire) -> str:
    """An answer as the person chose it: the level or option label, not its id."""
    if result.status != "answered":
        return {
            "dont_know": "Don't know",
            "not_applicable": "Not applicable",
            "unanswered": "Unanswered",
            "not_asked": "Not asked",
        }[result.status]
    value = result.value
    if question is None:
        return str(value)
    if question.kind == "scale":
        label = next((lv.label for lv in questionnaire.levels_of(question) if lv.level == value), None)
        return f"{value}: {label}" if label else str(value)
    if question.kind in ("single", "multiple"):
        labels = {o.id: o.label for o in questionnaire.options_of(question)}
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(labels.get(str(v), str(v)) for v in chosen)
    if question.kind == "yes_no":
        return "Yes" if value in (True, "yes") else "No"
    return str(value)


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


def _next_levels(assessment: Assessment, rules: Rules) -> dict[str, dict[str, Any]]:
    """For each stage, the next level up and the score it starts at, for the chart's "next level" marks."""
    bands = sorted(rules.levels, key=lambda b: b.level)
    out: dict[str, dict[str, Any]] = {}
    for stage in assessment.stages():
        above = [b for b in bands if stage.level is None or b.level > stage.level]
        if above:
            out[stage.id] = {"level": above[0].level, "name": above[0].name, "from": above[0].from_}
    return out


def report_context(
    assessment: Assessment,
    questionnaire: Questionnaire,
    rules: Rules,
    questionnaire_digest: str | None = None,
    generated: str | None = None,
    roadmap: Roadmap | None = None,
) -> dict[str, Any]:
    """Everything a template may show, as plain data.

    `generated` (default today) is fixed by tests so that reports are reproducible byte for byte; `roadmap` can be
    passed when the caller has already computed it (it costs a search over the answers).
    """
    questions = {q.id: q for q in questionnaire.questions()}
    stage_titles = {s.id: s.title for s in questionnaire.stages}
    references = {r.tag: r for r in [*questionnaire.references, *rules.references]}
    pains = [p.model_dump(mode="json") for p in assessment.pain_points]
    answers = []
    for result in assessment.questions:
        if result.status == "not_asked":
            continue
        answers.append(
            {
                **result.model_dump(mode="json"),
                "answer": _answer_words(questions.get(result.id), result, questionnaire),
                "stage_title": stage_titles.get(result.stage or "", "Context"),
            }
        )
    cited = sorted(
        {s.split()[0] for p in assessment.pain_points for s in p.sources}
        | {s.split()[0] for i in assessment.verdict.indicators for s in i.sources}
        | {s.split()[0] for q in questionnaire.questions() for s in q.sources}
    )
    found = _roadmap(assessment, questionnaire, rules, roadmap)
    return {
        "title": questionnaire.title,
        "details": assessment.details.model_dump(mode="json"),
        "verdict": assessment.verdict.model_dump(mode="json"),
        "overall": assessment.overall.model_dump(mode="json"),
        "stages": [s.model_dump(mode="json") for s in assessment.stages()],
        "top_pain_points": pains[:TOP_PAIN_POINTS],
        "more_pain_points": pains[TOP_PAIN_POINTS:],
        "evidence_gaps": [g.model_dump(mode="json") for g in assessment.evidence_gaps],
        "answers": answers,
        "references": [references[t].model_dump(mode="json") for t in cited if t in references],
        "levels": [b.model_dump(mode="json", by_alias=True) for b in rules.levels],
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version, "digest": questionnaire_digest},
        "rules": {"id": rules.id, "version": rules.version},
        "tool_version": __version__,
        "generated": generated or dt.date.today().isoformat(),
        "roadmap": found.to_dict() if found is not None else None,
        "next_levels": _next_levels(assessment, rules),
        "combined": combined_context(assessment.details, questionnaire),
        "severity_words": SEVERITY_WORDS,
        "rag_words": RAG_WORDS,
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
) -> str:
    """Render one report. `templates` is a folder whose templates override the bundled ones by name."""
    if fmt not in FORMATS:
        raise DefinitionError(Problem.make("MQ104", f"unknown report format '{fmt}' (choose {', '.join(FORMATS)})"))
    context = report_context(assessment, questionnaire, rules, questionnaire_digest, generated, roadmap)
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


def render_template(name: str, context: dict[str, Any], templates: Path | None = None) -> str:
    """Render a named template (such as compare.md.j2) with plain data, in the reports' sandbox.

    Documents other than the report (the comparison of two assessments) share its sandbox, escaping, `md` filter,
    overriding by name and error codes, rather than a second, looser way to run user templates.
    """
    from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    bundled = bundled_dir("report_templates")
    directories = ([templates] if templates else []) + [bundled]
    where = str((templates / name) if templates and (templates / name).is_file() else bundled / name)
    try:
        text = str(_environment(tuple(str(d) for d in directories)).get_template(name).render(**context))
    except TemplateNotFound:
        raise DefinitionError(Problem.make("MQ401", f"the template '{name}' is missing", where)) from None
    except TemplateSyntaxError as exc:
        raise DefinitionError(
            Problem.make(
                "MQ402", f"the template does not compile: {exc.message}", exc.filename or where, exc.lineno or 0, 1
            )
        ) from None
    except (UndefinedError, SecurityError, TemplateError) as exc:
        raise DefinitionError(Problem.make("MQ403", f"the template failed: {exc}", where)) from None
    # A note could carry terminal escape sequences; no report format has any use for control characters.
    return _CONTROLS.sub("", text)
