import datetime as dt
import json

from dossier_outputs import (
    IOS_INTERFACES_STATUS,
    IOS_MAC_TABLE,
    PROCURVE_INTERFACES_BRIEF,
    PROCURVE_MAC_TABLE,
)

from amico.dossier.collecte import collect_site, gather_switch, save_facts
from amico.switches.drivers.base import ConnectionFailed, Target

NOW = dt.datetime(2025, 3, 2, 3, 10, tzinfo=dt.UTC)


class FakeConn:
    def __init__(self, answers):
        self.answers = answers
        self.sent = []

    def send_command(self, command, read_timeout=None):
        self.sent.append(command)
        return self.answers[command]


class FakeDriver:
    """Stands for a netmiko-based driver of amico.switches.drivers (``conn`` attribute)."""

    def __init__(self, vendor, answers, fail=False):
        self.vendor, self.conn, self.fail = vendor, FakeConn(answers), fail

    def __enter__(self):
        if self.fail:
            raise ConnectionFailed("10.64.15.4:22 injoignable (délai dépassé)")
        return self

    def __exit__(self, *exc):
        return None


ARUBA = {"show mac-address": PROCURVE_MAC_TABLE, "show interfaces brief": PROCURVE_INTERFACES_BRIEF}
CISCO = {"show mac address-table": IOS_MAC_TABLE, "show interfaces status": IOS_INTERFACES_STATUS}


def test_gather_procurve_reads_both_commands():
    driver = FakeDriver("aruba", ARUBA)
    facts = gather_switch(driver, "aruba", now=lambda: NOW)
    assert driver.conn.sent == ["show mac-address", "show interfaces brief"]
    assert facts["date"] == "2025-03-02T03:10:00+00:00"
    assert facts["ports"]["1"] == {
        "etat": "up",
        "macs": [{"mac": "02:00:00:00:00:07", "vlan": 100}],
    }
    assert facts["ports"]["3"] == {"etat": "down", "macs": []}


def test_gather_ios():
    facts = gather_switch(FakeDriver("cisco", CISCO), "cisco", now=lambda: NOW)
    assert facts["ports"]["Gi1/0/21"]["macs"] == [{"mac": "00:04:f2:aa:01:02", "vlan": 300}]
    assert facts["ports"]["Gi1/0/24"]["etat"] == "up"


def test_driver_run_preferred_when_offered():
    class WithRun(FakeDriver):
        def run(self, command):
            return ARUBA[command]

    driver = WithRun("aruba", {})
    assert gather_switch(driver, "aruba", now=lambda: NOW)["ports"]["2"]["etat"] == "up"
    assert driver.conn.sent == []


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
