"""Hostile strings in every référentiel field that reaches a device, a template, a report
or a ticket (issue 13, property-based): either `amico referentiel verifier` refuses the value
(schema or cross-checks), or what AMICo writes with it is inert:

- device: the switch renderer's commands (H2's public `render_commands`) have exactly the
  lines a benign value gives, and every line passes the vendor grammar;
- templates and tickets (Samba, Kea, PowerShell, GLPI text): an accepted value is one
  bounded line without control, format or separator characters, so it cannot add a line,
  a directive or a header;
- HTML: the drift report shows it as text (same elements as with a benign value) and its
  embedded JSON holds no `<`;
- CSV: no cell a spreadsheet would evaluate as a formula.
"""

from __future__ import annotations

import copy
import csv
import dataclasses
import io
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from amico.commutateurs.intent import intent_from_site
from amico.commutateurs.model import SwitchState
from amico.commutateurs.plan import make_plan
from amico.commutateurs.render import render_commands
from amico.derive import html
from amico.referentiel import load, yamlio
from amico.referentiel.model import Site
from amico.referentiel.validate import cross_check
from amico.sorties import cellule_csv, json_pour_html, texte_csv

REPO = Path(__file__).resolve().parents[2]
REF = load(REPO / "referentiel")
PLAN_VLANS = [v.model_dump(mode="json") for v in REF.plan.vlans]
SITES = {s.uai: (s, p) for s, p in zip(REF.sites, REF.site_paths, strict=True)}
RAW = {uai: yamlio.parse(p.read_text("utf-8")) for uai, (_, p) in SITES.items()}
VENDOR_SITE = {"aruba": "0679901Y", "cisco": "0679902Z"}

PAYLOADS = [
    'Telephones"\nhostname "PWNED"',
    '21,"x";reload',
    "x\r\nreload",
    "<!--<script>",
    "</script><img src=x onerror=alert(1)>",
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "-2+3",
    "\t=1",
    "x\x1b[2Jy",
    "a\u2028b",
    "a\u0085b",
    "\u202eevil",
    "a\x00b",
    "?",
    "\\",
    "{{ 7*7 }}",
    "$(reboot)",
    "`id`",
    "'; DROP TABLE x; --",
    "x" * 300,
]
CHARS = list("\n\r\t\x00\x0b\x0c\x1b\x7f\"'?\\<>&=+-@;|`$(){}[]%#!*,/ aZ09é") + [
    "\u0085",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\ud7ff",
]
HOSTILE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(alphabet=st.sampled_from(CHARS), max_size=70),
    st.builds(
        lambda a, p, b: a + p + b,
        st.text(alphabet=st.sampled_from(CHARS), max_size=10),
        st.sampled_from(PAYLOADS),
        st.text(max_size=10),
    ),
    st.text(max_size=260),  # any Unicode
)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def refused(uai: str, data: dict) -> bool:
    """True when the check (schema, then cross-checks) refuses this site file."""
    try:
        site = Site.model_validate(data)
    except ValidationError:
        return True
    _, path = SITES[uai]
    sites = [site if s.uai == uai else s for s in REF.sites]
    ref = dataclasses.replace(REF, sites=sites)
    return any(f.gravite == "erreur" and f.fichier == path for f in cross_check(ref))


def one_clean_line(value: str, limit: int = 4000) -> bool:
    return len(value) <= limit and not any(
        unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in value
    )


# --- device ----------------------------------------------------------------------------------


def commands(vendor: str, data: dict) -> list[str]:
    switch = data["commutateurs"][0]["nom"]
    intent = intent_from_site(data, PLAN_VLANS, switch)
    plan = make_plan(SwitchState(hostname=switch), intent)
    return render_commands(vendor, plan.changes)


def _benign(vendor: str, description: str) -> list[str]:
    data = copy.deepcopy(RAW[VENDOR_SITE[vendor]])
    data["commutateurs"][0]["ports"][1]["description"] = description
    return commands(vendor, data)


# non-empty descriptions all render the same number of lines; an empty one means none
MARKER = "MARQUEUR"
BENIGN_LINES = {(v, bool(d)): _benign(v, d) for v in VENDOR_SITE for d in ("", MARKER)}


@pytest.mark.parametrize("vendor", ["aruba", "cisco"])
@SETTINGS
@given(value=HOSTILE)
def test_port_description_is_refused_or_one_inert_command(vendor, value):
    uai = VENDOR_SITE[vendor]
    data = copy.deepcopy(RAW[uai])
    data["commutateurs"][0]["ports"][1]["description"] = value
    if refused(uai, data):
        return
    lines = commands(vendor, data)  # RenderError here: the check let through a bad value
    # exactly the benign commands with the value in place of the marker: no extra line,
    # nothing cut, nothing reinterpreted
    if value:
        assert lines == [line.replace(MARKER, value) for line in BENIGN_LINES[vendor, True]]
    else:
        assert lines == BENIGN_LINES[vendor, False]
    assert all(one_clean_line(line) for line in lines)


PORT_LIKE = st.one_of(
    HOSTILE,
    st.from_regex(
        r"\A(?:[A-Za-z]{0,3}[0-9]{1,4}(?:/[0-9]{1,3}){0,2}[a-z]?)(?:-[A-Za-z0-9/]{1,8})?\Z"
    ),
    st.sampled_from(["Gi1/0/1", "1/A1-1/A4", "Trk1", "C1i-C3i", "Te1/1/1", "A1/B2", "Po1"]),
)


@pytest.mark.parametrize("vendor", ["aruba", "cisco"])
@SETTINGS
@given(value=PORT_LIKE)
def test_interfaces_are_refused_or_only_grammatical_commands(vendor, value):
    uai = VENDOR_SITE[vendor]
    data = copy.deepcopy(RAW[uai])
    data["commutateurs"][0]["ports"][1]["interfaces"] = value
    if refused(uai, data):
        return
    # accepted by the check: the renderer (whose grammar refuses anything else with a
    # RenderError, nothing sent) must take it; the check is at least as strict
    lines = commands(vendor, data)
    assert all(one_clean_line(line) for line in lines)


# --- templates, tickets ----------------------------------------------------------------------

TEXT_FIELDS = [
    ("nom",),
    ("commune",),
    ("salles", 0, "nom"),
    ("commutateurs", 0, "modele"),
    ("commutateurs", 0, "serie"),
    ("postes", 0, "modele"),
    ("postes", 0, "serie"),
    ("peripheriques", 0, "modele"),
    ("serveurs", 0, "systeme"),
    ("contacts", "correspondant_en", "nom"),
    ("contacts", "correspondant_en", "courriel"),
    ("pare_feux", 0, "modele"),
]


@SETTINGS
@given(field=st.sampled_from(TEXT_FIELDS), value=HOSTILE)
def test_text_fields_are_refused_or_one_clean_bounded_line(field, value):
    data = copy.deepcopy(RAW["0679901Y"])
    node = data
    for key in field[:-1]:
        node = node[key]
    node[field[-1]] = value
    if refused("0679901Y", data):
        return
    site = Site.model_validate(data)
    node = site
    for key in field:
        node = node[key] if isinstance(key, int) else getattr(node, key)
    assert node == value
    assert one_clean_line(value, 200)


# --- HTML, CSV -------------------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _report(value: str) -> str:
    result = copy.deepcopy(REPORT)
    for ecart in result["ecarts"]:
        for key in ("hote", "objet", "attendu", "trouve", "detail"):
            ecart[key] = value
    return html.rendre(result)


def _tags(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


@pytest.fixture(scope="module", autouse=True)
def report(tmp_path_factory):
    """One real merged drift result (two sites, a few deviations) to inject values into."""
    import datetime as dt
    import json
    import os

    from amico.derive import comparaison
    from amico.derive.attendu import preparer
    from amico.derive.fusion import fusionner
    from amico.derive.historique import Historique
    from amico.derive.modele import resultat_hote

    global REPORT
    tmp = tmp_path_factory.mktemp("rapport")
    old = os.environ.get("AMICO_STATE_DIR")
    os.environ["AMICO_STATE_DIR"] = str(tmp / "etat")
    try:
        dossier = tmp / "run"
        execution = preparer(REF, [SITES["0679901Y"][0]], dossier)
        for site in execution["sites"]:
            for hote, type_hote in site["hotes"].items():
                constat = comparaison.constat("commutateur.vlan", "objet", "non conforme", "a", "b")
                res = resultat_hote(hote, site["uai"], type_hote, [constat])
                (dossier / "hotes" / f"{hote}.json").write_text(json.dumps(res))
        with Historique() as h:
            REPORT = fusionner(dossier, [], dt.datetime(2026, 11, 29, tzinfo=dt.UTC), h)
        REPORT["ecarts"] = REPORT["ecarts"][:3]  # a few rows are enough, and fast
    finally:
        if old is None:
            os.environ.pop("AMICO_STATE_DIR", None)
        else:
            os.environ["AMICO_STATE_DIR"] = old


REPORT: dict = {}


@SETTINGS
@given(value=HOSTILE)
def test_report_shows_values_as_text_only(value):
    page = _report(value)
    assert _tags(page) == _tags(_report("x"))
    raw = page.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in raw
    assert json_pour_html(value).count("<") == 0


@SETTINGS
@given(values=st.lists(HOSTILE, min_size=1, max_size=5))
def test_csv_cells_are_never_formulas_and_keep_their_row(values):
    text = texte_csv(["a"] * len(values), [values, ["fin"] * len(values)])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert len(rows) == 3
    assert rows[1] == [cellule_csv(v) for v in values]
    for cell in rows[1]:
        # a formula start is either neutralised or the cell is a plain number (`+0`, `-5`)
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert re.fullmatch(r"[+-]?[0-9]+(?:[.,][0-9]+)?", cell), cell
