"""Facts gathered by the runs, read by the dossier. Missing or unreadable files are not
errors: the dossier marks the part as "non collecté".

Layout: ``state_dir("faits", <UAI>) / "<host name>.json"``, one file per host, written
atomically by whoever gathers it. Every file carries ``date`` (ISO 8601, when the data
was gathered: this is the date the dossier's footer shows, never the generation time).

Switch (written by :mod:`amico.dossier.collecte`)::

    {"type": "commutateur", "date": "2025-03-02T03:10:00+00:00", "fabricant": "aruba",
     "ports": {"1": {"etat": "up", "macs": [{"mac": "aa:bb:cc:dd:ee:ff", "vlan": 100}]}},
     "voisins": [{"port": "24", "nom": "sw-coeur-0679901y", "port_distant": "10",
                  "chassis": "020000-008003"}],
     "problemes": ["« show interfaces brief » : sortie illisible ..."]}

Port names as the running configuration writes them (IOS full names). ``voisins``: LLDP
neighbours (absent in files gathered before LLDP was read); ``problemes``: the commands
whose output could not be read (absent when none).

Server (expected from the roles of playbooks/serveurs.yml; every key optional)::

    {"type": "serveur", "date": "2025-03-02T03:10:00+00:00",
     "services": [{"nom": "samba-ad-dc", "etat": "actif"}] | ["samba-ad-dc", ...],
     "partages": [{"nom": "classes", "chemin": "/srv/samba/classes"}] | ["classes", ...],
     "sauvegarde": {"statut": "ok", "derniere": "2025-03-02T02:00:00+00:00",
                    "outil": "restic", "depot": "..."},
     "test_restauration": {"date": "2025-02-15", "resultat": "ok", "detail": "..."}}
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from amico.state import state_dir


def facts_dir(uai: str) -> Path:
    return state_dir("faits", uai, create=False)


def read_facts(uai: str, host: str) -> tuple[dict | None, str | None]:
    """(facts, problem): (None, None) when never gathered, (None, message) when unreadable."""
    path = facts_dir(uai) / f"{host}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"faits illisibles ({path.name} : {type(exc).__name__})"
    if not isinstance(data, dict):
        return None, f"faits illisibles ({path.name} : objet JSON attendu)"
    return data, None


def parse_date(text) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def show_date(text) -> str:
    """A gathered timestamp as the dossier prints it: ``2025-03-02 03:10 UTC``."""
    value = parse_date(text)
    if value is None:
        return str(text) if text else ""
    aware = dt.datetime.fromisoformat(str(text)).tzinfo is not None
    if value.time() == dt.time(0) and len(str(text)) <= 10:
        return value.strftime("%Y-%m-%d")
    return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if aware else "")


def latest(dates) -> str | None:
    """The most recent of ISO timestamps (None ignored)."""
    best, best_text = None, None
    for text in dates:
        value = parse_date(text)
        if value is not None and (best is None or value > best):
            best, best_text = value, text
    return best_text
