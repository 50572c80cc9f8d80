"""Merge step: per-host result files -> one run result (JSON schema: resultat.schema.json).

Runs after the collect, on the controller, over `dossier/hotes/*.json`: never inside the
play (no run_once roll-up), so the collect can be sliced across AWX nodes and merged here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from amico.derive import ignorer as ign
from amico.derive.historique import Historique, cle
from amico.derive.modele import (
    CONFORME,
    FORMAT,
    GRAVITE,
    NON_VERIFIABLE,
    REGLES,
    STATUTS,
    constat,
    pire,
    resultat_hote,
)


def _compte() -> dict[str, int]:
    return {s: 0 for s in STATUTS}


def taux(par_statut: dict[str, int], ignorees: int) -> float:
    """Compliance %: conforme checks over checks, ignored deviations left out of both."""
    total = sum(par_statut.values()) - ignorees
    return 100.0 if total <= 0 else round(100.0 * par_statut[CONFORME] / total, 1)


def lire_hotes(dossier: Path) -> dict[str, dict]:
    out = {}
    for f in sorted((Path(dossier) / "hotes").glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        out[data["hote"]] = data
    return out


def fusionner(
    dossier: str | Path,
    ignores: list[ign.Ignore] | None = None,
    maintenant: dt.datetime | None = None,
    historique: Historique | None = None,
) -> dict[str, Any]:
    dossier = Path(dossier)
    maintenant = maintenant or dt.datetime.now().astimezone()
    jour = maintenant.date()
    ignores = ignores or []
    execution = json.loads((dossier / "execution.json").read_text(encoding="utf-8"))
    recus = lire_hotes(dossier)

    hotes_out, ecarts = [], []
    par_regle: dict[str, dict[str, int]] = defaultdict(_compte)
    ign_regle: Counter = Counter()
    sites_out = []
    for site in execution["sites"]:
        s_stat, s_ign, s_hotes = _compte(), 0, Counter()
        for nom, type_hote in site["hotes"].items():
            res = recus.get(nom)
            if res is None:
                res = resultat_hote(
                    nom,
                    site["uai"],
                    type_hote,
                    [
                        constat(
                            "hote.joignable",
                            "collecte",
                            NON_VERIFIABLE,
                            "résultat de collecte",
                            "aucun",
                            "hôte non traité par l'exécution (hors --limit, tranche "
                            "manquante ou exécution interrompue)",
                        )
                    ],
                )
            constats = res["constats"]
            for c in constats:
                c.pop("ignore", None)  # the list of this merge decides
            ign.appliquer(ignores, site["uai"], nom, constats, jour)
            h_stat = _compte()
            for c in constats:
                h_stat[c["statut"]] += 1
                par_regle[c["regle"]][c["statut"]] += 1
                if c.get("ignore"):
                    ign_regle[c["regle"]] += 1
                    s_ign += 1
                if c["statut"] != CONFORME:
                    ecarts.append(
                        {"hote": nom, "uai": site["uai"], "type_hote": res["type_hote"], **c}
                    )
            for k, v in h_stat.items():
                s_stat[k] += v
            effectif = pire(c["statut"] for c in constats if not c.get("ignore"))
            s_hotes[effectif] += 1
            hotes_out.append(
                {
                    "hote": nom,
                    "uai": site["uai"],
                    "type_hote": res["type_hote"],
                    "statut": effectif,
                    "controles": h_stat,
                    "ignorees": sum(1 for c in constats if c.get("ignore")),
                    "duree_s": res.get("duree_s", 0.0),
                }
            )
        n_ecarts = sum(v for k, v in s_stat.items() if k != CONFORME) - s_ign
        sites_out.append(
            {
                "uai": site["uai"],
                "nom": site["nom"],
                "territoire": site["territoire"],
                "collectivite": site["collectivite"],
                "hotes": len(site["hotes"]),
                "hotes_par_statut": {s: s_hotes.get(s, 0) for s in STATUTS},
                "controles": s_stat,
                "ecarts": n_ecarts,
                "ignorees": s_ign,
                "taux_conformite": taux(s_stat, s_ign),
            }
        )
    sites_out.sort(key=lambda s: (s["taux_conformite"], -s["ecarts"], s["uai"]))

    collectivites = {}
    for site in execution["sites"]:
        c = collectivites.setdefault(
            site["collectivite"],
            {
                "id": site["collectivite"],
                "nom": site.get("collectivite_nom", site["collectivite"]),
                "controles": _compte(),
                "ignorees": 0,
                "sites": [],
            },
        )
        c["sites"].append(site["uai"])
    for s in sites_out:
        c = collectivites[s["collectivite"]]
        for k, v in s["controles"].items():
            c["controles"][k] += v
        c["ignorees"] += s["ignorees"]
    for c in collectivites.values():
        c["ecarts"] = sum(v for k, v in c["controles"].items() if k != CONFORME) - c["ignorees"]
        c["taux_conformite"] = taux(c["controles"], c["ignorees"])

    total = _compte()
    for counts in par_regle.values():
        for k, v in counts.items():
            total[k] += v
    n_ign = sum(ign_regle.values())
    n_ecarts = sum(v for k, v in total.items() if k != CONFORME) - n_ign
    hotes_statut = Counter(h["statut"] for h in hotes_out)
    ecarts.sort(
        key=lambda e: (
            bool(e.get("ignore")),
            -GRAVITE[e["statut"]],
            e["uai"],
            e["hote"],
            e["regle"],
        )
    )
    resultat: dict[str, Any] = {
        "format": FORMAT,
        "genere_le": maintenant.isoformat(timespec="seconds"),
        "referentiel": execution.get("referentiel"),
        "resume": {
            "hotes": len(hotes_out),
            "hotes_par_statut": {s: hotes_statut.get(s, 0) for s in STATUTS},
            "controles": sum(total.values()),
            "par_statut": total,
            "ecarts": n_ecarts,
            "ignorees": n_ign,
            "taux_conformite": taux(total, n_ign),
            "statut": "conforme" if n_ecarts == 0 else "écarts",
            "code_sortie": 0 if n_ecarts == 0 else 1,
        },
        "collectivites": sorted(collectivites.values(), key=lambda c: c["taux_conformite"]),
        "sites": sites_out,
        "regles": [
            {
                "regle": r,
                "libelle": REGLES[r],
                "par_statut": par_regle[r],
                "ignorees": ign_regle.get(r, 0),
            }
            for r in REGLES
            if r in par_regle
        ],
        "hotes": sorted(hotes_out, key=lambda h: (-GRAVITE[h["statut"]], h["uai"], h["hote"])),
        "ecarts": ecarts,
        "ignores_expires": ign.expires(ignores, jour),
        "tendance": {"precedentes": [], "nouveaux": [], "resolus": []},
    }
    if historique is not None:
        precedentes = historique.precedentes(10)
        resultat["tendance"]["precedentes"] = [
            {k: p[k] for k in ("id", "date", "taux", "ecarts", "sites")} for p in precedentes
        ]
        if precedentes:
            avant = historique.ecarts_de(precedentes[-1]["id"])
            avant_actifs = {k for k, e in avant.items() if not e["ignoree"]}
            maintenant_actifs = {cle(e) for e in ecarts if not e.get("ignore")}
            resultat["tendance"]["nouveaux"] = sorted(maintenant_actifs - avant_actifs)
            resultat["tendance"]["resolus"] = sorted(avant_actifs - maintenant_actifs)
        resultat["execution"] = historique.enregistrer(resultat)
    return resultat
