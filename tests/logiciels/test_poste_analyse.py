"""Licences, antivirus and software outside the référentiel, from the one collector output.

Collector outputs below are in collecteur.ps1's format (keys it writes); the policy is the
référentiel's own referentiel/catalogue/postes.yml.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from amico.derive.comparaison import comparer_poste
from amico.logiciels import Catalogue, CatalogueError, Evaluateur
from amico.logiciels.analyse import (
    analyser_antivirus,
    analyser_licences,
    analyser_poste,
    charger_politique,
    etat_produit,
    licences_site,
    non_references,
    politique_depuis,
)
from amico_lab.postes.labo import LIGNES, SOCLE

ROOT = Path(__file__).resolve().parents[2]
FIX = Path(__file__).parent / "fixtures"
CATALOGUE = ROOT / "referentiel/catalogue/logiciels.yml"
BRUT = yaml.safe_load(CATALOGUE.read_text("utf-8"))
POLITIQUE = charger_politique(CATALOGUE)
JOUR = dt.date(2026, 12, 6)

WINDOWS_KMS = {
    "nom": "Windows(R), Education edition",
    "description": "Windows(R) Operating System, VOLUME_KMSCLIENT channel",
    "application": "55c92734-d682-4d71-983e-d6ec3f16059f",
    "etat": 1,
    "cle_partielle": "2YT43",
    "canal": "Volume:GVLK",
    "fin_grace_minutes": 259200,
    "kms": "kms.ac-strasbourg.fr",
}
OFFICE_MAK_GRACE = {
    "nom": "Office 21, Office21ProPlus2021MAK edition",
    "description": "Office 21, VOLUME_MAK channel",
    "application": "0ff1ce15-a989-479d-af46-f275c6370663",
    "etat": 2,
    "cle_partielle": "6F7TH",
    "canal": "Volume:MAK",
    "fin_grace_minutes": 14400,
    "kms": "",
}


@pytest.fixture(scope="module")
def cat():
    return Catalogue(BRUT)


def test_policy_file_is_the_referentiels_and_bad_values_are_refused():
    assert POLITIQUE is not None and POLITIQUE.age_signatures_max_jours == 3
    with pytest.raises(
        CatalogueError, match=r"composants_systeme\[0\]\.nom : expression régulière invalide"
    ):
        politique_depuis({"composants_systeme": [{"nom": "(", "raison": "x"}]})
    with pytest.raises(CatalogueError, match="expire"):
        politique_depuis({"autorises": [{"nom": "x", "raison": "y", "site": "0679901Y"}]})


# -- licences -------------------------------------------------------------------------------
def test_windows_kms_activated_is_conforme():
    a = analyser_licences({"licences": {"produits": [WINDOWS_KMS]}}, POLITIQUE)
    assert a["statut"] == "conforme"
    assert a["produits"][0]["canal"] == "KMS" and a["produits"][0]["etat"] == "activé"


def test_office_mak_in_grace_is_to_act_on():
    a = analyser_licences({"licences": {"produits": [WINDOWS_KMS, OFFICE_MAK_GRACE]}}, POLITIQUE)
    assert a["statut"] == "non conforme"
    office = a["produits"][1]
    assert (office["produit"], office["canal"], office["active"]) == ("office", "MAK", False)
    assert "période de grâce initiale ; fin de la période de grâce dans 10 jour(s)" in a["detail"]


def test_no_windows_licence_and_no_collect():
    assert analyser_licences({"licences": {"produits": []}}, POLITIQUE)["statut"] == (
        "non conforme"
    )
    assert analyser_licences({}, POLITIQUE)["statut"] == "non vérifiable"


def test_retail_channel_outside_policy():
    retail = dict(WINDOWS_KMS, canal="Retail", description="RETAIL channel")
    a = analyser_licences({"licences": {"produits": [retail]}}, POLITIQUE)
    assert a["statut"] == "non conforme" and "hors des canaux attendus" in a["detail"]


def test_click_to_run_office_is_listed_not_guessed():
    c = {"licences": {"produits": [WINDOWS_KMS], "office_c2r": {"produits": "O365ProPlusRetail"}}}
    a = analyser_licences(c, POLITIQUE)
    assert a["statut"] == "non vérifiable"
    assert a["produits"][1]["canal"] == "abonnement"


# -- antivirus ------------------------------------------------------------------------------
def test_security_center_product_state_decoding():
    assert etat_produit(397568) == {"actif": True, "a_jour": True}  # 0x061100
    assert etat_produit(393472) == {"actif": False, "a_jour": True}  # 0x060100
    assert etat_produit(397584) == {"actif": True, "a_jour": False}  # 0x061110
    assert etat_produit("n/a") is None


def _av(age, actif=True, produits=None):
    return {
        "antivirus": {
            "centre_securite": True,
            "produits": produits
            if produits is not None
            else [{"nom": "Windows Defender", "etat_produit": 397568}],
            "defender": {"actif": actif, "temps_reel": actif, "age_signatures_jours": age},
        }
    }


def test_signature_age_threshold_comes_from_the_referentiel():
    assert analyser_antivirus(_av(3), POLITIQUE)["statut"] == "conforme"
    a = analyser_antivirus(_av(4), POLITIQUE)
    assert a["statut"] == "non conforme" and "signatures de 4 jours (seuil : 3)" in a["detail"]
    assert (
        analyser_antivirus(
            _av(4), politique_depuis({"antivirus": {"age_signatures_max_jours": 7}})
        )["statut"]
        == "conforme"
    )


def test_defender_off_without_accepted_product():
    autre = [{"nom": "Avast Free Antivirus", "etat_produit": 397568}]
    a = analyser_antivirus(_av(0, actif=False, produits=autre), POLITIQUE)
    assert a["statut"] == "non conforme" and "Defender désactivé" in a["detail"]
    assert analyser_antivirus({}, POLITIQUE)["statut"] == "non vérifiable"


# -- software outside the référentiel -------------------------------------------------------
def _collecte(lignes):
    return {"desinstallation": copy.deepcopy(lignes)}


def test_recorded_post_noise_is_not_reported(cat):
    """The recorded post and the stand-in's base lines: runtimes, drivers, Edge, updates and
    Firefox's maintenance service are components, not unlisted software."""
    enregistre = json.loads((FIX / "collecte_p-s102-07.json").read_text("utf-8"))
    lignes = enregistre["desinstallation"] + SOCLE
    r = non_references(_collecte(lignes), Evaluateur(cat), POLITIQUE, "0679901Y", "67", JOUR)
    assert r["non_references"] == [], r["non_references"]
    assert r["composants_ignores"] >= len(SOCLE) + 1


def test_unlisted_software_listed_and_allow_list_by_territory(cat):
    lignes = SOCLE + [LIGNES["chrome"], LIGNES["scratch"], LIGNES["vlc_3021"]]
    ev = Evaluateur(cat)
    bas_rhin = non_references(_collecte(lignes), ev, POLITIQUE, "0679901Y", "67", JOUR)
    assert [x["nom"] for x in bas_rhin["non_references"]] == ["Google Chrome"]
    assert [x["nom"] for x in bas_rhin["autorises"]] == ["Scratch 3 3.29.1"]
    assert bas_rhin["autorises"][0]["autorisation"]["expire"] == "2027-08-31"
    haut_rhin = non_references(_collecte(lignes), ev, POLITIQUE, "0689903V", "68", JOUR)
    assert {x["nom"] for x in haut_rhin["non_references"]} == {"Google Chrome", "Scratch 3 3.29.1"}
    echue = non_references(_collecte(lignes), ev, POLITIQUE, "0679901Y", "67", dt.date(2027, 9, 1))
    scratch = next(x for x in echue["non_references"] if x["nom"].startswith("Scratch"))
    assert scratch["autorisation_expiree"]["expire"] == "2027-08-31"


def test_site_level_allow_list():
    pol = politique_depuis(
        {
            "autorises": [
                {
                    "nom": "^Google Chrome$",
                    "site": "0679901Y",
                    "raison": "ENT",
                    "expire": "2027-01-31",
                }
            ]
        }
    )
    ev = Evaluateur(Catalogue(BRUT))
    r = non_references(_collecte([LIGNES["chrome"]]), ev, pol, "0679901Y", "67", JOUR)
    assert r["non_references"] == [] and r["autorises"][0]["nom"] == "Google Chrome"
    r = non_references(_collecte([LIGNES["chrome"]]), ev, pol, "0679902Z", "67", JOUR)
    assert [x["nom"] for x in r["non_references"]] == ["Google Chrome"]


# -- drift and per-site report --------------------------------------------------------------
def test_drift_findings_for_the_three_new_rules(cat):
    collecte = {
        "desinstallation": SOCLE + [LIGNES["chrome"]],
        "licences": {"produits": [WINDOWS_KMS, OFFICE_MAK_GRACE]},
        **_av(9),
    }
    analyse = analyser_poste(collecte, Evaluateur(cat), POLITIQUE, "0679901Y", "67", JOUR)
    constats = comparer_poste([], set(), analyse)
    par_regle = {}
    for c in constats:
        par_regle.setdefault(c["regle"], []).append((c["objet"], c["statut"]))
    assert par_regle["poste.activation"] == [
        ("Windows(R), Education edition", "conforme"),
        ("Office 21, Office21ProPlus2021MAK edition", "non conforme"),
    ]
    assert par_regle["poste.antivirus"] == [("antivirus", "non conforme")]
    assert par_regle["poste.non_reference"] == [("Google Chrome", "non conforme")]
    chrome = next(c for c in constats if c["regle"] == "poste.non_reference")
    assert chrome["trouve"] == "non référencé (131.0.6778.140)"


def test_licence_report_per_site(cat):
    ev = Evaluateur(cat)
    ok = {"licences": {"produits": [WINDOWS_KMS]}}
    grace = {"licences": {"produits": [WINDOWS_KMS, OFFICE_MAK_GRACE]}}
    analyses = {
        "0679901-s101-01": analyser_poste(ok, ev, POLITIQUE),
        "0679901-s101-02": analyser_poste(ok, ev, POLITIQUE),
        "0679901-s101-03": analyser_poste(grace, ev, POLITIQUE),
        "0679901-s101-04": None,  # never reached
    }
    r = licences_site(analyses)
    assert {(c["produit"], c["canal"], c["etat"]): c["postes"] for c in r["comptes"]} == {
        ("Windows(R), Education edition", "KMS", "activé"): 3,
        ("Office 21, Office21ProPlus2021MAK edition", "MAK", "période de grâce initiale"): 1,
    }
    assert [p["poste"] for p in r["a_traiter"]] == ["0679901-s101-03"]
    assert r["sans_donnees"] == ["0679901-s101-04"]


def test_one_round_trip_on_the_standin_gives_everything(cat, tmp_path):
    """The stand-in post answers the collector with licences, antivirus and its extra
    software; one remote call feeds the catalogue, the licence and the antivirus checks."""
    from amico.logiciels.execution import script_collecteur, traiter_poste
    from amico_lab.postes import PosteSimule
    from amico_lab.postes.referentiel import ecrire_etat, etat_conforme

    etat = etat_conforme(cat, "p-07", "base")
    etat["desinstallation"] += [copy.deepcopy(LIGNES["chrome"])]
    etat["antivirus"] = _av(6)["antivirus"]
    poste = PosteSimule(ecrire_etat(tmp_path, etat))
    rapport = traiter_poste(
        cat,
        Evaluateur(cat),
        {"nom": "p-07", "profil": "base"},
        lambda params: poste.executer(script_collecteur(), params),
        verification=True,
        politique=POLITIQUE,
        site={"uai": "0679901Y", "territoire": "67"},
    )
    assert rapport["appels_distants"] == 1
    a = rapport["analyse"]
    assert a["activation"]["statut"] == "conforme"
    assert a["antivirus"]["statut"] == "non conforme"
    assert [x["nom"] for x in a["non_references"]] == ["Google Chrome"]


def test_licence_report_cli_per_site(cat, tmp_path, capsys):
    from amico.cli import main
    from amico.logiciels.campagne import enregistrer_poste

    ev = Evaluateur(cat)

    def resultat(collecte):
        return {
            "derive": "conforme",
            "resume": {},
            "analyse": analyser_poste(collecte, ev, POLITIQUE, "0679901Y", "67", JOUR),
        }

    ok = {"licences": {"produits": [WINDOWS_KMS]}, **_av(0)}
    mauvais = {
        "licences": {"produits": [WINDOWS_KMS, OFFICE_MAK_GRACE]},
        "desinstallation": [LIGNES["chrome"]],
        **_av(8),
    }
    enregistrer_poste(tmp_path, "0679901-s101-01", resultat(ok), "0679901Y")
    enregistrer_poste(tmp_path, "0679901-s101-02", resultat(mauvais), "0679901Y")
    enregistrer_poste(tmp_path, "0689903-s201-01", resultat(ok), "0689903V")
    assert main(["logiciels", "licences", "--etat", str(tmp_path), "--site", "0679901Y"]) == 0
    sortie = capsys.readouterr().out
    assert "Windows(R), Education edition | KMS | activé : 2 poste(s)" in sortie
    assert "à traiter : 0679901-s101-02 — Office 21" in sortie
    assert "antivirus : 0679901-s101-02 — signatures de 8 jours (seuil : 3)" in sortie
    assert "non référencé : Google Chrome (1 poste(s) : 0679901-s101-02)" in sortie
    assert "0689903" not in sortie
    assert main(["logiciels", "licences", "--etat", str(tmp_path), "--site", "0000000X"]) == 2
    assert "site 0000000X absent de la campagne" in capsys.readouterr().err


def test_drift_report_shows_activation_antivirus_and_unlisted(cat, tmp_path):
    """Through the drift merge and the HTML report, as `amico derive` writes them."""
    from amico.derive.attendu import preparer
    from amico.derive.fusion import fusionner
    from amico.derive.historique import Historique
    from amico.derive.html import rendre
    from amico.derive.modele import resultat_hote
    from amico.referentiel import load

    ref = load(ROOT / "referentiel")
    site = next(s for s in ref.sites if s.uai == "0679901Y")
    dossier = tmp_path / "run"
    execution = preparer(ref, [site], dossier)
    hotes = execution["sites"][0]["hotes"]
    poste = next(h for h, t in hotes.items() if t.startswith("poste_"))
    collecte = {
        "desinstallation": SOCLE + [LIGNES["chrome"]],
        "licences": {"produits": [WINDOWS_KMS, OFFICE_MAK_GRACE]},
        **_av(9),
    }
    analyse = analyser_poste(collecte, Evaluateur(cat), POLITIQUE, "0679901Y", "67", JOUR)
    res = resultat_hote(poste, "0679901Y", hotes[poste], comparer_poste([], set(), analyse))
    (dossier / "hotes" / f"{poste}.json").write_text(json.dumps(res), "utf-8")
    with Historique() as h:
        r = fusionner(dossier, [], dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC), h)
    regles = {e["regle"] for e in r["ecarts"] if e["hote"] == poste}
    assert {"poste.activation", "poste.antivirus", "poste.non_reference"} <= regles
    html = rendre(r)
    for libelle in (
        "Licences Windows et Office activées",
        "Antivirus exigé par l&#39;Académie",
        "Logiciels hors référentiel (non référencés",
        "Google Chrome",
    ):
        assert libelle in html or libelle.replace("&#39;", "'") in html, libelle


def test_complete_one_round_trip_output(cat):
    """A full collector output (one round trip): catalogue, per-user install, licences,
    antivirus and the noise every post carries, judged together."""
    collecte = json.loads((FIX / "collecte_0679901-s103-02_complete.json").read_text("utf-8"))
    ev = Evaluateur(cat)
    res = {r.id: r for r in ev.evaluer(collecte, "mathematiques", "windows_11_24h2")}
    assert res["windows_11_24h2"].statut == "conforme"
    for ident in ("firefox_esr", "libreoffice", "adobe_reader", "7zip", "vlc", "photofiltre"):
        assert res[ident].statut == "conforme", (ident, res[ident].remarque)
    assert res["geogebra"].statut == "conforme"
    assert "installé pour un seul utilisateur" in res["geogebra"].remarque
    a = analyser_poste(collecte, ev, POLITIQUE, "0679901Y", "67", JOUR)
    assert a["activation"]["statut"] == "conforme"
    assert [(p["produit"], p["canal"]) for p in a["activation"]["produits"]] == [
        ("windows", "KMS"),
        ("office", "KMS"),
    ]
    assert a["antivirus"]["statut"] == "conforme"
    assert {x["nom"] for x in a["non_references"]} == {
        "Google Chrome",
        "Notepad++ (64-bit x64)",
        "Microsoft Office LTSC Professionnel Plus 2021 - fr-fr",  # not in the référentiel
    }
    assert a["composants_ignores"] == 12  # runtimes, drivers, Edge, updates, C2R
    assert a["profils_lus"] == ["S-1-5-21-1004336348-1177238915-682003330-1104"]


def test_offline_evaluation_cli_shows_licences_antivirus_unlisted(capsys):
    from amico.cli import main

    code = main(
        [
            "logiciels",
            "evaluer",
            "--catalogue",
            str(CATALOGUE),
            "--collecte",
            str(FIX / "collecte_0679901-s103-02_complete.json"),
            "--profil",
            "mathematiques",
            "--systeme",
            "windows_11_24h2",
            "--territoire",
            "67",
        ]
    )
    sortie = capsys.readouterr().out
    assert code == 0
    assert "licences : conforme" in sortie
    assert "  Windows(R), Education edition : activé (KMS)" in sortie
    assert "antivirus : conforme" in sortie
    assert "non référencé : Google Chrome (142.0.7444.60)" in sortie
    assert "installé pour un seul utilisateur" in sortie  # GeoGebra in the user's hive
