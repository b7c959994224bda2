"""Batch faults: a worker lost as the out-of-memory killer loses one (SIGKILL, no goodbye) costs a retry, not the
run; a file that loses its worker twice is a failed row; SIGTERM and Ctrl-C end every worker and leave no
temporary file behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from maturity.app.workers import WorkerPool

from .hostile_support import GOOD, leftovers

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and process groups as POSIX has them")


# ----------------------------------------------------------------------------------- the pool, on its own

_LOST: list[str] = []


def _setup(tag: str) -> None:
    os.environ["POOL_TAG"] = tag


def _work(items: list[str]) -> list[str]:
    out = []
    for item in items:
        if item.startswith("poison"):
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        if item.startswith("bug"):
            raise ValueError(f"cannot score {item}")
        out.append(f"{os.environ['POOL_TAG']}:{item}")
    return out


def _lost(item: str, how: str) -> str:
    return f"failed:{item}:{how}"


def test_a_lost_worker_costs_a_retry_and_a_file_lost_twice_fails() -> None:
    items = [f"f{i}" for i in range(20)]
    items[7] = "poison-7"
    items[13] = "bug-13"
    notices: list[str] = []
    cleaned: list[list[str]] = []
    pool = WorkerPool(2, _work, _setup, ("ok",), lost=_lost, cleanup=cleaned.append)
    results = list(pool.map(items, 3, notices.append))
    expected = [f"ok:{item}" for item in items]
    expected[7] = "failed:poison-7:killed by SIGKILL, as the out-of-memory killer does"
    expected[13] = "failed:bug-13:it failed: ValueError: cannot score bug-13"
    assert results == expected  # in order, every innocent file of the lost chunks scored on its retry
    assert len(notices) == 2 and all("each is scored again on its own" in n for n in notices)
    assert ["poison-7"] in cleaned  # its temporary files, if any, are removed
    assert pool.workers == []  # all ended


def test_the_pool_ends_its_workers_when_its_reader_stops_early() -> None:
    pool = WorkerPool(2, _work, _setup, ("ok",), lost=_lost)
    results = pool.map([f"f{i}" for i in range(200)], 2)
    assert next(results) == "ok:f0"
    processes = [w.process for w in pool.workers]
    results.close()  # as when the consumer fails or is interrupted
    assert processes and all(not p.is_alive() for p in processes)


# --------------------------------------------------------------------------------------------- the command


def _answers(folder: Path, count: int) -> list[Path]:
    folder.mkdir()
    text = GOOD.read_bytes()
    paths = []
    for i in range(count):
        path = folder / f"a{i:04d}.yaml"
        path.write_bytes(text)
        paths.append(path)
    return paths


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def batch(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str], Path]]:
    """`maturity score` of 600 files with two workers, a summary and results, its stderr collected as it comes."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding a command's worker processes needs /proc")
    _answers(tmp_path / "answers", 600)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "maturity",
            "score",
            str(tmp_path / "answers"),
            "--workers",
            "2",
            "--summary",
            str(tmp_path / "out" / "summary.csv"),
            "--out",
            str(tmp_path / "out" / "results"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    process.stdout.readline()  # the table's header
    process.stdout.readline()  # the first row: the workers are busy
    threading.Thread(target=process.stdout.read, daemon=True).start()  # keep the table flowing
    try:
        yield process, lines, tmp_path
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)


def test_a_worker_killed_as_the_oom_killer_would_is_reported_and_the_run_completes(
    batch: tuple[subprocess.Popen[str], list[str], Path],
) -> None:
    process, lines, tmp_path = batch
    for _ in range(40):  # SIGKILL a worker in the middle of a chunk (one between chunks is just replaced)
        if any("worker process was lost" in line for line in lines) or process.poll() is not None:
            break
        workers = _children(process.pid)
        if workers:
            os.kill(workers[0], signal.SIGKILL)
        time.sleep(0.5)
    assert process.wait(timeout=300) == 0, "".join(lines)
    errors = "".join(lines)
    assert "warning: a worker process was lost (killed by SIGKILL, as the out-of-memory killer does)" in errors
    assert "600 scored, 0 failed" in errors and "Traceback" not in errors
    rows = (tmp_path / "out" / "summary.csv").read_bytes().split(b"\r\n")
    assert len(rows) == 602 and rows[-1] == b""  # the header, 600 rows, nothing after the last CRLF
    assert sum(b",scored," in row for row in rows) == 600
    assert len(list((tmp_path / "out" / "results").glob("*.result.json"))) == 600
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(("how", "code"), [("SIGTERM", 130), ("SIGINT", 130)])
def test_sigterm_and_ctrl_c_end_the_workers_and_leave_no_temporary_file(
    batch: tuple[subprocess.Popen[str], list[str], Path], how: str, code: int
) -> None:
    process, lines, tmp_path = batch
    workers = _children(process.pid)
    assert workers, "the batch had no workers"
    if how == "SIGTERM":
        os.kill(process.pid, signal.SIGTERM)  # as `kill` or a service manager sends it, to the command alone
    else:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C in a terminal: to the whole job, workers too
    assert process.wait(timeout=60) == code
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)
    errors = "".join(lines)
    assert "interrupted" in errors and "Traceback" not in errors
    assert not (tmp_path / "out" / "summary.csv").exists()  # never half a summary
    assert leftovers(tmp_path) == []
