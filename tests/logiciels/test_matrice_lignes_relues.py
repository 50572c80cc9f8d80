"""Matrix rows re-read from the convention's text extraction (issue 19), each pinned.

The extraction splits a two-letter cell in two (« A R » -> « A », « R »), which leaves the
row with one cell too many and shifts every later column; a row that starts with a tab
carries one tab too many. The raw lines are in fixtures/annexe1_lignes_relues.tsv (copied
from the convention's extraction with their line numbers): the test re-applies the
reading rule to the raw cells and compares with referentiel/matrice/services.yml.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COLONNES = ("dsi", "dsi_raip", "dane", "prn", "cd", "externe", "etablissement")
LETTRES = {"A", "R", "C", "I"}


def _lignes():
    fichier = Path(__file__).parent / "fixtures/annexe1_lignes_relues.tsv"
    for ligne in fichier.read_text("utf-8").splitlines():
        if not ligne or ligne.startswith("#"):
            continue
        ident, phase, lecture, numero, brut = ligne.split("\t", 4)
        yield ident, phase, lecture, int(numero), brut.split("\t")[1:]


def lire(cellules: list[str], lecture: str) -> dict[str, str]:
    """The reading rule: rejoin the first pair of single letters A/R split by the
    extraction, or drop the leading tab; then the seven actor columns in order."""
    c = [x.strip() for x in cellules]
    if lecture == "coupee":
        i = next(
            i
            for i in range(len(c) - 1)
            if {c[i], c[i + 1]} == {"A", "R"} and c[i] in LETTRES and c[i + 1] in LETTRES
        )
        c = c[:i] + [f"{c[i]} {c[i + 1]}"] + c[i + 2 :]
    elif lecture == "tab_tete":
        assert c[0] == ""
        c = c[1:]
    return {col: v for col, v in zip(COLONNES, c[: len(COLONNES)], strict=True) if v}


SERVICES = {
    s["id"]: s
    for s in yaml.safe_load((ROOT / "referentiel/matrice/services.yml").read_text("utf-8"))[
        "services"
    ]
}
LIGNES = list(_lignes())


@pytest.mark.parametrize("ident,phase,lecture,numero,cellules", LIGNES, ids=[x[0] for x in LIGNES])
def test_decided_row_matches_the_reading_of_the_raw_line(ident, phase, lecture, numero, cellules):
    service = SERVICES[ident]
    attendu = {k: str(v) for k, v in service["raci"][phase].items()}
    assert lire(cellules, lecture) == attendu, (numero, cellules)
    # every decision is recorded with its reason where the people who use the matrix read it
    notes = " ".join(
        str((service.get(cle) or {}).get(phase) or "") for cle in ("decisions", "anomalies")
    )
    assert "issue 19" in notes


def test_the_reads_that_change_permissions():
    """What the old reading got wrong, in permissions: Dane had an R on the administrative
    network, the CD an R on ENT training, the DSI/Raip an R on the EN's tools."""
    r = {i: SERVICES[i]["raci"] for i in SERVICES}
    assert "dane" not in r["reseau_admin_utilisateurs_installation"]["transitoire"]
    assert r["reseau_admin_utilisateurs_installation"]["transitoire"]["dsi_raip"] == "A R"
    assert r["ent_formation_utilisateurs"]["transitoire"]["cd"] == "I ?"
    assert r["outils_communication_en_mco"]["transitoire"] == {"dsi": "A R", "etablissement": "I"}
    assert r["plan_adressage_definition"]["transitoire"]["cd"] == "A"  # kept, annotated (art. 4-3)
    assert "4-3" in SERVICES["plan_adressage_definition"]["anomalies"]["transitoire"]
