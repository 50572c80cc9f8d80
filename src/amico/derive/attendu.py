"""What every host of a site should be, computed once from the référentiel.

`preparer(ref, sites, dossier)` writes `dossier/attendu/<UAI>.json` (one small file per
site, read by each host's collect task: everything a host needs, including the prepared
catalogue's path), `dossier/catalogue.json` (the software catalogue and post policy,
prepared once for every post) and `dossier/execution.json` (the run's scope, read by the
merge, never per host).
Only the hosts the inventory hands to the operator are expected (same `build()` as the
inventory plugin: one place decides the perimeter).

Per kind of host:
- commutateur: the switch intent (`amico.commutateurs.intent.intent_from_site`), as the raw
  site dict and the plan's VLANs it is built from;
- serveur_pedagogique: what the roles of playbooks/serveurs.yml install (packages,
  services, ports, shares from the roles' own defaults/vars files) and the Kea subnets of
  the plan;
- nas: the system only (no role describes a NAS yet);
- poste_pedagogique: profile and OS of the post, for the software catalogue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from amico.derive.lot import compacter_site
from amico.logiciels.preparation import preparer as preparer_catalogue
from amico.projet import role_dir
from amico.referentiel.inventory import build
from amico.referentiel.loader import Referentiel
from amico.referentiel.model import Site
from amico.referentiel.plan import site_subnets

PROFIL_DEFAUT = "base"  # as roles/postes_windows (postes_windows__profil)


def _role_yaml(role: str, nom: str) -> dict:
    # the roles the playbooks apply: the project's, else the installed collection's
    return yaml.safe_load((role_dir(role) / nom).read_text(encoding="utf-8")) or {}


# The roles of playbooks/serveurs.yml that install Debian packages (vars/main.yml).
ROLES_PAQUETS = {"socle": "_socle__paquets", "annuaire": "_annuaire__paquets",
                 "dhcp": "_dhcp__paquets", "sauvegarde": "_sauvegarde__paquets"}  # fmt: skip


def roles_serveur() -> dict[str, Any]:
    """What the server roles install (packages, shares, DHCP usages), read from their
    own defaults/vars files."""
    paquets = [p for r, v in ROLES_PAQUETS.items() for p in _role_yaml(r, "vars/main.yml")[v]]
    partages = _role_yaml("partages", "defaults/main.yml")
    dhcp = _role_yaml("dhcp", "defaults/main.yml")
    sauvegarde = _role_yaml("sauvegarde", "defaults/main.yml")
    return {
        "paquets": paquets,
        "partages": [p["nom"] for p in partages["partages__liste"]],
        "dhcp_usages": list(dhcp["dhcp__usages"]),
        "dhcp_actif": bool(dhcp["dhcp__actif"]),
        "sauvegarde_actif": bool(sauvegarde["sauvegarde__actif"]),
    }


# Samba AD DC (tcp 53 DNS, 88 Kerberos, 389 LDAP, 445 SMB), Kea (udp 67)
PORTS_AD = [("tcp", 53), ("tcp", 88), ("tcp", 389), ("tcp", 445)]


def attendu_serveur_pedago(ref: Referentiel, site: Site, role: dict[str, Any]) -> dict:
    subnets = site_subnets(ref.plan, site.bloc_adresses, site.vlans)
    regle = ref.plan.regle
    dhcp = []
    if role["dhcp_actif"]:
        for vid in sorted(subnets):
            sn = subnets[vid]
            v = sn.vlan
            if v.dhcp and v.usage in role["dhcp_usages"] and v.proprietaire == "collectivite":
                vars_ = sn.as_vars(regle)
                dhcp.append(
                    {
                        "id": vid,
                        "subnet": vars_["reseau"],
                        "pool": f"{vars_['dhcp_debut']} - {vars_['dhcp_fin']}",
                    }
                )
    services = {"samba-ad-dc": "actif", "rsyslog": "actif"}
    services.update({u: "masque" for u in ("smbd", "nmbd", "winbind")})
    if dhcp:
        services["kea-dhcp4-server"] = "actif"
    if role["sauvegarde_actif"]:
        services["amico-sauvegarde.timer"] = "actif"
    # chrony: started by the role except in a container (it cannot set the clock there)
    services["chrony"] = "actif_hors_conteneur"
    ports = [list(p) for p in PORTS_AD] + ([["udp", 67]] if dhcp else [])
    return {
        "systeme": "debian12",
        # security support of the Debian releases a server may run (catalogue dates)
        "supports": supports_debian(ref),
        "paquets": role["paquets"],
        "services": services,
        "ports": ports,
        "dhcp": dhcp,
        "kea_config": "/etc/kea/kea-dhcp4.conf",
        "partages": role["partages"],
        "partages_config": "/etc/samba/amico-partages.conf",
    }


def supports_debian(ref: Referentiel) -> dict[str, Any]:
    """debianNN -> its security support today (amico.logiciels: the date decides)."""
    from amico.logiciels import Catalogue

    cat = Catalogue(ref.logiciels.model_dump(mode="json"))
    return {i: cat.support(i) for i in cat.entrees if i.startswith("debian")}


def attendu_site(ref: Referentiel, site: Site, hotes: set[str], role: dict) -> dict[str, Any]:
    plan_vlans = [v.model_dump(mode="json") for v in ref.plan.vlans]
    brut = site.model_dump(mode="json", exclude_none=True)
    out: dict[str, Any] = {
        "uai": site.uai,
        "nom": site.nom,
        "territoire": site.territoire,
        "hotes": {},
    }
    for srv in site.serveurs:
        if srv.nom not in hotes:
            continue
        if srv.role == "serveur_pedagogique":
            out["hotes"][srv.nom] = {
                "type_hote": "serveur_pedagogique",
                "serveur": attendu_serveur_pedago(ref, site, role),
            }
        elif srv.role == "nas":
            out["hotes"][srv.nom] = {"type_hote": "nas", "serveur": {"systeme": srv.systeme}}
    for sw in site.commutateurs:
        if sw.nom in hotes:
            out["hotes"][sw.nom] = {
                "type_hote": "commutateur",
                "commutateur": {"site": brut, "plan_vlans": plan_vlans, "nom": sw.nom},
            }
    for p in site.postes:
        if p.nom in hotes:
            out["hotes"][p.nom] = {
                "type_hote": f"poste_{p.usage}",
                "poste": {"profil": p.profil or PROFIL_DEFAUT, "systeme": p.systeme},
            }
    # the commutateur intent needs the site's switches only: keep the dict small
    brut.pop("postes", None)
    brut.pop("peripheriques", None)
    return out


def sans_detection(ref: Referentiel) -> list[str]:
    """Catalogue entries no rule can detect (never provable: `non vérifiable`)."""
    return sorted(
        lg.id for lg in ref.logiciels.logiciels if not lg.detection and lg.categorie != "systeme"
    )


def attendus(
    ref: Referentiel,
    sites: list[Site],
    operateur: str | None = None,
    phase: str | None = None,
) -> dict[str, dict]:
    """UAI -> expectations of every host of the site handed to the operator."""
    inv = build(ref, operateur=operateur, phase=phase, sites=[s.uai for s in sites])
    hotes = set(inv.hosts)
    role = roles_serveur()
    return {s.uai: attendu_site(ref, s, hotes, role) for s in sites}


def preparer(
    ref: Referentiel,
    sites: list[Site],
    dossier: Path,
    operateur: str | None = None,
    phase: str | None = None,
) -> dict[str, Any]:
    """Write the run's expectations under `dossier`; return the run description."""
    dossier = Path(dossier)
    (dossier / "attendu").mkdir(parents=True, exist_ok=True)
    (dossier / "hotes").mkdir(parents=True, exist_ok=True)
    tous = attendus(ref, sites, operateur, phase)
    coll_of = {t.code: c for c in ref.organisation.collectivites for t in c.territoires}
    # Prepared once for every post of the run (no YAML parsed per host), and handed to
    # each host through its own site's file: no fleet-wide file is read per host.
    catalogue = str(
        preparer_catalogue(
            Path(ref.root) / "catalogue" / "logiciels.yml", dossier / "catalogue.json"
        )
    )
    non_detectables = sans_detection(ref)
    for uai, data in tous.items():
        data = {**data, "catalogue": catalogue, "sans_detection": non_detectables}
        # read by every host of the site: what its switches share, once (lot.lire_site)
        _ecrire_json(dossier / "attendu" / f"{uai}.json", compacter_site(data))
    execution = {
        "format": 1,
        "referentiel": str(ref.root),
        # as the inventory hands them to every host (amico_operateur, amico_phase): the
        # collect's main process loads the perimeter decided for them (lot.precharger)
        "operateur": operateur,
        "phase": phase,
        "catalogue": catalogue,
        "sans_detection": non_detectables,
        "sites": [
            {
                "uai": s.uai,
                "nom": s.nom,
                "territoire": s.territoire,
                "collectivite": coll_of[s.territoire].id,
                "collectivite_nom": coll_of[s.territoire].nom,
                "hotes": {n: h["type_hote"] for n, h in tous[s.uai]["hotes"].items()},
            }
            for s in sites
        ],
    }
    _ecrire_json(dossier / "execution.json", execution)
    return execution


def _ecrire_json(chemin: Path, data: Any) -> None:
    tmp = chemin.with_suffix(chemin.suffix + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(chemin)
