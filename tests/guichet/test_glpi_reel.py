"""Issue 14: the client against GLPI 10/11 as their source behaves (the test server cites
the GLPI file each behaviour follows). One test (or more) per item of the issue."""

import json
import uuid

import pytest

from amico.guichet import inventory
from amico.guichet.client import GlpiError, make_client
from amico.guichet.config import GlpiConfig
from amico.guichet.guichet import deliver
from amico.guichet.routing import Finding, RunInfo, plan
from amico.guichet.spool import Spool
from amico_lab.glpi import GlpiTestServer

from .conftest import ENTITIES, GROUPS, SECRETS

SITE, SVC = "0670001X", "postes_peda_mco"
SITE2 = "0680002Y"
EXT = f"amico/{SITE}/{SVC}/echec-antivirus"


def run(n):
    return RunInfo(run_id=f"r{n}", playbook="site.yml", date="2026-12-06")


def failing(n, matrix, routing, site=SITE, hosts=("p1",), probleme="echec-antivirus"):
    return plan(
        [Finding(site, SVC, probleme, "echec", h, "service arrêté") for h in hosts],
        matrix,
        routing,
        run(n),
    )


def bad_inventory_op():
    # Schema-violating payload (no content.versionclient): GLPI answers HTTP 500 +
    # {"status": "error", ...}. Built by hand: inventory.validate() would refuse it.
    return {"op": "inventaire", "id": "inv-bad", "payload": {"deviceid": "x", "content": {}}}


# ---- item 1: a refused inventory never blocks a ticket -----------------------------------
def test_14_1_inventaire_refuse_ne_bloque_aucun_ticket(glpi, config, matrix, routing, tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.add([bad_inventory_op()])  # first in the queue, as left by an earlier run
    out = deliver(failing(1, matrix, routing), config, spool)
    (t,) = glpi.tickets(EXT)  # the ticket went through, in this very run
    assert [d["action"] for d in out.delivered] == ["cree"] and t["entities_id"] == 12
    assert spool.pending() == [] and out.rejected == 1
    ((_, rejected),) = spool.rejected()
    assert rejected["id"] == "inv-bad" and "JSON does not validate" in rejected["erreur"]
    assert "HTTP 500" in rejected["erreur"]
    # the next run is not delayed either
    out = deliver(failing(2, matrix, routing), config, spool)
    assert [d["action"] for d in out.delivered] == ["suivi"] and out.rejected == 0


def test_14_1_inventaire_indisponible_attend_sans_retenir_les_tickets(
    matrix, routing, tmp_path, api
):
    # Inventory endpoint locked (auth required, none configured): the inventory waits in
    # the spool (retried later), tickets are delivered meanwhile.
    with GlpiTestServer(
        entities=ENTITIES, groups=GROUPS, inventory_auth="basic", inventory_basic=("a", "b")
    ) as srv:
        cfg = GlpiConfig(url=srv.url, api=api, timeout=30, budget=300, **SECRETS)
        spool = Spool(tmp_path / "spool")
        good = inventory.from_switch({"nom": "sw1", "fabricant": "aruba"})
        ops = [{"op": "inventaire", "id": "inv-1", "payload": good}]
        out = deliver(ops + failing(1, matrix, routing), cfg, spool)
        assert len(srv.tickets(EXT)) == 1
        assert [op["id"] for _, op in spool.pending()] == ["inv-1"] and out.rejected == 0
        assert any("authentification refusée" in e for e in out.errors)


def test_14_1_tickets_bloques_inventaire_livre(glpi, api, matrix, routing, tmp_path):
    # The ticket API refuses the login (token reset by an upgrade): tickets wait in the
    # spool, the inventory lane is not held back.
    cfg = GlpiConfig(
        url=glpi.url,
        api=api,
        timeout=30,
        budget=300,
        **{**SECRETS, "user_token": "perime", "password": "perime"},
    )
    spool = Spool(tmp_path / "spool")
    good = inventory.from_switch({"nom": "sw9", "fabricant": "cisco"})
    ops = failing(1, matrix, routing) + [{"op": "inventaire", "id": "inv-9", "payload": good}]
    out = deliver(ops, cfg, spool)
    assert "sw9-amico" in glpi.store.inventories and glpi.tickets() == []
    assert [op["op"] for _, op in spool.pending()] == ["signaler"] and out.rejected == 0


# ---- item 2: GLPI 11 inventory authentication -------------------------------------------
def test_14_2_inventaire_basic(tmp_path, api):
    with GlpiTestServer(inventory_auth="basic", inventory_basic=("agent", "mdp-inv")) as srv:
        payload = inventory.from_switch({"nom": "sw1", "fabricant": "aruba"})
        secrets = {**SECRETS, "inventory_login": "agent", "inventory_password": "mdp-inv"}
        cfg = GlpiConfig(url=srv.url, api=api, inventory_auth="basic", **secrets)
        assert make_client(cfg).send_inventory(payload)["status"] == "ok"
        assert "sw1-amico" in srv.store.inventories
        wrong = GlpiConfig(
            url=srv.url,
            api=api,
            inventory_auth="basic",
            **{**secrets, "inventory_password": "faux"},
        )
        spool = Spool(tmp_path / "s")
        out = deliver([{"op": "inventaire", "id": "i", "payload": payload}], wrong, spool)
        assert len(spool.pending()) == 1 and out.rejected == 0  # retried, not lost
        for path, _ in spool.pending():
            assert "faux" not in path.read_text() and "mdp-inv" not in path.read_text()
        assert not any("faux" in e for e in out.errors)


def test_14_2_inventaire_oauth_client_credentials(api):
    with GlpiTestServer(inventory_auth="client_credentials") as srv:
        payload = inventory.from_switch({"nom": "sw2", "fabricant": "cisco"})
        cfg = GlpiConfig(
            url=srv.url,
            api=api,
            inventory_auth="oauth",
            inventory_client_id="amico-client",
            inventory_client_secret="amico-secret",
        )
        client = make_client(cfg)
        assert client.send_inventory(payload)["status"] == "ok"
        srv.expire_sessions()  # token gone: one new grant, then it goes through
        assert client.send_inventory(payload)["status"] == "ok"
        grants = [r for r in srv.requests if r[1] == "/api.php/token"]
        assert len(grants) == 2


def test_14_2_secrets_inventaire_par_environnement(monkeypatch):
    from amico.guichet.config import load_config

    env = {
        "AMICO_GLPI_URL": "http://127.0.0.1:1",
        "AMICO_GLPI_INVENTORY_AUTH": "basic",
        "AMICO_GLPI_INVENTORY_LOGIN": "agent",
        "AMICO_GLPI_INVENTORY_PASSWORD": "secret-inventaire",
    }
    cfg = load_config({}, env=env)
    assert cfg.inventory_auth == "basic" and cfg.inventory_password == "secret-inventaire"
    assert "secret-inventaire" not in repr(cfg)
    assert cfg.scrub("x secret-inventaire y") == "x *** y"
    with pytest.raises(ValueError, match="inventory_password"):
        load_config({"inventory_password": "x"}, env=env)


# ---- item 3: v2 assignment --------------------------------------------------------------
def test_14_3_v2_groupes_assignes_et_relus(glpi, secrets):
    cfg = GlpiConfig(url=glpi.url, api="v2", **secrets)
    c = make_client(cfg)
    tid = c.create_ticket(
        {"name": "n", "content": "c", "entities_id": 12, "externalid": "e", "groups_assign": [3, 4]}
    )
    assert glpi.assigned_groups(tid) == [3, 4]
    assert c.team_groups(tid) == {3, 4}
    assert c.warnings == []


# ---- item 4: v2 followups come wrapped ----------------------------------------------------
def test_14_4_v2_rejeu_sans_doublon_de_suivi(glpi, secrets, matrix, routing, tmp_path):
    cfg = GlpiConfig(url=glpi.url, api="v2", timeout=30, budget=300, **secrets)
    deliver(failing(1, matrix, routing), cfg, Spool(tmp_path / "a"))
    ops = failing(2, matrix, routing)
    deliver(ops, cfg, Spool(tmp_path / "b"))
    (t,) = glpi.tickets(EXT)
    assert len(glpi.followups(t["id"])) == 1
    out = deliver(ops, cfg, Spool(tmp_path / "c"))  # replay of the same call
    assert [d["action"] for d in out.delivered] == ["deja_fait"]
    assert len(glpi.followups(t["id"])) == 1


# ---- item 5: v2 expired bearer answers 400 -------------------------------------------------
def test_14_5_v2_jeton_expire_400_reconnexion(glpi, secrets):
    c = make_client(GlpiConfig(url=glpi.url, api="v2", **secrets))
    assert c.find_tickets("x") == []
    glpi.expire_sessions()
    assert c.find_tickets("x") == []  # 400 "Invalid OAuth token" -> one new grant
    assert len([r for r in glpi.requests if r[1] == "/api.php/token"]) == 2


# ---- item 6: entities, non-recursive API profile over two entities ----------------------
PROFILE = {
    "amico-api": {
        "profile": "Technicien AMICo",
        "default_entity": 12,
        "entities": {12: False, 13: False},
    }
}


@pytest.fixture
def glpi_entites():
    srv = GlpiTestServer(
        entities={**ENTITIES, 14: "Collège sans habilitation"}, groups=GROUPS, profiles=PROFILE
    ).start()
    yield srv
    srv.stop()


def test_14_6_profil_non_recursif_deux_entites(glpi_entites, api, matrix, routing, tmp_path):
    srv = glpi_entites
    cfg = GlpiConfig(url=srv.url, api=api, timeout=30, budget=300, **SECRETS)
    ext2 = f"amico/{SITE2}/{SVC}/echec-antivirus"
    for n in (1, 2, 3):  # reruns: followups, never a duplicate
        ops = failing(n, matrix, routing) + failing(n, matrix, routing, site=SITE2)
        out = deliver(ops, cfg, Spool(tmp_path / "s"), entities={12, 13})
        assert out.rejected == 0 and out.spooled == 0, out.errors
    (t1,), (t2,) = srv.tickets(EXT), srv.tickets(ext2)
    assert (t1["entities_id"], t2["entities_id"]) == (12, 13)
    assert srv.assigned_groups(t1["id"]) == [3, 5] == srv.assigned_groups(t2["id"])
    assert len(srv.followups(t2["id"])) == 2


def test_14_6_entite_hors_profil_arrete_avec_message(glpi_entites, api, matrix, routing, tmp_path):
    cfg = GlpiConfig(url=glpi_entites.url, api=api, timeout=30, budget=300, **SECRETS)
    spool = Spool(tmp_path / "s")
    out = deliver(failing(1, matrix, routing), cfg, spool, entities={12, 13, 14})
    assert out.entity_error and glpi_entites.tickets() == []
    assert len(spool.pending()) == 1  # nothing lost: it waits for the fix
    (msg,) = out.errors
    assert "14" in msg and "Technicien AMICo" in msg and "habilitation" in msg


def test_14_6_ancien_appel_sans_entite_toutes_les_entites_v1(
    glpi_entites, matrix, routing, tmp_path
):
    cfg = GlpiConfig(url=glpi_entites.url, api="v1", timeout=30, budget=300, **SECRETS)
    spool = Spool(tmp_path / "s")
    deliver(failing(1, matrix, routing, site=SITE2), cfg, spool)
    ext2 = f"amico/{SITE2}/{SVC}/echec-antivirus"
    # a "solve" written by an older AMICo (no entities_id): every entity of the profile
    old = {
        "op": "resoudre_lot",
        "id": "ancien",
        "prefix": f"amico/{SITE2}/{SVC}/",
        "external_ids": [ext2],
        "solution": "fini",
    }
    out = deliver([old], cfg, spool)
    assert out.rejected == 0 and [t["status"] for t in glpi_entites.tickets(ext2)] == [5]


def test_14_6_v2_sans_route_session_avertit_sans_bloquer(glpi, secrets, matrix, routing, tmp_path):
    glpi.faults.v2_without_session = True
    cfg = GlpiConfig(url=glpi.url, api="v2", timeout=30, budget=300, **secrets)
    out = deliver(failing(1, matrix, routing), cfg, Spool(tmp_path / "s"), entities={12, 13})
    assert len(glpi.tickets(EXT)) == 1 and not out.entity_error
    assert any("contrôle des entités impossible" in w for w in out.warnings)


# ---- item 7: v2 creation keeps the category ------------------------------------------------
def test_14_7_v2_categorie(glpi, secrets, matrix, routing, tmp_path):
    cfg = GlpiConfig(url=glpi.url, api="v2", timeout=30, budget=300, **secrets)
    deliver(failing(1, matrix, {**routing, "categorie": 7}), cfg, Spool(tmp_path / "s"))
    (t,) = glpi.tickets(EXT)
    assert t["itilcategories_id"] == 7


# ---- item 8: robustness ----------------------------------------------------------------
def test_14_8_ligne_sans_colonne_87_pas_de_doublon(glpi, config, matrix, routing, tmp_path):
    glpi.faults.search_without_externalid = True
    deliver(failing(1, matrix, routing), config, Spool(tmp_path / "a"))
    out = deliver(failing(2, matrix, routing), config, Spool(tmp_path / "b"))
    assert len(glpi.tickets(EXT)) == 1 and [d["action"] for d in out.delivered] == ["suivi"]


def test_14_8_etape_apres_creation_en_echec_garde_le_ticket(
    glpi, config, matrix, routing, tmp_path
):
    glpi.faults.refuse_group_ticket = True
    spool = Spool(tmp_path / "s")
    out = deliver(failing(1, matrix, routing), config, spool)
    (t,) = glpi.tickets(EXT)
    assert out.rejected == 0 and spool.rejected() == []
    assert out.delivered[0] == {"op": "signaler", "action": "cree", "ticket": t["id"]}
    assert out.warnings and str(t["id"]) in out.warnings[0]


def test_14_8_consigner_resolution_ratee_garde_le_ticket(glpi, config, matrix, routing, tmp_path):
    glpi.faults.refuse_solution = True
    ops = plan(
        [Finding(SITE, SVC, "x", "changement", "p1", "tâche")],
        matrix,
        {**routing, "interventions": "ticket_resolu"},
        run(1),
    )
    spool = Spool(tmp_path / "s")
    out = deliver(ops, config, spool)
    (t,) = glpi.tickets()
    assert out.rejected == 0 and spool.rejected() == []
    assert out.delivered[0]["ticket"] == t["id"] and "résolution a échoué" in out.warnings[0]


def test_14_8_id_false_est_une_erreur(glpi, config, matrix, routing, tmp_path):
    glpi.faults.add_id_false = True
    out = deliver(failing(1, matrix, routing), config, Spool(tmp_path / "s"))
    assert out.delivered == [] and out.rejected == 1
    assert "sans identifiant" in out.errors[0]  # said as such, not a later 404 on ticket 0


def test_14_8_agent_id_uuid_et_action_netinventory(glpi, config):
    payload = inventory.from_switch({"nom": "sw1", "fabricant": "aruba"})
    assert payload["action"] == "netinventory"
    make_client(config).send_inventory(payload)
    assert uuid.UUID(glpi.store.agent_ids["sw1-amico"])


def test_14_8_plus_de_15_suivis_rejeu_sans_doublon(glpi, config, matrix, routing, tmp_path):
    deliver(failing(1, matrix, routing), config, Spool(tmp_path / "a"))
    (t,) = glpi.tickets(EXT)
    with glpi.lock:
        for i in range(20):  # a long-lived ticket: earlier followups fill page 1
            glpi._add_followup({"itemtype": "Ticket", "items_id": t["id"], "content": f"s{i}"})
    ops = failing(2, matrix, routing)
    deliver(ops, config, Spool(tmp_path / "b"))
    assert len(glpi.followups(t["id"])) == 21
    out = deliver(ops, config, Spool(tmp_path / "c"))  # replay: its marker is on page 2
    assert [d["action"] for d in out.delivered] == ["deja_fait"]
    assert len(glpi.followups(t["id"])) == 21


def test_14_8_v2_liste_paginee(glpi, secrets):
    glpi.v2_max_limit = 15  # a GLPI capping pages below what the client asks
    c = make_client(GlpiConfig(url=glpi.url, api="v2", **secrets))
    for i in range(20):
        c.create_ticket({"name": "n", "content": "c", "entities_id": 12, "externalid": f"p/{i}"})
    assert len(c.find_tickets_prefix("p/")) == 20


def test_serveur_inventaire_refus_500_comme_glpi(glpi):
    """The test server answers like AbstractRequest::addError (500 + status error)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        f"{glpi.url}/front/inventory.php",
        data=json.dumps({"deviceid": "x", "content": {}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 500
    body = json.loads(e.value.read())
    assert body["status"] == "error" and body["expiration"] == 24


def test_refus_client_garde_le_message_glpi(glpi, config):
    with pytest.raises(GlpiError, match="JSON does not validate"):
        make_client(config).send_inventory({"deviceid": "x", "content": {}})


# ---- paging against servers that page differently (independent of our test server) -----
def test_14_8_pagination_serveur_qui_ignore_range():
    from amico.guichet.client import Response, _paged

    calls = []

    def fetch(params):  # 200 = complete list, range ignored: read once, no loop
        calls.append(params)
        return Response(200, {}, list(range(60)))

    assert _paged(fetch, 50, start_key="range", limit_key=None) == list(range(60))
    assert len(calls) == 1


@pytest.mark.parametrize("cap", [1, 7, 15, 50])
@pytest.mark.parametrize("with_range_header", [True, False])
def test_14_8_pagination_plafonnee(cap, with_range_header):
    from amico.guichet.client import Response, _paged

    data = list(range(43))

    def fetch(params):
        a, b = map(int, params["range"].split("-"))
        page = data[a : min(b + 1, a + cap)]
        partial = a + len(page) < len(data)
        headers = (
            {"Content-Range": f"{a}-{a + len(page) - 1}/{len(data)}"} if with_range_header else {}
        )
        return Response(206 if partial else 200, headers, page)

    assert _paged(fetch, 50, start_key="range", limit_key=None) == data
