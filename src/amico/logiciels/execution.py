"""One post, end to end: collect (1 remote call), evaluate, plan, apply + re-detect (1 call).

The remote side is a callable `distant(parametres) -> dict` that runs `collecteur.ps1`
with those parameters and returns its JSON: through WinRM/PSRP
(`ansible.windows.win_powershell`, see plugins/action/logiciels_conformite.py) or through
the host's configured transport (`transports.distant`, e.g. the lab's stand-in registered
as `simule`). A conforme post costs one remote call; a post
with work costs two (the apply call re-runs the collector itself so re-detection is
real, not a trust in exit codes); check mode always costs one.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from .analyse import Politique, analyser_poste
from .catalogue import Catalogue
from .evaluation import CONFORME, ECHEC, LIBELLES, Evaluateur, Resultat, derive_poste
from .plan import CODES_REDEMARRAGE, Plan, dans_fenetre, planifier

Distant = Callable[[dict[str, Any]], dict[str, Any]]


@functools.cache
def script_collecteur() -> str:
    """The PowerShell collector's text (sent as is to the post), read once per process."""
    return resources.files("amico.logiciels").joinpath("collecteur.ps1").read_text(encoding="utf-8")


def parametres_powershell(parametres: dict[str, Any]) -> dict[str, Any]:
    """collecteur.ps1's parameters: dicts and lists travel as JSON strings (`<Name>Json`)."""
    sortie: dict[str, Any] = {}
    for cle, valeur in parametres.items():
        if isinstance(valeur, dict | list):
            sortie[f"{cle}Json"] = json.dumps(valeur, ensure_ascii=False)
        else:
            sortie[cle] = valeur
    return sortie


def traiter_poste(
    catalogue: Catalogue,
    evaluateur: Evaluateur,
    poste: dict[str, Any],
    distant: Distant,
    *,
    appliquer: bool = True,
    verification: bool = False,
    partage: str = "",
    fenetre_maintenance: str | None = None,
    maintenant: dt.datetime | None = None,
    espace_libre_min_mo: int = 2048,
    delai_installation_s: int = 3600,
    politique: Politique | None = None,
    site: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Collect, evaluate, plan and (unless `verification`, i.e. check mode) apply.

    With a `politique` (referentiel/catalogue/postes.yml), the report also holds `analyse`:
    licences, antivirus and unlisted software read from the same (last) collect."""
    site = site or {}

    def fin(rapport, collecte, resultats, plan, simulation):
        rapport = _finir(rapport, collecte, resultats, plan, simulation)
        if politique is not None:
            rapport["analyse"] = analyser_poste(
                collecte,
                evaluateur,
                politique,
                str(site.get("uai") or ""),
                str(site.get("territoire") or ""),
            )
        return rapport

    profil = str(poste.get("profil") or "")
    systeme = poste.get("systeme") or None
    demande = catalogue.demande(profil, systeme)
    collecte = distant(parametres_powershell({"Mode": "collecte", "Demande": demande}))
    resultats = evaluateur.evaluer(collecte, profil, systeme)
    redemarrage_autorise = dans_fenetre(fenetre_maintenance, maintenant)
    plan = planifier(
        catalogue,
        resultats,
        collecte,
        redemarrage_autorise=redemarrage_autorise,
        espace_libre_min_mo=espace_libre_min_mo,
    )
    rapport: dict[str, Any] = {
        "poste": poste.get("nom"),
        "profil": profil,
        "systeme_catalogue": systeme,
        "appels_distants": 1,
        "changed": False,
        "executions": [],
        "redemarrage": {
            "en_attente": bool((collecte.get("redemarrage") or {}).get("en_attente")),
            "lance": False,
            "autorise": redemarrage_autorise,
        },
    }
    if verification or not appliquer or not (plan.actions or plan.redemarrer_avant):
        return fin(rapport, collecte, resultats, plan, verification or not appliquer)

    if plan.redemarrer_avant:
        sortie = distant(parametres_powershell({"Mode": "redemarrer", "Demande": demande}))
        rapport["appels_distants"] += 1
        rapport["changed"] = True
        rapport["redemarrage"]["lance"] = bool(sortie.get("redemarrage_lance"))
        return fin(rapport, collecte, resultats, plan, False)

    sortie = distant(
        parametres_powershell(
            {
                "Mode": "appliquer",
                "Demande": demande,
                "Actions": [a.en_dict() for a in plan.actions],
                "Partage": partage,
                "RedemarrageAutorise": redemarrage_autorise,
                "DelaiSecondes": delai_installation_s,
            }
        )
    )
    rapport["appels_distants"] += 1
    rapport["changed"] = True
    executions = sortie.get("executions") or []
    rapport["executions"] = executions
    apres = sortie.get("collecte") or {}
    nouveaux = evaluateur.evaluer(apres, profil, systeme)
    par_id = {r.id: r for r in nouveaux}
    for ex in executions:
        r = par_id.get(ex.get("id"))
        if r is None:
            continue
        ok = ex.get("code") in (ex.get("codes_retour_ok") or [])
        if not ok:
            r.statut = ECHEC
            r.remarque = f"{ex.get('action')} : code de retour {ex.get('code')} non accepté" + (
                f" ({ex['erreur']})" if ex.get("erreur") else ""
            )
        elif r.statut != CONFORME:
            vu = LIBELLES[r.statut]
            r.statut = ECHEC
            r.remarque = (
                f"{ex.get('action')} terminé (code {ex.get('code')}) mais "
                f"toujours {vu} à la re-détection"
            )
    redem = any(ex.get("code") in CODES_REDEMARRAGE for ex in executions) or bool(
        (apres.get("redemarrage") or {}).get("en_attente")
    )
    rapport["redemarrage"].update({"requis": redem, "lance": bool(sortie.get("redemarrage_lance"))})
    return fin(rapport, apres or collecte, nouveaux, plan, False)


def _finir(
    rapport: dict[str, Any],
    collecte: dict[str, Any],
    resultats: list[Resultat],
    plan: Plan,
    simulation: bool,
) -> dict[str, Any]:
    rapport["systeme"] = collecte.get("systeme")
    rapport["disque"] = collecte.get("disque")
    rapport["statuts"] = [r.en_dict() for r in resultats]
    rapport["derive"] = derive_poste([r.statut for r in resultats])
    rapport["echecs"] = [r.id for r in resultats if r.statut == ECHEC]
    rapport["plan"] = plan.en_dict()
    rapport["simulation"] = simulation
    if simulation:
        rapport["changed"] = bool(plan.actions or plan.redemarrer_avant)
    resume: dict[str, int] = {}
    for r in resultats:
        resume[r.statut] = resume.get(r.statut, 0) + 1
    rapport["resume"] = resume
    return rapport
