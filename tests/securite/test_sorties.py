"""Output sinks (issue 13.1, last part): what a switch, a post or the référentiel says stays
data in the files other programs interpret. The drift report's embedded JSON cannot end
or re-open its script element (a VLAN named `<!--<script>` typed on a switch stopped the
report's script); CSV cells a spreadsheet would evaluate as formulas get a leading `'`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from amico.derive import comparaison, html
from amico.derive.attendu import preparer
from amico.derive.fusion import fusionner
from amico.derive.historique import Historique
from amico.derive.modele import resultat_hote
from amico.dossier.build import Options, generate
from amico.referentiel import load
from amico.sorties import cellule_csv, json_pour_html, texte_csv

REPO = Path(__file__).resolve().parents[2]
JOUR = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
HOSTILE_VLAN = "<!--<script>"
HOSTILE = [HOSTILE_VLAN, "</script><script>alert(1)</script>", "<!--", "a\u2028b", "x'&\"<y>"]


@pytest.fixture(autouse=True)
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))


# --- HTML report: embedded JSON ------------------------------------------------------------


def hostile_report(tmp_path) -> tuple[str, dict]:
    """A real merged drift result whose deviations carry hostile names, as a switch
    would report them (a VLAN typed in its CLI)."""
    ref = load(REPO / "referentiel")
    dossier = tmp_path / "run"
    execution = preparer(ref, [s for s in ref.sites if s.uai == "0679902Z"], dossier)
    for site in execution["sites"]:
        for hote, type_hote in site["hotes"].items():
            constats = [comparaison.constat("hote.joignable", "collecte", "conforme", "oui", "oui")]
            if hote.startswith("sw-coeur"):
                constats = [
                    comparaison.constat(
                        "commutateur.vlan", f"VLAN 999 {name}", "non conforme", "absent", name
                    )
                    for name in HOSTILE
                ]
            res = resultat_hote(hote, site["uai"], type_hote, constats)
            (dossier / "hotes" / f"{hote}.json").write_text(json.dumps(res))
    with Historique() as h:
        result = fusionner(dossier, [], JOUR, h)
    return html.rendre(result), result


def embedded_json(page: str) -> str:
    start = page.index('<script id="donnees" type="application/json">')
    start = page.index(">", start) + 1
    return page[start : page.index("</script>", start)]


def test_report_embedded_json_has_no_markup_and_keeps_the_values(tmp_path):
    page, result = hostile_report(tmp_path)
    raw = embedded_json(page)
    # the HTML tokenizer can only leave the script element on a `<`: there is none
    assert "<" not in raw and ">" not in raw
    data = json.loads(raw)
    assert {e["trouve"] for e in data["ecarts"]} >= set(HOSTILE)
    assert data["ecarts"] == json.loads(json.dumps(result["ecarts"]))
    # the visible table escapes them as text (autoescape): no element from a value
    assert "<script>alert(1)" not in page and "<!--<script>" not in page


@pytest.mark.parametrize("value", [*HOSTILE, "\\<", "\\u003c", "é€😀", "\x00"])
def test_json_pour_html_round_trips(value):
    text = json_pour_html({"v": value, "l": [value, {"k": value}]})
    assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
    assert json.loads(text) == {"v": value, "l": [value, {"k": value}]}


@pytest.mark.slow
def test_report_script_runs_in_chromium_with_a_hostile_vlan_name(tmp_path):
    from amico_lab import navigateur

    if navigateur.chromium() is None:
        pytest.fail("chromium absent : `make system-packages`")
    page_html, result = hostile_report(tmp_path)
    path = tmp_path / "rapport.html"
    path.write_text(page_html, encoding="utf-8")
    page = navigateur.render(path)
    assert page.errors == [], page.console
    # the report's script ran to its end: it parsed the data and filtered the rows
    assert f'data-ecarts-json="{len(result["ecarts"])}"' in page.dom
    assert f"{len(result['ecarts'])} ligne(s)" in page.dom
    # and the hostile names are shown as text, not parsed as elements
    assert page.dom.count("<script") == 2
    assert "&lt;!--&lt;script&gt;" in page.dom


# --- CSV exports -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x","y")',
        "+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ],
)
def test_formula_starts_are_neutralised(value):
    assert cellule_csv(value) == "'" + value
    rows = list(csv.reader(io.StringIO(texte_csv(["a"], [[value]]), newline=""), delimiter=";"))
    assert rows == [["a"], ["'" + value]]


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\r\nb", "x;y", 'x"y'])
def test_line_breaks_and_separators_stay_inside_their_cell(value):
    text = texte_csv(["a", "b"], [[value, "fin"]])
    for newline in ("", None):  # strict reader, and universal newlines (a spreadsheet)
        rows = list(csv.reader(io.StringIO(text, newline=newline), delimiter=";"))
        if newline is None:
            rows = [r for r in rows if r]
        assert rows[-1][-1] == "fin" and len(rows) == 2, rows


@pytest.mark.parametrize("value", ["-5", "+33", "-1,5", "12", 7, None, "", "Salle =1", "a-b"])
def test_plain_values_are_untouched(value):
    assert cellule_csv(value) == value


@pytest.mark.parametrize("value", ["-5\n", "+\u0663", "-1e5", "--5"])
def test_almost_numbers_are_neutralised(value):
    assert cellule_csv(value) == "'" + value


def test_dossier_csv_exports_neutralise_referentiel_text(tmp_path):
    """A port description and a post model that look like formulas, through the real
    dossier build: brassage.csv and materiels.csv show them as text."""
    src = tmp_path / "ref"
    shutil.copytree(REPO / "referentiel", src)
    site = src / "sites" / "0679901Y.yml"
    data = yaml.safe_load(site.read_text("utf-8"))
    data["commutateurs"][1]["ports"][0]["description"] = "=1+1"
    data["postes"][0]["modele"] = "@SUM(1+1)"
    site.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    ref = load(src, strict=False)
    assert not [w for w in ref.warnings if w.gravite == "erreur"]
    out = tmp_path / "dossiers"
    generate(ref, [s for s in ref.sites if s.uai == "0679901Y"], out, Options(cache=False))
    brassage = (out / "0679901Y" / "brassage.csv").read_bytes().decode("utf-8")
    materiels = (out / "0679901Y" / "materiels.csv").read_bytes().decode("utf-8")
    # universal-newline readers (a spreadsheet, Python's default) see the same rows
    assert brassage.count("\n") == brassage.count("\r\n")
    cells = [
        c
        for text in (brassage, materiels)
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")
        for c in row
    ]
    assert "'=1+1" in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if re.match(r"^[=+@\t\r]", c)]
    assert not [c for c in cells if c.startswith("-") and not re.match(r"^-\d+([.,]\d+)?$", c)]


def test_dossier_html_and_svg_show_referentiel_markup_as_text(tmp_path):
    """Room and site names reach the dossier page and its inline SVG (Graphviz labels):
    markup in them stays text in both."""
    src = tmp_path / "ref"
    shutil.copytree(REPO / "referentiel", src)
    site = src / "sites" / "0679901Y.yml"
    data = yaml.safe_load(site.read_text("utf-8"))
    data["nom"] = "</title><script>alert(1)</script>"
    data["salles"][0]["nom"] = '<img src=x onerror="alert(2)"> \\N \\G'
    data["commutateurs"][1]["ports"][0]["description"] = "<!--<script>"
    site.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    ref = load(src)
    out = tmp_path / "dossiers"
    generate(ref, [s for s in ref.sites if s.uai == "0679901Y"], out, Options(cache=False))
    page = (out / "0679901Y" / "index.html").read_text("utf-8")
    svg = (out / "0679901Y" / "synoptique.svg").read_text("utf-8")
    for text in (page, svg):
        assert "<script" not in text and "<img" not in text and "<!--<" not in text
    assert "&lt;script&gt;alert(1)" in page
    assert "&lt;img src=x" in svg  # Graphviz escaped it; DOT did not read \N as a name
    assert "\\N \\G" in svg
