"""Campaigns that span days: per-host last status, progress per site, hosts to retry.

A campaign state file (JSON) accumulates each run's per-host results: the last status of
every post, how many attempts, when it was last seen. Posts that were injoignable
(off: wake them with `amico logiciels reveil`), in échec, or whose installs were deferred
(pending reboot, low disk) are listed in `a_relancer`, for `--limit`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from .evaluation import DERIVE_INJOIGNABLE, INJOIGNABLE


def statut_hote(resultat: dict[str, Any] | None) -> dict[str, Any]:
    """Summary of one host's registered result (None or unreachable -> injoignable)."""
    if not resultat or resultat.get("unreachable") or "derive" not in resultat:
        msg = (resultat or {}).get("msg") or "aucune réponse"
        return {
            "derive": DERIVE_INJOIGNABLE,
            "resume": {INJOIGNABLE: 1},
            "echecs": [],
            "reportees": 0,
            "actions": 0,
            "appels_distants": 0,
            "message": msg,
        }
    plan = resultat.get("plan") or {}
    return {
        "derive": resultat["derive"],
        "resume": resultat.get("resume") or {},
        "echecs": resultat.get("echecs") or [],
        "reportees": len(plan.get("reportees") or []),
        "actions": len(plan.get("actions") or []),
        "appels_distants": resultat.get("appels_distants", 0),
        "redemarrage": resultat.get("redemarrage"),
    }


def fusionner(
    etat: dict[str, Any],
    resultats: dict[str, dict[str, Any] | None],
    sites: dict[str, str],
    *,
    maintenant: dt.datetime | None = None,
) -> dict[str, Any]:
    quand = (maintenant or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    etat.setdefault("debut", quand)
    postes = etat.setdefault("postes", {})
    for hote, res in resultats.items():
        st = statut_hote(res)
        precedent = postes.get(hote) or {}
        st["site"] = sites.get(hote) or precedent.get("site") or "?"
        st["tentatives"] = int(precedent.get("tentatives", 0)) + 1
        st["dernier_passage"] = quand
        if st["derive"] != DERIVE_INJOIGNABLE:
            st["derniere_reponse"] = quand
        elif precedent.get("derniere_reponse"):
            st["derniere_reponse"] = precedent["derniere_reponse"]
        postes[hote] = st
    etat["dernier_passage"] = quand
    etat["progression"] = progression(etat)
    return etat


def progression(etat: dict[str, Any]) -> dict[str, Any]:
    par_site: dict[str, dict[str, int]] = {}
    a_relancer = []
    for hote, st in sorted((etat.get("postes") or {}).items()):
        s = par_site.setdefault(
            st.get("site", "?"),
            {"total": 0, "conforme": 0, "non conforme": 0, "non vérifiable": 0, "injoignable": 0},
        )
        s["total"] += 1
        s[st["derive"]] = s.get(st["derive"], 0) + 1
        if st["derive"] == DERIVE_INJOIGNABLE or st.get("echecs") or st.get("reportees"):
            a_relancer.append(hote)
    for s in par_site.values():
        s["pourcentage_conforme"] = (
            round(100 * s["conforme"] / s["total"], 1) if s["total"] else 0.0
        )
    return {"sites": par_site, "a_relancer": a_relancer}


def charger(chemin: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(chemin)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}


def enregistrer(chemin: str | os.PathLike[str], etat: dict[str, Any]) -> None:
    p = Path(chemin)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(json.dumps(etat, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(p)
