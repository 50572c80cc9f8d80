"""End-to-end: the molecule scenario of the server roles (socle, annuaire, comptes, partages,
dhcp, sauvegarde, composed as playbooks/serveurs.yml does) on a real Debian 12 container.

Builds the lab image if needed (lab/podman/build-image.sh, root needed the first time
to apt-get install podman/runc/debootstrap), then create, prepare, converge,
idempotence, verify, destroy. About 5 minutes warm.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_molecule_serveurs():
    if shutil.which("podman") is None and os.geteuid() != 0:
        pytest.fail("podman absent : lancez `make lab-image` en root une première fois")
    r = subprocess.run(
        [str(ROOT / "lab/podman/molecule.sh"), "test", "-s", "serveurs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=45 * 60,
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-8000:]
    for etape in ("converge", "idempotence", "verify"):
        assert etape in r.stdout + r.stderr
