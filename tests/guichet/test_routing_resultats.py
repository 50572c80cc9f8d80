"""The callback's rule book, now in amico.guichet.routing: which findings a task result
yields (then `plan` turns them into tickets), which hosts can be routed, which entities are
checked before any ticket."""

from __future__ import annotations

import pytest

from amico.guichet.routing import (
    CHANGEMENT,
    CONFORME,
    DERIVE,
    ECHEC,
    INJOIGNABLE,
    Finding,
    RunInfo,
    entities_to_check,
    findings_of_constats,
    findings_of_result,
    locate,
    plan,
)

WHERE = ("0670001X", "postes_peda_mco")
RUN = RunInfo(run_id="r1", playbook="site.yml", date="2026-11-29 10:00")


def _states(findings):
    return [(f.probleme, f.etat) for f in findings]


@pytest.mark.parametrize(
    ("issue", "read_only", "expected"),
    [
        (ECHEC, False, [("echec-installer-l-antivirus", ECHEC)]),
        (ECHEC, True, [("echec-installer-l-antivirus", ECHEC)]),
        (INJOIGNABLE, False, [("injoignable", ECHEC)]),
        (CONFORME, False, [("echec-installer-l-antivirus", CONFORME)]),
        (
            CONFORME,
            True,
            [("ecart-installer-l-antivirus", CONFORME), ("echec-installer-l-antivirus", CONFORME)],
        ),
        (
            CHANGEMENT,
            False,
            [("echec-installer-l-antivirus", CONFORME), ("interventions", CHANGEMENT)],
        ),
        (
            CHANGEMENT,
            True,
            [("echec-installer-l-antivirus", CONFORME), ("ecart-installer-l-antivirus", DERIVE)],
        ),
    ],
)
def test_a_task_result_yields_its_findings(issue, read_only, expected):
    got = findings_of_result(
        WHERE, "p-s101-01", "Installer l'antivirus", issue, "détail", read_only=read_only
    )
    assert _states(got) == expected
    assert {(f.site, f.service, f.hote) for f in got} == {(*WHERE, "p-s101-01")}


def test_a_failure_keeps_its_detail_a_success_has_none():
    [echec] = findings_of_result(WHERE, "h", "t", ECHEC, "Service antivirus arrêté")
    assert echec.detail == "Service antivirus arrêté"
    [ok] = findings_of_result(WHERE, "h", "t", CONFORME, "bruit")
    assert ok.detail == ""


def test_an_unknown_issue_is_refused_in_french():
    with pytest.raises(ValueError, match="état de tâche inconnu"):
        findings_of_result(WHERE, "h", "t", "skipped")


def test_a_drift_run_opens_then_a_clean_run_solves_the_same_ticket(matrix, routing):
    """The rule book and the planner agree: the deviation a read-only run reports is the
    very external id a later clean read-only run solves."""
    ecart = findings_of_result(WHERE, "h", "Configurer NTP", CHANGEMENT, read_only=True)
    opened = [op for op in plan(ecart, matrix, routing, RUN) if op["op"] == "signaler"]
    [ext] = [op["external_id"] for op in opened]
    propre = findings_of_result(WHERE, "h", "Configurer NTP", CONFORME, read_only=True)
    [solve] = [op for op in plan(propre, matrix, routing, RUN) if op["op"] == "resoudre_lot"]
    assert ext in solve["external_ids"]


def test_constats_keep_their_own_service_and_detail():
    got = findings_of_constats(
        WHERE,
        "sw1",
        [
            {"probleme": "vlan 20", "etat": "derive", "detail": "absent"},
            {"probleme": "lldp", "etat": "conforme", "service": "reseau_lan"},
        ],
    )
    assert got == [
        Finding("0670001X", "postes_peda_mco", "vlan 20", "derive", "sw1", "absent"),
        Finding("0670001X", "reseau_lan", "lldp", "conforme", "sw1", ""),
    ]


@pytest.mark.parametrize(
    ("site", "service", "expected"),
    [
        ("0670001X", "postes_peda_mco", WHERE),
        (None, "postes_peda_mco", None),
        ("0670001X", "", None),
        ("{{ amico_uai }}", "postes_peda_mco", None),
        ("0670001X", "{{ svc }}", None),
    ],
)
def test_only_a_host_with_a_real_site_and_service_is_routed(site, service, expected):
    assert locate(site, service) == expected


def test_entities_to_check_include_the_default_one():
    assert entities_to_check({"entites": {"0670001X": 12, "0670002Y": "13"}}) == {12, 13}
    assert entities_to_check({"entites": {"0670001X": 12}, "entite_defaut": 0}) == {0, 12}
    assert entities_to_check({}) == set()
