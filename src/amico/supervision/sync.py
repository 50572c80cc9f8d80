"""Bring Zabbix in line with the desired state: read once, compare, write only the difference.

Reads: host groups under AMICo/, the AMICo templates and their base templates, and every
host tagged `amico.gere` (with groups, templates, macros, tags, interfaces): four to five
calls whatever the fleet size. Writes: one call per kind of change (creations are sent as
arrays of at most CREATION_LOT hosts: each call is one transaction in Zabbix, and a
fleet's 700 hosts linked to templates in a single call outlast any web timeout). Hosts
that left the référentiel are disabled, never deleted (their history stays); a host that
comes back is enabled again.
A fault mid-way (API gone, a write refused) raises SyncInterrompue carrying the Bilan of
what was done: every API call is atomic, so nothing is half-written, and the next sync
finishes the job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from amico.supervision import modeles
from amico.supervision.attendu import GROUP_ROOT, TAG_GERE, EtatAttendu, HoteAttendu
from amico.supervision.zabbix import ZabbixClient, ZabbixError

# Zabbix interface types (host interface object, API 6.0)
AGENT, SNMP = 1, 2
STATUS_ENABLED, STATUS_DISABLED = "0", "1"
SNMP_COMMUNITY_MACRO = "{$SNMP_COMMUNITY}"
CREATION_LOT = 100


@dataclass
class Bilan:
    groupes_crees: int = 0
    modeles_importes: bool = False
    crees: list[str] = field(default_factory=list)
    mis_a_jour: list[str] = field(default_factory=list)
    desactives: list[str] = field(default_factory=list)
    reactives: list[str] = field(default_factory=list)
    inchanges: int = 0
    lectures: int = 0
    ecritures: int = 0

    def resume(self) -> str:
        return (
            f"Zabbix : {len(self.crees)} hôte(s) créé(s), {len(self.mis_a_jour)} mis à jour, "
            f"{len(self.desactives)} désactivé(s), {len(self.reactives)} réactivé(s), "
            f"{self.inchanges} inchangé(s), {self.groupes_crees} groupe(s) créé(s)"
            f"{', modèles AMICo importés' if self.modeles_importes else ''} "
            f"({self.lectures} lecture(s), {self.ecritures} écriture(s) d'API)"
        )


class SyncInterrompue(ZabbixError):
    """The sync stopped on a Zabbix error; `bilan` says what was written before."""

    def __init__(self, message: str, bilan: Bilan) -> None:
        super().__init__(message)
        self.bilan = bilan


def _interface(h: HoteAttendu) -> dict:
    if h.kind == "commutateur":
        return {
            "type": SNMP,
            "main": 1,
            "useip": 1,
            "ip": h.address,
            "dns": "",
            "port": "161",
            "details": {"version": 2, "bulk": 1, "community": SNMP_COMMUNITY_MACRO},
        }
    port = "10050"
    return {"type": AGENT, "main": 1, "useip": 1, "ip": h.address, "dns": "", "port": port}


def _same_interface(current: list[dict], wanted: dict) -> bool:
    if len(current) != 1:
        return False
    cur = current[0]
    if str(cur.get("type")) != str(wanted["type"]) or cur.get("ip") != wanted["ip"]:
        return False
    if str(cur.get("port")) != wanted["port"]:
        return False
    if wanted["type"] == SNMP:
        details = cur.get("details") or {}
        return (
            str(details.get("community")) == SNMP_COMMUNITY_MACRO
            and str(details.get("version")) == "2"
        )
    return True


def import_templates(client: ZabbixClient) -> bool:
    """Import the AMICo templates when Zabbix holds another version (or none)."""
    wanted = modeles.version()
    found = client.call(
        "template.get",
        {
            "output": ["host"],
            "filter": {"host": list(modeles.NAMES.values())},
            "selectMacros": ["macro", "value"],
        },
    )
    versions = {
        t["host"]: {m["macro"]: m["value"] for m in t.get("macros", [])}.get(modeles.VERSION_MACRO)
        for t in found
    }
    if len(versions) == len(modeles.NAMES) and set(versions.values()) == {wanted}:
        return False
    rules = {
        "groups": {"createMissing": True},
        "templates": {"createMissing": True, "updateExisting": True},
        "templateLinkage": {"createMissing": True},
        "items": {"createMissing": True, "updateExisting": True, "deleteMissing": True},
        "triggers": {"createMissing": True, "updateExisting": True, "deleteMissing": True},
        "discoveryRules": {"createMissing": True, "updateExisting": True, "deleteMissing": True},
    }
    client.call(
        "configuration.import",
        {"format": "json", "source": json.dumps(modeles.export()), "rules": rules},
    )
    return True


def ensure_snmp_community(client: ZabbixClient, community: str | None, renew: bool) -> None:
    """The SNMP community is a secret global macro: created once, replaced only on demand
    (a secret macro's value cannot be read back to compare)."""
    current = client.call(
        "usermacro.get",
        {"globalmacro": True, "output": ["macro"], "filter": {"macro": SNMP_COMMUNITY_MACRO}},
    )
    if not community:
        if not current:
            raise ZabbixError(
                "communauté SNMP des commutateurs absente : définir AMICO_ZABBIX_SNMP_COMMUNAUTE "
                "(variable d'environnement ou coffre Ansible)"
            )
        return
    if not current:
        client.call(
            "usermacro.createglobal", {"macro": SNMP_COMMUNITY_MACRO, "value": community, "type": 1}
        )
    elif renew:
        client.call(
            "usermacro.updateglobal",
            {"globalmacroid": current[0]["globalmacroid"], "value": community, "type": 1},
        )


def synchroniser(
    client: ZabbixClient,
    etat: EtatAttendu,
    *,
    snmp_community: str | None = None,
    renouveler_secrets: bool = False,
    perimetre_complet: bool = True,
) -> Bilan:
    """Apply `etat`. `perimetre_complet` False (a --site or --territoire sync) never
    disables hosts outside the selection."""
    bilan = Bilan()
    start_r, start_w = client.compteur.lectures, client.compteur.ecritures
    try:
        _appliquer(client, etat, bilan, snmp_community, renouveler_secrets, perimetre_complet)
    except ZabbixError as e:
        raise SyncInterrompue(str(e), bilan) from None
    finally:  # an interrupted sync counts its calls too
        bilan.lectures = client.compteur.lectures - start_r
        bilan.ecritures = client.compteur.ecritures - start_w
    return bilan


def _appliquer(client, etat, bilan, snmp_community, renouveler_secrets, perimetre_complet):
    """Read, compare, write; `bilan` only ever lists what Zabbix accepted."""
    bilan.modeles_importes = import_templates(client)
    if any(h.kind == "commutateur" for h in etat.hosts):
        ensure_snmp_community(client, snmp_community, renouveler_secrets)

    groups = client.call(
        "hostgroup.get",
        {"output": ["name"], "search": {"name": GROUP_ROOT + "/"}, "startSearch": True},
    )
    group_ids = {g["name"]: g["groupid"] for g in groups}
    missing = [g for g in etat.groups if g not in group_ids]
    if missing:
        created = client.call("hostgroup.create", [{"name": g} for g in missing])
        group_ids.update(zip(missing, created["groupids"], strict=True))
        bilan.groupes_crees = len(missing)

    templates = client.call(
        "template.get", {"output": ["host"], "filter": {"host": list(modeles.NAMES.values())}}
    )
    template_ids = {t["host"]: t["templateid"] for t in templates}

    current = client.call(
        "host.get",
        {
            "output": ["host", "name", "status"],
            "tags": [{"tag": TAG_GERE, "operator": 4}],  # 4 = exists
            "selectGroups": ["groupid"],
            "selectParentTemplates": ["templateid"],
            "selectMacros": ["macro", "value"],
            "selectTags": ["tag", "value"],
            "selectInterfaces": ["type", "ip", "port", "details"],
        },
    )
    by_name = {h["host"]: h for h in current}

    creations, updates = [], []
    for h in etat.hosts:
        spec = {
            "host": h.host,
            "name": h.name,
            "groups": [{"groupid": group_ids[g]} for g in h.groups],
            "templates": [{"templateid": template_ids[modeles.NAMES[h.kind]]}],
            "macros": [{"macro": m, "value": v} for m, v in h.macros],
            "tags": [{"tag": k, "value": v} for k, v in sorted(h.tags.items())],
            "interfaces": [_interface(h)],
            "status": STATUS_ENABLED,
        }
        cur = by_name.get(h.host)
        if cur is None:
            creations.append(spec)
            continue
        change = {"hostid": cur["hostid"]}
        if cur["name"] != h.name:
            change["name"] = h.name
        if {g["groupid"] for g in cur["groups"]} != {group_ids[g] for g in h.groups}:
            change["groups"] = spec["groups"]
        linked = {t["templateid"] for t in cur["parentTemplates"]}
        if linked != {template_ids[modeles.NAMES[h.kind]]}:
            change["templates"] = spec["templates"]
        if {(m["macro"], m["value"]) for m in cur["macros"]} != set(h.macros):
            change["macros"] = spec["macros"]
        if {(t["tag"], t["value"]) for t in cur["tags"]} != set(h.tags.items()):
            change["tags"] = spec["tags"]
        if not _same_interface(cur["interfaces"], spec["interfaces"][0]):
            change["interfaces"] = spec["interfaces"]
        if cur["status"] != STATUS_ENABLED:
            change["status"] = STATUS_ENABLED
        if len(change) > 1:
            kind = bilan.reactives if "status" in change else bilan.mis_a_jour
            updates.append((change, kind, h.host))
        else:
            bilan.inchanges += 1

    if perimetre_complet:
        wanted = {h.host for h in etat.hosts}
        for name, cur in sorted(by_name.items()):
            if name not in wanted and cur["status"] == STATUS_ENABLED:
                change = {"hostid": cur["hostid"], "status": STATUS_DISABLED}
                updates.append((change, bilan.desactives, name))

    for i in range(0, len(creations), CREATION_LOT):
        lot = creations[i : i + CREATION_LOT]
        client.call("host.create", lot)
        bilan.crees.extend(spec["host"] for spec in lot)
    for change, kind, name in updates:  # host.update takes one host's interfaces at a time
        client.call("host.update", change)
        kind.append(name)
