"""The action plan: install, upgrade or uninstall only what is not conforme.

- absent -> `installer`, obsolete -> `mettre_a_jour` (the catalog's installer run over the
  top), interdit -> `desinstaller` (catalog command, else MSI product code, else the
  entry's QuietUninstallString/UninstallString), everything else -> no action.
  fin_de_vie, plus_recent and indetermine are reported, never acted on.
- Entries without an `installation` block cannot be installed automatically: they go to
  `manuelles` (reported to the admin).
- Order: uninstalls first (forbidden software, then `conflits` of what gets installed),
  then installs in `dependances` order.
- Pre-checks: a pending reboot defers every action (the post is rebooted first if the
  maintenance window allows it, and the next pass of the campaign installs); too little
  free disk defers installs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from .catalogue import CODES_DESINSTALLATION_DEFAUT, CODES_INSTALLATION_DEFAUT, Catalogue
from .evaluation import ABSENT, INTERDIT, OBSOLETE, Resultat

INSTALLER = "installer"
METTRE_A_JOUR = "mettre_a_jour"
DESINSTALLER = "desinstaller"
CODES_REDEMARRAGE = (3010, 1641)


@dataclass
class Action:
    id: str
    nom: str
    action: str  # installer | mettre_a_jour | desinstaller
    statut_avant: str
    codes_retour_ok: list[int]
    fichier: str | None = None  # installer, relative to the site's software share
    arguments: str = ""
    sha256: str | None = None
    commande: str | None = None  # uninstall command line

    def en_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    manuelles: list[dict[str, str]] = field(default_factory=list)
    reportees: list[dict[str, str]] = field(default_factory=list)
    redemarrer_avant: bool = False
    raison_report: str | None = None

    def en_dict(self) -> dict[str, Any]:
        return {
            "actions": [a.en_dict() for a in self.actions],
            "manuelles": self.manuelles,
            "reportees": self.reportees,
            "redemarrer_avant": self.redemarrer_avant,
            "raison_report": self.raison_report,
        }


def dans_fenetre(fenetre: str | None, maintenant: dt.datetime | None = None) -> bool:
    """True when `maintenant` is inside "HH:MM-HH:MM" (may span midnight). None: never."""
    if not fenetre:
        return False
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(fenetre))
    if not m:
        raise ValueError(f"fenêtre de maintenance illisible {fenetre!r} (attendu HH:MM-HH:MM)")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    debut, fin = h1 * 60 + m1, h2 * 60 + m2
    maintenant = maintenant or dt.datetime.now()
    t = maintenant.hour * 60 + maintenant.minute
    if debut <= fin:
        return debut <= t < fin
    return t >= debut or t < fin


def _commande_desinstallation(res: Resultat) -> list[str]:
    """Uninstall commands derived from the detected uninstall lines (one per product)."""
    commandes: list[str] = []
    for inst in res.instances:
        cle = inst.detail.get("cle") or ""
        ligne = inst.detail
        if re.fullmatch(r"\{[0-9A-Fa-f-]{36}\}", cle):
            c = f"MsiExec.exe /X{cle.upper()} /qn /norestart"
        elif ligne.get("QuietUninstallString"):
            c = ligne["QuietUninstallString"]
        elif ligne.get("UninstallString"):
            c = ligne["UninstallString"]
        else:
            continue
        if c not in commandes:
            commandes.append(c)
    return commandes


def planifier(
    catalogue: Catalogue,
    resultats: list[Resultat],
    collecte: dict[str, Any] | None = None,
    *,
    redemarrage_autorise: bool = False,
    espace_libre_min_mo: int = 0,
) -> Plan:
    plan = Plan()
    par_id = {r.id: r for r in resultats}
    desinst: list[Action] = []
    inst: list[Action] = []
    for res in resultats:
        e = catalogue.entrees[res.id]
        if res.statut in (ABSENT, OBSOLETE):
            if not e.installation or not e.installation.get("fichier"):
                plan.manuelles.append(
                    {
                        "id": e.id,
                        "nom": e.nom,
                        "statut": res.statut,
                        "raison": "aucun installeur au catalogue",
                    }
                )
                continue
            i = e.installation
            inst.append(
                Action(
                    id=e.id,
                    nom=e.nom,
                    action=INSTALLER if res.statut == ABSENT else METTRE_A_JOUR,
                    statut_avant=res.statut,
                    fichier=str(i["fichier"]),
                    arguments=str(i.get("arguments") or ""),
                    sha256=i.get("sha256"),
                    codes_retour_ok=list(i.get("codes_retour_ok") or CODES_INSTALLATION_DEFAUT),
                )
            )
            for c in e.conflits:
                autre = par_id.get(c)
                if autre is not None and autre.instances and c not in [a.id for a in desinst]:
                    desinst.extend(_desinstallations(catalogue, autre))
        elif res.statut == INTERDIT and res.id not in [a.id for a in desinst]:
            actions = _desinstallations(catalogue, res)
            if not actions:
                plan.manuelles.append(
                    {
                        "id": e.id,
                        "nom": e.nom,
                        "statut": res.statut,
                        "raison": "aucune commande de désinstallation connue",
                    }
                )
            desinst.extend(actions)
    plan.actions = desinst + _ordre_dependances(catalogue, inst)
    if not plan.actions:
        return plan
    collecte = collecte or {}
    if (collecte.get("redemarrage") or {}).get("en_attente"):
        plan.raison_report = "redémarrage en attente sur le poste"
        plan.redemarrer_avant = redemarrage_autorise
    else:
        libre = (collecte.get("disque") or {}).get("libre_octets")
        if espace_libre_min_mo and libre is not None and libre < espace_libre_min_mo * 1024 * 1024:
            plan.raison_report = f"espace disque insuffisant ({libre // (1024 * 1024)} Mo libres)"
    if plan.raison_report:
        plan.reportees = [
            {"id": a.id, "action": a.action, "raison": plan.raison_report} for a in plan.actions
        ]
        plan.actions = []
    return plan


def _desinstallations(catalogue: Catalogue, res: Resultat) -> list[Action]:
    e = catalogue.entrees[res.id]
    d = e.desinstallation or {}
    codes = list(d.get("codes_retour_ok") or CODES_DESINSTALLATION_DEFAUT)
    commandes = [str(d["commande"])] if d.get("commande") else _commande_desinstallation(res)
    return [
        Action(
            id=e.id,
            nom=e.nom,
            action=DESINSTALLER,
            statut_avant=res.statut,
            codes_retour_ok=codes,
            commande=c,
        )
        for c in commandes
    ]


def _ordre_dependances(catalogue: Catalogue, actions: list[Action]) -> list[Action]:
    """Stable topological order: an entry comes after the entries it depends on."""
    par_id = {a.id: a for a in actions}
    ordre: list[Action] = []
    etat: dict[str, int] = {}

    def visiter(aid: str, pile: tuple[str, ...]) -> None:
        if etat.get(aid) == 2:
            return
        if aid in pile:
            return  # cycle: keep catalog order (the catalog check reports cycles)
        for dep in catalogue.entrees[aid].dependances:
            if dep in par_id:
                visiter(dep, pile + (aid,))
        etat[aid] = 2
        ordre.append(par_id[aid])

    for a in actions:
        visiter(a.id, ())
    return ordre
