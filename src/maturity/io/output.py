"""Where a command's output goes: one path for every command that writes (report, compare, schema, assess,
score, test, validate), so that no output ever replaces an input, is left half-written, or fails as a traceback.

An output is checked before any work is done, so that an hour of scoring never ends in "cannot write":

* a file is refused when it is one of the command's inputs, compared by file identity (device and inode), so
  another spelling of the path, a symbolic link or a hard link to an input is caught as surely as its name; when
  it is a folder; or when it is read-only. Missing folders on the way to it are created when it is written, and
  named in `created` so the command can say so (and removed again if the write then fails);
* a folder (`schema --out DIR`, `score --out DIR`) is refused when it is a file, or cannot be written in;
* standard output is refused when it was redirected into one of the inputs (`>> answers.yaml`).

Then a file is written atomically (a temporary file beside it, synced and renamed over it: a reader sees the old
file or the new one, and a full disk or a kill leaves the old one as it was and no temporary file behind); a
device or a pipe (`/dev/null`, `/dev/stdout`, a process substitution) is written directly, and a pipe nobody
reads is a problem rather than a wait; standard output is written and flushed here, so a closed pipe or a full
device is a problem now, not a traceback when the interpreter exits.

Text is made safe for where it goes on the way out (see model.text): escape sequences, control characters and
bidirectional overrides are taken out of text for terminals and documents, and escaped in JSON, where they
mean the same to any reader. Every failure is a Problem (MQ020 an input would be overwritten, MQ021 a folder
where a file is meant or the reverse, MQ022 the output cannot be written) in a MaturityError; the refusals that
are the caller's to fix are UsageErrors (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from maturity.io.store import atomic_writer
from maturity.model.problems import MaturityError, Problem, UsageError
from maturity.model.text import for_terminal, json_safe

Kind = Literal["text", "json", "raw", "binary"]
Identity = tuple[int, int]
STDOUT = "<stdout>"


def clean(text: str, kind: Kind = "text") -> str:
    """`text` as it may leave the program: "text" (a terminal, Markdown, HTML, plain text) has escape
    sequences, control characters and bidirectional overrides taken out; "json" has them escaped; "raw" is
    left as it is (YAML the dumper has escaped, a CSV summary made safe cell by cell)."""
    if kind == "json":
        return json_safe(text)
    if kind == "text":
        return for_terminal(text)
    return text


def encoded(data: str | bytes, kind: Kind = "text") -> bytes:
    """The bytes to write: text made safe for `kind` (bytes of a text format are decoded as UTF-8 first), in
    UTF-8; "binary" (a PDF) as it is."""
    if isinstance(data, bytes):
        if kind in ("binary", "raw"):
            return data
        data = data.decode("utf-8", "replace")
    return clean(data, kind).encode("utf-8", "replace")


def identity(path: str | Path) -> Identity | None:
    """The file a path names (links followed), as the system knows it; None when there is none."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def identities(paths: Iterable[str | Path]) -> dict[Identity, str]:
    """The files among `paths` that exist, by identity, each with the first path that named it."""
    found: dict[Identity, str] = {}
    for path in paths:
        key = identity(path)
        if key is not None:
            found.setdefault(key, str(path))
    return found


def _refuse(code: str, message: str, path: str | Path, usage: bool = False) -> MaturityError:
    problem = Problem.make(code, message, str(path))
    return UsageError(problem) if usage else MaturityError(problem)


def write_problem(path: str | Path, exc: OSError) -> Problem:
    """An OS error while writing `path`, in words a user can act on."""
    number = exc.errno
    if number in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)) and str(path) == STDOUT:
        message = "the device standard output goes to is full (no space left on it); the output is incomplete"
    elif number in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        message = "the disk is full (no space left on the device); the file was not written: free some space"
    elif number == errno.EPIPE:
        message = "the program reading the output stopped reading (broken pipe); the output is incomplete"
    elif number == errno.EROFS:
        message = "the file system is read-only; write the output somewhere else"
    elif number in (errno.EACCES, errno.EPERM):
        message = "permission denied: you cannot write here; write the output somewhere else"
    elif number == errno.ENXIO:
        message = "no program is reading from this pipe, so nothing can be written to it"
    elif number == errno.ENOENT:
        message = "a folder on the way to this file does not exist (it may have been removed)"
    else:
        message = f"cannot write: {exc.strerror or exc}"
    return Problem.make("MQ022", message, str(path))


# ------------------------------------------------------------------------------------------------- files


def _make_folders(missing: list[Path], created: list[Path], shown: Path) -> None:
    """Make the missing folders, top first, adding each made to `created`; MaturityError (MQ022) if one cannot
    be made. A folder made meanwhile by someone else is fine."""
    try:
        for folder in missing:
            with contextlib.suppress(FileExistsError):
                os.mkdir(folder)
                created.append(folder)
    except OSError as exc:
        raise MaturityError(write_problem(shown, exc)) from None


def _nearest_existing(path: Path) -> tuple[Path, list[Path]]:
    """The deepest folder on the way to `path` that exists, and the missing ones below it (top first)."""
    missing: list[Path] = []
    folder = path.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return folder, missing[::-1]


def _check_folder_for(path: Path, shown: str | Path, option: str) -> list[Path]:
    """Check that `path` can be created: the folders to create on the way to it (none when its folder exists)."""
    folder, missing = _nearest_existing(path)
    try:
        info = os.stat(folder)
    except OSError as exc:
        raise MaturityError(write_problem(shown, exc)) from None
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse("MQ021", f"{option}: {folder} is a file, so it cannot hold {shown}", shown, usage=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refuse("MQ022", f"{option}: permission denied: you cannot write in the folder {folder}", shown)
    return missing


def _is_through_a_descriptor(path: str | Path) -> bool:
    """/dev/stdout, /dev/fd/N, /proc/self/fd/N: names of an open file, written directly, never replaced."""
    absolute = os.path.abspath(path)
    return absolute.startswith(("/dev/", "/proc/"))


class TextSink:
    """A text handle for a document written in pieces (a portfolio's heatmap, row after row), so that it never
    has to be held whole: each piece is made safe as `FileOutput.write` makes a whole text, and passed on in
    blocks of about a megabyte."""

    BLOCK = 1 << 20

    def __init__(self, emit: Callable[[bytes], object]) -> None:
        self._emit = emit
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, text: str) -> int:
        piece = encoded(text)
        self._parts.append(piece)
        self._size += len(piece)
        if self._size >= self.BLOCK:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._parts:
            block = b"".join(self._parts)
            self._parts.clear()
            self._size = 0
            self._emit(block)


@dataclass
class FileOutput:
    """A file a command will write, checked; `write` writes it (once or several times, each atomically)."""

    path: Path  # as the user gave it, for messages
    target: Path  # where it is written: the file a link points to, so the link stays a link
    direct: bool = False  # a device or a pipe: written in place
    missing: list[Path] = field(default_factory=list)  # folders to create first
    created: list[Path] = field(default_factory=list)  # folders created by the writes so far

    def prepare(self) -> None:
        """Create the missing folders now (for a file that is then written by streaming to `target`)."""
        _make_folders(self.missing, self.created, self.path)
        self.missing = []

    def write(self, data: str | bytes, kind: Kind = "text") -> None:
        """Write `data` (made safe for `kind`); raises MaturityError with an MQ022 problem on any failure."""
        payload = encoded(data, kind)
        if self.direct:
            self._write_direct(payload)
            return
        made: list[Path] = []
        try:
            _make_folders(self.missing, made, self.path)
            with atomic_writer(self.target) as handle:
                handle.buffer.write(payload)
        except (OSError, MaturityError) as exc:
            for folder in reversed(made):  # leave nothing behind: not even the folders made for this file
                with contextlib.suppress(OSError):
                    os.rmdir(folder)
            if isinstance(exc, MaturityError):
                raise
            raise MaturityError(write_problem(self.path, exc)) from None
        self.created.extend(made)
        self.missing = []

    @contextlib.contextmanager
    def stream(self) -> Iterator[TextSink]:
        """A text handle whose pieces become the file, atomically, when the block ends (a device or a pipe is
        written once, at the end, as `write` writes it); failures are MQ022 problems, as in `write`."""
        if self.direct:
            blocks: list[bytes] = []
            sink = TextSink(blocks.append)
            yield sink
            sink.flush()
            self._write_direct(b"".join(blocks))
            return
        made: list[Path] = []
        try:
            _make_folders(self.missing, made, self.path)
            with atomic_writer(self.target) as handle:
                sink = TextSink(handle.buffer.write)
                yield sink
                sink.flush()
        except BaseException as exc:
            for folder in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(folder)
            if isinstance(exc, OSError):
                raise MaturityError(write_problem(self.path, exc)) from None
            raise
        self.created.extend(made)
        self.missing = []

    def _write_direct(self, payload: bytes) -> None:
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
        try:
            is_pipe = stat.S_ISFIFO(os.stat(self.path).st_mode)
            # a pipe with no reader: opening it must not wait (for ever) for one
            fd = os.open(self.path, flags | (getattr(os, "O_NONBLOCK", 0) if is_pipe else 0))
        except OSError as exc:
            raise MaturityError(write_problem(self.path, exc)) from None
        try:
            if is_pipe:
                os.set_blocking(fd, True)  # a reader is there: let writes wait for it as pipes do
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        except OSError as exc:
            raise MaturityError(write_problem(self.path, exc)) from None
        finally:
            os.close(fd)


def _stat(shown: Path, option: str, explain: bool = False) -> os.stat_result | None:
    """What the path names now (None: nothing yet); a path through a file, a loop of links or a folder that
    cannot be searched is a problem. With `explain`, a path through a file says which part is the file."""
    try:
        return os.stat(shown)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        if explain:
            _check_folder_for(Path(os.path.abspath(shown)), shown, option)
        raise _refuse("MQ021", f"{option}: a part of this path is a file, not a folder", shown, usage=True) from None
    except OSError as exc:
        raise MaturityError(write_problem(shown, exc)) from None


def file_output(path: str | Path, inputs: Iterable[str | Path] = (), option: str = "--out") -> FileOutput:
    """Check a file a command will write, before any work is done; raises UsageError or MaturityError.

    `inputs` are the files the command reads: the output may not be one of them, by identity."""
    shown = Path(path)
    info = _stat(shown, option, explain=True)
    if info is None:  # a new file (or a link to one that does not exist yet: it is created where the link points)
        target = Path(os.path.realpath(shown))
        return FileOutput(shown, target, missing=_check_folder_for(target, shown, option))
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise _refuse(
            "MQ021", f"{option}: this is a folder; name a file in it (for example {shown / 'report.md'})", shown, True
        )
    if stat.S_ISSOCK(mode):
        raise _refuse("MQ021", f"{option}: this is a socket, not a file", shown, usage=True)
    same = identities(inputs).get((info.st_dev, info.st_ino))
    if same is not None:
        which = "" if os.path.abspath(same) == os.path.abspath(shown) else f" ({same})"
        raise _refuse(
            "MQ020",
            f"{option}: this is one of this command's inputs{which}: writing here would replace it; name another file",
            shown,
            usage=True,
        )
    if not stat.S_ISREG(mode) or _is_through_a_descriptor(shown):
        return FileOutput(shown, shown, direct=True)
    if not os.access(shown, os.W_OK):
        raise _refuse("MQ022", f"{option}: the file is read-only; make it writable or name another file", shown)
    target = Path(os.path.realpath(shown))
    return FileOutput(shown, target, missing=_check_folder_for(target, shown, option))


# ----------------------------------------------------------------------------------------------- folders


@dataclass
class FolderOutput:
    """A folder a command will write files into, checked; `create` makes it (and the folders above it)."""

    path: Path
    missing: list[Path] = field(default_factory=list)
    created: list[Path] = field(default_factory=list)

    def create(self) -> None:
        _make_folders(self.missing, self.created, self.path)
        self.missing = []

    def file(self, name: str, inputs: Iterable[str | Path] = (), option: str = "--out") -> FileOutput:
        self.create()
        return file_output(self.path / name, inputs, option)


def folder_output(path: str | Path, option: str = "--out") -> FolderOutput:
    """Check a folder a command will write into, before any work is done; raises UsageError or MaturityError."""
    shown = Path(path)
    info = _stat(shown, option)
    if info is None:
        absolute = Path(os.path.realpath(shown))
        return FolderOutput(shown, [*_check_folder_for(absolute, shown, option), absolute])
    if not stat.S_ISDIR(info.st_mode):
        raise _refuse("MQ021", f"{option}: this is a file; {option} names a folder", shown, usage=True)
    if not os.access(shown, os.W_OK | os.X_OK):
        raise _refuse("MQ022", f"{option}: permission denied: you cannot write in this folder", shown)
    return FolderOutput(shown)


# ------------------------------------------------------------------------------------------ standard output


class StdoutOutput:
    """Standard output, written and flushed at once, so that a failure is a problem here and now."""

    path = Path(STDOUT)
    created: list[Path] = []  # noqa: RUF012 - never added to: standard output makes no folders

    def __init__(self, inputs: Iterable[str | Path] = ()) -> None:
        try:
            info = os.fstat(sys.stdout.fileno())
        except (AttributeError, OSError, ValueError):  # closed, or not a real file (a test's capture)
            return
        if stat.S_ISREG(info.st_mode):
            same = identities(inputs).get((info.st_dev, info.st_ino))
            if same is not None:
                raise _refuse(
                    "MQ020",
                    f"standard output goes into {same}, one of this command's inputs: writing would change it",
                    STDOUT,
                    usage=True,
                )

    def write(self, data: str | bytes, kind: Kind = "text") -> None:
        write_stdout(data, kind)

    @contextlib.contextmanager
    def stream(self) -> Iterator[TextSink]:
        """A text handle on standard output, written a block at a time."""
        sink = TextSink(lambda block: write_stdout(block, "raw"))
        yield sink
        sink.flush()


def write_stdout(data: str | bytes, kind: Kind = "text") -> None:
    """Write to standard output and flush; a closed pipe or a full device is a MaturityError (MQ022), after
    which standard output is pointed at the null device, so the interpreter's own flush at exit cannot fail
    again with a traceback."""
    stream = sys.stdout
    if stream is None:
        raise MaturityError(Problem.make("MQ022", "standard output is closed; nothing can be written", STDOUT))
    try:
        raw = getattr(stream, "buffer", None)
        if raw is None:  # a text-only stream (an embedding application's): text it is
            stream.write(encoded(data, kind).decode("utf-8", "replace"))
        else:
            stream.flush()  # what was written as text before goes first
            raw.write(encoded(data, kind))
            raw.flush()
        stream.flush()
    except OSError as exc:
        silence_stdout()
        raise MaturityError(write_problem(STDOUT, exc)) from None


def silence_stdout() -> None:
    """Send whatever standard output still holds to the null device (after its reader went away)."""
    with contextlib.suppress(Exception):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def output(path: str | Path | None, inputs: Iterable[str | Path] = (), option: str = "--out") -> Output:
    """The output of a command that writes one document: the file `path`, or standard output when None."""
    return StdoutOutput(inputs) if path is None else file_output(path, inputs, option)


Output = FileOutput | StdoutOutput
