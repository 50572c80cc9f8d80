import shutil
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


@pytest.fixture(scope="session")
def demo_ref():
    from amico.referentiel import load

    return load(DEMO)


@pytest.fixture
def ref_copy(tmp_path):
    """A copy of the demo référentiel outside any git repository (non versionné)."""
    dest = tmp_path / "ref"
    shutil.copytree(DEMO, dest)
    return dest
