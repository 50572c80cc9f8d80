"""Issue 13 item 1 (GLPI sink): référentiel or device strings placed in a ticket are text,
never markup. GLPI >= 10 renders ticket, followup and solution contents as HTML."""

import html

from hypothesis import given
from hypothesis import strategies as st

from amico.guichet.client import one_line, rich_text
from amico.guichet.guichet import deliver
from amico.guichet.routing import Finding, RunInfo, plan
from amico.guichet.spool import Spool

HOSTILE = '<img src=x onerror="alert(1)"><script>fetch("//x")</script>&lt;b&gt;'


def test_13_1_texte_hostile_inerte_dans_glpi(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "s")
    finding = Finding("0670001X", "postes_peda_mco", "pb", "echec", "<b>p1</b>", HOSTILE)
    deliver(plan([finding], matrix, routing, RunInfo("r1")), config, spool)
    deliver(plan([finding], matrix, routing, RunInfo("r2")), config, spool)
    (t,) = glpi.tickets()
    (f,) = glpi.followups(t["id"])
    for stored in (t["content"], f["content"]):
        assert "<" not in stored and ">" not in stored  # no tag can open
        assert HOSTILE in html.unescape(stored) and "<b>p1</b>" in html.unescape(stored)
    assert "&amp;lt;b&amp;gt;" in t["content"]  # an entity in the data stays text too


def test_13_1_titre_sur_une_ligne(glpi, config, matrix, routing, tmp_path):
    finding = Finding("0670001X", "postes_peda_mco", "pb\nInjecté\r\x00", "echec", "p1")
    deliver(plan([finding], matrix, routing, RunInfo("r1")), config, Spool(tmp_path / "s"))
    (t,) = glpi.tickets()
    assert "\n" not in t["name"] and "\r" not in t["name"] and "\x00" not in t["name"]


@given(st.text())
def test_13_1_echappement_inerte_et_fidele(text):
    out = rich_text(text)
    assert "<" not in out and ">" not in out
    assert html.unescape(out) == text
    line = one_line(text)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in line) and len(line) <= 250
