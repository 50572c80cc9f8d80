import pytest
from dossier_outputs import (
    IOS_INTERFACES_STATUS,
    IOS_MAC_TABLE,
    IOS_MAC_TABLE_6500,
    PROCURVE_INTERFACES_BRIEF,
    PROCURVE_MAC_TABLE,
    PROCURVE_MAC_TABLE_OLD,
)

from amico.commutateurs.facts import (
    MacEntry,
    TemplateError,
    normalize_mac,
    parse_mac_table,
    parse_port_status,
)


def parse_ios_mac_table(text):
    return parse_mac_table("cisco", text)


def parse_procurve_mac_table(text):
    return parse_mac_table("aruba", text)


def parse_ios_interfaces_status(text):
    return parse_port_status("cisco", text)


def parse_procurve_interfaces_brief(text):
    return parse_port_status("aruba", text)


def test_normalize_mac_every_vendor_spelling():
    expected = "00:50:79:66:68:00"
    for text in ("0050.7966.6800", "005079-666800", "00:50:79:66:68:00", "00-50-79-66-68-00"):
        assert normalize_mac(text) == expected
    assert normalize_mac("0050.7966") is None
    assert normalize_mac("DYNAMIC") is None
    # netaddr alone reads a bare integer as a MAC: a VLAN or port number is not one
    assert normalize_mac("10") is None
    assert normalize_mac("1") is None


def test_ios_mac_table_skips_cpu_entries_and_keeps_vlans():
    entries = parse_ios_mac_table(IOS_MAC_TABLE)
    assert MacEntry("GigabitEthernet1/0/1", "02:00:00:01:00:06", 100) in entries
    assert MacEntry("GigabitEthernet1/0/21", "00:04:f2:aa:01:02", 300) in entries
    assert {e.vlan for e in entries if e.port == "GigabitEthernet1/0/24"} == {100, 950}
    assert all(e.port != "CPU" for e in entries)
    assert len(entries) == 6


def test_ios_mac_table_6500_layout():
    entries = parse_ios_mac_table(IOS_MAC_TABLE_6500)
    assert entries == [
        MacEntry("GigabitEthernet1/0/1", "02:00:00:01:00:06", 100),
        MacEntry("GigabitEthernet1/0/2", "02:00:00:01:00:03", 130),
    ]


def test_procurve_mac_table_with_and_without_vlan_column():
    entries = parse_procurve_mac_table(PROCURVE_MAC_TABLE)
    assert MacEntry("1", "02:00:00:00:00:07", 100) in entries
    assert {e.vlan for e in entries if e.port == "24"} == {100, 950}
    assert len(entries) == 5
    old = parse_procurve_mac_table(PROCURVE_MAC_TABLE_OLD)
    assert old == [
        MacEntry("A1", "00:01:e6:a7:e1:a0", None),
        MacEntry("Trk1", "08:00:09:60:fb:42", None),
    ]


def test_ios_interfaces_status_with_spaces_in_names():
    status = parse_ios_interfaces_status(IOS_INTERFACES_STATUS)
    assert status["GigabitEthernet1/0/1"] == "up"
    assert status["GigabitEthernet1/0/3"] == "down"
    assert status["GigabitEthernet1/0/4"] == "desactive"
    assert status["GigabitEthernet1/0/24"] == "up"
    assert len(status) == 7


def test_procurve_interfaces_brief():
    status = parse_procurve_interfaces_brief(PROCURVE_INTERFACES_BRIEF)
    assert status == {
        "1": "up", "2": "up", "3": "down", "4": "desactive", "21": "up", "23": "down",
        "24": "up",
    }  # fmt: skip


def test_garbage_is_empty_or_a_french_error_never_a_crash():
    # a refused command is not an empty table: it is said (the collect reports it)
    with pytest.raises(TemplateError, match="commande refusée par le commutateur : % Invalid"):
        parse_ios_mac_table("show mac address-table\n% Invalid input detected at '^' marker.")
    with pytest.raises(TemplateError, match="commande refusée.*Invalid input: mac-address"):
        parse_procurve_mac_table("Invalid input: mac-address")
    assert parse_ios_mac_table("") == []
    assert parse_ios_interfaces_status("") == {}
    with pytest.raises(TemplateError, match="sortie illisible.*nothing"):
        parse_procurve_interfaces_brief("nothing | here")
