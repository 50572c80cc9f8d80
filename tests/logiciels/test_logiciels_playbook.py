"""End to end: the venv's ansible-playbook, playbooks/postes.yml, three stand-in posts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amico.logiciels.campagne import charger as charger_campagne
from amico_lab.postes import PosteSimule, appels
from amico_lab.postes.labo import creer_labo

RACINE = Path(__file__).parents[2]
PLAYBOOK = str(RACINE / "playbooks" / "postes.yml")

pytestmark = pytest.mark.slow


def jouer(labo, *extra):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(RACINE / "ansible.cfg"),
        AMICO_STATE_DIR=str(labo["racine"] / "etat"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
    )
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(labo["inventaire"]),
        PLAYBOOK,
        *extra,
    ]
    return subprocess.run(cmd, cwd=RACINE, env=env, capture_output=True, text=True, timeout=300)


def recap(sortie):
    lignes = {}
    for ligne in sortie.splitlines():
        if ligne.startswith("0679901-s101-") and ":" in ligne and "ok=" in ligne:
            hote, reste = ligne.split(":", 1)
            lignes[hote.strip()] = dict(kv.split("=") for kv in reste.split())
    return lignes


def etat(labo, nom):
    return PosteSimule(labo["postes"] / f"{nom}.json").lire()


def noms(labo, nom):
    return {ligne["DisplayName"] for ligne in etat(labo, nom)["desinstallation"]}


def test_campagne_de_bout_en_bout(tmp_path):
    labo = creer_labo(tmp_path)

    # Check mode: statuses and planned actions, nothing changes, one call per post.
    r = jouer(labo, "--check")
    assert "1603" not in r.stdout  # check mode runs no installer
    rc = recap(r.stdout)
    assert rc["0679901-s101-01"]["changed"] == "1" and rc["0679901-s101-03"]["ignored"] == "1"
    assert "mettre_a_jour firefox_esr" in r.stdout and "desinstaller flash_player" in r.stdout
    assert "Adobe Flash Player 32 NPAPI" in noms(labo, "0679901-s101-01")
    assert etat(labo, "0679901-s101-01")["commandes"] == []
    assert len(appels(labo["postes"], "0679901-s101-01")) == 1

    # First run: installs/upgrades, removes Flash, keeps Java 8 (end of life) and reports it.
    r = jouer(labo)
    rc = recap(r.stdout)
    assert r.returncode == 2, r.stdout + r.stderr  # one host failed (1603)
    assert rc["0679901-s101-01"]["changed"] == "1" and rc["0679901-s101-01"]["failed"] == "0"
    n1 = noms(labo, "0679901-s101-01")
    assert "Adobe Flash Player 32 NPAPI" not in n1
    assert {
        "Mozilla Firefox ESR (x64 fr)",
        "LibreOffice 24.8.4.2",
        "7-Zip 24.08 (x64)",
        "Java 8 Update 401 (64-bit)",
    } <= n1
    # the real DisplayName carries no version: the key says which Firefox is there
    cles = {ligne["cle"] for ligne in etat(labo, "0679901-s101-01")["desinstallation"]}
    assert "Mozilla Firefox 128.5.0 ESR (x64 fr)" in cles
    assert "Mozilla Firefox 115.18.0 ESR (x64 fr)" not in cles
    # The 1603 post is échec and did not stop the other hosts.
    assert rc["0679901-s101-02"]["failed"] == "1" and "1603" in r.stdout
    assert "VLC media player" not in noms(labo, "0679901-s101-02")
    # Unreachable post: injoignable in the campaign.
    assert rc["0679901-s101-03"]["ignored"] == "1"
    campagne = charger_campagne(labo["racine"] / "etat" / "logiciels")
    assert campagne["postes"]["0679901-s101-03"]["derive"] == "injoignable"
    assert campagne["postes"]["0679901-s101-02"]["echecs"] == ["vlc"]
    assert campagne["postes"]["0679901-s101-01"]["resume"] == {"fin_de_vie": 2, "conforme": 4}
    assert campagne["progression"]["a_relancer"] == ["0679901-s101-02", "0679901-s101-03"]
    # Round trips: check (1) + first run (collect + apply) = 3 on the post with work.
    assert [a["mode"] for a in appels(labo["postes"], "0679901-s101-01")] == [
        "collecte",
        "collecte",
        "appliquer",
    ]

    # Second run: nothing changes on the post that succeeded, one round trip.
    avant = etat(labo, "0679901-s101-01")["desinstallation"]
    r = jouer(labo)
    rc = recap(r.stdout)
    assert rc["0679901-s101-01"]["changed"] == "0"
    assert etat(labo, "0679901-s101-01")["desinstallation"] == avant
    assert len(appels(labo["postes"], "0679901-s101-01")) == 4
