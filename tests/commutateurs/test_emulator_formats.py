"""The emulators print the real formats (issue 17): what they print is read by the same
parsers as real devices, and says what their state holds."""

from __future__ import annotations

from amico.commutateurs.facts import (
    parse_lldp,
    parse_mac_table,
    parse_port_status,
    trunk_members,
)
from amico.commutateurs.parsing import parse_ios, parse_procurve
from amico_lab.commutateurs.devices import IosSwitch, ProcurveSwitch

MAC = "02:00:00:00:00:07"


def test_procurve_chassis_lettered_modules_and_trunk_group():
    sw = ProcurveSwitch(
        "sw-chassis",
        initial={
            "noms_ports": "A1-A22,B1-B24,C1i-C3i",
            "agregats": {"Trk1": ["B23", "B24"]},
            "vlans": {100: "Salle des profs"},
            "mgmt": {"vlan": 950, "address": "10.64.15.2/24"},
            "ports": {
                "C2i": {"mode": "acces", "vlan": 100},
                "Trk1": {"mode": "trunk", "vlans": [950]},
            },
            "macs": {"C2i": [[MAC, 100]]},
            "voisins": {"B23": {"nom": "sw-coeur-college-jean-moulin", "port": "1"}},
        },
    )
    state = parse_procurve(sw.running_config())
    assert not state.warnings
    assert state.trunks == {"Trk1": ["B23", "B24"]}
    assert state.vlans[100] == "Salle des profs"
    assert state.ports["C2i"].vlan == 100 and state.ports["Trk1"].vlans == frozenset({950})
    assert "B23" not in state.ports  # a trunk member is configured through its group
    brief = sw.show_interfaces_brief()
    status = parse_port_status("aruba", brief)
    assert status["C2i"] == "up" and status["C1i"] == "down" and status["B23"] == "up"
    assert len(status) == 22 + 24 + 3
    assert trunk_members(brief) == {"B23": "Trk1", "B24": "Trk1"}
    assert [(e.port, e.mac, e.vlan) for e in parse_mac_table("aruba", sw.show_mac_address())] == [
        ("C2i", MAC, 100)
    ]
    (n,) = parse_lldp("aruba", sw.show_lldp_remote())
    assert n.port == "B23" and n.name == "sw-coeur-colleg..."  # truncated like the real one
    assert n.is_named("sw-coeur-college-jean-moulin")


def test_procurve_stack():
    sw = ProcurveSwitch("sw-pile", initial={"noms_ports": "1/1-1/24,2/1-2/24"})
    state = parse_procurve(sw.running_config())
    assert set(state.ports) == {f"{m}/{n}" for m in (1, 2) for n in range(1, 25)}
    assert set(parse_port_status("aruba", sw.show_interfaces_brief())) == set(state.ports)


def test_ios_catalyst_tables_and_vlan_names_with_spaces():
    sw = IosSwitch(
        "sw-ios",
        initial={
            "vlans": {100: "Salle des profs"},
            "mgmt": {"vlan": 950, "address": "10.64.31.3/24"},
            "ports": {"GigabitEthernet1/0/1": {"mode": "acces", "vlan": 100}},
            "macs": {"GigabitEthernet1/0/1": [[MAC, 100]]},
            "voisins": {"GigabitEthernet1/0/24": {"nom": "sw-coeur", "port": "Gi1/0/1"}},
        },
    )
    state = parse_ios(sw.running_config(), sw.show_vlan_brief())
    assert state.vlans[100] == "Salle des profs"
    table = sw.show_mac_table()
    assert "CPU" in table and "Vl950" in table  # the switch's own entries are there...
    entries = parse_mac_table("cisco", table)  # ...and are not devices on ports
    assert [(e.port, e.mac, e.vlan) for e in entries] == [("GigabitEthernet1/0/1", MAC, 100)]
    status = parse_port_status("cisco", sw.show_interfaces_status())
    assert status["GigabitEthernet1/0/1"] == "up" and status["GigabitEthernet1/0/2"] == "down"
    (n,) = parse_lldp("cisco", sw.show_lldp_detail())
    assert (n.port, n.name, n.remote_port) == ("GigabitEthernet1/0/24", "sw-coeur", "Gi1/0/1")


def test_old_ios_2900xl_vlan_interface_and_mac_layout():
    sw = IosSwitch(
        "sw-xl",
        initial={
            "modele": "WS-C2924M-XL",
            "mgmt": {"vlan": 24, "address": "10.64.15.3/24"},
            "macs": {"GigabitEthernet1/0/3": [[MAC, 1]]},
        },
    )
    assert "interface VLAN24\n" in sw.running_config()
    assert parse_ios(sw.running_config(), sw.show_vlan_brief()).svis[24] == "10.64.15.3/24"
    table = sw.show_mac_table()
    assert table.splitlines()[-1].startswith("0200.0000.0007")  # MAC first
    assert [(e.port, e.vlan) for e in parse_mac_table("cisco", table)] == [
        ("GigabitEthernet1/0/3", 1)
    ]
