import copy
import json
from pathlib import Path

import pytest

from amico.logiciels import Catalogue, CatalogueError, Evaluateur, derive_poste
from amico.logiciels.evaluation import VERS_DERIVE
from amico_lab.postes.labo import catalogue_demo

FIX = Path(__file__).parent / "fixtures"


def charger(nom):
    return json.loads((FIX / nom).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cat():
    return Catalogue(catalogue_demo())


def statuts(res):
    return {r.id: r.statut for r in res}


def test_poste_reel_desordonne(cat):
    res = Evaluateur(cat).evaluer(charger("collecte_p-s102-07.json"), "multimedia", "windows_10")
    st = statuts(res)
    assert st == {
        "windows_10": "fin_de_vie",
        "firefox_esr": "conforme",
        "libreoffice": "conforme",  # DisplayVersion blank: version read from DisplayName
        "sept_zip": "conforme",  # 64 and 32-bit copies
        "java_8": "fin_de_vie",  # present twice (8u401 and 8u381), flagged not removed
        "vlc": "obsolete",  # 3.0.20 < 3.0.21
        "geogebra_classic": "indetermine",  # exact pin, DisplayVersion "N/A", no version in name
        "flash_player": "interdit",
    }
    par_id = {r.id: r for r in res}
    assert par_id["libreoffice"].version == "24.8.4.2"
    assert par_id["libreoffice"].instances[0].detail["version_depuis"] == "DisplayName"
    assert len(par_id["sept_zip"].instances) == 2
    assert {i.source for i in par_id["sept_zip"].instances} == {
        "desinstallation:64",
        "desinstallation:32",
    }
    assert par_id["java_8"].version == "8.0.4010.9"
    assert "plusieurs versions présentes : 8.0.3810.9, 8.0.4010.9" in par_id["java_8"].remarque
    assert "non désinstallé" in par_id["java_8"].remarque
    assert par_id["firefox_esr"].version == "128.5.0"  # uninstall entry and file version agree
    assert "'N/A'" in par_id["geogebra_classic"].remarque
    assert derive_poste([r.statut for r in res]) == "non conforme"


def test_registre_vide(cat):
    res = Evaluateur(cat).evaluer(charger("collecte_vide.json"), "base", "windows_10")
    assert statuts(res) == {
        "windows_10": "fin_de_vie",
        "firefox_esr": "absent",
        "libreoffice": "absent",
        "sept_zip": "absent",
        "java_8": "conforme",  # end-of-life and absent: nothing to report
        "flash_player": "conforme",  # forbidden and absent
    }


def test_interdit_cherche_meme_hors_profil(cat):
    res = Evaluateur(cat).evaluer(charger("collecte_p-s102-07.json"), "base")
    assert statuts(res)["flash_player"] == "interdit"
    assert "vlc" not in statuts(res)


def test_epinglage_exact_plus_recent_et_obsolete(cat):
    collecte = charger("collecte_p-s102-07.json")
    ligne = next(x for x in collecte["desinstallation"] if x["DisplayName"] == "GeoGebra Classic")
    ligne["DisplayVersion"] = "6.0.860.0"
    assert (
        statuts(Evaluateur(cat).evaluer(collecte, "multimedia"))["geogebra_classic"]
        == "plus_recent"
    )
    ligne["DisplayVersion"] = "6.0.800.0"
    assert (
        statuts(Evaluateur(cat).evaluer(collecte, "multimedia"))["geogebra_classic"] == "obsolete"
    )
    ligne["DisplayVersion"] = "6.0.857.0"
    assert (
        statuts(Evaluateur(cat).evaluer(collecte, "multimedia"))["geogebra_classic"] == "conforme"
    )


def test_minimum_plus_recent_est_conforme(cat):
    collecte = charger("collecte_p-s102-07.json")
    collecte["desinstallation"][0]["DisplayVersion"] = "140.1.0"
    assert statuts(Evaluateur(cat).evaluer(collecte, "base"))["firefox_esr"] == "conforme"


def test_editeur_filtre_les_homonymes(cat):
    collecte = {
        "desinstallation": [
            {
                "vue": "64",
                "cle": "x",
                "DisplayName": "7-Zip 9.20",
                "DisplayVersion": "9.20",
                "Publisher": "Contrefaçon SARL",
            }
        ]
    }
    assert statuts(Evaluateur(cat).evaluer(collecte, "base"))["sept_zip"] == "absent"


def test_regles_fichier_registre_service_msi():
    brut = {
        "logiciels": [
            {
                "id": "dotnet",
                "version_min": "4.8",
                "detection": [
                    {
                        "type": "registre",
                        "cle": r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full",
                        "valeur": "Version",
                    }
                ],
            },
            {
                "id": "pronote",
                "version_min": "2024.0.3",
                "detection": [
                    {
                        "type": "fichier",
                        "chemin": r"%ProgramFiles(x86)%\Index Education\Client PRONOTE.exe",
                    }
                ],
            },
            {"id": "wapt", "detection": [{"type": "service", "nom": "WAPTService"}]},
            {
                "id": "reader",
                "version_min": "24.0",
                "detection": [
                    {"type": "msi", "code_produit": "ac76ba86-7ad7-1036-7b44-ac0f074e4100"}
                ],
            },
        ],
        "profils": [{"id": "p", "logiciels": ["dotnet", "pronote", "wapt", "reader"]}],
    }
    cat = Catalogue(brut)
    demande = cat.demande("p")
    assert demande["fichiers"] == [r"%ProgramFiles(x86)%\Index Education\Client PRONOTE.exe"]
    assert demande["services"] == ["WAPTService"]
    collecte = {
        "desinstallation": [
            {
                "vue": "32",
                "cle": "{AC76BA86-7AD7-1036-7B44-AC0F074E4100}",
                "DisplayName": "Adobe Acrobat Reader - Français",
                "DisplayVersion": "24.004.20220",
            }
        ],
        "registre": {
            r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full|Version": {
                "existe": True,
                "valeur": "4.8.04084",
            }
        },
        "fichiers": {
            r"%ProgramFiles(x86)%\Index Education\Client PRONOTE.exe": {
                "existe": None,
                "erreur": "Accès refusé",
            }
        },
        "services": {"WAPTService": {"existe": True, "etat": "Running"}},
    }
    st = statuts(Evaluateur(cat).evaluer(collecte, "p"))
    assert st == {
        "dotnet": "conforme",
        "pronote": "indetermine",
        "wapt": "conforme",
        "reader": "conforme",
    }
    assert VERS_DERIVE["indetermine"] == "non vérifiable"
    assert derive_poste(list(st.values())) == "non vérifiable"


def test_profils_composes_et_erreurs(cat):
    ids = [e.id for e in cat.entrees_poste("multimedia", "windows_10")]
    assert ids == [
        "windows_10",
        "firefox_esr",
        "libreoffice",
        "sept_zip",
        "java_8",
        "vlc",
        "geogebra_classic",
        "flash_player",
    ]
    with pytest.raises(CatalogueError, match="profil inconnu"):
        cat.entrees_poste("inexistant")
    brut = copy.deepcopy(catalogue_demo())
    brut["profils"][0]["inclut"] = ["multimedia"]
    with pytest.raises(CatalogueError, match="inclusion circulaire"):
        Catalogue(brut).entrees_poste("multimedia")
    brut = copy.deepcopy(catalogue_demo())
    brut["logiciels"][1]["detection"][0]["nom"] = "(["
    with pytest.raises(CatalogueError, match="expression régulière invalide"):
        Catalogue(brut)


def test_derive_poste_pire_statut():
    assert derive_poste(["conforme", "conforme"]) == "conforme"
    assert derive_poste(["conforme", "indetermine"]) == "non vérifiable"
    assert derive_poste(["indetermine", "absent"]) == "non conforme"
    assert derive_poste(["absent", "injoignable"]) == "injoignable"


def test_catalogue_du_referentiel_se_compile():
    chemin = Path(__file__).parents[2] / "referentiel" / "catalogue" / "logiciels.yml"
    if not chemin.is_file():
        pytest.skip("référentiel absent")
    import yaml

    brut = yaml.safe_load(chemin.read_text(encoding="utf-8"))
    cat = Catalogue(brut)
    ev = Evaluateur(cat)
    for profil in brut.get("profils") or []:
        res = ev.evaluer(charger("collecte_p-s102-07.json"), profil["id"])
        assert all(r.statut in VERS_DERIVE for r in res)


def test_fin_de_vie_signale_meme_hors_profil(cat):
    """An end-of-life software outside the post's profile is still flagged when present."""
    sans_java = {
        "logiciels": catalogue_demo()["logiciels"],
        "profils": [{"id": "nu", "logiciels": ["firefox_esr"]}],
    }
    res = Evaluateur(Catalogue(sans_java)).evaluer(charger("collecte_p-s102-07.json"), "nu")
    assert statuts(res)["java_8"] == "fin_de_vie"
    vide = Evaluateur(Catalogue(sans_java)).evaluer(charger("collecte_vide.json"), "nu")
    assert statuts(vide)["java_8"] == "conforme"
