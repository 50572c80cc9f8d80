"""Every capture of the real corpus (tests/commutateurs/real, PROVENANCE.md) parses to its ntc
oracle (``.yml``) or to values read from the capture and written here.

The oracle is put in the project's terms by this file's own small tables (not the code
under test): full IOS interface names, ``aa:bb:cc:dd:ee:ff`` addresses, and what is not
a device behind a port dropped (switch's own entries, broadcast/multicast, ``All``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amico.commutateurs.facts import (
    Neighbour,
    parse_lldp,
    parse_mac_table,
    parse_port_status,
    parse_vlan_brief,
)
from amico.commutateurs.model import PortState
from amico.commutateurs.parsing import parse_ios, parse_procurve

REAL = Path(__file__).parent / "real"

FULL = {
    "Gi": "GigabitEthernet",
    "Fa": "FastEthernet",
    "Te": "TenGigabitEthernet",
    "Twe": "TwentyFiveGigE",
    "Po": "Port-channel",
}
NOT_A_PORT = {"CPU", "Router", "Switch", "Drop", "system"}
STATUS = {"connected": "up", "notconnect": "down", "disabled": "desactive"}
STATUS.update({"err-disabled": "erreur", "monitoring": "up"})


def _oracle(raw: Path) -> list[dict]:
    return yaml.safe_load(raw.with_suffix(".yml").read_text(encoding="utf-8"))["parsed_sample"]


def _full(name: str) -> str:
    for short, full in sorted(FULL.items(), key=lambda kv: -len(kv[0])):
        if name.startswith(short) and not name.startswith(full) and name[len(short)].isdigit():
            return full + name[len(short) :]
    return name


def _mac(text: str) -> str:
    digits = "".join(c for c in text.lower() if c in "0123456789abcdef")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def _captures(folder: str) -> list[Path]:
    return sorted((REAL / folder).glob("*.raw"))


def _ids(paths):
    return [p.name for p in paths]


# -- MAC tables ------------------------------------------------------------------------------
IOS_MACS = _captures("ios/mac-address-table")


@pytest.mark.parametrize("raw", IOS_MACS, ids=_ids(IOS_MACS))
def test_ios_mac_table_matches_oracle(raw):
    expected = set()
    for row in _oracle(raw):
        ports, mac = row["destination_port"], _mac(row["destination_address"])
        if len(ports) != 1 or not row["vlan_id"].isdigit() or int(mac[:2], 16) & 1:
            continue
        if ports[0] in NOT_A_PORT or ports[0].startswith("Vl"):
            continue
        expected.add((_full(ports[0]), mac, int(row["vlan_id"])))
    got = {(e.port, e.mac, e.vlan) for e in parse_mac_table("cisco", raw.read_text())}
    assert got == expected
    assert expected or raw.name == "ntc_mac8_6500sup.raw"  # every capture but one has devices


def test_ios_mac_table_classes_of_problem():
    """Issue 17.5 on the captures themselves."""
    by_name = {p.name: parse_mac_table("cisco", p.read_text()) for p in IOS_MACS}
    # full Port-channel names kept (4500 layout)
    assert {e.port for e in by_name["ntc_mac12_4500.raw"]} >= {"Port-channel15", "Port-channel100"}
    # old 2950 layout, MAC first
    assert ("FastEthernet0/1", "00:10:0d:e0:e2:89", 1) in {
        (e.port, e.mac, e.vlan) for e in by_name["ntc_mac1_2950.raw"]
    }
    # the switch's own SVI entries (Vl1, Vl87), CPU and broadcast are not devices on ports
    ports13 = {e.port for e in by_name["ntc_mac13_access.raw"]}
    assert ports13 == {"GigabitEthernet1/1/1"}
    # multicast section of the 4500 (ffff.ffff.ffff "system" on many ports) skipped
    assert all(e.mac != "ff:ff:ff:ff:ff:ff" for e in by_name["ntc_mac7_4500.raw"])
    assert all(e.port != "Switch" for e in by_name["ntc_mac7_4500.raw"])


PROCURVE_MACS = _captures("procurve/mac-address")


@pytest.mark.parametrize("raw", PROCURVE_MACS, ids=_ids(PROCURVE_MACS))
def test_procurve_mac_table_matches_oracle(raw):
    expected = {
        (row["port"], _mac(row["mac_address"]), int(row["vlan_id"]) if row["vlan_id"] else None)
        for row in _oracle(raw)
    }
    got = {(e.port, e.mac, e.vlan) for e in parse_mac_table("aruba", raw.read_text())}
    assert got == expected and got


# -- link state ------------------------------------------------------------------------------
IOS_STATUS = _captures("ios/interfaces-status")


@pytest.mark.parametrize("raw", IOS_STATUS, ids=_ids(IOS_STATUS))
def test_ios_interfaces_status_matches_oracle(raw):
    expected = {}
    for row in _oracle(raw):
        word = row["status"].rstrip(":")  # hand-edited "notconnect:" lines (PROVENANCE.md)
        expected[_full(row["port"])] = STATUS.get(word, word)
    assert parse_port_status("cisco", raw.read_text()) == expected


PROCURVE_BRIEF = _captures("procurve/interfaces-brief")


@pytest.mark.parametrize("raw", PROCURVE_BRIEF, ids=_ids(PROCURVE_BRIEF))
def test_procurve_interfaces_brief_matches_oracle(raw):
    expected = {}
    for row in _oracle(raw):
        port = row["port"].split("-Trk")[0]  # "1/28-Trk1": port 1/28, member of Trk1
        expected[port] = "desactive" if row["enabled"] == "No" else row["status"].lower()
    assert parse_port_status("aruba", raw.read_text()) == expected


def test_procurve_stack_ports_and_trunk_members():
    from amico.commutateurs.facts import trunk_members

    text = (REAL / "procurve/interfaces-brief/ntc_show_interfaces_brief_stack.raw").read_text()
    status = parse_port_status("aruba", text)
    assert status["1/28"] == "up" and status["2/27"] == "down"
    assert trunk_members(text) == {"1/28": "Trk1", "3/28": "Trk1"}


# -- VLANs -------------------------------------------------------------------------------------
def test_ios_show_vlan_matches_oracle():
    raw = REAL / "ios/vlan-brief/ntc_show_vlan.raw"
    expected = {int(row["vlan_id"]): row["vlan_name"] for row in _oracle(raw)}
    assert parse_vlan_brief(raw.read_text()) == expected


# -- LLDP (no oracle shipped with these two: values read from the captures) -----------------
def test_procurve_lldp_remote_devices():
    raw = REAL / "procurve/lldp-remote/ntc_show_lldp_info_remote-device.raw"
    got = parse_lldp("aruba", raw.read_text())
    assert len(got) == 8
    assert Neighbour("36", "NAP203", "1", "603197-7aa548") in got
    assert Neighbour("7", "AH-duri-AP21", "mgt0", "bcf310-1f8b40") in got
    first = next(n for n in got if n.port == "1")
    assert first.name == "11215p-swi006-g..."  # ProCurve truncates the summary
    assert first.is_named("11215p-swi006-gw.example.org")
    assert not first.is_named("11215p-swi007")


def test_ios_lldp_neighbors_detail():
    raw = REAL / "ios/lldp-detail/ntc_lldp_neighbors_detail1.raw"
    got = parse_lldp("cisco", raw.read_text())
    assert [(n.port, n.name, n.remote_port) for n in got] == [
        ("GigabitEthernet1/0/1", "HpSwitch", "94f1.2879.5555"),
        ("GigabitEthernet1/0/2", "", "502"),
        ("GigabitEthernet1/0/9", "44:48:c1:c4:dd:dd", "4448.c1c4.dddd"),
    ]


# -- running configurations (HPE's own files; values read from each file) -------------------
def _cfg(name: str) -> str:
    return (REAL / "procurve/running-config" / name).read_text(encoding="utf-8")


def _trunk(natif, *tagged, description=None):
    return PortState("trunk", None, frozenset(tagged), natif, description)


def test_procurve_2530():
    s = parse_procurve(_cfg("2530_YA.15.13.cfg"))
    assert s.hostname == "HP-2530-24G-PoEP" and not s.warnings
    assert s.vlans == {1: "DEFAULT_VLAN", 10: "VLAN10"}
    assert set(s.ports) == {str(n) for n in range(1, 29)}
    assert s.ports["24"] == _trunk(1, 10, description="HP-5406zl - HP-2530-24G-PoEP")
    assert s.ports["1"] == _trunk(1, 10)
    assert s.svis[10] == "10.11.10.6/24" and s.svis[1] is None


def test_procurve_2920():
    s = parse_procurve(_cfg("2920_WB.16.01.cfg"))
    assert s.hostname == "2920" and not s.warnings
    assert s.vlans == {1: "DEFAULT_VLAN", 10: "mgmt", 15: "users", 16: "phones"}
    assert all(s.ports[str(n)] == _trunk(1, 10, 16) for n in range(1, 25))
    assert len(s.ports) == 24 and s.svis[10] == "10.11.10.2/24"


def test_procurve_3500yl():
    s = parse_procurve(_cfg("3500yl_K.16.01.cfg"))
    assert s.hostname == "HP-3500yl-24G" and not s.warnings
    assert s.vlans[30] == "wireless_users" and s.vlans[11] == "servers"
    assert s.ports["1"] == _trunk(1, 10, description="HP-3500yl-24G - HP_5500EI")
    assert all(s.ports[str(n)] == _trunk(15, 10, 30) for n in range(2, 21))
    assert s.ports["22"] == _trunk(1, 10, 30)
    assert s.ports["24"] == _trunk(1, 10, 15, 16, 30, description="R1Br3Core - HP-3500yl-24G")
    assert s.svis[10] == "10.11.10.5/24"


def test_procurve_3800():
    s = parse_procurve(_cfg("3800_KA.16.01.cfg"))
    assert s.hostname == "ArubaOS_3800" and not s.warnings
    assert set(s.vlans) == {1, 2, 3, 10, 15, 16, 500}
    assert s.ports["1"] == _trunk(1, 3, 10, 500)
    assert s.ports["5"] == _trunk(1, 10)
    assert s.ports["23"] == _trunk(1, 2, 3, 10, 15, 16, 500, description="2920 - 3800_2")
    assert s.svis[10] == "10.11.10.7/24"


def test_procurve_5406_chassis_lettered_modules():
    """Issue 17.1: ``untagged A1-A22,B1-B24,C1i-C3i`` crashed the run (ValueError)."""
    s = parse_procurve(_cfg("5406Rzl2_KB.16.01_a.cfg"))
    assert s.hostname == "HP-5406Rzl2" and not s.warnings
    assert s.vlans == {1: "DEFAULT_VLAN", 10: "VLAN10", 20: "servers"}
    assert len(s.ports) == 22 + 24 + 3 + 3
    for port in ("A1", "A22", "B24", "C1i", "C3i", "D2i"):
        assert s.ports[port] == _trunk(1, 10, 20), port
    assert "C4i" not in s.ports and "C1" not in s.ports
    assert s.svis[10] == "10.11.10.3/24"


def test_ios_routed_subinterfaces_capture():
    s = parse_ios((REAL / "ios/running-config/ntc_show_running-config_interface.raw").read_text())
    assert not s.warnings and not s.svis
    assert len(s.ports) == 6
    port = s.ports["GigabitEthernet2/0/4.223415"]
    assert (port.mode, port.description) == (None, "DISTRIBUTION  | 2048K")
    assert s.ports["GigabitEthernet2/0/4.22341020"].description == "BLUE | 800K"


def test_every_capture_is_covered():
    """A capture added to real/ without a test here fails (nothing silently unchecked)."""
    covered = set(IOS_MACS + PROCURVE_MACS + IOS_STATUS + PROCURVE_BRIEF)
    covered |= {
        REAL / "ios/vlan-brief/ntc_show_vlan.raw",
        REAL / "procurve/lldp-remote/ntc_show_lldp_info_remote-device.raw",
        REAL / "ios/lldp-detail/ntc_lldp_neighbors_detail1.raw",
        REAL / "ios/running-config/ntc_show_running-config_interface.raw",
    }
    covered |= set((REAL / "procurve/running-config").glob("*.cfg"))
    on_disk = set(REAL.rglob("*.raw")) | set(REAL.rglob("*.cfg"))
    assert on_disk == covered
    assert len(on_disk) == 31
