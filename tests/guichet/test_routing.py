"""RACI routing and planning (pure functions)."""

import pytest

from amico.guichet.routing import (
    Finding,
    RoutingError,
    RunInfo,
    external_id,
    parse_cell,
    plan,
    route,
)

RUN = RunInfo(run_id="r1", playbook="site.yml", date="2026-11-29 10:00")


def test_parse_cell():
    c = parse_cell("R (si absence PRN)")
    assert (c.letters, c.condition, c.uncertain) == (["R"], "si absence PRN", False)
    assert parse_cell("R C").letters == ["R", "C"]
    assert parse_cell("R?").uncertain is True


def test_external_id_is_stable_and_bounded():
    assert (
        external_id("0670001x", "postes_peda_mco", "Échec : installer Firefox")
        == "amico/0670001X/postes_peda_mco/echec-installer-firefox"
    )
    long = external_id("0670001X", "s", "x" * 400)
    assert len(long) <= 255 and long == external_id("0670001X", "s", "x" * 400)
    assert long != external_id("0670001X", "s", "x" * 399 + "y")


def test_route_assigns_every_r_group_and_lists_a_c_i(matrix, routing):
    rt = route(matrix, "postes_peda_mco", "0670001X", routing)
    assert rt.assign_groups == [3, 5]  # cd (R A) and prn (R conditional)
    assert rt.entity == 12
    assert rt.roles["A"] == ["Collectivité (CeA)"]
    assert rt.roles["C"] == ["DANE"] and rt.roles["I"] == ["Établissement"]
    assert "PRN (si absence PRN)" in rt.roles["R"]
    assert rt.anomalies == ["Cellule conditionnelle pour le PRN ; deux R retenus."]


def test_route_errors_are_french(matrix, routing):
    with pytest.raises(RoutingError, match="absent de la matrice"):
        route(matrix, "inconnu", "0670001X", routing)
    with pytest.raises(RoutingError, match="aucune entité GLPI"):
        route(matrix, "postes_peda_mco", "0999999Z", routing)
    with pytest.raises(RoutingError, match="aucun acteur R"):
        route(matrix, "postes_peda_mco", "0670001X", {**routing, "groupes": {}})


def test_plan_ticket_content_cites_raci_and_anomalies(matrix, routing):
    ops = plan(
        [Finding("0670001X", "serveurs_peda", "echec-sauvegarde", "echec", "se1", "disque plein")],
        matrix,
        routing,
        RUN,
    )
    (op,) = ops
    assert op["op"] == "signaler"
    t = op["ticket"]
    assert t["entities_id"] == 12 and t["groups_assign"] == [4]
    assert "A (approuve, rend compte) : Collectivité (CeA)" in t["content"]
    assert "Prestataire (incertain)" in t["content"]
    assert "Anomalie de la matrice : R incertain" in t["content"]
    assert "se1 : disque plein" in t["content"]


def test_plan_ignored_gives_nothing_conforme_solves(matrix, routing):
    ops = plan(
        [
            Finding("0670001X", "postes_peda_mco", "pare-feu", "ignoree", "p1"),
            Finding("0670001X", "postes_peda_mco", "antivirus", "conforme", "p1"),
        ],
        matrix,
        routing,
        RUN,
    )
    assert [o["op"] for o in ops] == ["resoudre_lot"]
    assert ops[0]["external_ids"] == ["amico/0670001X/postes_peda_mco/antivirus"]


def test_plan_routing_error_does_not_stop_others(matrix, routing):
    ops = plan(
        [
            Finding("0999999Z", "postes_peda_mco", "x", "echec", "p1"),
            Finding("0670001X", "postes_peda_mco", "x", "echec", "p2"),
        ],
        matrix,
        routing,
        RUN,
    )
    assert sorted(o["op"] for o in ops) == ["erreur_routage", "signaler"]


def test_plan_interventions_modes(matrix, routing):
    f = [Finding("0670001X", "postes_peda_mco", "interventions", "changement", "p1", "MAJ")]
    assert plan(f, matrix, routing, RUN)[0]["op"] == "signaler"
    assert (
        plan(f, matrix, {**routing, "interventions": "ticket_resolu"}, RUN)[0]["op"] == "consigner"
    )
    assert plan(f, matrix, {**routing, "interventions": "aucune"}, RUN) == []
