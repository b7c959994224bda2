"""The pre-commit hook, run by pre-commit itself against a temporary git repository.

The hook repository is a snapshot of this project committed to a temporary git repository, so the test runs the
`.pre-commit-hooks.yaml` that is checked in, installed by pre-commit the way a user's machine installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
pre_commit = pytest.importorskip("pre_commit")

SNAPSHOT = ["pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"]
SNAPSHOT_DIRS = ["src", "questionnaires", "scoring_rules", "report_templates", "examples", "schemas"]


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_all(repo: Path) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "snapshot")
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This project, as committed files in a repository of its own, and the commit to pin (a hash, as the
    README advises)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in SNAPSHOT:
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, repo / name)
    for name in SNAPSHOT_DIRS:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(repo, "init", "-q")
    return repo, commit_all(repo)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's cache: the hook's environment is built once for the module."""
    return tmp_path_factory.mktemp("pre-commit-home")


def run_hook(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)  # plain text problems, as a developer sees them
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def make_project(root: Path, repo: Path, rev: str) -> Path:
    """A user's repository: broken files in the conventional folders and outside them, a broken answers file,
    definitions in a folder of their own (named in .maturity.toml), and YAML that is not ours."""
    project = root / "project"
    (project / "questionnaires").mkdir(parents=True)
    (project / "defs" / "custom").mkdir(parents=True)
    (project / "assessments").mkdir()
    (project / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(FIXTURES / "broken" / "unknown-key.yaml", project / "questionnaires" / "broken.yaml")
    shutil.copy(FIXTURES / "valid" / "demo.questionnaire.yaml", project / "defs" / "custom" / "demo.yaml")
    rules = (FIXTURES / "valid" / "demo.rules.yaml").read_text(encoding="utf-8")
    (project / "defs" / "custom" / "rules.yaml").write_text(rules.replace("weights:", "weightz:", 1), encoding="utf-8")
    answers = (FIXTURES / "valid" / "demo.answers.yaml").read_text(encoding="utf-8")
    (project / "assessments" / "ours.answers.yaml").write_text(answers + "  NOT-A-QUESTION: 3\n", encoding="utf-8")
    (project / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {a: &x {runs-on: b}, b: *x}\n")
    (project / ".maturity.toml").write_text('definitions = ["defs/custom"]\n', encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: maturity-validate\n",
        encoding="utf-8",
    )
    git(project, "init", "-q")
    commit_all(project)
    return project


def test_the_hook_fails_on_broken_files_wherever_they_are(
    tmp_path: Path, hook_repo: tuple[Path, str], home: Path
) -> None:
    project = make_project(tmp_path, *hook_repo)
    assert "weightz" in (project / "defs" / "custom" / "rules.yaml").read_text()
    result = run_hook(project, home, "--all-files")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Failed" in output
    assert "questionnaires/broken.yaml:35:9: MQ101" in output  # in a default folder
    assert "defs/custom/rules.yaml" in output and "MQ101" in output  # outside them
    assert "assessments/ours.answers.yaml" in output and "MQ601" in output  # a broken answers file
    assert "ci.yml" not in output  # another tool's YAML is passed over, not an error


def test_one_changed_answers_file_is_checked_against_definitions_elsewhere(
    tmp_path: Path, hook_repo: tuple[Path, str], home: Path
) -> None:
    project = make_project(tmp_path, *hook_repo)
    result = run_hook(project, home, "--files", "assessments/ours.answers.yaml")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "MQ601" in output and "MQ603" not in output  # its questionnaire was found in defs/custom


def test_the_hook_passes_once_the_files_are_mended(tmp_path: Path, hook_repo: tuple[Path, str], home: Path) -> None:
    project = make_project(tmp_path, *hook_repo)
    (project / "questionnaires" / "broken.yaml").unlink()
    rules = project / "defs" / "custom" / "rules.yaml"
    rules.write_text(rules.read_text().replace("weightz:", "weights:"))
    answers = project / "assessments" / "ours.answers.yaml"
    answers.write_text(answers.read_text().replace("  NOT-A-QUESTION: 3\n", ""))
    commit_all(project)
    result = run_hook(project, home, "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
