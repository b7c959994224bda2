"""Problems are data: every complaint about a file carries where it is, a stable code and a plain message.

The codes are a public contract (CI configurations and users' notes refer to them), so a code is never reused
for another meaning. `CODES` is the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from maturity.model.text import one_line, shorten

# Exit codes of every command: a public contract, like the problem codes.
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Code(NamedTuple):
    """One entry of the registry: what every problem with this code shares."""

    severity: Severity
    title: str  # a few words: the SARIF rule's short description, the GitHub annotation's title
    explanation: str  # what it means and how to put it right: `maturity validate --explain CODE`, SARIF help


# The registry, as yamllint keeps its rules: each code with its severity, title and explanation, and a minimal
# example that triggers it in problem_examples/ (named after the code; a folder when it takes several files).
# Families: MQ0xx reading a file, MQ1xx schema, MQ2xx questionnaire, MQ3xx scoring rules, MQ4xx report templates,
# MQ5xx advice (warnings), MQ6xx answers files. A new code is one entry here and one example; the tests check
# that each example raises its code and the README's table lists every code.
CODES: dict[str, Code] = {
    "MQ001": Code(
        Severity.ERROR,
        "file cannot be read",
        "The file or folder could not be opened: it does not exist, is a folder where a file was expected, or"
        " cannot be read. Check the path and its permissions.",
    ),
    "MQ002": Code(
        Severity.ERROR,
        "file is too large",
        "The file is larger than the size cap, which protects batch runs from a runaway file. Split the file,"
        " or raise the cap with --max-file-size or `max-file-size` in the configuration.",
    ),
    "MQ003": Code(
        Severity.ERROR,
        "file is not valid UTF-8",
        "The file holds bytes that are not UTF-8 text, often because it was saved as Windows-1252 or Latin-1."
        " Save it again as UTF-8.",
    ),
    "MQ004": Code(
        Severity.ERROR,
        "file is binary",
        "The file holds NUL bytes, so it is binary (a spreadsheet or an image, say), not YAML or JSON text.",
    ),
    "MQ005": Code(
        Severity.ERROR,
        "file is empty",
        "The file holds nothing but blank lines or comments. Add its content, starting with `kind:`.",
    ),
    "MQ006": Code(
        Severity.ERROR,
        "not a regular file",
        "The path names a named pipe (FIFO), a device or a socket, not a file. Only regular files are read: "
        "reading a pipe would wait for a writer, for ever, and a device is never a definition. Save the data to "
        "a file and give that instead.",
    ),
    "MQ007": Code(
        Severity.ERROR,
        "the process scoring the file was lost",
        "The worker process scoring this file was lost twice (killed from outside, as the out-of-memory killer "
        "does, or it ran out of memory), so the file was not scored; the rest of the batch was. Score the file "
        "on its own, on a machine with more memory, or look for what makes it so large.",
    ),
    "MQ009": Code(
        Severity.ERROR,
        "more problems than are listed",
        "A file lists at most 100 problems (errors first); this one stands for the rest and says how many there "
        "are. Fix those listed, and check the file again.",
    ),
    "MQ010": Code(
        Severity.ERROR,
        "YAML or JSON syntax error",
        "The YAML or JSON cannot be parsed at the place shown. Indentation, a missing colon or an unclosed "
        "quote or bracket are the usual causes.",
    ),
    "MQ011": Code(
        Severity.ERROR,
        "duplicate key",
        "A key appears twice in the same mapping, so one value would silently replace the other. Keep one.",
    ),
    "MQ012": Code(
        Severity.ERROR,
        "YAML anchors and aliases are not allowed",
        "YAML anchors (&name), aliases (*name) and merge keys (<<) are refused so that no value is hidden "
        "behind another and no file can expand without bound. Write the value out in full.",
    ),
    "MQ013": Code(
        Severity.ERROR,
        "nesting is too deep",
        "The data nests deeper than any definition needs, which is refused to protect the reader. Flatten it.",
    ),
    "MQ014": Code(
        Severity.ERROR,
        "more than one YAML document",
        "The file holds more than one YAML document (separated by ---). Keep one document per file.",
    ),
    "MQ015": Code(
        Severity.ERROR,
        "top level is not a mapping",
        "The top level of the file must be a mapping that starts with `kind:`, not a list or a single value.",
    ),
    "MQ016": Code(
        Severity.ERROR,
        "unknown kind of file",
        "The `kind:` at the top of the file is missing or is not one of questionnaire, scoring_rules, answers"
        " or rule_cases, so the file cannot be checked.",
    ),
    "MQ017": Code(
        Severity.ERROR,
        "unsupported YAML tag",
        "A YAML tag (such as !!python/object) is not allowed: tags could make a reader build objects. Remove "
        "it and write the value plainly.",
    ),
    "MQ020": Code(
        Severity.ERROR,
        "output would overwrite an input, or a file that is not an output",
        "The file a command was asked to write is one of the files it reads (by another name, a link or a hard "
        "link, perhaps), or, for a summary, a file an earlier run did not write. Writing it would destroy it. "
        "Name another file.",
    ),
    "MQ021": Code(
        Severity.ERROR,
        "output is a folder where a file is meant, or a file where a folder is",
        "The output names a folder where a file is to be written, or a file where a folder is meant (or a file "
        "stands on the way to it). Name a file in the folder, or a folder.",
    ),
    "MQ022": Code(
        Severity.ERROR,
        "output cannot be written",
        "The output could not be written: the disk is full, you may not write there, the file is read-only, or "
        "the program reading standard output stopped. Nothing half-written is left behind: an earlier file of "
        "that name is as it was. Free some space or write somewhere else.",
    ),
    "MQ101": Code(
        Severity.ERROR,
        "unknown key",
        "The key is not part of the format, usually a typo. The message suggests the key that was probably "
        "meant; the JSON Schema lists every allowed key.",
    ),
    "MQ102": Code(
        Severity.ERROR,
        "required key missing",
        "A key the format requires is missing here. Add it.",
    ),
    "MQ103": Code(
        Severity.ERROR,
        "value of the wrong type",
        "The value has the wrong type, for example text where a number is expected. A word YAML reads as a "
        "number or boolean can be put in quotes.",
    ),
    "MQ104": Code(
        Severity.ERROR,
        "value not allowed",
        "The value is of the right type but not one that is allowed here: outside a range, not one of the "
        "listed words, or not in the expected form.",
    ),
    "MQ105": Code(
        Severity.ERROR,
        "invalid combination of keys",
        "Keys that cannot be used together, or a choice of keys where exactly one is needed: for example a "
        "stage with both questions and groups, or an answer with both a value and a status.",
    ),
    "MQ201": Code(
        Severity.ERROR,
        "duplicate id",
        "Two definitions use the same id where ids must be unique. Rename one.",
    ),
    "MQ202": Code(
        Severity.ERROR,
        "reference to an unknown question",
        "A condition or list names a question id that the questionnaire does not define. Check the spelling, "
        "or add the question.",
    ),
    "MQ203": Code(
        Severity.ERROR,
        "reference to an unknown option or level",
        "A condition or mapping names an option or level that the question does not have.",
    ),
    "MQ204": Code(
        Severity.ERROR,
        "comparison with a value of the wrong kind",
        "A condition compares an answer with a value of another kind, such as a scale level with text, so it "
        "could never be true.",
    ),
    "MQ205": Code(
        Severity.ERROR,
        "condition that can never be true",
        "The condition can never be true (for example at_least above the highest level), so what it guards "
        "would never happen.",
    ),
    "MQ206": Code(
        Severity.ERROR,
        "conditions depend on each other in a cycle",
        "Conditions depend on one another in a circle, so none of them can be decided first.",
    ),
    "MQ207": Code(
        Severity.ERROR,
        "condition refers to a question asked later",
        "A condition depends on a question asked later in the interview, whose answer is not known yet.",
    ),
    "MQ208": Code(
        Severity.ERROR,
        "unknown source tag",
        "A question cites a source tag that is not in the questionnaire's references. Add the reference or "
        "correct the tag.",
    ),
    "MQ209": Code(
        Severity.ERROR,
        "unknown answer set",
        "A question names an answer set that the questionnaire does not define.",
    ),
    "MQ210": Code(
        Severity.ERROR,
        "question definition does not fit its kind",
        "The definition does not fit its kind: a scale (or a scale answer set) needs levels, a choice needs "
        "options, and a question may only use an answer set of its own kind.",
    ),
    "MQ211": Code(
        Severity.ERROR,
        "condition uses something not known during the interview",
        "The condition tests something that is not known where it is used: a question's condition can only "
        "test earlier answers, not scores, levels, indicators or pain points, which exist only after scoring.",
    ),
    "MQ212": Code(
        Severity.ERROR,
        "migration names a question that does not exist",
        "A migration names a question that does not exist: in `from`, a question of the previous version; in "
        "`to`, one of this version.",
    ),
    "MQ213": Code(
        Severity.ERROR,
        "migration leaves a question unaccounted for",
        "Every question of the previous version must be declared removed, renamed, merged or split, and every"
        " new question added, so that no answer is lost or invented silently.",
    ),
    "MQ214": Code(
        Severity.ERROR,
        "migration maps an answer that does not fit",
        "A migration maps an old answer that the old question does not have, or to an answer the new question"
        " does not accept.",
    ),
    "MQ215": Code(
        Severity.ERROR,
        "migration change of the wrong shape",
        "A migration change has the wrong shape: the wrong number of questions in from or to for its kind, "
        "combine on a change that does not merge, or the same version migrated twice.",
    ),
    "MQ301": Code(
        Severity.ERROR,
        "rules are for another questionnaire",
        "The scoring rules name a questionnaire id other than the questionnaire they were paired with.",
    ),
    "MQ302": Code(
        Severity.ERROR,
        "rules are for another questionnaire version",
        "The scoring rules are for another version of the questionnaire. Update the version they name, and "
        "check that they still fit its questions.",
    ),
    "MQ303": Code(
        Severity.ERROR,
        "reference to an unknown stage, group or roll-up node",
        "A roll-up, cap, pain point or indicator names a stage, group or node that does not exist.",
    ),
    "MQ304": Code(
        Severity.ERROR,
        "roll-up contains itself",
        "A roll-up node contains itself, directly or through other nodes, so its score cannot be computed.",
    ),
    "MQ305": Code(
        Severity.ERROR,
        "bands leave a gap",
        "The score bands leave a range of scores that falls in no band, so such a score would have no level or RAG.",
    ),
    "MQ306": Code(
        Severity.ERROR,
        "bands overlap",
        "Two score bands overlap, so a score could fall in both.",
    ),
    "MQ307": Code(
        Severity.ERROR,
        "bands are out of order",
        "The bands must be listed from the lowest score to the highest.",
    ),
    "MQ308": Code(
        Severity.ERROR,
        "weight is not positive",
        "A weight must be greater than zero; leave the item out of the roll-up instead.",
    ),
    "MQ309": Code(
        Severity.ERROR,
        "reference to an unknown indicator, tier or pain point",
        "The verdict names an indicator, tier or pain point that the rules do not define.",
    ),
    "MQ310": Code(
        Severity.ERROR,
        "points do not fit the question",
        "The points given for a question do not fit it: an option or level it does not have, points for a "
        "text question, or bands for a question that is not a number.",
    ),
    "MQ311": Code(
        Severity.ERROR,
        "no questionnaire found for these rules",
        "No questionnaire (or no scoring rules) was found to pair with this file. Validate the files "
        "together, or give their folder with --definitions.",
    ),
    "MQ312": Code(
        Severity.WARNING,
        "roll-up node feeds nothing",
        "A roll-up node is not part of the overall score and no condition uses it, so it changes nothing. "
        "Roll it up into a stage, use it in a condition, or remove it.",
    ),
    "MQ313": Code(
        Severity.ERROR,
        "a question behind the verdict allows 'not applicable'",
        "A question behind the verdict allows 'not applicable', which would let an assessment opt out of the "
        "verdict's evidence. Remove allow_not_applicable from it.",
    ),
    "MQ320": Code(
        Severity.ERROR,
        "a rule case expects what the rules do not have",
        "A rule case names a pain point, stage, group, roll-up node, indicator or verdict outcome that its "
        "scoring rules (or their questionnaire) do not have, so the expectation could never be tested: a "
        "renamed pain point would leave a case that passes by testing nothing. Use an id the rules define.",
    ),
    "MQ401": Code(
        Severity.ERROR,
        "report template is missing",
        "A report template the run needs is not in the templates folder.",
    ),
    "MQ402": Code(
        Severity.ERROR,
        "report template does not compile",
        "A report template is not valid jinja2. The message gives the line of the syntax error.",
    ),
    "MQ403": Code(
        Severity.ERROR,
        "report template failed while rendering",
        "A report template failed while rendering, usually by using a variable the report does not have.",
    ),
    "MQ404": Code(
        Severity.ERROR,
        "report template went past a limit (size, recursion, range)",
        "A report template asked for more than a report can hold: a loop over a huge range, a string repeated"
        " beyond any page, macros calling each other without end, or a template file over 1 MiB. Templates run"
        " in a sandbox with these limits so that a shared template cannot exhaust the machine.",
    ),
    "MQ501": Code(
        Severity.WARNING,
        "question feeds no score, pain point or verdict",
        "The question counts towards no score, pain point or verdict indicator, so its answer changes nothing"
        " in the report. Roll it up, or say why it is asked.",
    ),
    "MQ502": Code(
        Severity.WARNING,
        "questionnaire has no scoring rules",
        "The questionnaire was validated without scoring rules, so nothing checked that its questions count. "
        "Validate it with its rules.",
    ),
    "MQ503": Code(
        Severity.WARNING,
        "definition hidden by another of the same id and version",
        "Two files define the same id and version with different contents; the first one found is used. "
        "Remove or rename the other.",
    ),
    "MQ504": Code(
        Severity.WARNING,
        "pain point counts towards a stage whose answers it does not read",
        "A pain point counts towards a stage whose answers its condition does not read, so its RAG override "
        "would turn the wrong stage red. Give it the stage of its answers, or split it per stage.",
    ),
    "MQ505": Code(
        Severity.WARNING,
        "the version a migration starts from was not found",
        "The version a migration starts from was not found beside this questionnaire, so the migration could "
        "not be checked. Keep the previous version's file beside this one.",
    ),
    "MQ520": Code(
        Severity.WARNING,
        "a check was skipped because a related file has errors",
        "This file refers to a questionnaire or scoring rules that were validated with it but have errors of "
        "their own, so checking this file against them was skipped (it would only repeat their errors, or "
        "check against a copy found elsewhere). Put the other file's errors right and validate again.",
    ),
    "MQ601": Code(
        Severity.ERROR,
        "answer to an unknown question",
        "The answers file answers a question that the questionnaire does not have (perhaps renamed in a newer"
        " version).",
    ),
    "MQ602": Code(
        Severity.ERROR,
        "answer does not fit the question",
        "The answer does not fit the question: a level outside the scale, an option it does not offer, or a "
        "number out of range.",
    ),
    "MQ603": Code(
        Severity.ERROR,
        "answers are for another questionnaire",
        "The answers file names a questionnaire that was not found. Give its folder with --definitions.",
    ),
    "MQ604": Code(
        Severity.ERROR,
        "answers are for another questionnaire version",
        "The answers were given for a version of the questionnaire that was not found.",
    ),
    "MQ605": Code(
        Severity.ERROR,
        "answer not allowed for this question",
        "The answer is a status the question does not allow, such as 'not applicable' where it is not offered.",
    ),
    "MQ606": Code(
        Severity.WARNING,
        "answers were given against a changed questionnaire",
        "The questionnaire changed since these answers were given (its digest differs), so some answers may "
        "no longer mean what they did. Review them with `maturity assess --resume FILE --review`.",
    ),
    "MQ607": Code(
        Severity.WARNING,
        "answers were carried forward from an earlier questionnaire version",
        "The answers were given to an earlier version of the questionnaire and were carried forward through "
        "its migrations for scoring; run `maturity migrate FILE` to write the carried-forward file and answer"
        " what is new.",
    ),
    "MQ608": Code(
        Severity.ERROR,
        "answers to combine are for another organisation or service",
        "Answers can be combined (`maturity merge`) only when every file is about the same organisation and"
        " service; a file about another one would blend two assessments into a report that describes neither.",
    ),
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
