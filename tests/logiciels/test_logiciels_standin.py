"""The stand-in Windows post (amico_lab.postes) and the host-level flow over it."""

import datetime as dt
import json

import pytest

from amico.logiciels import Catalogue, Evaluateur
from amico.logiciels.execution import script_collecteur, traiter_poste
from amico_lab.postes import PosteInjoignable, PosteSimule, appels
from amico_lab.postes.labo import creer_labo


@pytest.fixture
def labo(tmp_path):
    chemins = creer_labo(tmp_path)
    import yaml

    cat = Catalogue(yaml.safe_load(chemins["catalogue"].read_text(encoding="utf-8")))
    return chemins, cat, Evaluateur(cat)


def distant(chemin):
    poste = PosteSimule(chemin)
    return lambda p: poste.executer(script_collecteur(), p)


def test_installation_puis_redetection_reelle(labo):
    chemins, cat, ev = labo
    etat = chemins["postes"] / "0679901-s101-01.json"
    poste = {"nom": "0679901-s101-01", "profil": "base", "systeme": "windows_10"}
    r = traiter_poste(cat, ev, poste, distant(etat), partage=str(chemins["partage"]))
    assert r["appels_distants"] == 2 and r["changed"]
    st = {s["id"]: s["statut"] for s in r["statuts"]}
    assert st == {
        "windows_10": "fin_de_vie",
        "firefox_esr": "conforme",
        "libreoffice": "conforme",
        "sept_zip": "conforme",
        "java_8": "fin_de_vie",
        "flash_player": "conforme",
    }
    assert r["redemarrage"]["requis"] and not r["redemarrage"]["lance"]  # LibreOffice: 3010
    r2 = traiter_poste(cat, ev, poste, distant(etat), partage=str(chemins["partage"]))
    assert r2["appels_distants"] == 1 and not r2["changed"] and r2["plan"]["actions"] == []
    assert [a["mode"] for a in appels(chemins["postes"], "0679901-s101-01")] == [
        "collecte",
        "appliquer",
        "collecte",
    ]


def test_redemarrage_dans_la_fenetre(labo):
    chemins, cat, ev = labo
    etat = chemins["postes"] / "0679901-s101-01.json"
    poste = {"nom": "0679901-s101-01", "profil": "base"}
    r = traiter_poste(
        cat,
        ev,
        poste,
        distant(etat),
        partage=str(chemins["partage"]),
        fenetre_maintenance="18:00-07:00",
        maintenant=dt.datetime(2026, 11, 30, 22, 0),
    )
    assert r["redemarrage"]["lance"]
    assert PosteSimule(etat).lire()["demarrages"] == 1


def test_verification_ne_change_rien(labo):
    chemins, cat, ev = labo
    etat = chemins["postes"] / "0679901-s101-01.json"
    avant = PosteSimule(etat).lire()["desinstallation"]
    r = traiter_poste(cat, ev, {"nom": "p", "profil": "base"}, distant(etat), verification=True)
    assert r["simulation"] and r["changed"] and r["appels_distants"] == 1
    assert {a["id"] for a in r["plan"]["actions"]} == {
        "flash_player",
        "firefox_esr",
        "libreoffice",
        "sept_zip",
    }
    assert PosteSimule(etat).lire()["desinstallation"] == avant


def test_echec_1603_et_empreinte(labo):
    chemins, cat, ev = labo
    etat = chemins["postes"] / "0679901-s101-02.json"
    r = traiter_poste(
        cat,
        ev,
        {"nom": "p", "profil": "multimedia"},
        distant(etat),
        partage=str(chemins["partage"]),
    )
    vlc = next(s for s in r["statuts"] if s["id"] == "vlc")
    assert vlc["statut"] == "echec" and "1603" in vlc["remarque"] and r["echecs"] == ["vlc"]
    # A tampered installer in the share: sha256 refused, nothing installed.
    e = PosteSimule(etat).lire()
    e["codes_forces"] = {}
    etat.write_text(json.dumps(e))
    (chemins["partage"] / "vlc-3.0.21-win64.exe").write_bytes(b"MZ corrompu")
    r = traiter_poste(
        cat,
        ev,
        {"nom": "p", "profil": "multimedia"},
        distant(etat),
        partage=str(chemins["partage"]),
    )
    ex = r["executions"][0]
    assert ex["code"] == -1 and "sha256" in ex["erreur"]


def test_code_accepte_mais_toujours_absent_est_echec(labo):
    chemins, cat, ev = labo
    # An installer that exits 0 but installs nothing (the WPKG/WAPT re-detection case).
    (chemins["partage"] / "7z2408-x64.exe").write_text(json.dumps({"amico_lab_installeur": 1}))
    cat.entrees["sept_zip"].installation = dict(cat.entrees["sept_zip"].installation, sha256=None)
    etat = chemins["postes"] / "0679901-s101-01.json"
    r = traiter_poste(
        cat, ev, {"nom": "p", "profil": "base"}, distant(etat), partage=str(chemins["partage"])
    )
    z = next(s for s in r["statuts"] if s["id"] == "sept_zip")
    assert z["statut"] == "echec" and "toujours absent" in z["remarque"]


def test_desinstallations_realistes(tmp_path):
    chemins = creer_labo(tmp_path)
    poste = PosteSimule(chemins["postes"] / "0679901-s101-01.json")
    s = script_collecteur()
    actions = [
        {
            "id": "x",
            "action": "desinstaller",
            "commande": "MsiExec.exe /X{00000000-0000-0000-0000-000000000000} /qn",
            "codes_retour_ok": [0, 1605],
        },
        {
            "id": "y",
            "action": "desinstaller",
            "commande": r'"%ProgramFiles%\Absent\uninst.exe" /S',
            "codes_retour_ok": [0],
        },
        {
            "id": "j",
            "action": "desinstaller",
            "commande": "MsiExec.exe /X{26A24AE4-039D-4CA4-87B4-2F64180401F0} /qn",
            "codes_retour_ok": [0],
        },
    ]
    out = poste.executer(
        s, {"Mode": "appliquer", "DemandeJson": "{}", "ActionsJson": json.dumps(actions)}
    )
    assert [e["code"] for e in out["executions"]] == [1605, 2, 0]
    assert not any("Java" in ligne["DisplayName"] for ligne in out["collecte"]["desinstallation"])


def test_injoignable_et_script_inconnu(tmp_path):
    chemins = creer_labo(tmp_path)
    with pytest.raises(PosteInjoignable):
        PosteSimule(chemins["postes"] / "0679901-s101-03.json").executer(script_collecteur(), {})
    with pytest.raises(ValueError, match="ne rejoue que"):
        PosteSimule(chemins["postes"] / "0679901-s101-01.json").executer("Get-Process", {})
