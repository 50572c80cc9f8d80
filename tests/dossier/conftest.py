import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "referentiel"


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    path = tmp_path / "state"
    monkeypatch.setenv("AMICO_STATE_DIR", str(path))
    return path


def commit_all(repo: Path, message: str) -> None:
    """Commit every file of `repo` (created if needed) with a fixed identity and date."""
    env = {**os.environ, "GIT_AUTHOR_DATE": "2025-03-01T12:00:00+01:00",
           "GIT_COMMITTER_DATE": "2025-03-01T12:00:00+01:00"}  # fmt: skip
    git = ["git", "-C", str(repo), "-c", "user.name=AMICo tests",
           "-c", "user.email=tests@amico.invalid", "-c", "commit.gpgsign=false"]  # fmt: skip
    if not (repo / ".git").exists():
        subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", message], check=True, env=env)


@pytest.fixture(scope="session")
def demo_ref(tmp_path_factory):
    """The demo référentiel from a copy committed in its own git repository. A dossier
    carries the référentiel's commit and whether its tree is clean: read from the live
    repository, a commit or an edit landing while the suite runs (other work in the same
    tree) would rebuild every dossier between two generations of one test."""
    from amico.referentiel import load

    dest = tmp_path_factory.mktemp("demo") / "referentiel"
    shutil.copytree(DEMO, dest)
    commit_all(dest, "référentiel de démonstration")
    return load(dest)


@pytest.fixture
def ref_copy(tmp_path):
    """A copy of the demo référentiel outside any git repository (non versionné)."""
    dest = tmp_path / "ref"
    shutil.copytree(DEMO, dest)
    return dest


@pytest.fixture
def git_commit():
    return commit_all


@pytest.fixture
def ref_git(ref_copy):
    """A copy of the demo référentiel committed in its own git repository."""
    commit_all(ref_copy, "référentiel de démonstration")
    return ref_copy
