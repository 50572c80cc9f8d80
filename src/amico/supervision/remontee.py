"""Open Zabbix problems become GLPI tickets routed by the matrix, like drift findings.

AMICo pulls (`amico supervision remonter`, scheduled in AWX or cron) rather than Zabbix
pushing through a webhook media type: the pull reuses the whole helpdesk path as it is
(routing by the matrix, external ids, one ticket per site, service and problem, followups,
the spool when GLPI is down, replays without duplicates), needs no inbound access to the
controller from the Zabbix server, and a missed run is caught up by the next one instead
of being lost with an undelivered webhook.

A problem is keyed by (site UAI, matrix service, trigger name without the host), so two
servers of a site with the same problem share one ticket. What was reported open is kept
in the state directory; when it clears, a `conforme` finding solves its ticket.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from amico.guichet.routing import Finding
from amico.supervision.attendu import TAG_GERE
from amico.supervision.zabbix import ZabbixClient

_HOST_MACRO = re.compile(r"\s*(sur|on)?\s*\{HOST\.(NAME|HOST)\}\s*", re.IGNORECASE)
ECHEC, CONFORME = "echec", "conforme"


def probleme_de(description: str) -> str:
    """The trigger's name without its host, as the ticket's problem key."""
    text = _HOST_MACRO.sub(" ", description).strip(" :-")
    return "supervision : " + " ".join(text.split())


@dataclass
class Constat:
    findings: list[Finding] = field(default_factory=list)
    ouverts: list[dict] = field(default_factory=list)


def problemes_ouverts(client: ZabbixClient) -> list[dict]:
    """Open problems on AMICo-managed hosts: {uai, service, probleme, hote, detail}."""
    problems = client.call(
        "problem.get",
        {
            "output": ["eventid", "objectid", "name", "clock", "severity"],
            "tags": [{"tag": TAG_GERE, "operator": 4}],
            "selectTags": "extend",
            "source": 0,
            "object": 0,
            "recent": False,
        },
    )
    if not problems:
        return []
    triggers = client.call(
        "trigger.get",
        {
            "output": ["triggerid", "description"],
            "triggerids": [p["objectid"] for p in problems],
            "selectHosts": ["host"],
        },
    )
    by_id = {t["triggerid"]: t for t in triggers}
    out = []
    for p in problems:
        tags = {t["tag"]: t["value"] for t in p.get("tags", [])}
        trig = by_id.get(p["objectid"])
        if not trig or not trig["hosts"] or "amico.uai" not in tags:
            continue
        out.append(
            {
                "uai": tags["amico.uai"],
                "service": tags.get("amico.service", ""),
                "probleme": probleme_de(trig["description"]),
                "hote": trig["hosts"][0]["host"],
                "detail": f"{p['name']} (Zabbix, événement {p['eventid']})",
            }
        )
    return sorted(out, key=lambda o: (o["uai"], o["service"], o["probleme"], o["hote"]))


def constater(ouverts: list[dict], precedents: list[dict]) -> Constat:
    """Findings for the helpdesk: every open problem, and `conforme` for what cleared."""
    out = Constat(ouverts=ouverts)
    now = {(o["uai"], o["service"], o["probleme"]) for o in ouverts}
    for o in ouverts:
        out.findings.append(
            Finding(o["uai"], o["service"], o["probleme"], ECHEC, o["hote"], o["detail"])
        )
    cleared = {}
    for o in precedents:
        key = (o["uai"], o["service"], o["probleme"])
        if key not in now:
            cleared.setdefault(key, o["hote"])
    for (uai, service, probleme), hote in sorted(cleared.items()):
        out.findings.append(
            Finding(uai, service, probleme, CONFORME, hote, "problème résolu dans Zabbix")
        )
    return out


def charger_precedents(path: Path) -> list[dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(
            f"état de la supervision illisible : {path} ({e}) ; le supprimer fera rouvrir "
            "(suivi) les tickets des problèmes encore ouverts, sans doublon"
        ) from None
    return data if isinstance(data, list) else []


def enregistrer(path: Path, ouverts: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ouverts, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
