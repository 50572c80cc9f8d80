import pytest

from amico.logiciels.versions import comparer, parse_version, version_depuis_nom


@pytest.mark.parametrize(
    ("a", "b", "attendu"),
    [
        ("24.8.4.2", "24.8", 1),
        ("24.8.0.0", "24.8", 0),
        ("7.0.15.0", "7.0.15", 0),
        ("2.1.0 (x64)", "2.1.0", 0),
        ("2.1.0 (x64)", "2.10", -1),
        ("24.08", "24.07", 1),
        ("24.08", "24.8", 0),
        ("128.5.0", "128.0", 1),
        ("115.18.0", "128.0", -1),
        ("8.0.4010.9", "8.0.3810.9", 1),
        ("1.8.0_401", "1.8.0_381", 1),
        ("3.0.21 rc1", "3.0.21", -1),
        ("3.0.21", "3.0.20", 1),
        ("v1.2", "1.2.0", 0),
        ("10.0.19045.5247", "10.0.19045", 1),
        (" 6.0.857.0 ", "6.0.857", 0),
    ],
)
def test_comparaison_chaines_reelles(a, b, attendu):
    assert comparer(a, b) == attendu
    assert comparer(b, a) == -attendu


@pytest.mark.parametrize("brut", ["", "   ", "N/A", "unknown", None, "x64", [], "version"])
def test_versions_illisibles(brut):
    assert parse_version(brut) is None
    with pytest.raises(ValueError):
        comparer(brut, "1.0")


def test_build_n_est_pas_une_prerelease():
    v = parse_version("10.0.19045 build")
    assert v.nombres == (10, 0, 19045) and not v.pre


def test_version_depuis_le_nom_affiche():
    assert str(version_depuis_nom("LibreOffice 24.8.4.2")) == "24.8.4.2"
    assert version_depuis_nom("7-Zip 24.08 (x64)").nombres == (24, 8)
    assert version_depuis_nom("Mozilla Firefox 128.5.0 ESR (x64 fr)").nombres == (128, 5)
    assert version_depuis_nom("Adobe Flash Player 32 NPAPI") is None
    assert version_depuis_nom("") is None


def test_epinglage_par_prefixe():
    pin = parse_version("24.8")
    assert parse_version("24.8.4.2").commence_par(pin)
    assert not parse_version("24.2.7").commence_par(pin)
    assert parse_version("6.0.857.0").commence_par(parse_version("6.0.857"))
    assert not parse_version("6.0.858.0").commence_par(parse_version("6.0.857"))
