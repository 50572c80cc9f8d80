"""The manifest check: a corpus of bad CSVs, every error reported at once, encodings."""

import time

import pytest

from amico.cli import main
from amico.referentiel.loader import load
from amico.vague.controle import controler
from amico.vague.manifeste import lire, normaliser_mac

from .conftest import CORPUS, DATA, RACINE, manifeste_genere

REF = RACINE / "referentiel"

# corpus file -> (line, column, faulty value, words of the message, words of the fix)
BAD = {
    "uai_cle_fausse.csv": (3, "uai", "0679901A", "lettre clé", "est « Y »"),
    "uai_inconnu.csv": (3, "uai", "0670001M", "absent du référentiel", "Ajouter un collège"),
    "uai_mal_forme.csv": (3, "uai", "679901Y", "UAI mal formé", "7 chiffres"),
    "modele_hors_catalogue.csv": (
        3,
        "modele",
        "DELL OptiPlex 7090",
        "absent du catalogue",
        "LENOVO ThinkCentre M700",
    ),
    "modele_autre_classe.csv": (
        3,
        "modele",
        "HP Z230 Tower",
        "pour la classe PBASE",
        "materiels.yml",
    ),
    "classe_inconnue.csv": (3, "classe_materiel", "PMEGA", "inconnue", "PBASE"),
    "classe_pas_un_poste.csv": (3, "classe_materiel", "I3", "n'est pas un poste", "peripheriques"),
    "mac_mal_formee.csv": (3, "adresse_mac", "00:1a:2b:00:00", "mal formée", "six octets"),
    "mac_multicast.csv": (3, "adresse_mac", "01:00:5e:00:00:01", "multicast", "six octets"),
    "mac_double_fichier.csv": (3, "adresse_mac", "00:1a:2b:00:00:01", "lignes 2, 3", "une MAC"),
    "mac_deja_referentiel.csv": (
        3,
        "adresse_mac",
        "02:00:00:00:00:07",
        "0679901-s101-01",
        "étiquette",
    ),
    "serie_double_fichier.csv": (3, "numero_serie", "sn-ok-001", "lignes 2, 3", "un numéro"),
    "serie_deja_referentiel.csv": (
        3,
        "numero_serie",
        "PC0679901Y0003",
        "0679901-s101-04",
        "qu'une fois",
    ),
    "salle_inconnue.csv": (3, "salle", "s999", "salle inconnue", "s101, s102"),
    "colonne_vide.csv": (3, "adresse_mac", None, "valeur absente", "adresse_mac"),
    "ligne_incomplete.csv": (3, "ligne", None, "ligne incomplète", "compléter"),
    "colonne_absente.csv": (1, None, None, "absente(s) de l'en-tête : salle", "numero_serie,"),
    "vide.csv": (1, None, None, "manifeste vide", "en-tête"),
}


@pytest.fixture(scope="module")
def ref():
    return load(REF)


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_kind_of_error(ref, name):
    line, column, value, message, fix = BAD[name]
    ctl = controler(ref, lire(CORPUS / name))
    assert ctl.erreurs, name
    hit = [f for f in ctl.erreurs if f.ligne == line]
    assert hit, [f.format() for f in ctl.erreurs]
    f = hit[-1]
    if column:
        assert f.chemin == (column,)
    if value:
        assert str(f.valeur) == value
    assert message in f.message and fix in f.correction, f.format()
    text = f.format()
    assert f"{name}:{line}: erreur:" in text
    # the good line 2 is never blamed for another line's fault (except in-file duplicates)
    if "double" not in name:
        assert all(f.ligne != 2 for f in ctl.erreurs)


@pytest.mark.parametrize("name", sorted(BAD))
def test_check_command_exit_2(name, capsys):
    assert main(["vague", "verifier", "--referentiel", str(REF), str(CORPUS / name)]) == 2
    assert "Rien n'a été fait" in capsys.readouterr().err


@pytest.mark.parametrize(
    "name,encoding,sep",
    [
        ("ok_windows1252_pointvirgule.csv", "Windows-1252", ";"),
        ("ok_utf8_bom_pointvirgule.csv", "UTF-8 avec BOM", ";"),
        ("ok_utf8_bom_virgule.csv", "UTF-8 avec BOM", ","),
        ("ok_utf8_virgule.csv", "UTF-8", ","),
    ],
)
def test_encodings_and_separators(ref, name, encoding, sep, capsys):
    man = lire(CORPUS / name)
    assert (man.encodage, man.separateur) == (encoding, sep)
    ctl = controler(ref, man)
    assert ctl.valide, [f.format() for f in ctl.erreurs]
    a, b = ctl.postes
    # accents survive Windows-1252, case and room names are tolerated, MACs normalised
    assert a.modele == "DELL Précision T1600" and a.classe == "PCFAO" and a.salle == "s101"
    assert a.mac == "00:1a:2b:00:00:11" and a.profil == "cfao"
    assert b.classe == "PBASE" and b.salle == "s102" and b.uai == "0679901Y"
    assert b.mac == "00:1a:2b:00:00:12"
    assert main(["vague", "verifier", "--referentiel", str(REF), str(CORPUS / name)]) == 0


def test_all_bad_lines_at_once(ref):
    """Windows-1252, semicolons, a blank line: every bad line reported, in order, at once."""
    ctl = controler(ref, lire(CORPUS / "tout_faux_windows1252.csv"))
    assert ctl.lignes_en_erreur == [2, 3, 4, 5, 6, 7, 9]
    assert {f.valeur for f in ctl.erreurs} >= {
        "zz:1a:2b:00:01:02",
        "0679901B",
        "Modèle inconnu",
        "gymnase",
    }
    assert ctl.postes == []  # line 2 is a duplicate MAC of line 7: both are refused


@pytest.mark.parametrize(
    "text,expected",
    [
        ("00:1A:2B:3C:4D:5E", "00:1a:2b:3c:4d:5e"),
        ("00-1a-2b-3c-4d-5e", "00:1a:2b:3c:4d:5e"),
        ("001a.2b3c.4d5e", "00:1a:2b:3c:4d:5e"),
        ("001A2B3C4D5E", "00:1a:2b:3c:4d:5e"),
        (" 00 1a 2b 3c 4d 5e ", "00:1a:2b:3c:4d:5e"),
        ("00:1a-2b:3c:4d:5e", None),
        ("00:1a:2b:3c:4d", None),
        ("00:1a:2b:3c:4d:5g", None),
        ("ff:ff:ff:ff:ff:ff", None),
        ("00:00:00:00:00:00", None),
    ],
)
def test_mac_notations(text, expected):
    assert normaliser_mac(text)[0] == expected


def test_example_manifest_is_valid(ref):
    ctl = controler(ref, lire(DATA / "livraison_exemple.csv"))
    assert ctl.valide, [f.format() for f in ctl.erreurs]
    assert [p.nom for p in ctl.postes] == [
        "0679901-s101-17",
        "0679901-s102-05",
        "0679901-s101-18",
        "0679902-s101-13",
        "0689903-s101-09",
    ]
    assert [p.adresse for p in ctl.postes[:3]] == ["10.64.0.250", "10.64.0.249", "10.64.0.248"]
    chromebook = ctl.postes[-1]
    assert chromebook.type_hote == "chromeos" and chromebook.profil is None


def test_check_1000_lines_timing(gros_ref, tmp_path, capsys):
    path = manifeste_genere(tmp_path / "mille.csv", gros_ref, 1000, sep=";")
    # CPU time: on a loaded machine (CI on 2 cores) wall-clock time measures the wait
    started = time.process_time()
    assert main(["vague", "verifier", "--referentiel", str(gros_ref), str(path)]) == 0
    cpu = time.process_time() - started
    assert "1000 poste(s) à inscrire" in capsys.readouterr().out
    assert cpu < 10, cpu
