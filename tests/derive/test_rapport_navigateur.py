"""The HTML report in headless Chromium: it renders, runs without errors, and the numbers
it shows are the JSON result's."""

import json
import re

import pytest
from test_derive import JOUR, REPO, run_folder

from amico.derive import comparaison, html
from amico.derive.fusion import fusionner
from amico.derive.historique import Historique
from amico.referentiel import load
from amico_lab import navigateur

pytestmark = pytest.mark.slow


def test_report_renders_and_matches_json(tmp_path):
    if navigateur.chromium() is None:
        pytest.fail("chromium absent : `make system-packages`")
    ref = load(REPO / "referentiel")
    c = comparaison.constat
    dossier, _ = run_folder(
        ref,
        tmp_path,
        {
            "sw-coeur-0679902z": [
                c("commutateur.vlan", "VLAN 999", "non conforme", "absent", "présent (X)")
            ],
            "0679901-s101-01": comparaison.injoignable("pas de réponse WinRM"),
        },
    )
    with Historique() as h:
        fusionner(dossier, [], JOUR, h)  # a previous run, for the trend chart
        r = fusionner(dossier, [], JOUR, h)
    page_html = html.ecrire(r, tmp_path / "rapport.html")
    page = navigateur.render(page_html, timeout=600)  # a guard: the CI may be loaded
    assert page.errors == [], page.console
    dom = page.dom

    def valeur(ident):
        m = re.search(rf'id="{ident}" data-valeur="([^"]+)"', dom)
        assert m, ident
        return m.group(1)

    assert float(valeur("taux-global")) == r["resume"]["taux_conformite"]
    assert int(valeur("nb-ecarts")) == r["resume"]["ecarts"]
    assert int(valeur("nb-controles")) == r["resume"]["controles"]
    assert int(valeur("nb-hotes")) == r["resume"]["hotes"]
    # the script ran: it parsed the embedded data and counted the rows it can filter
    assert f'data-ecarts-json="{len(r["ecarts"])}"' in dom
    assert f"{len(r['ecarts'])} ligne(s)" in dom
    # sites, worst first, with their rates, in the table and the chart
    ordre = re.findall(r'<tr data-uai="(\w+)">', dom)
    assert ordre == [s["uai"] for s in r["sites"]]
    for s in r["sites"]:
        assert f'data-uai="{s["uai"]}" data-taux="{s["taux_conformite"]}"' in dom
    # every deviation with expected and found values
    for e in r["ecarts"]:
        assert e["hote"] in dom and e["attendu"] in dom
    assert "polyline" in dom and dom.count("<circle") == 2
    png = navigateur.screenshot(page_html, tmp_path / "rapport.png", timeout=600)
    assert png.stat().st_size > 10_000
    assert json.loads((REPO / "src/amico/derive/resultat.schema.json").read_text())
