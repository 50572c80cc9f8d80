"""An unusable state directory (issue 13, item 7).

Real file systems, not a chmod (root ignores it): each case runs in its own mount
namespace (`unshare -m`, root) on a tmpfs mounted read-only, or a tiny tmpfs filled up.
Without that permission, the file-in-place-of-the-folder case still runs.

- read-only (empty, or holding an earlier run's state) or a file where the folder should
  be: every command says in French which directory and why, exit 2, no traceback;
- full: the backup of a conforme switch fails -> a warning in the result (and Ansible's
  output), never silence; the file written but never committed is not taken as saved.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AMICO = str(Path(sys.executable).parent / "amico")

# every command that writes the state directory, with harmless arguments
COMMANDES = [
    ["derive", "--site", "0679901Y"],
    ["guichet", "etat"],
    ["guichet", "vider"],
    ["vague", "etat"],
    ["labo", "etat"],
    ["dossier", "--site", "0679901Y"],
]


def _mount_ns_ok() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    r = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k none /mnt"],
        capture_output=True,
    )
    return r.returncode == 0


MOUNT_NS = _mount_ns_ok()


def _dans_un_tmpfs(dossier: Path, preparation: str, options: str, commande: list[str]):
    """Run `commande` with AMICO_STATE_DIR on a fresh tmpfs at `dossier`, after `preparation`
    (shell, run on the rw tmpfs), then remounted with `options`."""
    dossier.mkdir(parents=True, exist_ok=True)
    script = (
        f"mount -t tmpfs -o size=512k none '{dossier}' && {preparation} && "
        f"mount -o remount,{options} '{dossier}' && exec \"$@\""
    )
    env = dict(os.environ, AMICO_STATE_DIR=str(dossier / "etat"))
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script, "sh", *commande],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip


def _assert_refus_en_francais(r, dossier):
    sortie = r.stdout + r.stderr
    assert r.returncode == 2, sortie
    assert "Traceback" not in sortie and "OSError" not in sortie
    assert "répertoire d'état AMICo inutilisable" in r.stderr
    assert str(dossier) in r.stderr


@pytest.mark.skipif(not MOUNT_NS, reason="unshare -m / mount non permis ici")
@pytest.mark.parametrize("commande", COMMANDES, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("deja_rempli", [False, True], ids=["vide", "etat-existant"])
def test_read_only_state_directory_every_command(tmp_path, commande, deja_rempli):
    etat = tmp_path / "ro" / "etat"
    preparation = f"mkdir -p '{etat}'"
    if deja_rempli:  # an earlier run's layout, then the disk went read-only
        sous = "cache/referentiel derive/executions guichet/spool vagues labo dossiers verrous"
        preparation += f" && (cd '{etat}' && mkdir -p {sous})"
    r = _dans_un_tmpfs(tmp_path / "ro", preparation, "ro", [AMICO, *commande])
    _assert_refus_en_francais(r, etat)
    assert "lecture seule" in r.stderr


# commands that only read: the référentiel's cache under the state directory is optional
LECTURES = [
    (["referentiel", "verifier", str(REPO / "referentiel")], "Référentiel valide"),
    (["vague", "renouvellement", "--tout"], "poste(s) à renouveler"),
]


@pytest.mark.skipif(not MOUNT_NS, reason="unshare -m / mount non permis ici")
@pytest.mark.parametrize(("commande", "attendu"), LECTURES, ids=lambda c: str(c)[:30])
def test_read_only_commands_need_no_writable_state_directory(tmp_path, commande, attendu):
    prep = f"mkdir -p '{tmp_path}/ro/etat/cache/referentiel'"
    r = _dans_un_tmpfs(tmp_path / "ro", prep, "ro", [AMICO, *commande])
    assert r.returncode == 0 and attendu in r.stdout, r.stdout + r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("commande", COMMANDES, ids=lambda c: " ".join(c[:2]))
def test_a_file_in_place_of_the_state_directory(tmp_path, commande):
    etat = tmp_path / "etat"
    etat.write_text("pas un dossier\n")
    env = dict(os.environ, AMICO_STATE_DIR=str(etat))
    r = subprocess.run(
        [AMICO, *commande], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )
    _assert_refus_en_francais(r, etat)
    assert "un fichier occupe la place d'un dossier" in r.stderr


SAUVEGARDE_CONFORME = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, sys.argv[1])
    from data import site, staged
    from amico_lab.commutateurs.runner import SwitchLab
    from amico.commutateurs.drivers import Target
    from amico.commutateurs.intent import intent_from_site
    from amico.commutateurs.run import apply_switch

    s = site()
    nom = s["commutateurs"][0]["nom"]
    intent = intent_from_site(s, __import__("data").PLAN_VLANS, nom)
    spec = {"name": nom, "platform": {"aruba": "hp_procurve", "cisco": "cisco_ios"}[intent.vendor],
            "username": "amico", "password": "essai-labo-1234", "initial": staged(intent),
            "faults": None}
    lab = SwitchLab([spec], processes=1, workdir=sys.argv[2])
    lab.start(timeout=600)
    try:
        sw = lab.switches[nom]
        cible = Target(sw.host, sw.port, sw.username, sw.password, timeout=30)
        os.environ["AMICO_STATE_DIR"] = sys.argv[3]   # a healthy disk: converge
        premier = apply_switch(intent, cible)
        os.environ["AMICO_STATE_DIR"] = sys.argv[4]   # the full disk: already conforme
        second = apply_switch(intent, cible)
        troisieme = apply_switch(intent, cible)       # still full: said again, not "saved"
    finally:
        lab.stop()
    print(json.dumps([premier.as_dict(), second.as_dict(), troisieme.as_dict()]))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not MOUNT_NS, reason="unshare -m / mount non permis ici")
def test_full_disk_backup_of_a_conforme_switch_is_a_warning(tmp_path):
    plein = tmp_path / "plein"
    plein.mkdir()
    # fill the tmpfs but leave the folders: the write of the backup is what fails
    preparation = (
        f"mkdir -p '{plein}/etat/commutateurs' && "
        f"(dd if=/dev/zero of='{plein}/bourrage' bs=4k 2>/dev/null; true)"
    )
    r = _dans_un_tmpfs(
        plein,
        preparation,
        "rw",
        [sys.executable, "-c", SAUVEGARDE_CONFORME, str(REPO / "tests" / "commutateurs"),
         str(tmp_path / "labo"), str(tmp_path / "etat-sain"), str(plein / "etat")],
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    import json

    premier, second, troisieme = json.loads(r.stdout.strip().splitlines()[-1])
    assert premier["status"] == "modifie" and premier["backup_after"]
    for res in (second, troisieme):
        assert res["status"] == "conforme" and not res["failed"]
        assert res["backup_before"] is None
        assert any(
            "sauvegarde de la configuration impossible" in w and "disque plein" in w
            for w in res["warnings"]
        ), res["warnings"]


@pytest.mark.skipif(not MOUNT_NS, reason="unshare -m / mount non permis ici")
def test_campaign_report_on_a_read_only_state_directory_fails_the_host_in_french(tmp_path):
    jeu = tmp_path / "jeu.yml"
    jeu.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - amico.colleges.logiciels_rapport:\n        variable: r\n"
        "      vars:\n        r: {derive: conforme, statuts: [], echecs: []}\n"
    )
    playbook = str(Path(sys.executable).parent / "ansible-playbook")
    r = _dans_un_tmpfs(
        tmp_path / "ro",
        f"mkdir -p '{tmp_path}/ro/etat'",
        "ro",
        ["env", f"ANSIBLE_CONFIG={REPO / 'ansible.cfg'}", playbook, str(jeu)],
    )
    sortie = r.stdout + r.stderr
    assert r.returncode != 0, sortie
    assert "rapport de campagne non écrit : répertoire d'état AMICo inutilisable" in sortie
    assert "lecture seule" in sortie and "Traceback" not in sortie
