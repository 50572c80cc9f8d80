"""Statuses, rules and the per-host result shared by collect, merge and report.

The four drift statuses are the catalogue's (`amico.logiciels.evaluation`), so a Windows
post's evaluation maps onto them without translation. Order of gravity (worst first):
injoignable > non conforme > non vérifiable > conforme.
"""

from __future__ import annotations

from typing import Any

from amico.logiciels.evaluation import (
    DERIVE_CONFORME as CONFORME,
)
from amico.logiciels.evaluation import (
    DERIVE_INJOIGNABLE as INJOIGNABLE,
)
from amico.logiciels.evaluation import (
    DERIVE_NON_CONFORME as NON_CONFORME,
)
from amico.logiciels.evaluation import (
    DERIVE_NON_VERIFIABLE as NON_VERIFIABLE,
)

FORMAT = 1
STATUTS = (CONFORME, NON_CONFORME, INJOIGNABLE, NON_VERIFIABLE)
GRAVITE = {CONFORME: 0, NON_VERIFIABLE: 1, NON_CONFORME: 2, INJOIGNABLE: 3}
IGNOREE = "ignorée"  # a non-conforme finding silenced by the ignore list (report only)

# Rule id -> French label (report). One rule = one kind of check; `objet` says on what.
REGLES: dict[str, str] = {
    "hote.joignable": "Hôte joignable (collecte possible)",
    "commutateur.vlan": "VLAN du plan d'adressage présents, et eux seuls",
    "commutateur.vlan_academie": "VLAN de l'Académie attendus sur le commutateur",
    "commutateur.port": "Ports : mode, VLAN, description",
    "commutateur.management": "Adresse de management",
    "commutateur.nom_hote": "Nom d'hôte",
    "commutateur.liaison": "Liaisons montantes du référentiel (vers) vues par LLDP",
    "serveur.systeme": "Système (version de Debian)",
    "serveur.support": "Système encore sous support de sécurité (date du référentiel)",
    "serveur.paquet": "Paquets du rôle installés",
    "serveur.service": "Services actifs et activés (ou masqués)",
    "serveur.port_ecoute": "Ports en écoute",
    "serveur.dhcp": "Sous-réseaux DHCP (Kea) selon le plan d'adressage",
    "serveur.partage": "Partages Samba du rôle",
    "poste.logiciel": "Logiciels du profil (présence, version)",
    "poste.fin_de_vie": "Logiciels ou système en fin de vie encore installés",
    "poste.interdit": "Logiciels interdits absents",
    "poste.activation": "Licences Windows et Office activées (canal attendu)",
    "poste.antivirus": "Antivirus exigé par l'Académie actif et à jour",
    "poste.non_reference": "Logiciels hors référentiel (non référencés, art. 4-4-1)",
}

# Rules that a read-only collect cannot prove, and why (shown in the report).
NON_PROUVABLES = {
    "poste.logiciel": "un logiciel du catalogue sans règle de détection ne peut être constaté",
}


def pire(statuts) -> str:
    """Worst status of an iterable of statuses (conforme when empty)."""
    out = CONFORME
    for s in statuts:
        if GRAVITE[s] > GRAVITE[out]:
            out = s
    return out


def constat(
    regle: str,
    objet: str,
    statut: str,
    attendu: Any = None,
    trouve: Any = None,
    detail: str = "",
) -> dict[str, Any]:
    """One check on one host: a plain dict (JSON as is)."""
    if regle not in REGLES:
        raise ValueError(f"règle inconnue : {regle}")
    if statut not in GRAVITE:
        raise ValueError(f"statut inconnu : {statut}")
    return {
        "regle": regle,
        "objet": objet,
        "statut": statut,
        "attendu": None if attendu is None else str(attendu),
        "trouve": None if trouve is None else str(trouve),
        "detail": detail,
    }


def resultat_hote(
    hote: str, uai: str, type_hote: str, constats: list[dict], duree_s: float = 0.0
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "hote": hote,
        "uai": uai,
        "type_hote": type_hote,
        "statut": pire(c["statut"] for c in constats),
        "constats": constats,
        "duree_s": round(duree_s, 3),
    }


def constats_guichet(resultat: dict[str, Any]) -> list[dict[str, str]]:
    """`amico_constats` for the GLPI callback (plugins/callback/glpi.py): one per check,
    `derive` / `ignoree` / `conforme`, so a resolved deviation closes its ticket."""
    out = []
    for c in resultat["constats"]:
        if c["statut"] == CONFORME:
            etat, detail = "conforme", ""
        else:
            etat = "ignoree" if c.get("ignore") else "derive"
            detail = f"{c['statut']} : attendu {c['attendu']} ; trouvé {c['trouve']}"
            if c.get("detail"):
                detail += f" ({c['detail']})"
        out.append({"probleme": f"{c['regle']} {c['objet']}", "etat": etat, "detail": detail})
    return out
