"""The one walk over files and folders that every command uses: validate, score, the catalogue of definitions
and rule cases find files the same way, with the same extensions, hidden-file rule, link handling and order.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import stat
from collections.abc import Callable, Iterable

from maturity.model.problems import DefinitionError, Problem

DEFINITION_SUFFIXES = (".yaml", ".yml", ".json")


def expand(patterns: Iterable[str]) -> tuple[list[str], list[Problem]]:
    """Files, folders (searched recursively, skipping hidden files and folders) and glob patterns, in a stable
    order without repeats.

    Paths are kept as strings: a batch of a hundred thousand files holds one short string each, where Path
    objects (with their cached parts) would take several times the memory in the parent and every worker.
    """
    found: list[str] = []
    problems: list[Problem] = []
    for pattern in patterns:
        if os.path.isdir(pattern):
            found.extend(walk(pattern, problems))
        elif os.path.isfile(pattern) or os.path.exists(pattern):  # a pipe or a device: its reader says why not
            found.append(pattern)
        elif glob.has_magic(pattern):
            matches = (
                _recursive_glob(pattern, problems)
                if "**" in pattern
                else sorted((p for p in glob.glob(pattern) if os.path.isfile(p)), key=path_order)
            )
            if not matches:
                problems.append(Problem.make("MQ001", "no file matches this pattern", pattern))
            found.extend(matches)
        else:
            problems.append(Problem.make("MQ001", "no such file or folder", pattern))
    # the same file given twice over (a.yaml and ./a.yaml, a folder and a file in it) is scored once, where first
    seen: set[str] = set()
    unique = []
    for path in found:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique, problems


def _recursive_glob(pattern: str, problems: list[Problem]) -> list[str]:
    """Files matching a pattern with `**` (any number of folders), found by the folder walk below.

    glob.glob follows every link to a folder, so a link back to a folder above makes it list the same files
    through ever longer paths, and two such links take it exponentially long; the walk visits each folder once,
    by its shortest path.
    """
    parts = [p for p in pattern.replace("\\", "/").split("/") if p not in ("", ".")]
    fixed = 0
    while fixed < len(parts) and not glob.has_magic(parts[fixed]):
        fixed += 1
    root = os.path.join(*parts[:fixed]) if fixed else "."
    if pattern.startswith(("/", "\\")):
        root = os.sep + root if fixed else os.sep
    wanted = parts[fixed:]
    if not os.path.isdir(root):
        return []

    def matching(path: str) -> bool:
        return _parts_match(wanted, os.path.relpath(path, root).split(os.sep))

    found = walk(root, problems, accept=matching)
    return [p[2:] for p in found] if root == "." else found


def _parts_match(pattern: list[str], parts: list[str]) -> bool:
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(_parts_match(pattern[1:], parts[i:]) for i in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatch(parts[0], pattern[0]) and _parts_match(pattern[1:], parts[1:])


def is_definition_name(path: str) -> bool:
    """Questionnaires, rules, answers and rule cases are YAML or JSON files."""
    return os.path.splitext(path)[1].lower() in DEFINITION_SUFFIXES


def walk(folder: str, problems: list[Problem], accept: Callable[[str], bool] = is_definition_name) -> list[str]:
    """The files below `folder` that `accept` takes (YAML and JSON files by default), in path order, walking each
    folder's entries sorted by name (no sort of the whole list, which would make a list of parts per file).

    Hidden files and folders are skipped. Each folder is visited once, by the first path that reaches it, so a
    link back to a folder above cannot loop. A named pipe, device or socket with a name `accept` takes is a
    problem (MQ006), never opened: reading a pipe would wait for a writer, for ever.
    """
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    todo: list[tuple[str, bool]] = [(folder, True)]  # (path, is a folder), next one last
    while todo:
        path, is_folder = todo.pop()
        if not is_folder:
            found.append(path)
            continue
        try:
            info = os.stat(path)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = sorted(os.scandir(path), key=lambda entry: entry.name, reverse=True)
        except OSError as exc:
            problems.append(Problem.make("MQ001", f"cannot read this folder: {exc.strerror}", path))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    todo.append((entry.path, True))
                elif accept(entry.path):
                    if entry.is_file():
                        todo.append((entry.path, False))
                    elif entry.is_symlink() and not os.path.exists(entry.path):
                        problems.append(Problem.make("MQ001", "this link points to nothing", entry.path))
                    else:
                        special = not_a_regular_file(entry.path, entry.stat())
                        if special is not None:
                            problems.append(special)
            except OSError as exc:  # a broken link, or one that loops
                problems.append(Problem.make("MQ001", f"cannot read this entry: {exc.strerror}", entry.path))
    return found


def path_order(path: str) -> list[str]:
    """Folder by folder, as paths compare (so a/b comes before a-b, as a listing shows them)."""
    return path.split(os.sep)


def special_file_kind(mode: int) -> str | None:
    """What a file that is neither a regular file nor a folder is, in words; None for those two."""
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def not_a_regular_file(name: str, info: os.stat_result) -> Problem | None:
    """The MQ006 problem for a path that is neither a regular file nor a folder; None for those two."""
    kind = special_file_kind(info.st_mode)
    if kind is None:
        return None
    return Problem.make(
        "MQ006",
        f"this is {kind}, not a file: only regular files are read (a pipe could wait forever); save the data "
        "to a file and give that instead",
        name,
    )


_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a named pipe must never wait for a writer
_O_NOCTTY = getattr(os, "O_NOCTTY", 0)  # nor a terminal device become this process's terminal


def read_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file, at most `limit` (a larger file is MQ002): what every file the program reads
    goes through, definitions, answers, templates and the configuration alike.

    Only a regular file is read: a named pipe would block the reader until something writes to it (forever, in
    a batch), a device such as /dev/zero never ends, and a socket is never a definition. The kind is checked
    before the file is opened, and again on the open file, in case the name was swapped in between."""
    name = str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError
        problem = not_a_regular_file(name, info)
        if problem is not None:
            raise DefinitionError(problem)
        fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY)
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            problem = not_a_regular_file(name, info)
            if problem is not None:
                raise DefinitionError(problem)
            # Read what the file holds, not `limit` bytes: asking for 4 MiB allocates 4 MiB, which costs more than
            # reading a small answers file. A file that grew since it was measured is read to the cap.
            want = min(info.st_size, limit) + 1
            raw = handle.read(want)
            if len(raw) == want and want <= limit:
                raw += handle.read(limit + 1 - want)
    except (FileNotFoundError, NotADirectoryError):
        message = "this link points to nothing" if os.path.islink(path) else "no such file"
        raise DefinitionError(Problem.make("MQ001", message, name)) from None
    except IsADirectoryError:
        raise DefinitionError(Problem.make("MQ001", "this is a folder, not a file", name)) from None
    except OSError as exc:
        raise DefinitionError(Problem.make("MQ001", f"cannot read the file: {exc.strerror}", name)) from None
    if len(raw) > limit:
        raise DefinitionError(too_large(name, limit))
    return raw


def read_head(path: str | os.PathLike[str], size: int) -> bytes:
    """The first `size` bytes of a regular file, to see what it holds; empty for anything that cannot be read
    or is not a regular file (the loader says why, when the file is loaded), and never more than `size` bytes
    of a large one."""
    try:
        fd = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_NOCTTY)
    except OSError:
        return b""
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else b""  # a folder opens, too
    except OSError:
        return b""
    finally:
        os.close(fd)


def too_large(name: str, limit: int) -> Problem:
    return Problem.make(
        "MQ002",
        f"the file is larger than the limit of {limit:,} bytes; split it, or raise the limit with "
        "--max-file-size or max-file-size in the configuration",
        name,
    )


# The line by which a file says it is one of ours, in YAML or JSON (`kind: answers`, `{"kind": "answers"`).
KIND_LINE = re.compile(
    r"""^[ \t{]*["']?kind["']?[ \t]*:[ \t]*["']?(questionnaire|scoring_rules|answers|rule_cases)\b""", re.MULTILINE
)


def declared_kind(path: str | os.PathLike[str]) -> str | None:
    """The kind a file says it is in its first 64 KiB (a definition, answers or rule cases), or None."""
    found = KIND_LINE.search(read_head(path, 64 * 1024).decode("utf-8", errors="replace"))
    return found.group(1) if found else None
