from amico.commutateurs.noise import filter_noise
from amico.commutateurs.parsing import parse_ios, parse_ios_vlan_brief, parse_procurve
from amico_lab.commutateurs.devices import IosSwitch, ProcurveSwitch

IOS_VLAN_BRIEF = """
VLAN Name                             Status    Ports
---- -------------------------------- --------- -------------------------------
1    default                          active    Gi1/0/23
100  PEDAGOGIE                        active    Gi1/0/1, Gi1/0/2
1002 fddi-default                     act/unsup
1003 token-ring-default               act/unsup
1004 fddinet-default                  act/unsup
1005 trnet-default                    act/unsup
"""

IOS_RUNNING = """Building configuration...

Current configuration : 512 bytes
!
hostname sw1
!
interface GigabitEthernet1/0/1
 description Salle 101
 switchport access vlan 100
 switchport mode access
!
interface GigabitEthernet1/0/24
 switchport trunk allowed vlan 1-4,10,20-22
 switchport trunk native vlan 4
 switchport mode trunk
!
interface Vlan900
 ip address 10.64.15.3 255.255.255.0
!
end
"""

PROCURVE_RUNNING = """
Running configuration:

; J9773A Configuration Editor; Created on release #YA.16.10.0012
hostname "sw2"
interface 1
   name "Salle 101"
   exit
vlan 1
   name "DEFAULT_VLAN"
   no untagged 1-4,24
   untagged 5-23
   ip address dhcp-bootp
   exit
vlan 100
   name "PEDAGOGIE"
   untagged 1-4
   tagged 24
   no ip address
   exit
vlan 900
   name "MANAGEMENT"
   tagged 24
   ip address 10.64.15.2 255.255.255.0
   exit
"""


def test_ios_reserved_vlans_are_listed_by_show_vlan():
    # quirk: IOS lists 1002-1005 in show vlan; the parser reports them, the planner skips them
    vlans = parse_ios_vlan_brief(IOS_VLAN_BRIEF)
    assert set(vlans) == {1, 100, 1002, 1003, 1004, 1005}


def test_ios_running_config_with_compressed_trunk_range():
    state = parse_ios(IOS_RUNNING, IOS_VLAN_BRIEF)
    trunk = state.ports["GigabitEthernet1/0/24"]
    assert trunk.mode == "trunk"
    assert trunk.natif == 4
    assert trunk.vlans == frozenset({1, 2, 3, 10, 20, 21, 22})
    port = state.ports["GigabitEthernet1/0/1"]
    assert (port.mode, port.vlan, port.description) == ("acces", 100, "Salle 101")
    assert state.svis[900] == "10.64.15.3/24"
    assert state.hostname == "sw1"


def test_procurve_no_untagged_under_vlan1_and_ranges():
    # quirk: ProCurve prints "no untagged ..." under VLAN 1 (oxidized#1978) and ranges
    state = parse_procurve(PROCURVE_RUNNING)
    assert state.vlans == {1: "DEFAULT_VLAN", 100: "PEDAGOGIE", 900: "MANAGEMENT"}
    assert state.ports["1"].vlan == 100 and state.ports["1"].description == "Salle 101"
    assert state.ports["4"].vlan == 100
    assert state.ports["5"].vlan == 1
    trunk = state.ports["24"]
    assert (trunk.mode, trunk.natif, trunk.vlans) == ("trunk", None, frozenset({100, 900}))
    assert state.svis == {1: None, 100: None, 900: "10.64.15.2/24"}


def test_emulators_print_what_the_parsers_read():
    ios = IosSwitch(
        "sw1",
        initial={"vlans": {100: "PEDAGOGIE"}, "mgmt": {"vlan": 900, "address": "10.64.15.3/24"}},
    )
    state = parse_ios(ios.running_config(), ios.show_vlan_brief())
    assert {100, 900, 1002}.issubset(state.vlans)
    assert state.svis[900] == "10.64.15.3/24"
    pc = ProcurveSwitch(
        "sw2",
        initial={
            "mgmt": {"vlan": 900, "address": "10.64.15.2/24"},
            "ports": {"24": {"mode": "trunk", "vlans": [900]}},
        },
    )
    state = parse_procurve(pc.running_config())
    assert state.ports["24"].vlans == frozenset({900}) and state.ports["24"].natif is None


def test_noise_is_filtered():
    a = (
        "Building configuration...\n\nCurrent configuration : 100 bytes\n!\n"
        "! Last configuration change at 10:00:01 UTC Sun Nov 29 2026 by amico\n"
        "hostname sw1\nntp clock-period 17179\nsw1 uptime is 1 week, 2 minutes\nend\n"
    )
    b = (
        a.replace("100 bytes", "104 bytes")
        .replace("10:00:01", "11:12:13")
        .replace("17179", "17183")
        .replace("2 minutes", "9 minutes")
    )
    assert filter_noise(a) == filter_noise(b)
    assert "hostname sw1" in filter_noise(a)
    assert "hostname sw2" in filter_noise(a.replace("sw1\nntp", "sw2\nntp"))
