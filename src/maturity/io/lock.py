"""An exclusive lock on an answers file while an interview holds it, so two interviews cannot both save into it.

The lock is `flock` on a small file beside the answers (`.NAME.lock`), which says who holds it, on which machine,
in which process and since when, for the message the second interview shows. The kernel releases a flock when
its process ends however it ends (even SIGKILL), so a lock file left behind by a crash is not a held lock: the
next interview takes it and writes its own holder. The file is removed on a clean release; a newcomer that
opened the file just before it was removed checks, once it holds the lock, that the file is still the one at
that name, and tries again if not, so two interviews can never hold "the" lock through two different files.

Where locks cannot be taken (a folder that cannot be written, a file system without locks), the interview goes
on unlocked and says so: refusing would strand the person's work for the sake of a guard.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Holder:
    """Who holds a lock, as the lock file says."""

    user: str | None
    host: str | None
    pid: int | None
    since: dt.datetime | None

    def words(self) -> str:
        """'ana on desk-12 (process 4242), since 14:03 UTC on 1 December 2026'."""
        who = self.user or "someone"
        where = f" on {self.host}" if self.host else ""
        process = f" (process {self.pid})" if self.pid else ""
        when = f", since {self.since:%H:%M} UTC on {self.since.day} {self.since:%B %Y}" if self.since else ""
        return f"{who}{where}{process}{when}"


class Busy(Exception):
    """The answers file is held by another interview."""

    def __init__(self, path: Path, holder: Holder) -> None:
        super().__init__(f"{path} is held by another interview: {holder.words()}")
        self.path = path
        self.holder = holder


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


class AnswersLock:
    """An exclusive, non-blocking lock on one answers file. `acquire` raises Busy when another interview holds
    it; `unavailable` says why no lock could be taken (then the interview goes on without one)."""

    def __init__(self, path: Path, clock: dt.datetime | None = None) -> None:
        self.path = path
        self.file = lock_path(path)
        self.fd: int | None = None
        self.unavailable: str | None = None
        self._since = clock

    def acquire(self) -> AnswersLock:
        if fcntl is None:
            self.unavailable = "this system has no file locks"
            return self
        for _ in range(20):  # a lock file removed under us is retried; twenty removals in a row is not plausible
            try:
                fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                self.unavailable = f"the lock file {self.file} cannot be made ({exc.strerror})"
                return self
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise Busy(self.path, read_holder(self.file)) from None
            except OSError as exc:  # a file system that does not do locks
                os.close(fd)
                self.unavailable = f"the folder does not support locks ({exc.strerror})"
                return self
            if _same_file(fd, self.file):
                self.fd = fd
                self._write_holder()
                return self
            os.close(fd)  # it was removed (and perhaps made again) between our open and our lock
        self.unavailable = "the lock file keeps being replaced"
        return self

    def _write_holder(self) -> None:
        assert self.fd is not None
        since = self._since or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        holder = {"user": _user(), "host": socket.gethostname(), "pid": os.getpid(), "since": since.isoformat()}
        data = (json.dumps(holder) + "\n").encode("utf-8")
        with contextlib.suppress(OSError):  # who holds it is a courtesy; the flock is the lock
            os.ftruncate(self.fd, 0)
            os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        """Remove the lock file and let go of the lock (removing first, while still holding it)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            if _same_file(self.fd, self.file):
                os.unlink(self.file)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None

    def __enter__(self) -> AnswersLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _same_file(fd: int, path: Path) -> bool:
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this user id (a container, say)
        return f"user {os.getuid()}" if hasattr(os, "getuid") else None


def read_holder(path: Path) -> Holder:
    """What a lock file says about its holder; blanks where it says nothing readable (being written, say)."""
    try:
        data = json.loads(path.read_bytes()[:4096].decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    since = None
    with contextlib.suppress(TypeError, ValueError):
        since = dt.datetime.fromisoformat(str(data["since"])) if data.get("since") else None
    pid = data.get("pid")
    return Holder(
        user=str(data["user"])[:100] if data.get("user") else None,
        host=str(data["host"])[:200] if data.get("host") else None,
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
        since=since,
    )
