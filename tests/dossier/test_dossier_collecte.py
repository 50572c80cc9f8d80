import datetime as dt
import json

from dossier_outputs import (
    IOS_INTERFACES_STATUS,
    IOS_MAC_TABLE,
    PROCURVE_INTERFACES_BRIEF,
    PROCURVE_LLDP,
    PROCURVE_MAC_TABLE,
)

from amico.commutateurs.drivers.base import ConnectionFailed, Target
from amico.dossier.collecte import collect_site, gather_switch, save_facts

NOW = dt.datetime(2025, 3, 2, 3, 10, tzinfo=dt.UTC)


class FakeConn:
    def __init__(self, answers):
        self.answers = answers
        self.sent = []

    def send_command(self, command, read_timeout=None):
        self.sent.append(command)
        return self.answers[command]


class FakeDriver:
    """Stands for a driver of amico.commutateurs.drivers (``run`` over its session)."""

    def __init__(self, vendor, answers, fail=False):
        self.vendor, self.conn, self.fail = vendor, FakeConn(answers), fail

    def run(self, command):
        return self.conn.send_command(command)

    def __enter__(self):
        if self.fail:
            raise ConnectionFailed("10.64.15.4:22 injoignable (délai dépassé)")
        return self

    def __exit__(self, *exc):
        return None


ARUBA = {
    "show mac-address": PROCURVE_MAC_TABLE,
    "show interfaces brief": PROCURVE_INTERFACES_BRIEF,
    "show lldp info remote-device": PROCURVE_LLDP,
}
CISCO = {
    "show mac address-table": IOS_MAC_TABLE,
    "show interfaces status": IOS_INTERFACES_STATUS,
    "show lldp neighbors detail": "",
}


def test_gather_procurve_reads_every_command():
    driver = FakeDriver("aruba", ARUBA)
    facts = gather_switch(driver, "aruba", now=lambda: NOW)
    assert driver.conn.sent == [
        "show mac-address",
        "show interfaces brief",
        "show lldp info remote-device",
    ]
    assert facts["voisins"] == [
        {"port": "24", "nom": "sw-coeur-0679901y", "port_distant": "1", "chassis": "020000-000101"}
    ]
    assert "problemes" not in facts
    assert facts["date"] == "2025-03-02T03:10:00+00:00"
    assert facts["ports"]["1"] == {
        "etat": "up",
        "macs": [{"mac": "02:00:00:00:00:07", "vlan": 100}],
    }
    assert facts["ports"]["3"] == {"etat": "down", "macs": []}


def test_gather_ios():
    facts = gather_switch(FakeDriver("cisco", CISCO), "cisco", now=lambda: NOW)
    # full names, as the running configuration and the référentiel's mapping write them
    port = facts["ports"]["GigabitEthernet1/0/21"]
    assert port["macs"] == [{"mac": "00:04:f2:aa:01:02", "vlan": 300}]
    assert facts["ports"]["GigabitEthernet1/0/24"]["etat"] == "up"
    assert facts["voisins"] == []


def test_one_unreadable_output_is_a_problem_the_rest_is_kept():
    answers = dict(ARUBA, **{"show interfaces brief": "Invalid input: interfaces"})
    facts = gather_switch(FakeDriver("aruba", answers), "aruba", now=lambda: NOW)
    assert facts["ports"]["1"] == {
        "etat": None,
        "macs": [{"mac": "02:00:00:00:00:07", "vlan": 100}],
    }
    assert len(facts["problemes"]) == 1
    assert "« show interfaces brief » : sortie illisible" in facts["problemes"][0]


def test_collect_site_one_failure_does_not_stop_the_others(demo_ref, state_dir):
    site = next(s for s in demo_ref.sites if s.uai == "0679901Y")
    targets = {sw.nom: Target(str(sw.adresse)) for sw in site.commutateurs[:2]}
    targets["sw-acces2-0679901y"] = Target("10.64.15.4")

    def factory(vendor, target):
        return FakeDriver(vendor, ARUBA, fail=target.host == "10.64.15.4")

    report = collect_site(site, targets, driver_factory=factory)
    assert report["sw-coeur-0679901y"] == "ok"
    assert "injoignable" in report["sw-acces2-0679901y"]
    saved = json.loads((state_dir / "faits" / "0679901Y" / "sw-acces1-0679901y.json").read_text())
    assert saved["type"] == "commutateur" and saved["ports"]["24"]["etat"] == "up"
    assert not (state_dir / "faits" / "0679901Y" / "sw-acces2-0679901y.json").exists()


def test_save_facts_is_stable(tmp_path):
    facts = {"date": "2025-03-02T03:10:00+00:00", "ports": {"2": {}, "1": {}}}
    path = save_facts("0679901Y", "sw", facts, root=tmp_path)
    first = path.read_bytes()
    save_facts("0679901Y", "sw", dict(reversed(list(facts.items()))), root=tmp_path)
    assert path.read_bytes() == first


def test_old_ios_spelling_is_tried_when_the_first_is_refused():
    """IOS 12.0/12.1 (2900XL, 2950) only know ``show mac-address-table``."""
    answers = dict(CISCO)
    answers["show mac address-table"] = (
        "                    ^\n% Invalid input detected at '^' marker."
    )
    answers["show mac-address-table"] = IOS_MAC_TABLE
    driver = FakeDriver("cisco", answers)
    facts = gather_switch(driver, "cisco", now=lambda: NOW)
    assert "show mac-address-table" in driver.conn.sent
    assert facts["ports"]["GigabitEthernet1/0/1"]["macs"] == [
        {"mac": "02:00:00:01:00:06", "vlan": 100}
    ]
    assert "problemes" not in facts


def test_lldp_refused_is_a_problem_not_an_empty_neighbour_list():
    answers = dict(CISCO, **{"show lldp neighbors detail": "% LLDP is not enabled"})
    facts = gather_switch(FakeDriver("cisco", answers), "cisco", now=lambda: NOW)
    assert "voisins" not in facts  # unknown: the diagram claims nothing about the uplinks
    assert facts["problemes"] == [
        "« show lldp neighbors detail » : sortie illisible pour "
        "cisco_ios_show_lldp_neighbors_detail : commande refusée par le commutateur : "
        "% LLDP is not enabled"
    ]
