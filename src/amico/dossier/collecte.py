"""Gather, from each switch, the state of its ports and the MAC addresses learnt on them.

Result: ``state_dir("faits", <UAI>) / "<switch>.json"`` (format in
:mod:`amico.dossier.faits`), read by the dossier's patch table.

ADAPTER (to remove when the switch layer offers it): ``amico.switches.drivers`` has no
public command runner (``Driver.read()`` only returns the running configuration).
:func:`run_command` uses ``driver.run(command)`` when a driver has one, and otherwise the
netmiko session both drivers keep in ``driver.conn`` (``send_command``). Asked of the
switch layer: ``Driver.run(command: str) -> str`` (read-only exec command, errors mapped to
``SessionLost``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from amico.dossier.macs import COMMANDS, parse_mac_table, parse_port_status
from amico.state import state_dir


class CollecteError(RuntimeError):
    """A switch could not be read; message in French."""


def run_command(driver, command: str) -> str:
    """ADAPTER: run one read-only exec command through the driver layer (see module doc)."""
    runner = getattr(driver, "run", None)
    if callable(runner):
        return runner(command)
    conn = getattr(driver, "conn", None)
    if conn is None or not hasattr(conn, "send_command"):
        raise CollecteError(
            f"le pilote {type(driver).__name__} n'offre pas d'exécution de commande "
            "(Driver.run manquant)"
        )
    try:
        return conn.send_command(command, read_timeout=60)
    except Exception as exc:  # noqa: BLE001 - netmiko/paramiko errors, mapped to French
        raise CollecteError(f"« {command} » : {type(exc).__name__}: {exc}") from exc


def gather_switch(driver, vendor: str, now: Callable[[], dt.datetime] | None = None) -> dict:
    """Read MAC table and port states from an opened driver; the facts dict to save."""
    commands = COMMANDS[vendor]
    macs_text = run_command(driver, commands["macs"])
    status_text = run_command(driver, commands["etats"])
    when = (now or (lambda: dt.datetime.now(dt.UTC)))()
    ports: dict[str, dict] = {}
    for port, status in parse_port_status(vendor, status_text).items():
        ports.setdefault(port, {"etat": None, "macs": []})["etat"] = status
    for entry in parse_mac_table(vendor, macs_text):
        ports.setdefault(entry.port, {"etat": None, "macs": []})["macs"].append(
            {"mac": entry.mac, "vlan": entry.vlan}
        )
    return {
        "type": "commutateur",
        "date": when.isoformat(timespec="seconds"),
        "fabricant": vendor,
        "ports": {name: ports[name] for name in sorted(ports)},
    }


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
    never stops the others. Returns name -> "ok" or the French error."""
    from amico.switches.drivers import get_driver
    from amico.switches.drivers.base import DriverError

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
            report[switch.nom] = "ok"
        except (DriverError, CollecteError, OSError) as exc:
            report[switch.nom] = str(exc)
    return report
