"""The batch's worker processes: a pool that hands out chunks of files over pipes, survives a worker lost to
the out-of-memory killer (its files are retried one at a time), and ends every worker on Ctrl-C or SIGTERM."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from types import FrameType
from typing import TYPE_CHECKING, Any

from maturity.model.problems import MaturityError, Problem

if TYPE_CHECKING:
    pass


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (and SIGHUP, a closed terminal) end the work the way Ctrl-C does, as KeyboardInterrupt: a batch
    then ends its workers and removes its temporary summary, an interview saves and says how to resume, instead
    of the process dying with nothing done. Only in the main thread, where signal handlers can be set."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous: dict[int, Any] = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread
                previous[number] = signal.signal(number, handler)
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)


# A chunk of work for a worker: (chunk number, offset in the chunk, items, attempt).
_Task = tuple[int, int, list[Any], int]


class _WorkerFailed:
    """What a worker sends back instead of outcomes when scoring a chunk raised (a bug, not bad input)."""

    def __init__(self, message: str) -> None:
        self.message = message


@dataclass
class _Run:
    """Where one `WorkerPool.map` stands: the outcomes of each chunk so far (None where one is awaited), how many
    each still awaits, the files to try again one by one, and whom to tell of a lost worker."""

    say: Callable[[str], None]
    slots: dict[int, list[Any]] = field(default_factory=dict)
    waiting: dict[int, int] = field(default_factory=dict)
    retries: deque[_Task] = field(default_factory=deque)


class _Worker:
    def __init__(self, process: Any, conn: Any) -> None:
        self.process, self.conn = process, conn
        self.task: _Task | None = None
        self.done = 0  # chunks completed


def _worker_main(conn: Any, parent: int, work: Callable[[list[Any]], list[Any]], initializer: Any, setup: Any) -> None:
    """A worker: score the chunks the parent sends until it sends None, goes away, or sends SIGTERM."""

    def leave(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)  # unwinds, so an atomic write in progress removes its temporary file

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, leave)
    initializer(*setup)
    while True:
        if not conn.poll(1.0):
            if os.getppid() != parent:  # the parent died without saying goodbye (SIGKILL): so does its worker
                return
            continue
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            result: Any = work(task)
        except Exception as exc:  # a bug while scoring: say so, and let the parent try the files one by one
            result = _WorkerFailed(f"{type(exc).__name__}: {exc}")
        conn.send(result)


def _how_it_ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        why = ", as the out-of-memory killer does" if -exitcode == getattr(signal, "SIGKILL", 9) else ""
        return f"killed by {name}{why}"
    return f"it exited with code {exitcode}"


class WorkerPool:
    """Worker processes that score chunks of files, survive losing one, and end cleanly when told to stop.

    Each worker is given one chunk at a time over its own pipe, so the pool always knows which files a worker
    holds. A worker that dies (killed by the out-of-memory killer, say: SIGKILL, no goodbye) is replaced, and the
    files of the chunk it held are tried again one at a time: the innocent ones are scored, and one that loses
    its worker again becomes a failed row (through `lost`), so the run goes on to its summary. `notice` hears
    of each loss. Results come back in input order, at most a few chunks per worker ahead of the one being read,
    so the parent holds little however many files there are.

    Stopping early (an error, Ctrl-C, or SIGTERM turned into KeyboardInterrupt) ends every worker: SIGTERM
    first, which a worker turns into an orderly exit (an atomic write in progress removes its temporary file),
    then SIGKILL for any still alive after GRACE seconds; `cleanup` is then given the files that were in hand.
    """

    GRACE = 3.0
    AHEAD = 4  # chunks per worker handed out ahead of the one being read

    def __init__(
        self,
        size: int,
        work: Callable[[list[Any]], list[Any]],
        initializer: Callable[..., None],
        setup: Sequence[Any],
        lost: Callable[[Any, str], Any],
        cleanup: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self.size, self.work, self.initializer, self.setup = size, work, initializer, tuple(setup)
        self.lost, self.cleanup = lost, cleanup or (lambda items: None)
        methods = multiprocessing.get_all_start_methods()
        # fork where there is one: the workers inherit the definitions already loaded, checked and planned
        self.context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.workers: list[_Worker] = []
        self.idle_losses = 0

    def _start(self) -> None:
        for stream in (sys.stdout, sys.stderr):  # a forked child must not inherit (and flush again) pending output
            with contextlib.suppress(Exception):
                stream.flush()
        parent_end, child_end = self.context.Pipe()
        process = self.context.Process(
            target=_worker_main,
            args=(child_end, os.getpid(), self.work, self.initializer, self.setup),
            daemon=True,
        )
        process.start()
        child_end.close()
        self.workers.append(_Worker(process, parent_end))

    def map(self, items: Sequence[Any], chunksize: int, notice: Callable[[str], None] | None = None) -> Iterator[Any]:
        """The outcome of every item, in order."""
        run = _Run(notice or (lambda message: None))
        chunks = (len(items) + chunksize - 1) // chunksize
        handed = 0  # chunks handed out so far
        reading = 0  # the chunk to yield next
        finished = False
        try:
            while reading < chunks:
                while reading in run.slots and run.waiting[reading] == 0:
                    del run.waiting[reading]
                    yield from run.slots.pop(reading)
                    reading += 1
                if reading >= chunks:
                    break
                while len(self.workers) < self.size:
                    self._start()
                for worker in self.workers:
                    if worker.task is not None:
                        continue
                    if run.retries:
                        task = run.retries.popleft()
                    elif handed < min(chunks, reading + self.size * self.AHEAD):
                        start = handed * chunksize
                        task = (handed, 0, list(items[start : start + chunksize]), 1)
                        run.slots[handed] = [None] * len(task[2])
                        run.waiting[handed] = len(task[2])
                        handed += 1
                    else:
                        break
                    worker.task = task
                    with contextlib.suppress(OSError):  # it has just died: its sentinel says so, below
                        worker.conn.send(task[2])
                busy = {w.conn: w for w in self.workers if w.task is not None}
                ended = {w.process.sentinel: w for w in self.workers}
                for ready in wait([*busy, *ended]):
                    worker = busy.get(ready) or ended[ready]
                    if worker not in self.workers:
                        continue  # already handled through its other handle
                    result = self._receive(worker)
                    if result is not None:
                        held = worker.task
                        assert held is not None
                        worker.task = None
                        worker.done += 1
                        self._settle(held, result, run)
                    if not worker.process.is_alive():
                        self._bury(worker, run)
            finished = True
        finally:
            self._stop(finished)

    def _receive(self, worker: _Worker) -> Any:
        """A worker's reply if one is waiting in its pipe (it may have replied, then died)."""
        try:
            if worker.task is not None and worker.conn.poll():
                return worker.conn.recv()
        except Exception:  # a reply cut short by the worker's death: the death is what counts
            pass
        return None

    def _settle(self, task: _Task, result: Any, run: _Run) -> None:
        chunk, offset = task[0], task[1]
        if isinstance(result, _WorkerFailed):
            self._retry_or_fail(task, f"it failed: {result.message}", run)
            return
        run.slots[chunk][offset : offset + len(result)] = result
        run.waiting[chunk] -= len(result)

    def _retry_or_fail(self, task: _Task, how: str, run: _Run) -> None:
        chunk, offset, items, attempt = task
        self.cleanup(items)
        if attempt == 1:
            run.say(
                f"a worker process was lost ({how}) while scoring {len(items)} file(s); each is scored again on its own"
            )
            run.retries.extend((chunk, offset + i, [item], 2) for i, item in enumerate(items))
            return
        for i, item in enumerate(items):
            run.slots[chunk][offset + i] = self.lost(item, how)
        run.waiting[chunk] -= len(items)

    def _bury(self, worker: _Worker, run: _Run) -> None:
        """A worker died: replace it (by the next round of the loop), and retry or fail what it held."""
        worker.process.join()
        self.workers.remove(worker)
        with contextlib.suppress(OSError):
            worker.conn.close()
        how = _how_it_ended(worker.process.exitcode)
        if worker.task is not None:
            self._retry_or_fail(worker.task, how, run)
        elif worker.done == 0:
            self.idle_losses += 1
            if self.idle_losses > 3 * self.size:  # workers that cannot even start: stop trying
                raise MaturityError(
                    Problem.make("MQ007", f"the worker processes keep failing as they start ({how}); try --workers 1")
                )

    def _stop(self, finished: bool) -> None:
        """End every worker: politely when the work is done, by SIGTERM (then SIGKILL) when it was cut short."""
        in_hand = [item for w in self.workers if w.task is not None for item in w.task[2]]
        for worker in self.workers:
            with contextlib.suppress(Exception):
                if finished:
                    worker.conn.send(None)
                else:
                    worker.process.terminate()
        deadline = _now() + self.GRACE
        for worker in self.workers:
            worker.process.join(max(0.0, deadline - _now()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            with contextlib.suppress(OSError):
                worker.conn.close()
        self.workers = []
        if in_hand:
            self.cleanup(in_hand)


def _now() -> float:
    import time

    return time.monotonic()


@contextmanager
def collector_for_batches() -> Iterator[None]:
    """Keep the garbage collector off the long-lived heap while files are scored, then put it back.

    Scoring a file allocates thousands of short-lived objects, so the collector's default young-generation
    threshold (700) runs it several times per file, and each run rewalks what is alive at that moment. The
    definitions, plans and modules loaded so far are frozen (also sparing forked workers copy-on-write of their
    pages, as the gc documentation advises) and the threshold raised, so collections come every few files;
    reference cycles are still collected, so memory stays flat.
    """
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(before[0], 20_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
