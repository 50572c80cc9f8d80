"""Issue 17, items 1-5, as classes of problems: what real devices print (stacks, chassis,
trunk groups, VLAN names with spaces, old IOS, MAC layouts) and a run that survives any
output it cannot read."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from amico.commutateurs.drivers.base import Driver, Snapshot, Target
from amico.commutateurs.facts import parse_mac_table, parse_port_status, trunk_members
from amico.commutateurs.intent import intent_from_site
from amico.commutateurs.model import PortState
from amico.commutateurs.parsing import parse_ios, parse_procurve
from amico.commutateurs.plan import diff_states, make_plan
from amico.commutateurs.run import ILLISIBLE, apply_many

VLAN_BRIEF_SPACES = """\
VLAN Name                             Status    Ports
---- -------------------------------- --------- -------------------------------
1    default                          active    Gi1/0/23
100  Salle des profs                  active    Gi1/0/1, Gi1/0/2, Gi1/0/3, Gi1/0/4, Gi1/0/5
                                                Gi1/0/6
200  ADMINISTRATIF                    active
1276 A1 - VIDEO                       active    Po1
1002 fddi-default                     act/unsup
1003 token-ring-default               act/unsup
1004 fddinet-default                  act/unsup
1005 trnet-default                    act/unsup
"""


# -- 1. one line not understood is a warning; a run survives any output -------------------
def test_unreadable_port_list_is_a_warning_with_its_line_not_a_crash():
    state = parse_procurve(
        'hostname "sw"\nvlan 1\n   untagged 1-10,C1i-C3\n   untagged 11-12\n   exit\n'
    )
    assert state.ports["11"].vlan == 1  # the rest of the configuration is read
    assert len(state.warnings) == 1
    assert state.warnings[0].startswith("ligne 3 non comprise, ignorée : « untagged 1-10,C1i-C3 »")


def test_python_messages_do_not_reach_the_report():
    state = parse_ios("interface Gi1/0/1\n switchport access vlan abc\n")
    assert state.warnings == [
        "ligne 2 non comprise, ignorée : « switchport access vlan abc » (nombre illisible)"
    ]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=25))
def test_no_configuration_text_crashes_the_parsers(lines):
    text = "\n".join(lines)
    for indent in ("", "   "):
        body = "\n".join(indent + line for line in lines)
        parse_procurve(f"vlan 10\n{body}\ninterface 1\n{body}\n{text}")
        parse_ios(f"interface Gi1/0/1\n{body}\nvlan 10\n{body}\n{text}")


class ScriptedDriver(Driver):
    """A driver whose read returns ``running`` (or raises it); records its closing."""

    closed: list[str] = []

    def __init__(self, vendor, target, running, brief=None):
        super().__init__(target)
        self.vendor, self.running, self.brief = vendor, running, brief

    def open(self):
        return None

    def read(self):
        if isinstance(self.running, Exception):
            raise self.running
        return Snapshot(self.running, self.brief)

    def close(self):
        ScriptedDriver.closed.append(self.target.host)


def _site():
    from data import site

    return site()


def test_unreadable_switch_is_reported_session_closed_others_go_on():
    from data import PLAN_VLANS

    s = _site()
    names = [c["nom"] for c in s["commutateurs"]]
    intents = [intent_from_site(s, PLAN_VLANS, n) for n in names]
    aruba = next(i for i in intents if i.vendor == "aruba")
    outputs = {
        # the IOS VLAN listing cannot be read: VLANs would all look absent -> unreadable
        "bad-brief": ("cisco", "hostname x\n", "VLAN Name Status Ports\n----\nwhat is this"),
        # a parser bug of any kind (not a DriverError) on one switch
        "bug": ("aruba", KeyError("inattendu"), None),
        "good": ("aruba", 'hostname "sw"\nvlan 1\n   untagged 1-28\n   exit\n', None),
    }
    ScriptedDriver.closed = []

    def factory(vendor, target):
        v, running, brief = outputs[target.host]
        return ScriptedDriver(v, target, running, brief)

    items = [
        (intents[0].__class__(**{**aruba.__dict__, "vendor": "cisco"}), Target("bad-brief")),
        (aruba, Target("bug")),
        (aruba, Target("good")),
    ]
    results = apply_many(items, check=True, backup=False, driver_factory=factory, workers=1)
    assert [r.status for r in results[:2]] == [ILLISIBLE, ILLISIBLE]
    assert "show vlan brief" in results[0].error and "rien n'est modifié" in results[0].error
    assert "KeyError" in results[1].error
    # the third switch was read and planned (its plan's own verdict does not matter here)
    assert results[2].status in ("a_modifier", "refuse") and results[2].before
    assert sorted(ScriptedDriver.closed) == ["bad-brief", "bug", "good"]


# -- 2. stacks, chassis, trunk groups ---------------------------------------------------------
def test_procurve_stack_chassis_and_trunk_groups_in_running_config():
    state = parse_procurve(
        "trunk 1/47-1/48 trk1 lacp\n"
        "trunk D1-D2 trk2 trunk\n"
        "vlan 1\n   untagged 1/A1-1/A4,C1i-C3i,Trk2\n   exit\n"
        'vlan 100\n   name "PEDA"\n   untagged 1/1-1/20\n   tagged Trk1,Trk2\n   exit\n'
    )
    assert not state.warnings
    assert state.trunks == {"Trk1": ["1/47", "1/48"], "Trk2": ["D1", "D2"]}
    assert state.ports["1/A3"] == PortState("acces", 1)
    assert state.ports["C2i"] == PortState("acces", 1)
    assert state.ports["1/20"] == PortState("acces", 100)
    assert state.ports["Trk1"] == PortState("trunk", None, frozenset({100}), None)
    assert state.ports["Trk2"] == PortState("trunk", None, frozenset({100}), 1)


def test_ios_channel_group_members():
    state = parse_ios(
        "interface Port-channel15\n switchport mode trunk\n!\n"
        "interface GigabitEthernet1/0/47\n channel-group 15 mode active\n!\n"
        "interface GigabitEthernet1/0/48\n channel-group 15 mode active\n!\n"
    )
    assert state.trunks == {"Port-channel15": ["GigabitEthernet1/0/47", "GigabitEthernet1/0/48"]}


PROCURVE_BRIEF_CHASSIS = """\
 Status and Counters - Port Status

                          | Intrusion                           MDI  Flow Bcast
  Port         Type       | Alert     Enabled Status Mode       Mode Ctrl Limit
  ------------ ---------- + --------- ------- ------ ---------- ---- ---- -----
  1/A1         100/1000T  | No        Yes     Up     1000FDx    MDI  off  0
  A8*          100/1000T  | No        Yes     Up     1000FDx    MDIX off  0
  C1i          SFP+SR     | No        No      Down   .          NA   off  0
  D1-Trk1      SFP+SR     | No        Yes     Up     10GigFD    NA   off  0
  D2-Trk1      SFP+SR     | No        Yes     Down   10GigFD    NA   off  0
"""


def test_procurve_interfaces_brief_chassis_marks():
    assert parse_port_status("aruba", PROCURVE_BRIEF_CHASSIS) == {
        "1/A1": "up",
        "A8": "up",  # "*": RADIUS override mark, not part of the name
        "C1i": "desactive",
        "D1": "up",
        "D2": "down",
    }
    assert trunk_members(PROCURVE_BRIEF_CHASSIS) == {"D1": "Trk1", "D2": "Trk1"}


def test_procurve_mac_table_stack_and_chassis_ports():
    text = (
        "\n Status and Counters - Port Address Table\n\n"
        "  MAC Address       Port                            VLAN\n"
        "  ----------------- ------------------------------- ----\n"
        "  0004f2-aa0102     1/A1                            100\n"
        "  0004f2-aa0103     C1i                             100\n"
        "  0004f2-aa0104     Trk1                            950\n"
        "  ffffff-ffffff     5                               100\n"
    )
    got = {(e.port, e.vlan) for e in parse_mac_table("aruba", text)}
    assert got == {("1/A1", 100), ("C1i", 100), ("Trk1", 950)}


# -- 3. IOS VLAN names with spaces -------------------------------------------------------------
def test_ios_vlan_names_with_spaces_are_kept_and_verify():
    from data import PLAN_VLANS

    state = parse_ios("hostname sw\n", VLAN_BRIEF_SPACES)
    assert state.vlans[1276] == "A1 - VIDEO"
    assert state.vlans[100] == "Salle des profs"
    assert state.vlans[200] == "ADMINISTRATIF"
    assert set(state.vlans) == {1, 100, 200, 1276, 1002, 1003, 1004, 1005}
    # a wanted name with a space verifies: nothing left to change on that VLAN
    s = _site()
    intent = intent_from_site(s, PLAN_VLANS, s["commutateurs"][0]["nom"])
    intent.vendor = "cisco"
    plan = make_plan(state, intent)
    wanted = plan.desired.copy()
    wanted.vlans[100] = "Salle des profs"
    after = parse_ios("hostname sw\n", VLAN_BRIEF_SPACES)
    left = diff_states(after, wanted, "cisco", ports=[], svis=[])
    assert 100 not in left.create and 100 not in left.rename


# -- 4. old IOS "interface VLAN24" ----------------------------------------------------------------
def test_old_ios_uppercase_vlan_interface_is_the_management_svi():
    state = parse_ios(
        "hostname c2924\n!\ninterface FastEthernet0/1\n!\n"
        "interface VLAN24\n ip address 10.64.15.3 255.255.255.0\n no ip route-cache\n!\n"
    )
    assert state.svis == {24: "10.64.15.3/24"}
    assert "VLAN24" not in state.ports and "FastEthernet0/1" in state.ports


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=20))
def test_device_listings_give_entries_or_a_french_error_never_a_crash(lines):
    from amico.commutateurs.facts import parse_lldp, parse_vlan_brief
    from amico.commutateurs.ntc import TemplateError

    text = "\n".join(lines)
    for vendor in ("cisco", "aruba"):
        for parser in (parse_mac_table, parse_port_status, parse_lldp):
            try:
                parser(vendor, text)
            except TemplateError as exc:
                assert str(exc).startswith("sortie illisible pour ")
    with contextlib.suppress(TemplateError):
        parse_vlan_brief(text)


def test_a_surprise_after_the_read_is_that_switch_result_only(monkeypatch):
    """Any exception past the read (planning, rendering...) is the result of that switch;
    its session is closed and the next switch is handled."""
    from data import PLAN_VLANS

    import amico.commutateurs.run as run

    s = _site()
    aruba = next(
        i
        for i in (intent_from_site(s, PLAN_VLANS, c["nom"]) for c in s["commutateurs"])
        if i.vendor == "aruba"
    )
    real_plan = run.make_plan

    def plan(current, intent):
        if current.hostname == "boum":
            raise KeyError("surprise")
        return real_plan(current, intent)

    monkeypatch.setattr(run, "make_plan", plan)
    ScriptedDriver.closed = []
    configs = {"boum": 'hostname "boum"\n', "ok": 'hostname "ok"\nvlan 1\n   untagged 1-28\n'}

    def factory(vendor, target):
        return ScriptedDriver(vendor, target, configs[target.host])

    items = [(aruba, Target("boum")), (aruba, Target("ok"))]
    results = apply_many(items, check=True, backup=False, driver_factory=factory, workers=1)
    assert results[0].status == ILLISIBLE and "KeyError" in results[0].error
    assert results[1].status in ("a_modifier", "refuse") and results[1].before
    assert sorted(ScriptedDriver.closed) == ["boum", "ok"]
