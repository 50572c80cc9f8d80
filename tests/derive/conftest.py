import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    path = tmp_path / "etat"
    monkeypatch.setenv("AMICO_STATE_DIR", str(path))
    return path
