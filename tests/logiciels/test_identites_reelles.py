"""The référentiel's detection rules against identities real installers write.

The identities come from public package manifests (fixtures/identites_reelles.yml, each
with its source), not from our own fixtures: Firefox ESR's DisplayName carries no version
since 78.12, the x64 Acrobat Reader registers as "Adobe Acrobat (64-bit)", some installers
default to the user's hive. A rule that misses them makes every campaign reinstall the
software, re-detect nothing and end in `echec` forever.
"""

import copy
from pathlib import Path

import pytest
import yaml

from amico.logiciels import Catalogue, Evaluateur

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).parent / "fixtures"
BRUT = yaml.safe_load((ROOT / "referentiel/catalogue/logiciels.yml").read_text("utf-8"))
IDENTITES = yaml.safe_load((FIX / "identites_reelles.yml").read_text("utf-8"))["identites"]
CHAMPS = ("cle", "DisplayName", "DisplayVersion", "Publisher", "WindowsInstaller")


def _catalogue_tout() -> Catalogue:
    """The référentiel's catalogue plus a profile naming every supported entry."""
    brut = copy.deepcopy(BRUT)
    ids = [
        e["id"]
        for e in brut["logiciels"]
        if e["cycle_de_vie"]["statut"] == "supporte" and e["categorie"] != "systeme"
    ]
    brut["profils"].append({"id": "tout", "nom": "tout", "logiciels": ids})
    return Catalogue(brut)


CAT = _catalogue_tout()


def ligne_collecteur(ident: dict) -> dict:
    """The uninstall line the collector returns for this identity (same keys as its JSON)."""
    ligne = {
        "vue": ident["vue"],
        "QuietUninstallString": None,
        "UninstallString": None,
        "InstallDate": None,
        "WindowsInstaller": None,
        "SystemComponent": None,
    }
    ligne.update({k: ident.get(k) for k in CHAMPS})
    if ident.get("sid"):
        ligne["sid"] = ident["sid"]
    return ligne


def evaluer(lignes: list[dict]) -> dict:
    collecte = {"desinstallation": lignes, "fichiers": {}, "registre": {}, "services": {}}
    return {r.id: r for r in Evaluateur(CAT).evaluer(collecte, "tout", None)}


def _id(ident):
    return f"{ident['entree']}:{ident['DisplayName']}:{ident['vue']}"


@pytest.mark.parametrize("ident", IDENTITES, ids=_id)
def test_real_identity_is_detected_by_its_entry(ident):
    res = evaluer([ligne_collecteur(ident)])
    r = res[ident["entree"]]
    assert r.statut == ident["attendu"], (r.statut, r.remarque)
    assert r.instances, "la ligne réelle n'a pas été reconnue"
    # the version comes from DisplayVersion, never invented
    assert r.version == str(ident["DisplayVersion"])


@pytest.mark.parametrize("ident", IDENTITES, ids=_id)
def test_real_identity_claimed_by_no_other_entry(ident):
    res = evaluer([ligne_collecteur(ident)])
    autres = [i for i, r in res.items() if r.instances and i != ident["entree"]]
    assert autres == []


def test_the_three_misses_of_issue_19_are_detected():
    firefox = next(i for i in IDENTITES if i["DisplayName"] == "Mozilla Firefox ESR (x64 en-US)")
    acrobat = next(i for i in IDENTITES if i["DisplayName"] == "Adobe Acrobat (64-bit)")
    par_user = next(i for i in IDENTITES if i.get("portee") == "utilisateur")
    res = evaluer([ligne_collecteur(i) for i in (firefox, acrobat, par_user)])
    assert res["firefox_esr"].instances and res["adobe_reader"].statut == "conforme"
    r = res[par_user["entree"]]
    assert r.statut == "conforme"
    assert r.instances[0].source == "desinstallation:utilisateur"
    assert "utilisateur" in (r.remarque or "")  # reported, not silently counted as machine-wide


def test_every_catalogue_entry_with_a_public_manifest_is_pinned():
    """Entries that an installer from a public manifest puts on a post are all pinned."""
    avec_manifeste = {
        "firefox_esr",
        "adobe_reader",
        "libreoffice",
        "7zip",
        "vlc",
        "gimp",
        "inkscape",
        "audacity",
        "ghostscript",
        "google_earth",
        "scribus",
        "sweethome3d",
        "freeplane",
        "geogebra",
        "java",
        "adobe_air",
        "veeam_backup",
    }
    # looked up in winget-pkgs without a manifest found: photofiltre, silverlight; the
    # annexe's small educational titles have no detection rule yet (a_verifier)
    assert avec_manifeste <= set(CAT.entrees)
    assert {i["entree"] for i in IDENTITES} == avec_manifeste
    # each identity names where it was read
    assert all(i["source"] for i in IDENTITES)


# --- the stand-in posts carry these real identities ------------------------------------


def _forme(valeur) -> str:
    """A value with its numbers masked: the stand-in may carry another version."""
    import re

    return re.sub(r"\d+", "N", str(valeur))


def test_standin_lines_are_the_real_identities():
    from amico_lab.postes.labo import LIGNES
    from amico_lab.postes.referentiel import LIGNES_REALISTES

    verifiees = 0
    for eid, ligne in LIGNES_REALISTES.items():
        reelles = [i for i in IDENTITES if i["entree"] == eid]
        if not reelles:
            continue
        # some real identity has every sourced field equal (numbers aside) to the stand-in's
        assert any(
            all(_forme(ligne.get(c)) == _forme(i[c]) for c in i["sourcé"]) for i in reelles
        ), (eid, ligne)
        verifiees += 1
    assert verifiees >= 14
    # the demo lab's Firefox lines too (the names that hid the ESR miss)
    ff = [i for i in IDENTITES if i["entree"] == "firefox_esr"]
    for cle in ("firefox_115", "firefox_128"):
        assert any(_forme(LIGNES[cle]["DisplayName"]) == _forme(i["DisplayName"]) for i in ff)


@pytest.mark.parametrize("profil", [p["id"] for p in BRUT["profils"]])
def test_what_the_catalogue_installs_is_what_it_detects(tmp_path, profil):
    """Install every entry of the profile from the lab share, then re-detect: conforme."""
    from amico.logiciels.execution import script_collecteur, traiter_poste
    from amico_lab.postes import PosteSimule
    from amico_lab.postes.referentiel import (
        ecrire_etat,
        ecrire_installeurs,
        etat_masterise,
        non_detectables,
    )

    cat = Catalogue(BRUT)
    partage = tmp_path / "partage"
    ecrire_installeurs(cat, partage)
    chemin = ecrire_etat(tmp_path / "postes", etat_masterise(cat, "p-01", profil))
    poste = PosteSimule(chemin)
    rapport = traiter_poste(
        cat,
        Evaluateur(cat),
        {"nom": "p-01", "profil": profil},
        lambda params: poste.executer(script_collecteur(), params),
        partage=str(partage),
    )
    statuts = {r["id"]: r["statut"] for r in rapport["statuts"]}
    installes = {
        e.id
        for e in cat.entrees_poste(profil)
        if e.statut == "supporte" and (e.installation or {}).get("fichier") and e.regles
    }
    assert installes, profil
    assert {i: statuts[i] for i in installes} == dict.fromkeys(installes, "conforme")
    restants = {i for i, s in statuts.items() if s != "conforme"}
    assert restants == set(non_detectables(cat, profil))
