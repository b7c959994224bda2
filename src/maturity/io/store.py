"""Writing files so that a crash, a kill or a full disk never leaves a half-written one behind."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_writer(path: str | Path, buffering: int = -1) -> Iterator[io.TextIOWrapper]:
    """A text handle on a temporary file beside `path`, renamed over it when the block ends without an error.

    A reader sees either the old file or the new one, never a mixture; on an error (or Ctrl-C) the temporary
    file is removed and the old file, if any, is left as it was. The directory is synced too, so that the
    rename itself survives a power cut.
    """
    target = Path(path)
    fd, temporary = temporary_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=buffering) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        publish(temporary, target, synced=True)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def temporary_beside(target: Path, suffix: str = ".tmp") -> tuple[int, str]:
    """A new temporary file in `target`'s folder (so the rename is atomic): its descriptor and path."""
    directory = target.parent if str(target.parent) else Path(".")
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=directory)


def publish(temporary: str | Path, target: Path, synced: bool = False) -> None:
    """Make a finished temporary file `target`: synced to disk (unless it already is), given the permissions the
    file would have had if written in place (mkstemp makes it private to its owner), renamed over it, and the
    folder synced, so that the rename itself survives a power cut. Used by every atomic write, including the
    workbook XlsxWriter writes to a file of its own."""
    if not synced:
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    os.chmod(temporary, _mode_for(target))
    os.replace(temporary, target)
    directory = target.parent if str(target.parent) else Path(".")
    with contextlib.suppress(OSError):  # not every platform can open a directory
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _mode_for(target: Path) -> int:
    """The permissions the file would have had if written in place: the old file's, else what the umask allows."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomic(path: str | Path, text: str) -> None:
    """Write `text` to `path` through `atomic_writer`."""
    with atomic_writer(path) as handle:
        handle.write(text)


def write_atomic_bytes(path: str | Path, data: bytes) -> None:
    """Write `data` (a PDF, say) to `path` through `atomic_writer`."""
    with atomic_writer(path) as handle:
        handle.buffer.write(data)
