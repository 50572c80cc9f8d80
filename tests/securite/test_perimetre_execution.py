"""Perimeter at run time (issue 13, item 9).

The inventory plugin already leaves out the Académie's hosts; these tests add one back the
way a careless admin would (an extra static inventory file next to the plugin config) and
check that the roles and action plugins refuse it from the host's OWN référentiel record,
in French, before anything (not even fact gathering) touches it; and that
playbooks/valider.yml runs whatever the `-l` limit.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from amico.referentiel import load
from amico.referentiel.perimetre import (
    HorsPerimetre,
    controle_execution,
    refus_execution,
    type_des_hotes,
    verifier_hote,
)

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


@pytest.fixture(scope="module")
def ref():
    return load(REPO / "referentiel")


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))


def test_every_academie_host_of_the_referentiel_is_refused(ref):
    hotes = type_des_hotes(ref)
    academie = {
        n: h
        for n, h in hotes.items()
        if ref.perimetre.types_hote[h["type"]].perimetre == "academie"
    }
    # servers, posts (and firewalls/proxies once the sites list them)
    assert {"serveur_administratif", "poste_administratif"} <= {
        h["type"] for h in academie.values()
    }
    for nom in academie:
        with pytest.raises(HorsPerimetre, match="périmètre de l'Académie"):
            verifier_hote(ref, nom)
        with pytest.raises(HorsPerimetre):
            controle_execution(REPO / "referentiel", nom)


def test_collectivite_hosts_pass_and_other_operators_or_unknown_hosts_do_not(ref):
    for nom in ("se-0679901y", "sw-coeur-0679901y", "0679901-s101-01"):
        verifier_hote(ref, nom)
        controle_execution(REPO / "referentiel", nom)
    with pytest.raises(HorsPerimetre, match="n'a ni R ni A"):
        verifier_hote(ref, "se-0679901y", operateur="etablissement")
    with pytest.raises(HorsPerimetre, match="absent du référentiel"):
        verifier_hote(ref, "se-inconnu")


def test_plugin_glue_reads_the_inventory_variables(tmp_path):
    base = {"amico_referentiel": str(REPO / "referentiel"), "playbook_dir": "/nulle/part"}
    assert refus_execution({**base, "inventory_hostname": "se-0679901y"}) is None
    refus = refus_execution({**base, "inventory_hostname": "sa-0679901y"})
    assert refus.startswith("périmètre : hôte « sa-0679901y » (serveur_administratif")
    cassé = tmp_path / "absent"
    refus = refus_execution({"amico_referentiel": str(cassé), "inventory_hostname": "x"})
    assert "référentiel invalide" in refus


def _inventaire(tmp_path, extra):
    dossier = tmp_path / "inventaire"
    dossier.mkdir()
    (dossier / "colleges.amico.yml").write_text(
        yaml.safe_dump(
            {"plugin": "amico.colleges.referentiel", "referentiel": str(REPO / "referentiel")}
        )  # fmt: skip
    )
    (dossier / "zz-ajout.yml").write_text(yaml.safe_dump(extra))
    return dossier


def _jouer(playbook, inventaire, *extra):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_INVENTORY_ENABLED="amico.colleges.referentiel,ansible.builtin.yaml",
        AMICO_SAMBA_ADMIN_PASSWORD="Essai-Perimetre-1!",
        AMICO_RESTIC_PASSWORD="Essai-Perimetre-2!",
    )
    return subprocess.run(
        [str(PLAYBOOK), str(REPO / "playbooks" / playbook), "-i", str(inventaire), *extra],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600,
    )  # fmt: skip


LOCAL = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}


def test_static_inventory_adding_an_academie_server_is_refused_at_run_time(tmp_path):
    # the administrative server, slipped into serveurs_pedagogiques by a static file
    inv = _inventaire(
        tmp_path,
        {"all": {"children": {"serveurs_pedagogiques": {"hosts": {"sa-0679901y": LOCAL}},
                              "site_0679901y": {"hosts": {"sa-0679901y": {}}}}}},
    )  # fmt: skip
    r = _jouer("serveurs.yml", inv, "-l", "sa-0679901y")
    sortie = r.stdout + r.stderr
    assert r.returncode != 0, sortie
    assert "hôte « sa-0679901y » (serveur_administratif, collège 0679901Y) hors du" in sortie
    assert "Le référentiel fait foi" in sortie
    # refused first: no fact gathering, no validation, nothing after
    assert "Gather the facts" not in sortie and "Validating arguments" not in sortie
    assert "sa-0679901y                : ok=1    changed=0" in sortie  # valider only


def test_static_inventory_adding_an_administrative_post_is_refused_at_run_time(tmp_path):
    poste = {**LOCAL, "ansible_shell_type": "sh"}
    inv = _inventaire(
        tmp_path,
        {"all": {"children": {"postes_pedagogiques": {"hosts": {"0679901-adm-01": poste}},
                              "windows": {"hosts": {"0679901-adm-01": {}}}}}},
    )  # fmt: skip
    r = _jouer("postes.yml", inv, "-l", "0679901-adm-01", "--check")
    sortie = r.stdout + r.stderr
    assert r.returncode != 0, sortie
    assert "hôte « 0679901-adm-01 » (poste_administratif" in sortie
    assert "Conformité logicielle" not in sortie


def test_the_software_action_itself_refuses_an_academie_post(tmp_path):
    # the action plugin re-checks too (a playbook calling it without the role)
    jeu = tmp_path / "jeu.yml"
    jeu.write_text(
        yaml.safe_dump(
            [{"hosts": "0679901-adm-01", "gather_facts": False, "tasks": [
                {"amico.colleges.logiciels_conformite": {
                    "catalogue": {"logiciels": {}, "profils": {}},
                    "poste": {"nom": "0679901-adm-01", "profil": "base"}}}]}]
        )
    )  # fmt: skip
    inv = _inventaire(tmp_path, {"all": {"hosts": {"0679901-adm-01": LOCAL}}})
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    r = subprocess.run(
        [str(PLAYBOOK), str(jeu), "-i", str(inv)],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert r.returncode != 0
    assert "hôte « 0679901-adm-01 » (poste_administratif" in r.stdout


def test_valider_runs_whatever_the_limit(tmp_path):
    casse = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", casse)
    site = casse / "sites" / "0679901Y.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("bloc_adresses:", "bloc_adresse:"))
    inv = tmp_path / "hotes.yml"
    inv.write_text(
        yaml.safe_dump(
            {"all": {"children": {"serveurs_pedagogiques": {"hosts": {"se-0679901y": LOCAL}}}}}
        )
    )
    r = _jouer("serveurs.yml", inv, "-l", "se-0679901y", "-e", f"amico_referentiel={casse}")
    sortie = r.stdout + r.stderr
    assert r.returncode != 0, sortie
    assert "TASK [Vérifier le schéma et la cohérence du référentiel]" in sortie
    assert "0679901Y.yml" in sortie  # the validator's file:line report
    assert "TASK [socle" not in sortie  # stopped before the roles


def _serveurs_pedagogiques_a_l_academie(referentiel: Path) -> None:
    """Edit a référentiel copy: pedagogical servers handed to the Académie."""
    fichier = referentiel / "perimetre.yml"
    texte = fichier.read_text(encoding="utf-8")
    debut = texte.index("  serveur_pedagogique:")
    fichier.write_text(
        texte[:debut] + texte[debut:].replace("perimetre: collectivite", "perimetre: academie", 1),
        encoding="utf-8",
    )


def test_cached_table_follows_the_referentiel(tmp_path):
    # the per-host table is cached by the référentiel's files: a file changed on disk is
    # what the next check reads (here pedagogical servers handed to the Académie)
    copie = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", copie)
    controle_execution(copie, "se-0679901y")
    _serveurs_pedagogiques_a_l_academie(copie)
    with pytest.raises(HorsPerimetre, match="serveur_pedagogique : périmètre de l'Académie"):
        controle_execution(copie, "se-0679901y")


def _decision(racine, nom, operateur, phase):
    try:
        controle_execution(racine, nom, operateur, phase)
    except HorsPerimetre as exc:
        return str(exc)
    return None


def test_a_frozen_table_decides_as_the_sqlite_table(ref, monkeypatch):
    """The drift's main process loads the table once (`figer`) for every fork: the same
    decision, word for word, as the SQLite table read per host, for every host of the
    référentiel, an unknown one, and other operators and phases (those not frozen still
    read SQLite)."""
    from amico.referentiel import perimetre

    monkeypatch.setattr(perimetre, "_FIGES", {})
    monkeypatch.setattr(perimetre, "_TABLES", {})
    racine = REPO / "referentiel"
    noms = [*type_des_hotes(ref), "se-inconnu", "SE-0679901Y"]
    cas = [(None, None), ("cd", "transitoire"), ("etablissement", None), ("cd", "cible")]
    avant = {(n, o, p): _decision(racine, n, o, p) for n in noms for o, p in cas}
    assert any(v is None for v in avant.values()) and any(v for v in avant.values())
    perimetre.figer(racine, "cd", "transitoire")
    assert len(perimetre._TABLES) == 1
    apres = {(n, o, p): _decision(racine, n, o, p) for n in noms for o, p in cas}
    assert apres == avant


def test_a_frozen_run_keeps_the_referentiel_it_started_with(tmp_path, monkeypatch):
    """Frozen, the run's workers check against the référentiel as the run found it (the
    expected state's own): an edit during the run counts from the next run."""
    from amico.referentiel import perimetre

    monkeypatch.setattr(perimetre, "_FIGES", {})
    monkeypatch.setattr(perimetre, "_TABLES", {})
    copie = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", copie)
    perimetre.figer(copie)
    _serveurs_pedagogiques_a_l_academie(copie)
    controle_execution(copie, "se-0679901y")  # the run's snapshot: still allowed
    monkeypatch.setattr(perimetre, "_FIGES", {})
    monkeypatch.setattr(perimetre, "_TABLES", {})
    with pytest.raises(HorsPerimetre, match="périmètre de l'Académie"):
        controle_execution(copie, "se-0679901y")  # the next run reads the edit
