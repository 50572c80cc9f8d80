"""End to end on a real Zabbix 6.0 (Debian 12 packages, converged by roles/supervision in a
container) and a real agent (roles/supervision_agent in a second container running a real
Kea): sync the demo référentiel, stop Kea, see the Zabbix problem, get exactly one routed
ticket on the GLPI test server, start Kea, see the ticket solved.

Every Zabbix interface points into the lab: the agent's container, or 127.0.0.1 inside
the Zabbix container (never the plan's addresses, which are not ours to contact).
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest

from amico.cli import main
from amico.referentiel.loader import load
from amico.supervision.attendu import etat_attendu
from amico.supervision.sync import SyncInterrompue, synchroniser
from amico.supervision.zabbix import ZabbixClient, ZabbixError
from amico_lab import supervision as lab
from amico_lab.glpi import GlpiTestServer

pytestmark = pytest.mark.slow
REF = Path(__file__).resolve().parents[2] / "referentiel"
UAI = "0679901Y"
AGENT = "amico-zabbix-agent-labo"
KEA = {"unite": "kea-dhcp4-server", "libelle": "DHCP Kea"}


@pytest.fixture(scope="module")
def zabbix():
    if shutil.which("podman") is None:
        pytest.fail("podman absent : lancer lab/podman/build-image.sh (installe podman)")
    srv = lab.start()
    agent_ip = lab.start_agent(AGENT, lab.address(srv.name), [KEA], ["kea-dhcp4-server"])
    yield srv, agent_ip
    lab._podman("rm", "-f", "-t", "2", AGENT, check=False)
    srv.stop()


def _client(srv) -> ZabbixClient:
    c = ZabbixClient(srv.url)
    c.login(user=srv.user, password=srv.password)
    return c


def _lab_addresses(ref, agent_ip: str) -> dict[str, str]:
    site = next(s for s in ref.sites if s.uai == UAI)
    out = {
        h: "127.0.0.1"
        for h in [
            f"lien-{UAI.lower()}",
            *(sw.nom for sw in site.commutateurs),
            *(s.nom for s in site.serveurs),
        ]
    }
    out["se-0679901y"] = agent_ip
    return out


def _wait(what: str, probe, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"délai dépassé : {what}")
        time.sleep(3)


def test_sync_is_idempotent_disables_removed_hosts_and_refuses_bad_credentials(zabbix, tmp_path):
    srv, agent_ip = zabbix
    ref = load(REF)
    client = _client(srv)
    etat = etat_attendu(ref, sites=[UAI], adresses=_lab_addresses(ref, agent_ip))
    first = synchroniser(client, etat, snmp_community="labo-communaute")
    second = synchroniser(client, etat, snmp_community="labo-communaute")
    assert second.ecritures == 0, second.resume()
    assert second.inchanges == len(etat.hosts) and not second.crees
    assert second.lectures <= 6
    assert len(first.crees) + len(first.mis_a_jour) + first.inchanges == len(etat.hosts)

    # a switch leaves the référentiel: disabled on a full sync, not deleted; back: enabled
    sw = next(h for h in etat.hosts if h.kind == "commutateur")
    smaller = etat_attendu(ref, sites=[UAI], adresses=_lab_addresses(ref, agent_ip))
    smaller.hosts = [h for h in smaller.hosts if h.host != sw.host]
    gone = synchroniser(client, smaller, perimetre_complet=True)
    assert gone.desactives == [sw.host] and gone.ecritures == 1
    found = client.call("host.get", {"output": ["status"], "filter": {"host": [sw.host]}})
    assert found and found[0]["status"] == "1"
    back = synchroniser(client, etat)
    assert back.reactives == [sw.host]

    bad = ZabbixClient(srv.url)
    with pytest.raises(ZabbixError, match="connexion refusée pour l'utilisateur « Admin »"):
        bad.login(user="Admin", password="pas-le-bon")
    with pytest.raises(ZabbixError, match="injoignable"):
        ZabbixClient("http://127.0.0.1:9", timeout=2).version()


def test_stopped_service_becomes_one_routed_ticket_then_solved(zabbix, tmp_path, monkeypatch):
    srv, agent_ip = zabbix
    ref = load(REF)
    client = _client(srv)
    synchroniser(
        client,
        etat_attendu(ref, sites=[UAI], adresses=_lab_addresses(ref, agent_ip)),
        snmp_community="labo-communaute",
    )
    # a fresh backup and a good restore test, as the role's timer writes them
    lab._podman(
        "exec",
        AGENT,
        "sh",
        "-c",
        "date +%s > /var/lib/amico-supervision/derniere_sauvegarde"
        " && echo 1 > /var/lib/amico-supervision/restauration",
    )
    host = "se-0679901y"
    srv.verifier_maintenant(client, host, "amico.services.decouverte")
    kea_key = "amico.service[kea-dhcp4-server]"
    _wait(
        "découverte du service Kea",
        lambda: client.call(
            "item.get",
            {"output": ["itemid"], "host": host, "filter": {"key_": kea_key}},
        ),
    )

    def last_value():
        srv.verifier_maintenant(client, host, "amico.")
        items = client.call(
            "item.get",
            {"output": ["lastvalue", "lastclock"], "host": host, "filter": {"key_": kea_key}},
        )
        return items and items[0]["lastclock"] != "0" and items[0]["lastvalue"]

    assert _wait("valeur du service Kea", last_value) == "active"

    glpi = GlpiTestServer(
        entities={12: "Collège des Tilleuls"}, groups={3: "CeA", 4: "Prestataire"}
    )
    glpi.start()
    try:
        routage = tmp_path / "routage.yml"
        routage.write_text(
            f'phase: transitoire\nentites: {{"{UAI}": 12}}\ngroupes: {{cd: 3, externe: 4}}\n',
            encoding="utf-8",
        )
        for k, v in {
            "AMICO_ZABBIX_URL": srv.url,
            "AMICO_ZABBIX_UTILISATEUR": srv.user,
            "AMICO_ZABBIX_MOT_DE_PASSE": srv.password,
            "AMICO_GLPI_URL": glpi.url,
            "AMICO_GLPI_APP_TOKEN": "app-token-amico",
            "AMICO_GLPI_USER_TOKEN": "user-token-amico",
            "AMICO_GLPI_ROUTAGE": str(routage),
            "AMICO_STATE_DIR": str(tmp_path / "etat"),
            "AMICO_GLPI_SPOOL": str(tmp_path / "spool"),
        }.items():
            monkeypatch.setenv(k, v)
        remonter = ["supervision", "remonter", "--referentiel", str(REF)]

        lab._podman("exec", AGENT, "systemctl", "stop", "kea-dhcp4-server")
        probleme = "supervision : Service DHCP Kea arrêté"

        def kea_problem():
            srv.verifier_maintenant(client, host, "amico.service")
            return [
                p
                for p in client.call("problem.get", {"output": ["name"]})
                if "DHCP Kea" in p["name"]
            ]

        _wait("problème Kea dans Zabbix", kea_problem)
        main(remonter)
        main(remonter)  # a second pull while it lasts: a followup at most, never a 2nd ticket
        tickets = [t for t in glpi.tickets() if probleme in t["name"]]
        assert len(tickets) == 1, [t["name"] for t in glpi.tickets()]
        ticket = tickets[0]
        assert ticket["entities_id"] == 12 and "se-0679901y" in ticket["content"]
        # the matrix gives R to the contractor (externe) for the supervision of the servers
        assert glpi.assigned_groups(ticket["id"]) == [4]

        lab._podman("exec", AGENT, "systemctl", "start", "kea-dhcp4-server")

        def cleared():
            srv.verifier_maintenant(client, host, "amico.service")
            return not kea_problem()

        _wait("résolution du problème Kea dans Zabbix", cleared)
        main(remonter)
        solved = [t for t in glpi.tickets() if probleme in t["name"]]
        assert len(solved) == 1 and int(solved[0]["status"]) in (5, 6)
    finally:
        glpi.stop()


def test_switch_gets_snmp_interface_secret_community_and_every_macro_is_read(zabbix):
    """Zabbix accepts and stores the switch's SNMP interface (no SNMP device in the lab:
    nothing answers it, only what Zabbix stored is checked); the community is a secret
    global macro Zabbix never gives back; each host macro the sync sets is read by a
    trigger of the host's templates (Zabbix's own ones included)."""
    srv, agent_ip = zabbix
    ref = load(REF)
    client = _client(srv)
    communaute = "labo-communaute-e2e"
    etat = etat_attendu(ref, sites=[UAI], adresses=_lab_addresses(ref, agent_ip))
    synchroniser(client, etat, snmp_community=communaute, renouveler_secrets=True)
    switches = [h.host for h in etat.hosts if h.kind == "commutateur"]
    found = client.call(
        "host.get",
        {
            "output": ["host"],
            "filter": {"host": switches},
            "selectInterfaces": ["type", "ip", "port", "details"],
            "selectParentTemplates": ["host"],
        },
    )
    assert sorted(h["host"] for h in found) == sorted(switches) and switches
    for h in found:
        (iface,) = h["interfaces"]
        assert (iface["type"], iface["port"]) == ("2", "161")
        assert iface["details"]["version"] == "2"
        assert iface["details"]["community"] == "{$SNMP_COMMUNITY}"
        assert [t["host"] for t in h["parentTemplates"]] == ["AMICo commutateur"]
    (macro,) = client.call(
        "usermacro.get",
        {"globalmacro": True, "output": "extend", "filter": {"macro": "{$SNMP_COMMUNITY}"}},
    )
    assert macro["type"] == "1" and communaute not in json.dumps(macro)

    for h in etat.hosts:
        if not h.macros:
            continue
        (hostid,) = [
            x["hostid"]
            for x in client.call("host.get", {"output": ["hostid"], "filter": {"host": [h.host]}})
        ]
        expressions = [
            t["expression"]
            for method in ("trigger.get", "triggerprototype.get")
            for t in client.call(method, {"output": ["expression"], "hostids": [hostid]})
        ]
        for name, _value in h.macros:
            assert any(name[:-1] in e for e in expressions), (h.host, name)


def test_interrupted_sync_lists_what_it_wrote_and_the_next_one_finishes(zabbix):
    srv, agent_ip = zabbix
    ref = load(REF)
    client = _client(srv)
    etat = etat_attendu(ref, sites=[UAI], adresses=_lab_addresses(ref, agent_ip))
    synchroniser(client, etat, snmp_community="labo-communaute")
    # a host made by hand in Zabbix holds the visible name the second host will want:
    # Zabbix refuses that update (visible names are unique), after the first one is done
    taken = "Nom déjà pris à la main"
    client.call(
        "host.create",
        {"host": "manuel-e2e", "name": taken, "groups": [{"groupid": "2"}]},  # Linux servers
    )
    try:
        first, second = etat.hosts[0], etat.hosts[1]
        wanted = [
            replace(first, name=first.name + " (renommé)"),
            replace(second, name=taken),
            *etat.hosts[2:],
        ]
        etat.hosts = wanted
        with pytest.raises(SyncInterrompue) as err:
            synchroniser(client, etat)
        assert "host.update refusé" in str(err.value)
        assert err.value.bilan.mis_a_jour == [first.host] and err.value.bilan.ecritures == 2
        names = {
            h["host"]: h["name"]
            for h in client.call(
                "host.get",
                {"output": ["host", "name"], "filter": {"host": [first.host, second.host]}},
            )
        }
        assert names == {first.host: first.name + " (renommé)", second.host: second.name}
    finally:
        manual = client.call("host.get", {"output": ["hostid"], "filter": {"host": ["manuel-e2e"]}})
        client.call("host.delete", [h["hostid"] for h in manual])
    etat.hosts[1] = second
    done = synchroniser(client, etat)
    assert done.mis_a_jour == [] and done.inchanges == len(etat.hosts)
    etat.hosts[0] = first
    assert synchroniser(client, etat).mis_a_jour == [first.host]
