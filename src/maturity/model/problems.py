"""Problems are data: every complaint about a file carries where it is, a stable code and a plain message.

The codes are a public contract (CI configurations and users' notes refer to them), so a code is never reused
for another meaning. `CODES` is the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from maturity.model.text import one_line

# Exit codes of every command: a public contract, like the problem codes.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


# code -> (severity, short title). Families: MQ0xx reading a file, MQ1xx schema, MQ2xx questionnaire,
# MQ3xx scoring rules, MQ4xx report templates, MQ5xx advice (warnings), MQ6xx answers files.
CODES: dict[str, tuple[Severity, str]] = {
    "MQ001": (Severity.ERROR, "file cannot be read"),
    "MQ002": (Severity.ERROR, "file is too large"),
    "MQ003": (Severity.ERROR, "file is not valid UTF-8"),
    "MQ004": (Severity.ERROR, "file is binary"),
    "MQ005": (Severity.ERROR, "file is empty"),
    "MQ010": (Severity.ERROR, "YAML or JSON syntax error"),
    "MQ011": (Severity.ERROR, "duplicate key"),
    "MQ012": (Severity.ERROR, "YAML anchors and aliases are not allowed"),
    "MQ013": (Severity.ERROR, "nesting is too deep"),
    "MQ014": (Severity.ERROR, "more than one YAML document"),
    "MQ015": (Severity.ERROR, "top level is not a mapping"),
    "MQ016": (Severity.ERROR, "unknown kind of file"),
    "MQ017": (Severity.ERROR, "unsupported YAML tag"),
    "MQ101": (Severity.ERROR, "unknown key"),
    "MQ102": (Severity.ERROR, "required key missing"),
    "MQ103": (Severity.ERROR, "value of the wrong type"),
    "MQ104": (Severity.ERROR, "value not allowed"),
    "MQ105": (Severity.ERROR, "invalid combination of keys"),
    "MQ201": (Severity.ERROR, "duplicate id"),
    "MQ202": (Severity.ERROR, "reference to an unknown question"),
    "MQ203": (Severity.ERROR, "reference to an unknown option or level"),
    "MQ204": (Severity.ERROR, "comparison with a value of the wrong kind"),
    "MQ205": (Severity.ERROR, "condition that can never be true"),
    "MQ206": (Severity.ERROR, "conditions depend on each other in a cycle"),
    "MQ207": (Severity.ERROR, "condition refers to a question asked later"),
    "MQ208": (Severity.ERROR, "unknown source tag"),
    "MQ209": (Severity.ERROR, "unknown answer set"),
    "MQ210": (Severity.ERROR, "question definition does not fit its kind"),
    "MQ211": (Severity.ERROR, "condition uses something not known during the interview"),
    "MQ212": (Severity.ERROR, "migration names a question that does not exist"),
    "MQ213": (Severity.ERROR, "migration leaves a question unaccounted for"),
    "MQ214": (Severity.ERROR, "migration maps an answer that does not fit"),
    "MQ215": (Severity.ERROR, "migration change of the wrong shape"),
    "MQ301": (Severity.ERROR, "rules are for another questionnaire"),
    "MQ302": (Severity.ERROR, "rules are for another questionnaire version"),
    "MQ303": (Severity.ERROR, "reference to an unknown stage, group or roll-up node"),
    "MQ304": (Severity.ERROR, "roll-up contains itself"),
    "MQ305": (Severity.ERROR, "bands leave a gap"),
    "MQ306": (Severity.ERROR, "bands overlap"),
    "MQ307": (Severity.ERROR, "bands are out of order"),
    "MQ308": (Severity.ERROR, "weight is not positive"),
    "MQ309": (Severity.ERROR, "reference to an unknown indicator, tier or pain point"),
    "MQ310": (Severity.ERROR, "points do not fit the question"),
    "MQ311": (Severity.ERROR, "no questionnaire found for these rules"),
    "MQ312": (Severity.WARNING, "roll-up node feeds nothing"),
    "MQ313": (Severity.ERROR, "a question behind the verdict allows 'not applicable'"),
    "MQ401": (Severity.ERROR, "report template is missing"),
    "MQ402": (Severity.ERROR, "report template does not compile"),
    "MQ403": (Severity.ERROR, "report template failed while rendering"),
    "MQ501": (Severity.WARNING, "question feeds no score, pain point or verdict"),
    "MQ502": (Severity.WARNING, "questionnaire has no scoring rules"),
    "MQ503": (Severity.WARNING, "definition hidden by another of the same id and version"),
    "MQ504": (Severity.WARNING, "pain point counts towards a stage whose answers it does not read"),
    "MQ505": (Severity.WARNING, "the version a migration starts from was not found"),
    "MQ601": (Severity.ERROR, "answer to an unknown question"),
    "MQ602": (Severity.ERROR, "answer does not fit the question"),
    "MQ603": (Severity.ERROR, "answers are for another questionnaire"),
    "MQ604": (Severity.ERROR, "answers are for another questionnaire version"),
    "MQ605": (Severity.ERROR, "answer not allowed for this question"),
    "MQ606": (Severity.WARNING, "answers were given against a changed questionnaire"),
    "MQ607": (Severity.WARNING, "answers were carried forward from an earlier questionnaire version"),
}


# code -> what the problem means and how to put it right, for a reader who has only the code in front of them
# (SARIF rule help, JUnit failure types, `validate --explain`). Every code in CODES has an entry; the registry
# the lead is building (title, explanation, example per code) is meant to absorb this table.
CODE_HELP: dict[str, str] = {
    "MQ001": "The file or folder could not be opened: it does not exist, is a folder where a file was expected, "
    "or cannot be read. Check the path and its permissions.",
    "MQ002": "The file is larger than the size cap, which protects batch runs from a runaway file. Split the file, "
    "or raise the cap with --max-file-size or `max_file_size` in the configuration.",
    "MQ003": "The file holds bytes that are not UTF-8 text, often because it was saved as Windows-1252 or Latin-1. "
    "Save it again as UTF-8.",
    "MQ004": "The file holds NUL bytes, so it is binary (a spreadsheet or an image, say), not YAML or JSON text.",
    "MQ005": "The file holds nothing but blank lines or comments. Add its content, starting with `kind:`.",
    "MQ010": "The YAML or JSON cannot be parsed at the place shown. Indentation, a missing colon or an unclosed "
    "quote or bracket are the usual causes.",
    "MQ011": "A key appears twice in the same mapping, so one value would silently replace the other. Keep one.",
    "MQ012": "YAML anchors (&name), aliases (*name) and merge keys (<<) are refused so that no value is hidden "
    "behind another and no file can expand without bound. Write the value out in full.",
    "MQ013": "The data nests deeper than any definition needs, which is refused to protect the reader. Flatten it.",
    "MQ014": "The file holds more than one YAML document (separated by ---). Keep one document per file.",
    "MQ015": "The top level of the file must be a mapping that starts with `kind:`, not a list or a single value.",
    "MQ016": "The `kind:` at the top of the file is missing or is not one of questionnaire, scoring_rules, answers "
    "or rule_cases, so the file cannot be checked.",
    "MQ017": "A YAML tag (such as !!python/object) is not allowed: tags could make a reader build objects. Remove "
    "it and write the value plainly.",
    "MQ101": "The key is not part of the format, usually a typo. The message suggests the key that was probably "
    "meant; the JSON Schema lists every allowed key.",
    "MQ102": "A key the format requires is missing here. Add it.",
    "MQ103": "The value has the wrong type, for example text where a number is expected. A word YAML reads as a "
    "number or boolean can be put in quotes.",
    "MQ104": "The value is of the right type but not one that is allowed here: outside a range, not one of the "
    "listed words, or not in the expected form.",
    "MQ105": "Keys that cannot be used together, or a choice of keys where exactly one is needed: for example a "
    "stage with both questions and groups, or an answer with both a value and a status.",
    "MQ201": "Two definitions use the same id where ids must be unique. Rename one.",
    "MQ202": "A condition or list names a question id that the questionnaire does not define. Check the spelling, "
    "or add the question.",
    "MQ203": "A condition or mapping names an option or level that the question does not have.",
    "MQ204": "A condition compares an answer with a value of another kind, such as a scale level with text, so it "
    "could never be true.",
    "MQ205": "The condition can never be true (for example at_least above the highest level), so what it guards "
    "would never happen.",
    "MQ206": "Conditions depend on one another in a circle, so none of them can be decided first.",
    "MQ207": "A condition depends on a question asked later in the interview, whose answer is not known yet.",
    "MQ208": "A question cites a source tag that is not in the questionnaire's references. Add the reference or "
    "correct the tag.",
    "MQ209": "A question names an answer set that the questionnaire does not define.",
    "MQ210": "The definition does not fit its kind: a scale (or a scale answer set) needs levels, a choice needs "
    "options, and a question may only use an answer set of its own kind.",
    "MQ211": "The condition tests something that is not known where it is used: a question's condition can only "
    "test earlier answers, not scores, levels, indicators or pain points, which exist only after scoring.",
    "MQ301": "The scoring rules name a questionnaire id other than the questionnaire they were paired with.",
    "MQ302": "The scoring rules are for another version of the questionnaire. Update the version they name, and "
    "check that they still fit its questions.",
    "MQ303": "A roll-up, cap, pain point or indicator names a stage, group or node that does not exist.",
    "MQ304": "A roll-up node contains itself, directly or through other nodes, so its score cannot be computed.",
    "MQ305": "The score bands leave a range of scores that falls in no band, so such a score would have no level "
    "or RAG.",
    "MQ306": "Two score bands overlap, so a score could fall in both.",
    "MQ307": "The bands must be listed from the lowest score to the highest.",
    "MQ308": "A weight must be greater than zero; leave the item out of the roll-up instead.",
    "MQ309": "The verdict names an indicator, tier or pain point that the rules do not define.",
    "MQ310": "The points given for a question do not fit it: an option or level it does not have, points for a "
    "text question, or bands for a question that is not a number.",
    "MQ311": "No questionnaire (or no scoring rules) was found to pair with this file. Validate the files together, "
    "or give their folder with --definitions.",
    "MQ312": "A roll-up node is not part of the overall score and no condition uses it, so it changes nothing. "
    "Roll it up into a stage, use it in a condition, or remove it.",
    "MQ313": "A question behind the verdict allows 'not applicable', which would let an assessment opt out of the "
    "verdict's evidence. Remove allow_not_applicable from it.",
    "MQ401": "A report template the run needs is not in the templates folder.",
    "MQ402": "A report template is not valid jinja2. The message gives the line of the syntax error.",
    "MQ403": "A report template failed while rendering, usually by using a variable the report does not have.",
    "MQ501": "The question counts towards no score, pain point or verdict indicator, so its answer changes nothing "
    "in the report. Roll it up, or say why it is asked.",
    "MQ502": "The questionnaire was validated without scoring rules, so nothing checked that its questions count. "
    "Validate it with its rules.",
    "MQ503": "Two files define the same id and version with different contents; the first one found is used. "
    "Remove or rename the other.",
    "MQ601": "The answers file answers a question that the questionnaire does not have (perhaps renamed in a newer "
    "version).",
    "MQ602": "The answer does not fit the question: a level outside the scale, an option it does not offer, or a "
    "number out of range.",
    "MQ603": "The answers file names a questionnaire that was not found. Give its folder with --definitions.",
    "MQ604": "The answers were given for a version of the questionnaire that was not found.",
    "MQ605": "The answer is a status the question does not allow, such as 'not applicable' where it is not offered.",
    "MQ606": "The questionnaire changed since these answers were given (its digest differs), so some answers may "
    "no longer mean what they did. Review them with `maturity assess --resume FILE --review`.",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One located complaint. `line` and `column` are 1-based; 0 means the whole file."""

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)

    @classmethod
    def make(cls, code: str, message: str, file: str = "", line: int = 0, column: int = 0) -> Problem:
        return cls(file, line, column, code, message, CODES[code][0])

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def located(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        return where

    def __str__(self) -> str:
        return one_line(f"{self.located()}: {self.code} {self.severity.value}: {self.message}")


class MaturityError(Exception):
    """The one exception family of the library: it carries the problems that stopped the work."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "unknown problem")


class DefinitionError(MaturityError):
    """A questionnaire, rules, answers or template file is not valid."""


class UsageError(MaturityError):
    """The caller asked for something that cannot be done (a missing file, a bad option)."""


def has_errors(problems: list[Problem]) -> bool:
    return any(p.is_error for p in problems)
