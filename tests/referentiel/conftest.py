import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


@pytest.fixture
def ref(tmp_path) -> Path:
    """A writable copy of the shipped référentiel."""
    dest = tmp_path / "referentiel"
    shutil.copytree(SHIPPED, dest)
    return dest
