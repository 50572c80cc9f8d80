"""The whole demo at high verbosity leaks no lab secret (issue 13, item 4).

Runs `amico demo --garder` (switch emulators, stand-in posts, GLPI test server, one Debian 12
container per Linux server where Samba AD is really provisioned, restic, drift) with
ANSIBLE_VERBOSITY=3 while a thread samples `ps` (the host sees the containers' processes
too), then looks for every lab secret in: the demo's playbook logs and outputs, every file
of the state directory (except the lab's own 0600 secrets file), the GLPI test server's
state, and the `ps` samples. Expected: zero hits anywhere.
"""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from amico_lab.demo import GLPI_SECRETS, SURCOUCHE, Labo
from amico_lab.supervision import LAB_SECRETS as ZABBIX_SECRETS

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
AMICO = str(Path(sys.executable).parent / "amico")


def _echantillonner_ps(echantillons, fin):
    while not fin.is_set():
        r = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True)
        echantillons.append(r.stdout)
        time.sleep(0.2)


def test_demo_at_high_verbosity_leaks_no_lab_secret(tmp_path, monkeypatch):
    if SURCOUCHE.exists():
        pytest.skip(
            f"un labo tourne déjà sur ce dépôt ({SURCOUCHE}) : `amico labo arreter` d'abord"
        )
    etat = tmp_path / "etat"
    env = dict(os.environ, AMICO_STATE_DIR=str(etat), ANSIBLE_VERBOSITY="3")
    echantillons: list[str] = []
    fin = threading.Event()
    sonde = threading.Thread(target=_echantillonner_ps, args=(echantillons, fin), daemon=True)
    sonde.start()
    try:
        r = subprocess.run(
            [AMICO, "demo", "--garder"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=3600,
        )  # fmt: skip
        fin.set()
        sonde.join()
        labo = Labo(etat / "labo")
        secrets = json.loads(labo.fichier_secrets.read_text(encoding="utf-8"))
        glpi = (labo.lire() or {}).get("glpi") or {}
        with urllib.request.urlopen(glpi["url"] + "/_lab/state", timeout=10) as rep:  # noqa: S310
            etat_glpi = rep.read().decode("utf-8", "replace")
    finally:
        fin.set()
        subprocess.run([AMICO, "labo", "arreter"], cwd=ROOT, env=env, capture_output=True)
    sortie = r.stdout + r.stderr
    # the deployment ran (the drift's exactness is test_demo's business, not this test's)
    assert "serveurs.yml : code 0" in sortie and "Détection de dérive" in sortie, sortie[-6000:]
    # the run did exercise what leaked before: Samba provisioning and high verbosity
    journaux = sorted((etat / "labo" / "demo").glob("*/*.log"))
    serveurs = next(j for j in journaux if j.name == "serveurs.log").read_text("utf-8")
    assert "Provision the domain" in serveurs and "ESTABLISH" in serveurs

    # the demo's Zabbix too (its Admin password reaches `amico supervision remonter`)
    cherches = dict(secrets) | dict(GLPI_SECRETS) | dict(ZABBIX_SECRETS)
    assert all(len(v) >= 8 for v in cherches.values())
    fuites = []
    for nom, valeur in cherches.items():
        if valeur in sortie:
            fuites.append(f"{nom}: sortie de amico demo")
        if valeur in etat_glpi:
            fuites.append(f"{nom}: état du serveur GLPI de test")
        if any(valeur in e for e in echantillons):
            fuites.append(f"{nom}: ps")
        for f in etat.rglob("*"):
            if f.is_file() and f != labo.fichier_secrets and valeur.encode() in f.read_bytes():
                fuites.append(f"{nom}: {f.relative_to(etat)}")
    assert len(echantillons) > 50  # ps was sampled all along the run
    assert fuites == []
