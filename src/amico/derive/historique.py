"""Drift history in SQLite (`$AMICO_STATE_DIR/derive/historique.sqlite`).

One row per run, per site of the run, and per deviation (ignored ones included, flagged):
the report shows the trend since the previous runs and which deviations are new or gone.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from amico.state import state_dir

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date TEXT NOT NULL,
    perimetre TEXT NOT NULL,
    hotes INTEGER NOT NULL,
    controles INTEGER NOT NULL,
    ecarts INTEGER NOT NULL,
    ignorees INTEGER NOT NULL,
    taux REAL NOT NULL,
    code_sortie INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sites (
    execution INTEGER NOT NULL REFERENCES executions(id),
    uai TEXT NOT NULL,
    taux REAL NOT NULL,
    ecarts INTEGER NOT NULL,
    PRIMARY KEY (execution, uai)
);
CREATE TABLE IF NOT EXISTS ecarts (
    execution INTEGER NOT NULL REFERENCES executions(id),
    uai TEXT NOT NULL,
    hote TEXT NOT NULL,
    regle TEXT NOT NULL,
    objet TEXT NOT NULL,
    statut TEXT NOT NULL,
    attendu TEXT,
    trouve TEXT,
    ignoree INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ecarts_execution ON ecarts(execution);
"""


def chemin_defaut() -> Path:
    return state_dir("derive") / "historique.sqlite"


def cle(e: dict[str, Any]) -> str:
    return f"{e['hote']}|{e['regle']}|{e['objet']}"


class Historique:
    def __init__(self, chemin: str | Path | None = None) -> None:
        self.chemin = Path(chemin) if chemin else chemin_defaut()
        self.chemin.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.chemin)
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Historique:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def precedentes(self, n: int = 10) -> list[dict[str, Any]]:
        """The last `n` runs, oldest first, with their per-site rates."""
        rows = self.db.execute(
            "SELECT id, date, perimetre, hotes, controles, ecarts, ignorees, taux "
            "FROM executions ORDER BY id DESC LIMIT ?",
            (n,),
        ).fetchall()
        out = []
        for r in reversed(rows):
            sites = dict(
                self.db.execute("SELECT uai, taux FROM sites WHERE execution = ?", (r[0],))
            )
            out.append(
                {
                    "id": r[0],
                    "date": r[1],
                    "perimetre": json.loads(r[2]),
                    "hotes": r[3],
                    "controles": r[4],
                    "ecarts": r[5],
                    "ignorees": r[6],
                    "taux": r[7],
                    "sites": sites,
                }
            )
        return out

    def ecarts_de(self, execution: int) -> dict[str, dict[str, Any]]:
        rows = self.db.execute(
            "SELECT uai, hote, regle, objet, statut, attendu, trouve, ignoree "
            "FROM ecarts WHERE execution = ?",
            (execution,),
        )
        out = {}
        for uai, hote, regle, objet, statut, attendu, trouve, ign in rows:
            e = {
                "uai": uai,
                "hote": hote,
                "regle": regle,
                "objet": objet,
                "statut": statut,
                "attendu": attendu,
                "trouve": trouve,
                "ignoree": bool(ign),
            }
            out[cle(e)] = e
        return out

    def enregistrer(self, resultat: dict[str, Any]) -> int:
        r = resultat["resume"]
        with self.db:
            cur = self.db.execute(
                "INSERT INTO executions (date, perimetre, hotes, controles, ecarts, ignorees, "
                "taux, code_sortie) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    resultat["genere_le"],
                    json.dumps([s["uai"] for s in resultat["sites"]]),
                    r["hotes"],
                    r["controles"],
                    r["ecarts"],
                    r["ignorees"],
                    r["taux_conformite"],
                    r["code_sortie"],
                ),
            )
            ident = int(cur.lastrowid)
            self.db.executemany(
                "INSERT INTO sites (execution, uai, taux, ecarts) VALUES (?, ?, ?, ?)",
                [(ident, s["uai"], s["taux_conformite"], s["ecarts"]) for s in resultat["sites"]],
            )
            self.db.executemany(
                "INSERT INTO ecarts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        ident,
                        e["uai"],
                        e["hote"],
                        e["regle"],
                        e["objet"],
                        e["statut"],
                        e["attendu"],
                        e["trouve"],
                        1 if e.get("ignore") else 0,
                    )
                    for e in resultat["ecarts"]
                ],
            )
        return ident
