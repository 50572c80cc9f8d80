"""End to end: real netmiko / napalm sessions over SSH to the emulated switches (127.0.0.1)."""

import copy
import socket

import pytest
from data import staged

from amico.commutateurs.backup import BackupRepo
from amico.commutateurs.drivers import PushRejected, Target, get_driver
from amico.commutateurs.parsing import parse
from amico.commutateurs.plan import diff_states
from amico.commutateurs.run import (
    A_MODIFIER,
    CONFORME,
    ECHEC_CONNEXION,
    MODIFIE,
    REFUSE,
    RESTAURE,
    apply_many,
    apply_switch,
)

pytestmark = pytest.mark.slow
CORE, ACCESS = "sw-coeur-0670001x", "sw-acces-0670001x"


def read_state(vendor, target):
    with get_driver(vendor, target) as drv:
        snap = drv.read()
    return parse(vendor, snap.running, snap.vlan_brief)


def test_check_apply_idempotent_both_vendors(make_lab, intents, state_dir):
    lab, targets = make_lab(
        [(n, i.vendor, staged(i), None) for n, i in intents.items()], processes=2
    )
    items = [(intents[n], targets[n]) for n in (CORE, ACCESS)]
    before = {n: read_state(intents[n].vendor, targets[n]) for n in (CORE, ACCESS)}

    checked = apply_many(items, check=True)
    assert [r.status for r in checked] == [A_MODIFIER, A_MODIFIER]
    assert all(r.diff.startswith("--- ") and r.commands for r in checked)
    assert "+vlan 100" in checked[0].diff and '+   name "PEDAGOGIE"' in checked[0].diff
    for n in (CORE, ACCESS):  # check mode pushed nothing
        assert diff_states(
            read_state(intents[n].vendor, targets[n]), before[n], intents[n].vendor
        ).empty
    assert not (state_dir / "commutateurs" / "0670001X" / f"{CORE}.cfg").exists()

    applied = apply_many(items)
    assert [r.status for r in applied] == [MODIFIE, MODIFIE], [r.error for r in applied]
    assert all(r.backup_before and r.backup_after for r in applied)
    repo = BackupRepo("0670001X")
    assert len(repo.history(CORE)) == 2 and len(repo.history(ACCESS)) == 2
    assert "Last configuration change" not in repo.read(ACCESS)

    again = apply_many(items)
    assert [r.status for r in again] == [CONFORME, CONFORME]
    assert all(not r.changed and not r.commands and not r.diff for r in again)
    assert len(repo.history(ACCESS)) == 2  # noise only: no new backup commit


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_faults_are_reported_and_do_not_stop_the_others(make_lab, intents):
    core, access = intents[CORE], intents[ACCESS]

    def named(intent, name):
        other = copy.deepcopy(intent)
        other.hostname = name
        return other

    devices = [
        ("ok", "aruba", staged(core), None),
        ("coupe-aruba", "aruba", staged(core), {"drop_after_config_lines": 4}),
        ("coupe-cisco", "cisco", staged(access), {"drop_after_config_lines": 4}),
        ("refus", "aruba", staged(core), {"reject": [r"^tagged 24$"]}),
    ]
    lab, targets = make_lab(devices, processes=2)
    before = {n: read_state(v, targets[n]) for n, v, _, _ in devices}
    wrong = Target(targets["ok"].host, targets["ok"].port, "amico", "Faux-Secret-42", timeout=30)
    nowhere = Target("127.0.0.1", _free_port(), "amico", "x", timeout=3)
    items = [
        (named(core, "ok"), targets["ok"]),
        (named(core, "coupe-aruba"), targets["coupe-aruba"]),
        (named(access, "coupe-cisco"), targets["coupe-cisco"]),
        (named(core, "refus"), targets["refus"]),
        (named(core, "mauvais-mdp"), wrong),
        (named(core, "injoignable"), nowhere),
    ]
    results = {r.name: r for r in apply_many(items, workers=6)}
    assert results["ok"].status == MODIFIE
    for name in ("coupe-aruba", "coupe-cisco", "refus"):
        assert results[name].status == RESTAURE, (name, results[name].error)
        assert "restaurée et vérifiée" in results[name].error
        vendor = "cisco" if name == "coupe-cisco" else "aruba"
        now = read_state(vendor, targets[name])
        assert diff_states(now, before[name], vendor).empty, name
    assert "session perdue" in results["coupe-aruba"].error
    assert "session perdue" in results["coupe-cisco"].error
    # the watchdog sees the closed session at once: no 90 s napalm read timeout (a loaded
    # machine only lengthens that one, so below it the watchdog did its job)
    assert results["coupe-cisco"].seconds < 85, results["coupe-cisco"].seconds
    assert "refusée" in results["refus"].error
    assert results["mauvais-mdp"].status == ECHEC_CONNEXION
    assert "authentification refusée" in results["mauvais-mdp"].error
    assert results["injoignable"].status == ECHEC_CONNEXION
    assert "injoignable" in results["injoignable"].error
    assert "Faux-Secret-42" not in repr(results["mauvais-mdp"].as_dict())  # no secret


def test_management_cut_is_refused_unless_forced(make_lab, intents):
    core = intents[CORE]
    lab, targets = make_lab([(CORE, "aruba", staged(core), None)])
    cut = copy.deepcopy(core)
    cut.ports[-1]["vlans"] = [100, 110, 200]  # uplink would no longer carry VLAN 900
    refused = apply_switch(cut, targets[CORE])
    assert refused.status == REFUSE and "coupure du management refusée" in refused.error
    assert read_state("aruba", targets[CORE]).vlans.get(100) is None  # nothing pushed
    forced = apply_switch(cut, targets[CORE], force=True)
    assert forced.status == MODIFIE
    assert any("forcé" in w for w in forced.warnings)


def test_hostile_values_are_refused_before_anything_is_sent(make_lab, intents):
    """Issue 13.1 on the emulators: the schema is bypassed (intent objects edited in
    place), the renderer refuses the switch, and the switches are left exactly as they were
    (the ProCurve is not renamed PWNED)."""
    core, access = copy.deepcopy(intents[CORE]), copy.deepcopy(intents[ACCESS])
    core.ports[0]["description"] = 'Telephones"\nhostname "PWNED"'
    access.ports.append({"interfaces": '21,"x";reload', "mode": "acces", "vlan": 100})
    lab, targets = make_lab(
        [(CORE, "aruba", staged(core), None), (ACCESS, "cisco", staged(access), None)],
        processes=1,
    )
    before = {n: read_state(v, targets[n]) for n, v in ((CORE, "aruba"), (ACCESS, "cisco"))}
    results = apply_many([(core, targets[CORE]), (access, targets[ACCESS])], force=True)
    for res, vendor in zip(results, ("aruba", "cisco"), strict=True):
        assert res.status == REFUSE, (res.name, res.status, res.error)
        assert "rien n'a été envoyé" in res.error and not res.changed
        now = read_state(vendor, targets[res.name])
        assert now.hostname == before[res.name].hostname != "PWNED"
        assert diff_states(now, before[res.name], vendor).empty
    assert "saut de ligne" in results[0].error
    assert "forme non admise" in results[1].error


def test_refused_lines_are_reported_with_the_device_words(make_lab, intents, monkeypatch):
    """Issue 17.6/17.7 over SSH: an ISL-capable Catalyst (model learnt from `show version`,
    none in the référentiel) gets the encapsulation line and accepts the new trunk; the
    same push without it, a VTP client switch (napalm merge path) and a ProCurve without
    the port (netmiko path) are reported as refused lines with the device's own message,
    at push time, and the switches are restored."""
    access = copy.deepcopy(intents[ACCESS])
    access.model = None
    access.ports.insert(-1, {"interfaces": "23", "mode": "trunk", "vlans": [100, 110]})
    core = copy.deepcopy(intents[CORE])
    core.ports.insert(0, {"interfaces": "30", "mode": "acces", "vlan": 100})  # 24-port switch
    isl = {**staged(access), "modele": "WS-C3750X-24P"}
    devices = [
        ("isl", "cisco", isl, None),
        ("isl-sans", "cisco", isl, None),
        ("vtp-client", "cisco", {**staged(access), "vtp": "client"}, None),
        ("procurve", "aruba", staged(core), None),
    ]
    lab, targets = make_lab(devices, processes=2)

    def named(intent, name):
        other = copy.deepcopy(intent)
        other.hostname = name
        return other

    ok = apply_switch(named(access, "isl"), targets["isl"], backup=False)
    assert ok.status == MODIFIE, ok.error
    i = ok.commands.index("interface GigabitEthernet1/0/23")
    assert ok.commands[i + 1 : i + 3] == [
        " switchport trunk encapsulation dot1q",
        " switchport mode trunk",
    ]
    assert read_state("cisco", targets["isl"]).ports["GigabitEthernet1/0/23"].mode == "trunk"

    import amico.commutateurs.run as run

    monkeypatch.setattr(run, "needs_dot1q", lambda vendor, model: False)
    results = {
        r.name: r
        for r in apply_many(
            [
                (named(access, "isl-sans"), targets["isl-sans"]),
                (named(access, "vtp-client"), targets["vtp-client"]),
                (named(core, "procurve"), targets["procurve"]),
            ],
            backup=False,
        )
    }
    expected = {
        "isl-sans": 'Command rejected: An interface whose trunk encapsulation is "Auto" can '
        'not be configured to "trunk" mode.',
        "vtp-client": "« vlan 100 » : % VTP VLAN configuration not allowed when device is "
        "in CLIENT mode.",
        "procurve": "Module not present for port or invalid port: 30",
    }
    for name, message in expected.items():
        res = results[name]
        assert res.status == RESTAURE, (name, res.status, res.error)
        assert res.error.startswith("ligne refusée par le commutateur"), (name, res.error)
        assert message in res.error, (name, res.error)
        assert any(message in line for line in res.rejected_lines), res.rejected_lines
        assert "vérification après envoi" not in res.error  # seen at push time
    # the line-by-line netmiko path of IOS (restores) sees the same refusal
    with get_driver("cisco", targets["vtp-client"]) as drv:
        with pytest.raises(PushRejected) as err:
            drv.push_plain(["vlan 123", " exit"])
        assert err.value.lines == [
            "« vlan 123 » : % VTP VLAN configuration not allowed when device is in CLIENT mode."
        ]
        assert "VLAN Name" in drv.read().vlan_brief  # back in exec mode: still reads
