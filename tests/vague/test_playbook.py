"""playbooks/vague.yml against the Windows stand-in: the catalog reaches the posts that
answer; the others stay waiting; a failed install is reported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from amico.vague.moteur import executer, postes_de_la_vague
from amico_lab.postes.labo import creer_labo

from .conftest import DATA, RACINE

pytestmark = pytest.mark.slow


def jouer(inventaire, referentiel, state):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(RACINE / "ansible.cfg"),
        AMICO_STATE_DIR=str(state),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
    )
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(inventaire),
        str(RACINE / "playbooks" / "vague.yml"),
        "-e",
        f"amico_referentiel={referentiel}",
    ]
    return subprocess.run(cmd, cwd=RACINE, env=env, capture_output=True, text=True, timeout=600)


def test_catalog_pushed_to_posts_that_answer(ref_copy, tmp_path):
    executer(ref_copy, DATA / "livraison_exemple.csv")
    lab = creer_labo(
        tmp_path / "labo",
        postes={
            "0679901-s101-17": {"profil": "base", "lignes": []},
            "0679901-s101-18": {"profil": "base", "lignes": [], "etat": {"joignable": False}},
            "0679901-s102-05": {
                "profil": "multimedia",
                "lignes": ["firefox_128", "libreoffice_248", "sept_zip_2408"],
                "etat": {"codes_forces": {"vlc-3.0.21-win64.exe": 1603}},
            },
        },
    )
    r = jouer(lab["inventaire"], ref_copy, os.environ["AMICO_STATE_DIR"])
    assert "Catalogue : 1 fait, 1 en échec, 1 toujours en attente" in r.stdout, r.stdout + r.stderr
    assert "hors de l'inventaire : 0679902-s101-13" in r.stdout
    status = {p["nom"]: p["catalogue"] for p in postes_de_la_vague()}
    assert status == {
        "0679901-s101-17": "fait",
        "0679901-s101-18": "en_attente",
        "0679901-s102-05": "echec",
        "0679902-s101-13": "en_attente",
        "0689903-s101-09": "sans_objet",
    }
    # next pass: only the waiting ones are targeted
    r = jouer(lab["inventaire"], ref_copy, os.environ["AMICO_STATE_DIR"])
    assert "Catalogue : 0 fait, 0 en échec, 1 toujours en attente" in r.stdout, r.stdout
