"""The dossier's diagram marks the uplinks the gathered LLDP neighbours confirm."""

from dossier_state import populate

from amico.dossier.build import generate
from amico.dossier.synoptique import build_dot, uplinks


def _edge(dot: str, a: str, b: str) -> str:
    line = next(x for x in dot.splitlines() if f"lien_{a}__{b}" in x or f"lien_{b}__{a}" in x)
    return line


def test_confirmed_and_unseen_links_are_marked(demo_ref):
    site = next(s for s in demo_ref.sites if s.uai == "0679901Y")
    links, _ = uplinks(site)
    pairs = [frozenset((link.a, link.b)) for link in links]
    marks = {pairs[0]: "confirmee", pairs[1]: "non_confirmee"}
    dot = build_dot(site, {}, "t", lldp=marks)
    first = _edge(dot, links[0].a, links[0].b)
    second = _edge(dot, links[1].a, links[1].b)
    assert "confirmée par LLDP" in first and 'color="#137333"' in first
    assert "non vue par LLDP" in second and "style=dotted" in second
    # no LLDP gathered: no mark at all (nothing claimed)
    plain = build_dot(site, {}, "t")
    assert "LLDP" not in plain


def test_gathered_lldp_confirms_the_uplink_in_the_generated_svg(demo_ref, tmp_path, state_dir):
    populate(state_dir)  # sw-acces1-0679901y sees sw-coeur-0679901y on its port 24
    out = tmp_path / "out"
    generate(demo_ref, [s for s in demo_ref.sites if s.uai == "0679901Y"], out)
    svg = (out / "0679901Y" / "synoptique.svg").read_text(encoding="utf-8")
    assert svg.count("confirmée par LLDP") == 1
    assert "non vue par LLDP" not in svg  # sw-acces2: LLDP never gathered, no claim


def test_a_command_read_unreadably_is_listed_in_the_dossier(demo_ref, tmp_path, state_dir):
    import json

    from amico.dossier.collecte import save_facts

    facts = {"type": "commutateur", "date": "2025-03-02T03:10:00+00:00", "ports": {},
             "problemes": ["« show interfaces brief » : sortie illisible pour x : y"]}  # fmt: skip
    save_facts("0679901Y", "sw-acces2-0679901y", facts)
    out = tmp_path / "out"
    generate(demo_ref, [s for s in demo_ref.sites if s.uai == "0679901Y"], out)
    data = json.loads((out / "0679901Y" / "dossier.json").read_text(encoding="utf-8"))
    assert (
        "sw-acces2-0679901y : « show interfaces brief » : sortie illisible pour x : y"
        in (data["manquants"])
    )
