"""AMICo's Zabbix templates, one per kind of supervised object, as a Zabbix 6.0 export.

Each template links the template Zabbix itself ships for the platform (Linux by Zabbix
agent, Network Generic Device by SNMP, ICMP Ping) and adds what the référentiel cares
about: the collège services (Samba AD, Kea, restic freshness and restore test) read
through the agent keys that the server role declares (`amico.*` UserParameters, see
roles/supervision_agent), with triggers whose thresholds are user macros the sync sets
from `referentiel/supervision.yml`.
The export carries a version macro (a hash of its own content): the sync imports it only
when the version in Zabbix differs, so a second sync writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid

GROUP = "Templates/AMICo"
VERSION_MACRO = "{$AMICO.MODELE.VERSION}"

NAMES = {
    "serveur": "AMICo serveur pedagogique",
    "nas": "AMICo NAS",
    "commutateur": "AMICo commutateur",
    "liaison": "AMICo liaison de site",
}
BASE = {
    "serveur": "Linux by Zabbix agent",
    "nas": "Linux by Zabbix agent",
    "commutateur": "Network Generic Device by SNMP",
    "liaison": "ICMP Ping",
}


def _uuid(*parts: str) -> str:
    # Zabbix wants version-4 UUIDs; derive them from the names so that exports are stable
    digest = hashlib.sha256(("amico/" + "/".join(parts)).encode()).digest()[:16]
    return uuid.UUID(bytes=digest, version=4).hex


def _item(tpl: str, key: str, name: str, value_type: str, delay: str, triggers: list) -> dict:
    return {
        "uuid": _uuid(tpl, key),
        "name": name,
        "key": key,
        "delay": delay,
        "value_type": value_type,
        "tags": [{"tag": "component", "value": "amico"}],
        "triggers": triggers,
    }


def _trigger(tpl: str, expression: str, name: str, priority: str) -> dict:
    return {
        "uuid": _uuid(tpl, name),
        "expression": expression,
        "name": name,
        "priority": priority,
        "tags": [{"tag": "amico.probleme", "value": _uuid(name)[:8]}],
    }


def _services(tpl: str) -> dict:
    """Discovery of the systemd units the server runs for the collège: the agent role lists
    them (roles/supervision_agent, from what the server role deploys), so a server without
    Kea never raises a "Kea stopped" problem."""
    key = "amico.service[{#UNITE}]"
    return {
        "uuid": _uuid(tpl, "amico.services.decouverte"),
        "name": "Services du collège",
        "key": "amico.services.decouverte",
        "delay": "10m",
        "item_prototypes": [
            {
                "uuid": _uuid(tpl, key),
                "name": "Service {#LIBELLE} ({#UNITE})",
                "key": key,
                "delay": "30s",
                "value_type": "CHAR",
                "tags": [{"tag": "component", "value": "amico"}],
                "trigger_prototypes": [
                    _trigger(
                        tpl,
                        f'last(/{tpl}/{key})<>"active"',
                        "Service {#LIBELLE} arrêté sur {HOST.NAME}",
                        "HIGH",
                    ),
                ],
            }
        ],
    }


def _serveur() -> dict:
    tpl = NAMES["serveur"]
    items = []
    key = "amico.sauvegarde.age"
    items.append(
        _item(
            tpl,
            key,
            "Âge de la dernière sauvegarde restic (s)",
            "UNSIGNED",
            "5m",
            [
                _trigger(
                    tpl,
                    f"last(/{tpl}/{key})>{{$AMICO.SAUVEGARDE.AGE.MAX}}",
                    "Sauvegarde trop ancienne sur {HOST.NAME}",
                    "HIGH",
                ),
            ],
        )
    )
    key = "amico.restauration.resultat"
    items.append(
        _item(
            tpl,
            key,
            "Dernier test de restauration (1 = réussi)",
            "UNSIGNED",
            "5m",
            [
                _trigger(
                    tpl,
                    f"last(/{tpl}/{key})<>1",
                    "Dernier test de restauration en échec sur {HOST.NAME}",
                    "AVERAGE",
                ),
            ],
        )
    )
    return {"items": items, "discovery_rules": [_services(tpl)]}


def export() -> dict:
    templates = []
    for kind, name in NAMES.items():
        body = _serveur() if kind == "serveur" else {}
        templates.append(
            {
                "uuid": _uuid(name),
                "template": name,
                "name": name,
                "description": (
                    "Modèle géré par AMICo (amico supervision synchroniser) : ne pas modifier."
                ),
                "templates": [{"name": BASE[kind]}],
                "groups": [{"name": GROUP}],
                **body,
            }
        )
    data = {
        "zabbix_export": {
            "version": "6.0",
            "groups": [{"uuid": _uuid(GROUP), "name": GROUP}],
            "templates": templates,
        }
    }
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    for t in templates:
        t["macros"] = [{"macro": VERSION_MACRO, "value": digest}]
    return data


def version() -> str:
    return export()["zabbix_export"]["templates"][0]["macros"][0]["value"]
