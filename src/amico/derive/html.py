"""Static, self-contained HTML report (inline CSS, JS and SVG; no CDN, no network)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from amico.derive.modele import CONFORME, INJOIGNABLE, NON_CONFORME, NON_VERIFIABLE, STATUTS
from amico.sorties import json_pour_html

COULEURS = {
    CONFORME: "#2e7d32",
    NON_CONFORME: "#c62828",
    INJOIGNABLE: "#6a1b9a",
    NON_VERIFIABLE: "#f9a825",
    "ignorée": "#78909c",
}


@functools.cache
def _env() -> Environment:
    # built once: compiling the template costs ~0.2 s, more than rendering it
    env = Environment(
        loader=PackageLoader("amico.derive", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda v: f"{v:.1f}".replace(".", ",") + " %"
    return env


def _tendance(resultat: dict[str, Any], largeur: int = 560, hauteur: int = 140) -> dict:
    """Points of the compliance line: previous runs then this one (SVG coordinates)."""
    serie = [(p["date"], p["taux"]) for p in resultat["tendance"]["precedentes"]]
    serie.append((resultat["genere_le"], resultat["resume"]["taux_conformite"]))
    n = len(serie)
    pas = (largeur - 60) / max(1, n - 1)
    points = [
        {
            "x": round(40 + i * pas, 1),
            "y": round(10 + (100 - t) * (hauteur - 30) / 100, 1),
            "date": d[:16].replace("T", " "),
            "taux": t,
        }
        for i, (d, t) in enumerate(serie)
    ]
    return {"points": points, "largeur": largeur, "hauteur": hauteur}


def rendre(resultat: dict[str, Any]) -> str:
    donnees = {
        "ecarts": resultat["ecarts"],
    }
    return (
        _env()
        .get_template("rapport.html.j2")
        .render(
            r=resultat,
            statuts=STATUTS,
            couleurs=COULEURS,
            tendance=_tendance(resultat),
            donnees_json=json_pour_html(donnees),
        )
    )


def ecrire(resultat: dict[str, Any], chemin: str | Path) -> Path:
    chemin = Path(chemin)
    chemin.write_text(rendre(resultat), encoding="utf-8")
    return chemin
