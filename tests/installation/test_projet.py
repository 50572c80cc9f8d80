"""Where the project and the Ansible content are found (amico.projet), without the
repository: the package is installed far from it in an execution environment."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from amico import projet

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ailleurs(tmp_path, monkeypatch):
    """A current directory that is no project, no collection path configured."""
    cwd = tmp_path / "ailleurs"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.delenv(projet.ENV_VAR, raising=False)
    monkeypatch.delenv("ANSIBLE_CONFIG", raising=False)
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_SCAN_SYS_PATH", "false")
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", str(tmp_path / "vide"))
    return cwd


def collection(racine: Path, roles=(), playbooks=()) -> Path:
    """A collection amico.colleges laid out as `ansible-galaxy collection install` does."""
    coll = racine / "ansible_collections" / "amico" / "colleges"
    (coll / "playbooks").mkdir(parents=True)
    (coll / "MANIFEST.json").write_text("{}")
    for nom in roles:
        (coll / "roles" / nom / "defaults").mkdir(parents=True)
        (coll / "roles" / nom / "defaults" / "main.yml").write_text(f"origine: {nom}\n")
    for nom in playbooks:
        (coll / "playbooks" / f"{nom}.yml").write_text("---\n[]\n")
    return coll


def test_project_directory_option_then_env_then_cwd(ailleurs, tmp_path, monkeypatch):
    assert projet.racine() == Path(".")
    assert projet.referentiel() == Path("referentiel")  # messages keep the relative name
    monkeypatch.setenv(projet.ENV_VAR, str(tmp_path / "env"))
    assert projet.referentiel() == tmp_path / "env" / "referentiel"
    assert projet.racine(tmp_path / "opt") == tmp_path / "opt"


def test_no_default_inventory_says_pass_i(ailleurs):
    with pytest.raises(projet.ProjetIncomplet) as exc:
        projet.inventaire_defaut()
    assert "inventories/demo" in str(exc.value) and "-i" in str(exc.value)
    (ailleurs / "inventories" / "demo").mkdir(parents=True)
    assert projet.inventaire_defaut() == Path("inventories/demo")


def test_content_from_the_installed_collection_then_the_project(ailleurs, tmp_path, monkeypatch):
    installee = tmp_path / "installee"
    coll = collection(installee, roles=["serveur_x"], playbooks=["derive"])
    with pytest.raises(projet.ProjetIncomplet) as exc:
        projet.role_dir("serveur_x")
    assert "amico.colleges introuvable" in str(exc.value)
    assert "ANSIBLE_COLLECTIONS_PATH" in str(exc.value)

    # the configured collections path (environment), as in an execution environment
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", f"{tmp_path / 'vide'}:{installee}")
    assert projet.role_dir("serveur_x") == coll / "roles" / "serveur_x"
    assert projet.playbook("derive") == coll / "playbooks" / "derive.yml"
    with pytest.raises(projet.ProjetIncomplet, match="rôle absent_y absent du projet"):
        projet.role_dir("absent_y")

    # an AWX project carries its playbooks (and may carry roles): they win
    (ailleurs / "playbooks").mkdir()
    (ailleurs / "playbooks" / "derive.yml").write_text("---\n[]\n")
    (ailleurs / "roles" / "serveur_x").mkdir(parents=True)
    assert projet.playbook("derive") == Path("playbooks/derive.yml")
    assert projet.role_dir("serveur_x") == Path("roles/serveur_x")


def test_collections_path_of_the_project_ansible_cfg(ailleurs, tmp_path, monkeypatch):
    """ansible.cfg's collections_path, relative to the file as Ansible reads it."""
    monkeypatch.delenv("ANSIBLE_COLLECTIONS_PATH")
    proj = tmp_path / "projet"
    coll = collection(proj / "collections", roles=["serveur_x"])
    (proj / "ansible.cfg").write_text("[defaults]\ncollections_path = ./collections\n")
    assert projet.ansible_cfg(proj) == proj / "ansible.cfg"
    assert projet.role_dir("serveur_x", proj).resolve() == (coll / "roles" / "serveur_x")
    assert projet.ansible_cfg() is None


def test_no_file_parents_lookup_in_the_runtime():
    """Under a non-editable install, __file__'s parents are site-packages, not a project."""
    motif = re.compile(r"__file__\)(\.resolve\(\)|\.absolute\(\))?\.(parents\b|parent\.parent)")
    fautes = [
        f"{p.relative_to(ROOT)}:{n}"
        for base in (ROOT / "src" / "amico", ROOT / "plugins")
        for p in sorted(base.rglob("*.py"))
        for n, ligne in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if motif.search(ligne)
    ]
    assert fautes == []


def test_derive_outside_a_project_exit_2_nothing_started(ailleurs, tmp_path, monkeypatch):
    """From a directory that is no project: a French error, no run folder, no Ansible."""
    etat = tmp_path / "etat"
    monkeypatch.setenv("AMICO_STATE_DIR", str(etat))
    r = subprocess.run(
        [sys.executable, "-m", "amico.cli", "derive", "--site", "0679901Y",
         "--referentiel", str(ROOT / "referentiel")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 2, r.stdout + r.stderr
    assert "pas d'inventaire par défaut" in r.stderr and "-i" in r.stderr
    executions = etat / "derive" / "executions"
    assert not executions.exists() or not any(executions.iterdir())


def test_derive_projet_option_runs_from_that_project(ailleurs, tmp_path, monkeypatch):
    """--projet: référentiel and inventory of that directory, its playbooks."""
    from amico.derive import execution

    proj = tmp_path / "projet"
    (proj / "playbooks").mkdir(parents=True)
    (proj / "playbooks" / "derive.yml").write_text("---\n[]\n")
    cmd = execution.commande(
        tmp_path / "run", ["inv"], proj / "referentiel", ["0679901Y"], [], False, None, None,
        projet_dir=proj,
    )  # fmt: skip
    assert cmd[1] == str((proj / "playbooks" / "derive.yml").resolve())


def test_every_command_reads_the_referentiel_of_amico_projet(ailleurs, monkeypatch, capsys):
    """AMICO_PROJET from anywhere: the commands' default référentiel is the project's."""
    from amico.cli import build_parser, main

    monkeypatch.setenv(projet.ENV_VAR, str(ROOT))
    assert main(["referentiel", "verifier"]) == 0
    assert f"Référentiel valide ({ROOT / 'referentiel'})" in capsys.readouterr().out
    parser = build_parser()
    for argv in (
        ["dossier", "--site", "0679901Y"],
        ["vague", "verifier", "x.csv"],
        ["supervision", "synchroniser", "--tout"],
    ):
        assert parser.parse_args(argv).referentiel == ROOT / "referentiel", argv


def test_derive_without_playbook_nor_collection_exit_2(ailleurs, tmp_path, monkeypatch):
    """A project with an inventory but no playbooks, and no collection installed."""
    etat = tmp_path / "etat"
    monkeypatch.setenv("AMICO_STATE_DIR", str(etat))
    (ailleurs / "inventories" / "demo").mkdir(parents=True)
    r = subprocess.run(
        [sys.executable, "-m", "amico.cli", "derive", "--site", "0679901Y",
         "--referentiel", str(ROOT / "referentiel")],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 2, r.stdout + r.stderr
    assert "collection amico.colleges introuvable" in r.stderr
    assert "ANSIBLE_COLLECTIONS_PATH" in r.stderr
    assert not (etat / "derive" / "executions").exists()
