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
    directory = target.parent if str(target.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=buffering) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, _mode_for(target))  # mkstemp makes the file private to its owner
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
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
