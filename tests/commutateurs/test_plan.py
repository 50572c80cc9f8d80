"""Planner, safety and rendering, converged in-process against the emulators' device models."""

from pathlib import Path

import pytest
from data import PLAN_VLANS, site, staged

from amico.commutateurs.intent import IntentError, intent_from_site
from amico.commutateurs.parsing import parse
from amico.commutateurs.plan import make_plan
from amico.commutateurs.render import render_commands
from amico_lab.commutateurs.devices import IosSwitch, ProcurveSwitch


def device_for(intent, initial=None):
    cls = ProcurveSwitch if intent.vendor == "aruba" else IosSwitch
    return cls(intent.hostname, initial=initial if initial is not None else staged(intent))


def read(dev, vendor):
    if vendor == "cisco":
        return parse("cisco", dev.running_config(), dev.show_vlan_brief())
    return parse("aruba", dev.running_config())


def push(dev, commands):
    ctx, errors = ("config",), []
    for line in commands:
        ctx, out = dev.config_line(ctx, line)
        if ctx == ("exec",):
            ctx = ("config",)
        if out and not out.startswith("% Access VLAN"):
            errors.append((line, out))
    return errors


@pytest.mark.parametrize("name", ["sw-coeur-0670001x", "sw-acces-0670001x"])
def test_converges_and_is_idempotent(intents, name):
    intent = intents[name]
    dev = device_for(intent)
    plan = make_plan(read(dev, intent.vendor), intent)
    assert not plan.refusals and not plan.management_cuts
    commands = render_commands(intent.vendor, plan.changes)
    assert commands
    assert push(dev, commands) == []
    again = make_plan(read(dev, intent.vendor), intent)
    assert again.changes.empty, render_commands(intent.vendor, again.changes)


def test_intent_from_site(intents):
    aruba = intents["sw-coeur-0670001x"]
    assert aruba.vendor == "aruba" and aruba.mgmt_vlan == 900
    assert aruba.mgmt_address == "10.64.15.2/24"
    assert aruba.vlans == {100: "PEDAGOGIE", 110: "WIFI", 200: "ADMINISTRATIF", 900: "MANAGEMENT"}
    assert aruba.academie_vlans == frozenset({200})
    assert intents["sw-acces-0670001x"].port_names("1-2") == [
        "GigabitEthernet1/0/1",
        "GigabitEthernet1/0/2",
    ]


def test_intent_errors_are_french():
    s = site()
    s["commutateurs"][0]["fabricant"] = "juniper"
    with pytest.raises(IntentError, match="fabricant « juniper » non pris en charge"):
        intent_from_site(s, PLAN_VLANS, "sw-coeur-0670001x")
    s = site()
    s["commutateurs"][0]["ports"][0]["vlan"] = 300
    with pytest.raises(IntentError, match="VLAN 300 absent des VLAN du site"):
        intent_from_site(s, PLAN_VLANS, "sw-coeur-0670001x")


def test_procurve_vlan1_is_never_deleted(intents):
    # quirk: VLAN 1 on ProCurve cannot be deleted; the planner never tries
    intent = intents["sw-coeur-0670001x"]
    dev = device_for(intent)
    plan = make_plan(read(dev, "aruba"), intent)
    assert 1 not in plan.changes.delete
    assert not any(c.strip() == "no vlan 1" for c in render_commands("aruba", plan.changes))
    assert dev.config_line(("config",), "no vlan 1")[1] == "The default VLAN cannot be deleted."


def test_ios_reserved_vlans_never_deleted_nor_renamed(intents):
    # quirk: 1002-1005 appear in show vlan on every IOS switch (cisco.ios#1182)
    intent = intents["sw-acces-0670001x"]
    dev = device_for(intent)
    current = read(dev, "cisco")
    assert {1002, 1003, 1004, 1005} <= set(current.vlans)
    plan = make_plan(current, intent)
    assert not set(plan.changes.delete) & {1, 1002, 1003, 1004, 1005}
    assert plan.desired.vlans[1003] == "token-ring-default"
    assert "may not be deleted" in dev.config_line(("config",), "no vlan 1003")[1]


def test_unknown_vlans_are_removed_and_academie_deletion_is_refused(intents):
    intent = intents["sw-coeur-0670001x"]
    init = staged(intent)
    init["vlans"].update({300: "ANCIEN", 250: "ACAD-AUTRE"})
    dev = device_for(intent, init)
    intent.academie_vlans = intent.academie_vlans | {250}  # Académie's, not in the site list
    plan = make_plan(read(dev, "aruba"), intent)
    assert plan.changes.delete == [250, 300]  # shown in the diff...
    assert plan.refusals == [  # ...and refused: only the Académie administers its VLANs
        "VLAN 250 de l'Académie : suppression refusée (présent sur le commutateur, absent "
        "des VLAN du site dans le référentiel) ; l'Académie seule administre ses VLAN : "
        "ajouter ce VLAN au site"
    ]


def test_academie_vlans_come_from_the_whole_plan():
    """Issue 13.2: dropping VLAN 200 from the site's list does not make it the site's."""
    s = site()
    s["vlans"].remove(200)
    sw = s["commutateurs"][0]
    sw["ports"] = [p for p in sw["ports"] if p.get("vlan") != 200]
    sw["ports"][-1]["vlans"].remove(200)
    other = {**PLAN_VLANS[2], "id": 210, "nom": "ADMIN-2"}  # another Académie VLAN
    intent = intent_from_site(s, PLAN_VLANS + [other], sw["nom"])
    assert intent.academie_vlans == frozenset({200, 210})
    assert 200 not in intent.vlans
    # the switch carries 200 as the Académie's DSI set it: no deletion, no port moved
    dev = device_for(intent, staged(intents_of(site())["sw-coeur-0670001x"]))
    plan = make_plan(read(dev, "aruba"), intent)
    assert 200 in plan.changes.delete
    text = " | ".join(plan.refusals)
    assert "VLAN 200 de l'Académie : suppression refusée" in text
    assert "port 13 : serait retiré du VLAN 200 de l'Académie" not in text  # 13 not managed
    assert "port 24 : serait retiré du VLAN 200 de l'Académie" in text


def intents_of(s):
    return {c["nom"]: intent_from_site(s, PLAN_VLANS, c["nom"]) for c in s["commutateurs"]}


@pytest.mark.parametrize("name", ["sw-coeur-0670001x", "sw-acces-0670001x"])
@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda ports: ports[1].update(vlan=200), "serait ajouté au VLAN 200"),  # onto (access)
        (lambda ports: ports[-2].update(vlan=110), "serait retiré du VLAN 200"),  # off (access)
        (lambda ports: ports[-1]["vlans"].remove(200), "serait retiré du VLAN 200"),  # trunk
        (
            lambda ports: ports[-1].update(natif=200, vlans=[100, 110, 900]),
            "serait passé de étiqueté à non étiqueté dans le VLAN 200",
        ),
    ],
)
def test_academie_port_membership_changes_are_refused(intents, name, edit, message):
    intent = intents[name]
    intent.ports.insert(-1, {"interfaces": "23", "mode": "acces", "vlan": 200})
    dev = device_for(intent)  # delivered: the Académie's ports already on VLAN 200
    assert not make_plan(read(dev, intent.vendor), intent).refusals
    edit(intent.ports)
    plan = make_plan(read(dev, intent.vendor), intent)
    assert any(message in r and "l'Académie seule administre" in r for r in plan.refusals), (
        plan.refusals
    )


def test_academie_of_referentiel(tmp_path):
    from amico.commutateurs.intent import academie_of_referentiel

    root = Path(__file__).resolve().parents[2] / "referentiel"
    assert academie_of_referentiel(str(root)) == frozenset({200})
    with pytest.raises(IntentError, match="plan_adressage.yml : plan d'adressage illisible"):
        academie_of_referentiel(str(tmp_path))
    (tmp_path / "plan_adressage.yml").write_text("vlans: [{id: 200}]\n", encoding="utf-8")
    with pytest.raises(IntentError, match="plan d'adressage invalide"):
        academie_of_referentiel(str(tmp_path))


def test_academie_vlan_is_never_touched(intents):
    intent = intents["sw-coeur-0670001x"]
    init = staged(intent)
    init["vlans"][200] = "ADMIN-RECTORAT"  # name differs from the référentiel
    dev = device_for(intent, init)
    plan = make_plan(read(dev, "aruba"), intent)
    commands = render_commands("aruba", plan.changes)
    assert all(not (c.startswith("vlan 200") and "name" in c) for c in commands)
    assert '   name "ADMINISTRATIF"' not in commands
    assert any("Académie" in w for w in plan.warnings)
    assert not plan.refusals


def test_missing_academie_vlan_used_by_a_port_is_refused(intents):
    intent = intents["sw-coeur-0670001x"]
    init = staged(intent)
    del init["vlans"][200]
    init["ports"] = {"24": {"mode": "trunk", "vlans": [900]}}
    dev = device_for(intent, init)
    plan = make_plan(read(dev, "aruba"), intent)
    assert plan.refusals and "VLAN 200 de l'Académie absent" in plan.refusals[0]


@pytest.mark.parametrize("name", ["sw-coeur-0670001x", "sw-acces-0670001x"])
def test_management_cuts_are_detected(intents, name):
    intent = intents[name]
    dev = device_for(intent)
    # the référentiel moves the uplink off the management VLAN and changes the address
    intent.ports[-1]["vlans"] = [100, 110, 200]
    intent.mgmt_address = "10.64.15.42/24"
    plan = make_plan(read(dev, intent.vendor), intent)
    text = " ".join(plan.management_cuts)
    assert "ne le porterait plus" in text
    assert "changement de l'adresse de management" in text


def test_ios_commands_use_interface_ranges(intents):
    intent = intents["sw-acces-0670001x"]
    plan = make_plan(read(device_for(intent), "cisco"), intent)
    commands = render_commands("cisco", plan.changes)
    assert "interface range GigabitEthernet1/0/1 - 20" in commands
    assert "interface GigabitEthernet1/0/24" in commands
