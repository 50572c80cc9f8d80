"""What a switch refuses at push time (issue 17.6, 17.7, 17.8), in-process against the
emulators' device models; the SSH end to end is in test_e2e.py."""

import copy
import re

import pytest
from data import staged
from test_plan import device_for, push, read

from amico.commutateurs.drivers.aruba import ERROR_PATTERN as ARUBA_ERRORS
from amico.commutateurs.drivers.base import refused_lines, rejected
from amico.commutateurs.drivers.cisco import ERROR_PATTERN as IOS_ERRORS
from amico.commutateurs.model import PortState
from amico.commutateurs.plan import Changes, PortChange, make_plan
from amico.commutateurs.render import needs_dot1q, render_commands
from amico_lab.commutateurs.devices import IOS_ENCAP_AUTO, IOS_VTP_CLIENT, ProcurveSwitch

ISL_MODEL = "WS-C3750X-24P"


def with_new_trunk(intent):
    intent = copy.deepcopy(intent)
    intent.ports.insert(-1, {"interfaces": "23", "mode": "trunk", "vlans": [100, 110]})
    return intent


@pytest.mark.parametrize(
    "model, isl",
    [
        ("WS-C3750X-24P", True),
        ("WS-C3560G-48PS", True),
        ("WS-C4506-E", True),
        ("WS-C6509-E", True),
        ("Cisco Catalyst 3750-X", True),
        ("WS-C2960X-24PS-L", False),
        ("WS-C3560CX-12PC-S", False),  # compact 3560-CX: dot1q only
        ("WS-C3850-24T", False),
        ("C9300-48P", False),
        (None, False),
    ],
)
def test_needs_dot1q_by_model(model, isl):
    assert needs_dot1q("cisco", model) is isl
    assert needs_dot1q("aruba", model) is False


def test_isl_catalyst_accepts_the_trunk_with_encapsulation_and_refuses_it_without(intents):
    intent = with_new_trunk(intents["sw-acces-0670001x"])
    init = {**staged(intent), "modele": ISL_MODEL}
    plan = make_plan(read(device_for(intent, init), "cisco"), intent)

    bare = render_commands("cisco", plan.changes)
    errors = push(device_for(intent, init), bare)
    assert errors == [(" switchport mode trunk", IOS_ENCAP_AUTO)]

    dev = device_for(intent, init)
    dot1q = render_commands("cisco", plan.changes, dot1q=needs_dot1q("cisco", ISL_MODEL))
    i = dot1q.index("interface GigabitEthernet1/0/23")
    assert dot1q[i + 1 : i + 3] == [
        " switchport trunk encapsulation dot1q",
        " switchport mode trunk",
    ]
    assert push(dev, dot1q) == []
    assert " switchport trunk encapsulation dot1q" in dev.running_config()
    assert make_plan(read(dev, "cisco"), intent).changes.empty  # converged, idempotent


def test_dot1q_only_catalyst_does_not_know_the_encapsulation_command(intents):
    intent = with_new_trunk(intents["sw-acces-0670001x"])
    dev = device_for(intent)  # 2960-X
    plan = make_plan(read(dev, "cisco"), intent)
    commands = render_commands("cisco", plan.changes, dot1q=True)
    assert (" switchport trunk encapsulation dot1q", "% Invalid input detected at '^' marker.") in (
        push(device_for(intent), commands)
    )
    assert push(dev, render_commands("cisco", plan.changes)) == []


def test_vtp_client_refuses_vlan_changes(intents):
    intent = intents["sw-acces-0670001x"]
    dev = device_for(intent, {**staged(intent), "vtp": "client"})
    plan = make_plan(read(dev, "cisco"), intent)
    errors = push(dev, render_commands("cisco", plan.changes))
    assert ("vlan 100", IOS_VTP_CLIENT) in errors


@pytest.mark.parametrize(
    "output, expected",
    [
        (  # napalm's copy <file> running-config output, as the emulator prints it
            "vlan 100\n% VTP VLAN configuration not allowed when device is in CLIENT mode.\n"
            " name PEDAGOGIE\n% Invalid input detected at '^' marker.\n120 bytes copied",
            [
                "« vlan 100 » : % VTP VLAN configuration not allowed when device is in "
                "CLIENT mode.",
                "« name PEDAGOGIE » : % Invalid input detected at '^' marker.",
            ],
        ),
        (  # a real IOS terminal: caret line between the command and the message
            "sw(config-if)#switchport mode trunk\n"
            'Command rejected: An interface whose trunk encapsulation is "Auto" can not be '
            'configured to "trunk" mode.\nsw(config-if)#',
            [
                'Command rejected: An interface whose trunk encapsulation is "Auto" can not '
                'be configured to "trunk" mode.'
            ],
        ),
        (
            " switchport access vlan 300\n% Access VLAN does not exist. Creating vlan 300\n"
            "%LINK-3-UPDOWN: Interface GigabitEthernet1/0/1, changed state to up\n"
            " description 100% fibre\n",
            [],
        ),
        (
            "no vlan 1\n%Default VLAN 1 may not be deleted.",
            ["« no vlan 1 » : %Default VLAN 1 may not be deleted."],
        ),
    ],
)
def test_ios_refusals_are_found_in_the_output(output, expected):
    commands = ["vlan 100", " name PEDAGOGIE", " switchport mode trunk", "no vlan 1"]
    assert refused_lines(output, IOS_ERRORS, commands) == expected


@pytest.mark.parametrize(
    "line, refused",
    [
        ("Invalid input: untagged", True),
        ("Module not present for port or invalid port: 30", True),
        ("String too long.", True),
        ("Port 5: a port must be a member of at least one VLAN.", True),
        ("The default VLAN cannot be deleted.", True),
        ('sw(eth-5)# name "Error log printer"', False),  # an echoed command never matches
        ("sw(vlan-100)# untagged 1-10", False),
    ],
)
def test_procurve_refusal_pattern(line, refused):
    assert bool(re.search(ARUBA_ERRORS, line, re.M)) is refused


def test_netmiko_refusal_is_reported_with_the_device_words():
    from netmiko.exceptions import ConfigInvalidException

    exc = ConfigInvalidException(
        "Invalid input detected at command:    untagged 30, matched error: "
        "Module not present for port or invalid port: 30"
    )
    assert str(rejected(exc)) == (
        "ligne refusée par le commutateur : « untagged 30 » : "
        "Module not present for port or invalid port: 30"
    )
    assert rejected(exc).lines == [
        "« untagged 30 » : Module not present for port or invalid port: 30"
    ]


# -- 17.8: a ProCurve port always stays in at least one VLAN ------------------------------
def test_procurve_never_leaves_a_port_in_no_vlan():
    changes = Changes(
        ports=[
            PortChange("5", PortState("acces", 100), PortState("trunk", None, frozenset(), None))
        ]
    )
    commands = render_commands("aruba", changes)
    assert not any("no untagged" in c for c in commands), commands
    dev = ProcurveSwitch("sw", initial={"vlans": {100: "PEDAGOGIE"}, "ports": {"5": {"vlan": 100}}})
    assert push(dev, commands) == []
    assert "5" in dev.vlans[100].untagged  # still somewhere


def test_procurve_untag_is_removed_only_once_the_port_is_tagged_elsewhere():
    changes = Changes(
        ports=[
            PortChange(
                "5", PortState("acces", 100), PortState("trunk", None, frozenset({110}), None)
            )
        ]
    )
    commands = render_commands("aruba", changes)
    assert commands.index("   tagged 5") < commands.index("   no untagged 5")
    dev = ProcurveSwitch(
        "sw", initial={"vlans": {100: "P", 110: "W"}, "ports": {"5": {"vlan": 100}}}
    )
    assert push(dev, commands) == []
    assert "5" not in dev.vlans[100].untagged and "5" in dev.vlans[110].tagged
    assert "5" not in dev.vlans[1].untagged


def test_planner_refuses_a_procurve_port_in_no_vlan(intents):
    intent = copy.deepcopy(intents["sw-coeur-0670001x"])
    intent.ports.insert(-1, {"interfaces": "20", "mode": "trunk", "vlans": []})
    plan = make_plan(read(device_for(intent), "aruba"), intent)
    assert any("port 20" in r and "au moins un VLAN" in r for r in plan.refusals), plan.refusals
