"""The role postes_windows: connection settings live in the inventory, not in the role;
its molecule scenario (stand-in post, référentiel catalogue) stays green."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_the_role_sets_no_connection_variable():
    # a role default would silently win over nothing and lose to everything: the
    # connection belongs to the inventory (group `windows`), said once
    defaults = yaml.safe_load((ROOT / "roles/postes_windows/defaults/main.yml").read_text())
    assert [k for k in defaults if k.startswith("ansible_")] == []
    assert all(k.startswith("postes_windows__") for k in defaults)


def test_the_demo_inventory_gives_windows_posts_https_and_vault_credentials():
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    r = subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(ROOT / "inventories/demo"),
         "--host", "0679901-s101-01"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    hote = yaml.safe_load(r.stdout)
    assert hote["ansible_connection"] == "winrm"
    assert hote["ansible_winrm_scheme"] == "https"
    assert hote["ansible_winrm_server_cert_validation"] == "validate"
    # credentials: named from Vault, never a value in the repository
    assert hote["ansible_user"] == "{{ vault_postes_windows_utilisateur | default('') }}"
    assert hote["ansible_password"] == "{{ vault_postes_windows_mot_de_passe | default('') }}"


@pytest.mark.slow
def test_molecule_postes_windows():
    """create, prepare (post mastered for the référentiel's catalogue, lab share), converge,
    idempotence, verify, destroy on the stand-in post: about 1.5 min."""
    if shutil.which("molecule", path=str(BIN)) is None:
        pytest.fail("molecule absent du venv : `make setup`")
    r = subprocess.run(
        [str(BIN / "molecule"), "--base-config", "molecule/commun/windows/base.yml",
         "test", "-s", "postes_windows"],
        cwd=ROOT, capture_output=True, text=True, timeout=20 * 60,
        env=dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", ANSIBLE_NOCOLOR="1"),
    )  # fmt: skip
    sortie = r.stdout + r.stderr
    assert r.returncode == 0, sortie[-8000:]
    for etape in ("converge", "idempotence", "verify"):
        assert etape in sortie
