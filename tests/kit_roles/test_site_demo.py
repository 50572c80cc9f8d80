"""End-to-end: the cross-role scenario molecule/site_demo, as an admin runs it
(`lab/podman/molecule.sh test -s site_demo`): the demo site 0679902Z in the lab (its Cisco
switches emulated on 127.0.0.1, its stand-in Windows posts, its Debian servers in podman
containers), deployed by the project's three playbooks, idempotent, verified one real thing
per kind, drifted; then nothing of it is left running. About 6-10 min on 2 loaded cores.
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from amico_lab.demo import SURCOUCHE

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
CONTAINERS_CONF = ROOT / "lab" / "podman" / "containers.conf"


def _emulateurs_du_scenario() -> list[int]:
    """PIDs of switch emulators started by this scenario (their spec lives in its folder)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ligne = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "amico_lab.commutateurs.runner" in ligne and "site_demo" in ligne:
            pids.append(int(proc.name))
    return pids


def _conteneurs_du_scenario() -> list[str]:
    ps = subprocess.run(
        ["podman", "ps", "-a", "--format", "{{.Names}}"],
        capture_output=True,
        text=True,
        env=dict(os.environ, CONTAINERS_CONF=str(CONTAINERS_CONF)),
    )
    return [n for n in ps.stdout.split() if n.startswith("amicosite-")]


@pytest.mark.skipif(shutil.which("podman") is None, reason="podman absent de cette machine")
def test_whole_demo_site_deploys_idempotently_and_drifts_only_as_expected(tmp_path):
    surcouche_avant = SURCOUCHE.read_bytes() if SURCOUCHE.exists() else None
    debut = time.monotonic()
    r = subprocess.run(
        [str(ROOT / "lab" / "podman" / "molecule.sh"), "test", "-s", "site_demo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=40 * 60,
        env=dict(
            os.environ,
            ANSIBLE_NOCOLOR="1",
            NO_COLOR="1",
            PY_COLORS="0",
            COLUMNS="300",  # molecule wraps its output at the terminal width
            AMICO_STATE_DIR=str(tmp_path / "etat"),
        ),
    )
    duree = time.monotonic() - debut
    sortie = r.stdout + r.stderr
    print(f"site_demo : code {r.returncode} en {duree:.0f} s")
    assert r.returncode == 0, sortie[-12000:]
    for etape in ("create", "converge", "idempotence", "verify", "destroy"):
        assert re.search(rf"{etape}.*Executed: Successful", sortie), etape

    # converge deployed every kind of host of the site with the real playbooks
    for hote in ("sw-coeur-0679902z", "sw-acces1-0679902z", "se-0679902z", "0679902-s101-01"):
        assert re.search(rf"^\W*{re.escape(hote)}\s+: ok=\d+", sortie, re.M), hote
    # verify: one real thing per kind, then the drift on the site
    assert "samba-ad-dc" in sortie
    assert "(item=950 MANAGEMENT)" in sortie  # the site's VLANs, read back from the switch
    assert "Les postes du profil base portent tout le profil base" in sortie
    texte = re.sub(r"\s*\n\s*│?\s*", " ", sortie)  # molecule wraps long lines
    m = re.search(
        r"Dérive du site 0679902Z : ([\d.]+) % de conformité ; conformes : ([^;]+);", texte
    )
    assert m, "résumé de la dérive absent"
    assert set(m.group(2).replace(",", " ").split()) == {
        "sw-coeur-0679902z",
        "sw-acces1-0679902z",
        "se-0679902z",
    }
    assert "12 poste(s) sous Windows 10 en fin de vie" in texte

    # nothing left: emulators ended by PID, containers removed, the repository's demo lab
    # overlay untouched
    assert _emulateurs_du_scenario() == []
    assert _conteneurs_du_scenario() == []
    assert (SURCOUCHE.read_bytes() if SURCOUCHE.exists() else None) == surcouche_avant
