"""Atomic writes: a reader sees the old file or the new one, never half of one; permissions as if written in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from maturity.io.store import atomic_writer, write_atomic


def test_a_new_file_gets_the_permissions_the_umask_allows(tmp_path: Path) -> None:
    before = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.csv", "a,b\n")
    finally:
        os.umask(before)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640
    assert (tmp_path / "new.csv").read_text(encoding="utf-8") == "a,b\n"


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "old.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o604)
    write_atomic(target, "new\n")
    assert target.stat().st_mode & 0o777 == 0o604
    assert target.read_text(encoding="utf-8") == "new\n"


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, failure: type[BaseException]
) -> None:
    target = tmp_path / "summary.csv"
    target.write_text("the summary of yesterday\n", encoding="utf-8")
    with pytest.raises(failure), atomic_writer(target) as handle:
        handle.write("half of a row")
        raise failure()
    assert target.read_text(encoding="utf-8") == "the summary of yesterday\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.csv"]


def test_an_os_error_at_the_rename_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when the disk fills at the last moment, or the target became a folder: the old file stands."""
    target = tmp_path / "report.md"
    target.write_text("yesterday\n", encoding="utf-8")

    def refuse(source: object, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        write_atomic(target, "today\n")
    assert target.read_text(encoding="utf-8") == "yesterday\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]
