"""The renderer alone stops hostile values (issue 13.1): the model objects are built
directly, so the référentiel's schema is bypassed and only the renderer stands between
a value and the switch."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amico.commutateurs.intent import SwitchIntent
from amico.commutateurs.model import PortState, SwitchState
from amico.commutateurs.plan import Changes, PortChange, make_plan
from amico.commutateurs.render import RenderError, check_commands, render_commands

INJECTION = 'Telephones"\nhostname "PWNED"'


def port_change(name, before=None, **after):
    after.setdefault("mode", "acces")
    after.setdefault("vlan", 100)
    return PortChange(name, before or PortState("acces", 100), PortState(**after))


def intent(vendor, ports, vlans=None):
    return SwitchIntent(
        hostname="sw-test",
        vendor=vendor,
        mgmt_vlan=900,
        mgmt_address="10.64.15.2/24",
        vlans=vlans or {100: "PEDAGOGIE", 900: "MANAGEMENT"},
        ports=ports,
        uai="0670001X",
    )


def current(vendor):
    return SwitchState(
        hostname="sw-test",
        vlans={1: "DEFAULT_VLAN", 900: "MANAGEMENT"},
        svis={900: "10.64.15.2/24"},
    )


@pytest.mark.parametrize("vendor", ["aruba", "cisco"])
def test_issue_payload_description_with_newline_is_refused(vendor):
    name = "5" if vendor == "aruba" else "GigabitEthernet1/0/5"
    changes = Changes(ports=[port_change(name, description=INJECTION)])
    with pytest.raises(RenderError, match="saut de ligne"):
        render_commands(vendor, changes)


def test_newline_payload_that_renders_only_grammatical_lines_is_refused():
    # every line of this payload is a valid ProCurve command on its own: only the value
    # check (Jinja finalize) can see that a value made them
    changes = Changes(ports=[port_change("5", description='x"\n   exit\nno vlan 200\nvlan 1')])
    with pytest.raises(RenderError, match="U\\+000A"):
        render_commands("aruba", changes)


@pytest.mark.parametrize("vendor", ["aruba", "cisco"])
def test_issue_payload_interfaces_is_refused_through_the_planner(vendor):
    spec = {"interfaces": '21,"x";reload', "mode": "acces", "vlan": 100}
    plan = make_plan(current(vendor), intent(vendor, [spec]))
    with pytest.raises(RenderError, match="forme non admise"):
        render_commands(vendor, plan.changes)


@pytest.mark.parametrize(
    "vendor, changes",
    [
        ("aruba", Changes(create=[(300, "TOIP" + "x" * 29)])),  # 33 > 32
        ("aruba", Changes(create=[(300, 'TO"IP')])),
        ("aruba", Changes(ports=[port_change("5", description="x" * 65)])),  # 65 > 64
        ("aruba", Changes(ports=[port_change("5", description="help?")])),
        ("aruba", Changes(ports=[port_change("5", description="a\\b")])),
        ("aruba", Changes(ports=[port_change("5;reload", vlan=110)])),
        ("aruba", Changes(create=[(4095, "X")])),
        ("cisco", Changes(create=[(300, "TOIP" + "x" * 29)])),
        ("cisco", Changes(create=[(300, " TOIP")])),  # IOS would strip it: never verifies
        ("cisco", Changes(create=[(300, "TOIP ")])),
        ("cisco", Changes(create=[(300, "TÉLÉPHONIE")])),  # IOS VLAN names are ASCII
        ("cisco", Changes(ports=[port_change("GigabitEthernet1/0/5", description="y" * 241)])),
        ("cisco", Changes(ports=[port_change("GigabitEthernet1/0/5", description="why?")])),
        ("cisco", Changes(ports=[port_change("GigabitEthernet1/0/5 ; reload")])),
        ("cisco", Changes(svis=[(900, "10.64.15.2/24")], delete=[0])),
    ],
)
def test_values_beyond_the_vendor_grammar_are_refused(vendor, changes):
    with pytest.raises(RenderError):
        render_commands(vendor, changes)


@pytest.mark.parametrize("char", ["\r", "\x1b", "\t", "\x85", "\u2028", "\u2029", "\x00", "\u200b"])
@pytest.mark.parametrize("vendor", ["aruba", "cisco"])
def test_control_and_separator_characters_are_refused(vendor, char):
    name = "5" if vendor == "aruba" else "GigabitEthernet1/0/5"
    with pytest.raises(RenderError, match="caractère de contrôle"):
        render_commands(vendor, Changes(ports=[port_change(name, description=f"a{char}b")]))


def test_limits_and_accents_are_accepted():
    ok = Changes(
        create=[(300, "T" * 32)],
        ports=[port_change("5", description="Téléphones salle 101 " + "x" * 43)],
    )
    assert '   name "' + "T" * 32 + '"' in render_commands("aruba", ok)
    ok = Changes(ports=[port_change("GigabitEthernet1/0/5", description="d" * 240)])
    assert " description " + "d" * 240 in render_commands("cisco", ok)


@pytest.mark.parametrize(
    "name",
    ["FastEthernet0/1", "TenGigabitEthernet1/1/1", "TwentyFiveGigE1/0/1", "Port-channel15"],
)
def test_ios_interface_families_are_accepted(name):
    check_commands("cisco", [f"interface {name}", " description x", " exit"])


def test_grammar_follows_the_cli_context():
    # a VLAN sub-command at top level, a port name under a VLAN: both refused
    with pytest.raises(RenderError, match="contexte « config »"):
        check_commands("aruba", ['   name "x"'])
    with pytest.raises(RenderError, match="contexte « vlan »"):
        check_commands("aruba", ["vlan 100", '   name "' + "x" * 40 + '"'])
    check_commands("aruba", ["interface 5", '   name "' + "x" * 40 + '"', "   exit"])
    with pytest.raises(RenderError):
        check_commands("cisco", ["hostname PWNED"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=1, max_size=80))
def test_any_description_is_refused_or_stays_one_inert_line(text):
    """Property: whatever the text, either the renderer refuses it, or the commands are
    exactly the three lines of one port name change, the text inside its quotes."""
    try:
        lines = render_commands("aruba", Changes(ports=[port_change("5", description=text)]))
    except RenderError:
        return
    assert lines == ["interface 5", f'   name "{text}"', "   exit"]


@settings(max_examples=300, deadline=None)
@given(text=st.text(min_size=1, max_size=40))
def test_any_vlan_name_is_refused_or_stays_one_inert_line(text):
    try:
        lines = render_commands("cisco", Changes(create=[(300, text)]))
    except RenderError:
        return
    assert lines == ["vlan 300", f" name {text}", " exit"]
    assert "?" not in text and text == text.strip() and text.isascii()


def test_ios_vlan_name_with_inner_spaces_can_be_restored():
    # read back from a real switch (`1276 A1 - VIDEO  active`), restored as it was
    assert render_commands("cisco", Changes(rename=[(1276, "A1 - VIDEO")])) == [
        "vlan 1276",
        " name A1 - VIDEO",
        " exit",
    ]


_vid = st.integers(min_value=2, max_value=4094).filter(lambda v: not 1002 <= v <= 1005)
_safe = (
    st.text(
        alphabet=st.characters(
            whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="_-. "
        ),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
_port_state = st.one_of(
    st.builds(lambda v, d: PortState("acces", v, frozenset(), None, d), _vid, st.none() | _safe),
    st.builds(
        lambda vs, n, d: PortState("trunk", None, frozenset(vs), n, d),
        st.sets(_vid, max_size=6),
        st.none() | _vid,
        st.none() | _safe,
    ),
)


@settings(max_examples=50, deadline=None)
@given(
    ports=st.lists(st.tuples(st.integers(1, 48), _port_state, _port_state), max_size=8),
    vlans=st.lists(st.tuples(_vid, _safe.filter(lambda n: n.isascii())), max_size=4),
    delete=st.lists(_vid, max_size=3),
)
def test_legitimate_changes_always_pass_the_grammar(ports, vlans, delete):
    """No false refusal: whatever VLANs, ports and plain names a change set holds, both
    vendors' commands pass the check (a refusal must mean a hostile or impossible value)."""
    for vendor in ("aruba", "cisco"):
        names = {
            p: (str(p) if vendor == "aruba" else f"GigabitEthernet1/0/{p}") for p, _, _ in ports
        }
        changes = Changes(
            create=[(v, n.replace(" ", "_")) for v, n in vlans],
            delete=delete,
            ports=[PortChange(names[p], b, a) for p, b, a in ports],
            svis=[(900, "10.64.15.2/24")],
        )
        render_commands(vendor, changes, dot1q=vendor == "cisco")
