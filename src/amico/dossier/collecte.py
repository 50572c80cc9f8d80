"""Gather, from each switch, the state of its ports, the MAC addresses learnt on them and
its LLDP neighbours (read with :mod:`amico.commutateurs.facts`).

Result: ``state_dir("faits", <UAI>) / "<switch>.json"`` (format in
:mod:`amico.dossier.faits`), read by the dossier's patch table and diagram.

One command a switch cannot answer (or prints something unreadable) is a problem noted
in the facts (``problemes``) and in the report; the other commands and the other switches
go on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from amico.commutateurs.facts import (
    ALTERNATIVES,
    COMMANDS,
    CommandRefused,
    TemplateError,
    parse_lldp,
    parse_mac_table,
    parse_port_status,
)
from amico.state import state_dir

_PARSERS = {"macs": parse_mac_table, "etats": parse_port_status, "lldp": parse_lldp}


class CollecteError(RuntimeError):
    """A switch could not be read; message in French."""


def gather_switch(driver, vendor: str, now: Callable[[], dt.datetime] | None = None) -> dict:
    """Read MAC table, port states and LLDP neighbours from an opened driver; the facts
    dict to save. A session lost (DriverError) propagates: nothing more can be read."""
    parsed: dict[str, object] = {}
    problems: list[str] = []
    for key, command in COMMANDS[vendor].items():
        for attempt in (command, *ALTERNATIVES.get(command, ())):
            try:
                parsed[key] = _PARSERS[key](vendor, driver.run(attempt))
                break
            except CommandRefused as exc:  # older image: its own spelling, if any
                refused = f"« {attempt} » : {exc}"
            except TemplateError as exc:
                refused = f"« {attempt} » : {exc}"
                break
        if key not in parsed:
            problems.append(refused)
    when = (now or (lambda: dt.datetime.now(dt.UTC)))()
    ports: dict[str, dict] = {}
    for port, status in (parsed.get("etats") or {}).items():
        ports.setdefault(port, {"etat": None, "macs": []})["etat"] = status
    for entry in parsed.get("macs") or []:
        ports.setdefault(entry.port, {"etat": None, "macs": []})["macs"].append(
            {"mac": entry.mac, "vlan": entry.vlan}
        )
    facts = {
        "type": "commutateur",
        "date": when.isoformat(timespec="seconds"),
        "fabricant": vendor,
        "ports": {name: ports[name] for name in sorted(ports)},
    }
    if "lldp" in parsed:  # unread LLDP is unknown, not "no neighbour" (no link claimed)
        facts["voisins"] = [
            {"port": n.port, "nom": n.name, "port_distant": n.remote_port, "chassis": n.chassis}
            for n in parsed["lldp"]
        ]
    if problems:
        facts["problemes"] = problems
    return facts


def save_facts(uai: str, host: str, facts: dict, root: Path | None = None) -> Path:
    folder = root if root is not None else state_dir("faits", uai)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{host}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(facts, indent=1, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    tmp.replace(path)
    return path


def collect_site(site, targets: dict, driver_factory=None) -> dict[str, str]:
    """Gather every switch of ``site`` having a target (name -> Target); one failing switch
    never stops the others. Returns name -> "ok" (or "ok, avec problèmes : ...") or the
    French error."""
    from amico.commutateurs.drivers import get_driver
    from amico.commutateurs.drivers.base import DriverError

    factory = driver_factory or get_driver
    report: dict[str, str] = {}
    for switch in site.commutateurs:
        target = targets.get(switch.nom)
        if target is None:
            report[switch.nom] = "pas de cible (adresse, identifiants)"
            continue
        try:
            with factory(switch.fabricant, target) as driver:
                facts = gather_switch(driver, switch.fabricant)
            save_facts(site.uai, switch.nom, facts)
            problems = facts.get("problemes")
            report[switch.nom] = "ok" + (
                f", avec problèmes : {'; '.join(problems)}" if problems else ""
            )
        except (DriverError, CollecteError, OSError) as exc:
            report[switch.nom] = str(exc)
        except Exception as exc:  # noqa: BLE001 - one switch's surprise never stops the others
            report[switch.nom] = f"erreur inattendue : {type(exc).__name__}: {exc}"
    return report
