"""Wave state: an append-only journal per wave under state_dir("vagues").

    vagues/<id>.jsonl   one JSON event per line: {cle, etape, statut, ...}
    verrous/vagues.lock lock (amico.state.verrou): one wave run at a time on a controller

`id` is derived from the manifest's bytes. A post is identified by `cle` (serial number
folded + normalised MAC), the same in every wave, so what another wave (or an earlier
version of the same manifest) already did is never done again. Steps: `referentiel`
(fait), `glpi` (fait | spool | rejet), `catalogue` (en_attente | fait | echec |
sans_objet). The latest event of a (cle, etape) wins. Events are flushed at once (a
crashed process loses nothing written before) and fsynced at each checkpoint.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

from amico import state as _state
from amico.state import state_dir


def wave_id(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:12]


def directory() -> Path:
    return state_dir("vagues")


# the one run-lock implementation (amico.state): names the run holding it
VerrouOccupe = _state.VerrouOccupe


def verrou(timeout: float = 5.0) -> contextlib.AbstractContextManager:
    """One wave run at a time: it writes the wave state AND the référentiel's sites."""
    return _state.verrou(
        "vagues", "La vague d'équipement (état des vagues et référentiel)", attente=timeout
    )


class Journal:
    def __init__(self, ident: str):
        self.ident = ident
        self.path = directory() / f"{ident}.jsonl"
        self._fh = None

    def __enter__(self) -> Journal:
        self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        return self

    def __exit__(self, *exc) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None

    def record(self, cle: str, etape: str, statut: str, **data) -> dict:
        event = {
            "t": round(time.time(), 3),
            "vague": self.ident,
            "cle": cle,
            "etape": etape,
            "statut": statut,
            **data,
        }
        self._fh.write(json.dumps(event, ensure_ascii=False) + "\n")
        self._fh.flush()
        return event

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())


def read_events(path: Path) -> list[dict]:
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a crash: the step is simply done again
    return out


def latest(paths: list[Path] | None = None) -> dict[str, dict[str, dict]]:
    """cle -> etape -> latest event, over the given journals (default: every wave)."""
    if paths is None:
        paths = sorted(directory().glob("*.jsonl"))
    out: dict[str, dict[str, dict]] = {}
    for path in paths:
        for ev in read_events(path):
            steps = out.setdefault(ev["cle"], {})
            old = steps.get(ev["etape"])
            if old is None or ev.get("t", 0) >= old.get("t", 0):
                steps[ev["etape"]] = ev
    return out
