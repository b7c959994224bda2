"""What the hostile-input tests share: running the real command in a subprocess (as the user who runs it, or as
an unprivileged one), a tiny file system that fills up, and the files that must never be left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import site
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOOD = EXAMPLES / "well-run-retender.yaml"
OTHER = EXAMPLES / "mid-maturity-council.yaml"
NOBODY = 65534


def maturity(
    *args: str | Path, cwd: Path | None = None, timeout: float = 120, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """`python -m maturity ARGS` in a fresh process, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "maturity", *map(str, args)],
        cwd=cwd,
        capture_output="stdout" not in kwargs,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in (result.stderr or "") + (result.stdout or ""), result.stderr


def leftovers(*folders: Path) -> list[Path]:
    """Temporary files of atomic writes (.NAME.XXXX.tmp) below these folders: there must never be any."""
    return [p for folder in folders if folder.exists() for p in folder.rglob(".*.tmp")]


# ------------------------------------------------------------------------------------------ an unprivileged user

_BOOT = (
    "import site, sys\n"
    "for d in {dirs!r}: site.addsitedir(d)\n"
    "sys.argv = ['maturity', *sys.argv[1:]]\n"
    "from maturity.cli import run\n"
    "run()\n"
)


def _site_dirs() -> list[str]:
    import maturity as package

    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return [d for d in dirs if os.path.isdir(d)] + [str(Path(package.__file__).resolve().parents[1])]


@contextlib.contextmanager
def _as_nobody_command() -> Iterator[list[str]]:
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("permission tests need root, to run the command as the unprivileged user nobody")
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("permission tests need setpriv (util-linux) to run a command as nobody")
    drop = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    boot = _BOOT.format(dirs=_site_dirs())
    # the test's own interpreter may live where nobody cannot reach it (a pyenv under /root): then any Python of
    # the same version that nobody can run, with this installation's packages on its path
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for python in dict.fromkeys([sys.executable, shutil.which(version), shutil.which("python3")]):
        if python is None:
            continue
        probe = subprocess.run([*drop, python, "-c", boot, "--version"], capture_output=True, text=True, check=False)
        if probe.returncode == 0 and "maturity" in probe.stdout:
            yield [*drop, python, "-c", boot]
            return
    pytest.skip("no Python interpreter that the unprivileged user nobody can run finds this installation")


@contextlib.contextmanager
def nobody_runner() -> Iterator[object]:
    """Run the command as nobody: `run(*args, cwd=...)` -> CompletedProcess; skips the test where it cannot."""
    with _as_nobody_command() as command:

        def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*command, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
            )

        yield run


@contextlib.contextmanager
def shared_folder() -> Iterator[Path]:
    """A temporary folder every user can enter (pytest's own is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="maturity-hostile-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------- a full disk


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs of 64 KiB with about 8 KiB left (writing a report there runs out of space); skips the
    test where a tmpfs cannot be mounted."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("the full-disk test mounts a small tmpfs, which needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs: {done.stderr.decode().strip()}")
    try:
        filler = mount / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as handle:
            handle.write(b"x" * (56 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
