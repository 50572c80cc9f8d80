"""``amico dossier --collecter --surcouche INVENTAIRE``: the switches an overlay inventory
names are read at the address it gives (the lab's overlay is one), the others not at all;
a faulty overlay is a French error naming the file (and the line), exit 2, nothing read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.dossier.cli import PASSWORD_ENV, adresses_surcouche
from amico.referentiel.inventory import InventaireInvalide

DEMO = Path(__file__).resolve().parents[2] / "referentiel"

UAI = "0679901Y"


@pytest.fixture
def lus(monkeypatch):
    """Targets handed to the collector per site; no SSH, no dossier written."""
    cibles: dict = {}

    def collect_site(site, targets):
        cibles.update(targets)
        return {nom: "ok" for nom in targets}

    monkeypatch.setattr("amico.dossier.collecte.collect_site", collect_site)
    monkeypatch.setattr("amico.dossier.build.generate", lambda *a, **k: [])
    monkeypatch.setenv(PASSWORD_ENV, "secret-de-test")
    return cibles


def dossier(*extra):
    return main(["dossier", "--referentiel", str(DEMO), "--site", UAI, "--collecter", *extra])


def test_seuls_les_commutateurs_de_la_surcouche_a_son_adresse(demo_ref, tmp_path, lus, capsys):
    site = next(s for s in demo_ref.sites if s.uai == UAI)
    premier, *autres = [sw.nom for sw in site.commutateurs]
    surcouche = tmp_path / "labo.yml"
    # the shape the lab writes (all.hosts), plus a nested group and a host without address
    surcouche.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {premier: {"ansible_host": "127.0.0.1", "ansible_port": 20022}},
                    "children": {"postes": {"hosts": {"pc-1": {"amico_postes_transport": "x"}}}},
                }
            }
        ),
        encoding="utf-8",
    )
    assert dossier("--surcouche", str(surcouche)) == 0
    assert set(lus) == {premier}
    cible = lus[premier]
    assert (cible.host, cible.port, cible.password) == ("127.0.0.1", 20022, "secret-de-test")
    assert f"{UAI} {premier} : collecte ok" in capsys.readouterr().out


def test_sans_surcouche_toutes_les_adresses_du_referentiel(demo_ref, lus):
    site = next(s for s in demo_ref.sites if s.uai == UAI)
    assert dossier() == 0
    assert {n: (t.host, t.port) for n, t in lus.items()} == {
        sw.nom: (str(sw.adresse), 22) for sw in site.commutateurs
    }


def test_adresses_a_toute_profondeur_port_22_par_defaut(tmp_path):
    f = tmp_path / "inv.yml"
    f.write_text(
        "all:\n  children:\n    a:\n      children:\n        b:\n          hosts:\n"
        "            sw-1: {ansible_host: 10.0.0.1}\n            sw-2:\n",
        encoding="utf-8",
    )
    assert adresses_surcouche(f) == {"sw-1": ("10.0.0.1", 22)}


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        ("all:\n  hosts:\n    sw: {ansible_host: [\n", "ligne"),
        ("- une liste\n", "dictionnaire"),
        ("all:\n  hosts:\n    sw: {ansible_host: h, ansible_port: ssh}\n", "'ssh'"),
    ],
)
def test_surcouche_fautive_erreur_en_francais_code_2(tmp_path, lus, capsys, contenu, attendu):
    f = tmp_path / "fautive.yml"
    f.write_text(contenu, encoding="utf-8")
    with pytest.raises(InventaireInvalide, match=attendu):
        adresses_surcouche(f)
    assert dossier("--surcouche", str(f)) == 2
    err = capsys.readouterr().err
    assert str(f) in err and "--surcouche" in err
    assert lus == {}  # nothing read on any switch


def test_surcouche_sans_aucun_commutateur_du_site(tmp_path, lus, capsys):
    f = tmp_path / "vide.yml"
    f.write_text("all:\n  hosts: {}\n", encoding="utf-8")
    assert dossier("--surcouche", str(f)) == 2
    assert "aucun commutateur" in capsys.readouterr().err and lus == {}


def test_surcouche_va_avec_collecter(tmp_path, capsys):
    f = tmp_path / "s.yml"
    f.write_text("all: {}\n", encoding="utf-8")
    code = main(["dossier", "--referentiel", str(DEMO), "--site", UAI, "--surcouche", str(f)])
    assert code == 2 and "--collecter" in capsys.readouterr().err
