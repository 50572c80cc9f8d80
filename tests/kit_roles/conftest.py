"""A throwaway copy of the project to scaffold roles into (never the real roles/)."""

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What a role scenario needs from the project: roles, molecule, plugins (through the
# collections/ symlink to the root), ansible.cfg, .ansible-lint, galaxy.yml, meta/, lab/,
# inventories/ and the référentiel. The Python package comes from the venv.
IGNORE = shutil.ignore_patterns(
    ".venv", ".git", ".cache", ".ci", ".pytest_cache", ".ruff_cache", "__pycache__",
    "tests", "bench", "src", "*.pyc",
)  # fmt: skip


@pytest.fixture
def projet(tmp_path) -> Path:
    copie = tmp_path / "projet"
    shutil.copytree(ROOT, copie, symlinks=True, ignore=IGNORE)
    return copie
