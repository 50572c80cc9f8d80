import datetime as dt
import json
from pathlib import Path

import pytest

from amico.logiciels import Catalogue, Evaluateur, dans_fenetre, planifier
from amico_lab.postes.labo import catalogue_demo

FIX = Path(__file__).parent / "fixtures"


def collecte(nom):
    return json.loads((FIX / nom).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cat():
    return Catalogue(catalogue_demo())


def test_plan_seulement_le_non_conforme(cat):
    c = collecte("collecte_p-s102-07.json")
    res = Evaluateur(cat).evaluer(c, "multimedia", "windows_10")
    plan = planifier(cat, res, c)
    assert [(a.action, a.id) for a in plan.actions] == [
        ("desinstaller", "flash_player"),
        ("mettre_a_jour", "vlc"),
    ]
    flash = plan.actions[0]
    assert flash.commande.startswith(r"C:\WINDOWS\SysWOW64\Macromed\Flash\FlashUtil32")
    assert 1605 in flash.codes_retour_ok
    assert plan.actions[1].fichier == "vlc-3.0.21-win64.exe"
    assert plan.actions[1].codes_retour_ok == [0, 3010, 1641]
    # fin_de_vie (OS, Java) and indetermine (GeoGebra) are never acted on.
    assert not {"windows_10", "java_8", "geogebra_classic"} & {a.id for a in plan.actions}


def test_dependances_et_manuelles(cat):
    c = {"desinstallation": [], "disque": {"libre_octets": 50 * 2**30}}
    res = Evaluateur(cat).evaluer(c, "multimedia")
    plan = planifier(cat, res, c)
    ids = [a.id for a in plan.actions]
    assert ids.index("sept_zip") < ids.index("vlc")  # vlc depends on sept_zip
    brut = catalogue_demo()
    del brut["logiciels"][2]["installation"]  # libreoffice
    cat2 = Catalogue(brut)
    plan2 = planifier(cat2, Evaluateur(cat2).evaluer(c, "base"), c)
    assert [m["id"] for m in plan2.manuelles] == ["libreoffice"]


def test_redemarrage_en_attente_et_disque(cat):
    c = collecte("collecte_vide.json")  # reboot pending, 1 Gio free
    res = Evaluateur(cat).evaluer(c, "base")
    plan = planifier(cat, res, c, redemarrage_autorise=False)
    assert plan.actions == [] and not plan.redemarrer_avant
    assert plan.raison_report == "redémarrage en attente sur le poste"
    assert {r["id"] for r in plan.reportees} == {"firefox_esr", "libreoffice", "sept_zip"}
    assert planifier(cat, res, c, redemarrage_autorise=True).redemarrer_avant
    c["redemarrage"] = {"en_attente": False, "indicateurs": []}
    plan = planifier(cat, res, c, espace_libre_min_mo=2048)
    assert plan.actions == [] and plan.raison_report.startswith(
        "espace disque insuffisant (1024 Mo"
    )


def test_desinstallation_msi_par_code_produit():
    brut = {
        "logiciels": [
            {
                "id": "java",
                "cycle_de_vie": {"statut": "interdit"},
                "detection": [{"type": "desinstallation", "nom": "^Java 8"}],
            }
        ],
        "profils": [{"id": "p", "logiciels": []}],
    }
    cat = Catalogue(brut)
    c = collecte("collecte_p-s102-07.json")
    plan = planifier(cat, Evaluateur(cat).evaluer(c, "p"), c)
    assert [a.commande for a in plan.actions] == [
        "MsiExec.exe /X{26A24AE4-039D-4CA4-87B4-2F64180401F0} /qn /norestart",
        "MsiExec.exe /X{26A24AE4-039D-4CA4-87B4-2F32180381F0} /qn /norestart",
    ]


@pytest.mark.parametrize(
    ("fenetre", "heure", "attendu"),
    [
        ("18:00-07:00", 23, True),
        ("18:00-07:00", 6, True),
        ("18:00-07:00", 12, False),
        ("12:00-14:00", 13, True),
        ("12:00-14:00", 14, False),
        ("", 3, False),
        (None, 3, False),
    ],
)
def test_fenetre_de_maintenance(fenetre, heure, attendu):
    assert dans_fenetre(fenetre, dt.datetime(2026, 11, 30, heure, 30)) is attendu


def test_fenetre_illisible():
    with pytest.raises(ValueError, match="fenêtre de maintenance illisible"):
        dans_fenetre("le soir")
