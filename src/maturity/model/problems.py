"""Problems are data: every complaint about a file carries where it is, a stable code and a plain message.

The codes are a public contract (CI configurations and users' notes refer to them), so a code is never reused
for another meaning. `CODES` is the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from maturity.model.text import one_line, shorten

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
    "MQ006": (Severity.ERROR, "not a regular file (a named pipe, device or socket)"),
    "MQ007": (Severity.ERROR, "the process scoring the file was lost"),
    "MQ009": (Severity.ERROR, "more problems than are listed"),
    "MQ010": (Severity.ERROR, "YAML or JSON syntax error"),
    "MQ011": (Severity.ERROR, "duplicate key"),
    "MQ012": (Severity.ERROR, "YAML anchors and aliases are not allowed"),
    "MQ013": (Severity.ERROR, "nesting is too deep"),
    "MQ014": (Severity.ERROR, "more than one YAML document"),
    "MQ015": (Severity.ERROR, "top level is not a mapping"),
    "MQ016": (Severity.ERROR, "unknown kind of file"),
    "MQ017": (Severity.ERROR, "unsupported YAML tag"),
    "MQ020": (Severity.ERROR, "output would overwrite an input, or a file that is not an output"),
    "MQ021": (Severity.ERROR, "output is a folder where a file is meant, or a file where a folder is"),
    "MQ022": (Severity.ERROR, "output cannot be written"),
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
    "MQ404": (Severity.ERROR, "report template went past a limit (size, recursion, range)"),
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
    "MQ608": (Severity.ERROR, "answers to combine are for another organisation or service"),
}


# Messages quote what was written in a file; a quoted value is cut well before this, and a whole message too.
MESSAGE_LIMIT = 1000
# A file reports at most this many problems, then one more (MQ009) that counts the rest: a file of 300,000
# unknown ids must not bury the terminal, the CSV or a CI log, nor cost a location for each.
MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True, order=True)
class Problem:
    """One located complaint. `line` and `column` are 1-based; 0 means the whole file.

    `hidden` is set on the MQ009 problem that stands for the problems of a file left out of a list."""

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    hidden: int = field(default=0, compare=False, repr=False)

    @classmethod
    def make(cls, code: str, message: str, file: str = "", line: int = 0, column: int = 0) -> Problem:
        """A problem with the code's severity; a message that quotes something very long is cut (and says so).
        Control characters are taken out where the message is shown (`str`, and the output a command writes)."""
        return cls(file, line, column, code, shorten(message, MESSAGE_LIMIT), CODES[code][0])

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


def more_problems(hidden: int, severity: Severity, file: str = "", line: int = 0, column: int = 0) -> Problem:
    """The MQ009 problem standing for `hidden` problems left out of a file's list, located at the first of them."""
    return Problem(
        file,
        line,
        column,
        "MQ009",
        f"{hidden:,} more problem{'s' if hidden != 1 else ''} in this file {'are' if hidden != 1 else 'is'} not "
        f"listed (the first {MAX_PROBLEMS_PER_FILE} are): fix those and check the file again",
        severity,
        hidden,
    )


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS_PER_FILE) -> list[Problem]:
    """A file's problems, at most `limit` of them (errors first) and one MQ009 problem that counts the rest,
    including those an MQ009 problem already in the list stood for."""
    listed = [p for p in problems if p.code != "MQ009"]
    if len(listed) <= limit:
        return problems
    counted = [p for p in problems if p.code == "MQ009"]
    ordered = sorted(listed, key=lambda p: not p.is_error)  # stable: keeps the order within each severity
    kept, rest = ordered[:limit], ordered[limit:]
    hidden = len(rest) + sum(p.hidden for p in counted)
    severity = Severity.ERROR if any(p.is_error for p in [*rest, *counted]) else Severity.WARNING
    first = rest[0]
    return [*kept, more_problems(hidden, severity, first.file, first.line, first.column)]


def problem_count(problems: list[Problem]) -> int:
    """How many problems a list stands for, counting those an MQ009 problem left out."""
    return sum(p.hidden or 1 for p in problems)
