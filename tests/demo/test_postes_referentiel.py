"""Stand-in posts against the référentiel's catalogue, checked by the real evaluator."""

import json
from pathlib import Path

import pytest
import yaml

from amico.logiciels import Catalogue, Evaluateur
from amico.logiciels.execution import traiter_poste
from amico_lab.postes import PosteSimule
from amico_lab.postes.referentiel import (
    ecrire_etat,
    ecrire_installeurs,
    etat_conforme,
    etat_masterise,
    non_detectables,
    preuves,
    verifier_conforme,
)

ROOT = Path(__file__).resolve().parents[2]
BRUT = yaml.safe_load((ROOT / "referentiel/catalogue/logiciels.yml").read_text("utf-8"))
PROFILS = [p["id"] for p in BRUT["profils"]]


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue(BRUT)


@pytest.mark.parametrize("profil", PROFILS)
def test_conforme_state_is_conforme_except_undetectable(catalogue, tmp_path, profil):
    chemin = ecrire_etat(tmp_path, etat_conforme(catalogue, "p-01", profil))
    restants = verifier_conforme(catalogue, chemin, profil)
    assert {r["id"] for r in restants} == set(non_detectables(catalogue, profil))
    assert all(r["statut"] == "absent" for r in restants)


def test_evidence_respects_version_min(catalogue):
    for e in catalogue.entrees.values():
        if e.statut != "supporte" or not e.regles or e.version_min is None:
            continue
        p = preuves(e)
        lignes = p["desinstallation"]
        if lignes:
            from amico.logiciels.versions import parse_version

            assert parse_version(lignes[0]["DisplayVersion"]) >= e.version_min, e.id


def test_deploying_a_mastered_post_installs_from_lab_share(catalogue, tmp_path):
    partage = tmp_path / "partage"
    ecrire_installeurs(catalogue, partage)
    chemin = ecrire_etat(tmp_path / "postes", etat_masterise(catalogue, "p-02", "base"))
    avant = verifier_conforme(catalogue, chemin, "base")
    assert {r["id"] for r in avant} >= {"libreoffice", "firefox_esr", "7zip", "vlc"}

    poste = PosteSimule(chemin)
    from amico.logiciels.execution import script_collecteur

    rapport = traiter_poste(
        catalogue,
        Evaluateur(catalogue),
        {"nom": "p-02", "profil": "base"},
        lambda params: poste.executer(script_collecteur(), params),
        partage=str(partage),
    )
    assert rapport["derive"] == "conforme", rapport["resume"]
    assert rapport["appels_distants"] == 2
    assert verifier_conforme(catalogue, chemin, "base") == []
    # the lab installers really ran (one command per installed entry)
    commandes = json.loads(chemin.read_text())["commandes"]
    assert {c["code"] for c in commandes} == {0} and len(commandes) == len(avant)
