"""Uplinks of the référentiel (``vers``) against the LLDP neighbours a switch sees: the
drift rule ``commutateur.liaison`` (issue 17, LLDP)."""

from __future__ import annotations

from pathlib import Path

import pytest

from amico.commutateurs.facts import Neighbour, parse_lldp
from amico.commutateurs.lldp import ABSENTE, CONFIRMEE, MAL_CABLEE, check_uplinks, uplinks
from amico.derive import comparaison
from amico.derive.attendu import attendus
from amico.referentiel import load

REPO = Path(__file__).resolve().parents[2]
UAI = "0679901Y"
CORE, ACCESS1 = "sw-coeur-0679901y", "sw-acces1-0679901y"

PROCURVE_LLDP = """
 LLDP Remote Devices Information

  LocalPort | ChassisId          PortId             PortDescr SysName
  --------- + ------------------ ------------------ --------- ------------------
  {port:<9} | 020000-000101      1                  1         {name}
"""


@pytest.fixture(scope="module")
def site_attendu():
    ref = load(REPO / "referentiel")
    return attendus(ref, [s for s in ref.sites if s.uai == UAI])[UAI]


def _liaisons(constats):
    return [c for c in constats if c["regle"] == "commutateur.liaison"]


def test_uplink_confirmed_missing_and_miscabled(site_attendu):
    att = site_attendu["hotes"][ACCESS1]["commutateur"]
    switch = next(c for c in att["site"]["commutateurs"] if c["nom"] == ACCESS1)
    links = uplinks(switch, switch["fabricant"])
    assert links and all(vers == CORE for _, vers in links)
    ports, _ = links[0]
    port = ports[0]

    def run(text):
        voisins = parse_lldp("aruba", text)
        return _liaisons(comparaison.comparer_commutateur(att, _state(att), voisins))

    ok = run(PROCURVE_LLDP.format(port=port, name=CORE))
    assert [c["statut"] for c in ok] == ["conforme"]
    assert ok[0]["objet"] == f"{port} vers {CORE}"

    # the core is seen, but on another port: miscabled, and where it is is said
    other = "7" if port != "7" else "8"
    moved = run(PROCURVE_LLDP.format(port=other, name=CORE))
    assert moved[0]["statut"] == "non conforme"
    assert f"vu sur {other}" in moved[0]["trouve"]

    # something else answers on the uplink port
    wrong = run(PROCURVE_LLDP.format(port=port, name="sw-intrus"))
    assert wrong[0]["statut"] == "non conforme" and "sw-intrus" in wrong[0]["trouve"]

    # nobody answers
    missing = _liaisons(comparaison.comparer_commutateur(att, _state(att), []))
    assert missing[0]["statut"] == "non conforme"
    assert missing[0]["trouve"].startswith("aucun voisin LLDP")

    # LLDP unreadable: not verifiable, never silently conforme
    unread = _liaisons(comparaison.comparer_commutateur(att, _state(att), "illisible"))
    assert [c["statut"] for c in unread] == ["non vérifiable"]

    # without LLDP read at all (older collect): no finding invented
    assert _liaisons(comparaison.comparer_commutateur(att, _state(att))) == []


def _state(att):
    from amico.commutateurs.intent import intent_from_site
    from amico.commutateurs.model import SwitchState

    intent = intent_from_site(att["site"], att["plan_vlans"], att["nom"])
    return SwitchState(hostname=intent.hostname, vlans={1: "DEFAULT_VLAN"})


def test_check_uplinks_classes():
    links = [(("GigabitEthernet1/0/24",), "sw-coeur"), (("GigabitEthernet1/0/23",), "sw-b")]
    neighbours = [
        Neighbour("GigabitEthernet1/0/24", "sw-coeur.college.local", "25"),  # domain suffix
        Neighbour("GigabitEthernet1/0/22", "sw-b", "1"),
    ]
    got = check_uplinks(links, neighbours)
    assert [c.statut for c in got] == [CONFIRMEE, MAL_CABLEE]
    assert got[1].vu == "sw-b vu sur GigabitEthernet1/0/22, pas sur GigabitEthernet1/0/23"
    assert check_uplinks(links[:1], [])[0].statut == ABSENTE
    # ProCurve's truncated summary name still confirms
    truncated = [Neighbour("GigabitEthernet1/0/24", "sw-coeur-collège-...", "25")]
    assert (
        check_uplinks([(("GigabitEthernet1/0/24",), "sw-coeur-collège-jean-moulin")], truncated)[
            0
        ].statut
        == CONFIRMEE
    )


@pytest.mark.slow
def test_drift_lldp_reads_the_emulators_as_the_collect_does(make_lab, site_attendu):
    """What the drift's collect does (plugins/action/derive_collecte.py): read the
    running config and the LLDP neighbours over SSH, compare. On a lab staged from the
    référentiel the uplinks are confirmed, on both vendors."""
    from amico.commutateurs.drivers import get_driver
    from amico.commutateurs.facts import COMMANDS
    from amico.commutateurs.intent import intent_from_site
    from amico.commutateurs.parsing import parse
    from amico_lab.commutateurs.livraison import etat_livraison

    ref = load(REPO / "referentiel")
    checked = 0
    for uai in ("0679901Y", "0679902Z"):
        att_site = attendus(ref, [s for s in ref.sites if s.uai == uai])[uai]
        hosts = {n: h["commutateur"] for n, h in att_site["hotes"].items() if "commutateur" in h}
        devices = []
        for name, att in hosts.items():
            intent = intent_from_site(att["site"], att["plan_vlans"], name)
            devices.append((name, intent.vendor, etat_livraison(intent), None))
        _, targets = make_lab(devices)
        for name, att in hosts.items():
            vendor = next(c["fabricant"] for c in att["site"]["commutateurs"] if c["nom"] == name)
            with get_driver(vendor, targets[name]) as driver:
                snap = driver.read()
                lldp = driver.run(COMMANDS[vendor]["lldp"])
            state = parse(vendor, snap.running, snap.vlan_brief)
            found = _liaisons(
                comparaison.comparer_commutateur(att, state, parse_lldp(vendor, lldp))
            )
            assert found and all(c["statut"] == "conforme" for c in found), found
            checked += len(found)
    assert checked >= 4
