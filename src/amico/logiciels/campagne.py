"""Campaigns that span days: per-host last status, progress per site, hosts to retry.

A campaign folder keeps one JSON file per post (`postes/<host>.json`): its last status,
how many attempts, when it was last seen. Each host writes only its own file, so a
playbook sliced over several AWX nodes (job slicing) never races on a shared file; the
campaign view (progress per site) is merged when read. Posts that were injoignable
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
    analyse = resultat.get("analyse") or {}
    return {
        # licences / antivirus / unlisted software of the last collect (per-site reports)
        "analyse": {
            "activation": analyse.get("activation"),
            "antivirus": {k: (analyse.get("antivirus") or {}).get(k) for k in ("statut", "detail")},
            "non_references": analyse.get("non_references") or [],
            "autorises": analyse.get("autorises") or [],
        }
        if analyse
        else None,
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


def charger(dossier: str | os.PathLike[str]) -> dict[str, Any]:
    """The campaign: every post's file of the folder merged, with its progress."""
    postes = {}
    for fichier in sorted(Path(dossier, "postes").glob("*.json")):
        postes[fichier.stem] = json.loads(fichier.read_text(encoding="utf-8"))
    if not postes:
        return {}
    passages = [p.get("dernier_passage", "") for p in postes.values()]
    etat = {"postes": postes, "dernier_passage": max(passages)}
    etat["progression"] = progression(etat)
    return etat


def enregistrer_poste(
    dossier: str | os.PathLike[str],
    hote: str,
    resultat: dict[str, Any] | None,
    site: str,
    *,
    maintenant: dt.datetime | None = None,
) -> dict[str, Any]:
    """Merge one host's run into its own file; return its new campaign record."""
    fichier = Path(dossier, "postes", f"{hote}.json")
    precedent = json.loads(fichier.read_text(encoding="utf-8")) if fichier.is_file() else {}
    etat = fusionner({"postes": {hote: precedent}} if precedent else {}, {hote: resultat},
                     {hote: site}, maintenant=maintenant)  # fmt: skip
    fichier.parent.mkdir(parents=True, exist_ok=True)
    tmp = fichier.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(etat["postes"][hote], ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(fichier)
    return etat["postes"][hote]


def rapport_sites(etat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per site: licence counts and posts to act on (`analyse.licences_site`), antivirus
    deviations, and unlisted software with the posts that carry it."""
    from .analyse import licences_site

    par_site: dict[str, dict[str, Any]] = {}
    for hote, st in sorted((etat.get("postes") or {}).items()):
        par_site.setdefault(st.get("site", "?"), {})[hote] = st.get("analyse")
    out = {}
    for site, analyses in sorted(par_site.items()):
        logiciels: dict[str, list[str]] = {}
        antivirus = []
        for hote, a in analyses.items():
            for lg in (a or {}).get("non_references") or []:
                logiciels.setdefault(str(lg.get("nom")), []).append(hote)
            av = (a or {}).get("antivirus") or {}
            if av.get("statut") == "non conforme":
                antivirus.append({"poste": hote, "detail": av.get("detail")})
        out[site] = {
            "licences": licences_site(analyses),
            "antivirus_a_traiter": antivirus,
            "non_references": {n: sorted(h) for n, h in sorted(logiciels.items())},
        }
    return out
