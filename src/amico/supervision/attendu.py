"""What Zabbix should know, derived from the référentiel (through the inventory's perimeter).

One Zabbix host per pedagogical server (agent), per switch (SNMP) and per site link (ICMP
to the site's gateway on the management VLAN). Host groups per collectivité, territory and
site; tags carry the UAI, the kind and the matrix service that routes the problems; user
macros carry the thresholds of `referentiel/supervision.yml`, each one a macro that a
trigger of the linked templates reads (the disk threshold overrides the macro of Zabbix's
own Linux template rather than adding one nothing reads).
The antivirus signature age is not a supervision threshold: posts are not Zabbix hosts,
and the threshold lives once, in the catalogue (`catalogue/postes.yml`,
`antivirus.age_signatures_max_jours`), checked by the drift on every post.
Hosts the operator may not act on (Académie perimeter) never reach Zabbix: the desired
state is built from the same inventory the playbooks get.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from amico.referentiel.findings import Finding
from amico.referentiel.inventory import build
from amico.referentiel.loader import Referentiel, read_yaml

# Tag on every host the sync manages: hosts created by hand in Zabbix are never touched.
TAG_GERE = "amico.gere"
GROUP_ROOT = "AMICo"


DEFAULTS = {
    "seuils": {
        "disque_libre_min_pct": 10,
        "sauvegarde_age_max_h": 26,
    },
    "services": {
        "serveur": "serveurs_peda_supervision",
        "nas": "serveurs_peda_supervision",
        "commutateur": "reseau_equipements_actifs_maintenance",
        "liaison": "ihdeal_routeur_maintenance",
    },
    "vlan_liaison": "management",
}


class SupervisionConfigError(ValueError):
    pass


@dataclass(frozen=True)
class HoteAttendu:
    host: str
    name: str
    kind: str
    uai: str
    address: str
    groups: tuple[str, ...]
    service: str
    macros: tuple[tuple[str, str], ...] = ()

    @property
    def tags(self) -> dict[str, str]:
        return {
            TAG_GERE: "oui",
            "amico.uai": self.uai,
            "amico.type": self.kind,
            "amico.service": self.service,
        }


@dataclass
class EtatAttendu:
    groups: list[str] = field(default_factory=list)
    hosts: list[HoteAttendu] = field(default_factory=list)
    excluded: dict[str, int] = field(default_factory=dict)
    avertissements: list[str] = field(default_factory=list)


def settings(ref: Referentiel) -> dict:
    """`referentiel/supervision.yml` merged over the defaults (the file is optional)."""
    path = Path(ref.root) / "supervision.yml"
    data: dict = {}
    if path.exists():
        findings: list[Finding] = []
        data = read_yaml(path, findings) or {}
        if findings:
            raise SupervisionConfigError("\n".join(f.with_line().format() for f in findings))
        if not isinstance(data, dict):
            raise SupervisionConfigError(f"{path} : un dictionnaire est attendu")
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULTS.items()}
    for key, value in data.items():
        if key not in DEFAULTS:
            raise SupervisionConfigError(
                f"{path} : clé inconnue « {key} » ; clés admises : {', '.join(DEFAULTS)}"
            )
        if isinstance(DEFAULTS[key], dict):
            if value is not None and not isinstance(value, dict):
                raise SupervisionConfigError(f"{path} : {key} : un dictionnaire est attendu")
            if "signatures_age_max_j" in (value or {}):
                raise SupervisionConfigError(
                    f"{path} : {key}.signatures_age_max_j : l'âge maximal des signatures "
                    "antivirus se règle dans catalogue/postes.yml "
                    "(antivirus.age_signatures_max_jours, contrôlé par la dérive sur les "
                    "postes, qui ne sont pas des hôtes Zabbix) ; retirer cette clé"
                )
            unknown = set(value or {}) - set(DEFAULTS[key])
            if unknown:
                raise SupervisionConfigError(
                    f"{path} : {key} : clé(s) inconnue(s) {sorted(unknown)} ; "
                    f"clés admises : {', '.join(DEFAULTS[key])}"
                )
            out[key].update(value or {})
        else:
            out[key] = value
    for key, (low, high) in LIMITES.items():
        value = out["seuils"][key]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise SupervisionConfigError(
                f"{path} : seuils.{key} : « {value} » refusé ; un entier de {low} à {high} "
                "est attendu"
            )
    services = {s.id for s in ref.matrice.services}
    for kind, service in out["services"].items():
        if service not in services:
            raise SupervisionConfigError(
                f"{path} : services.{kind} « {service} » absent de matrice/services.yml ; "
                "donner l'identifiant d'un service de la matrice"
            )
    return out


# Accepted range of each threshold (bounds included).
LIMITES = {"disque_libre_min_pct": (1, 99), "sauvegarde_age_max_h": (1, 24 * 90)}
# Zabbix's "Linux by Zabbix agent" template: its filesystem triggers fire past this used
# percentage (default 90, i.e. 10 % free); a host macro overrides it.
DISQUE_MACRO = "{$VFS.FS.PUSED.MAX.CRIT}"
SAUVEGARDE_MACRO = "{$AMICO.SAUVEGARDE.AGE.MAX}"


def macros(seuils: dict, kind: str) -> tuple[tuple[str, str], ...]:
    """Host macros of one kind of host (only macros a linked template's trigger reads)."""
    disque = (DISQUE_MACRO, str(100 - seuils["disque_libre_min_pct"]))
    if kind == "serveur":
        return (disque, (SAUVEGARDE_MACRO, str(seuils["sauvegarde_age_max_h"] * 3600)))
    if kind == "nas":
        return (disque,)
    return ()


def etat_attendu(
    ref: Referentiel,
    *,
    sites: list[str] | None = None,
    territoires: list[str] | None = None,
    operateur: str | None = None,
    phase: str | None = None,
    adresses: dict[str, str] | None = None,
) -> EtatAttendu:
    """`adresses` replaces the référentiel's address of some hosts (the lab's containers
    answer on podman's network, not on the plan's addresses)."""
    conf = settings(ref)
    adresses = adresses or {}
    inv = build(
        ref,
        operateur=operateur,
        phase=phase,
        sites=sites,
        territoires=territoires,
        inclure_postes=False,
    )
    out = EtatAttendu(excluded=dict(inv.excluded))
    groups: set[str] = set()
    site_groups: dict[str, tuple[str, ...]] = {}
    for name, entry in inv.groups.items():
        site = entry["vars"].get("amico_site")
        if not site:
            continue
        g_coll = f"{GROUP_ROOT}/{site['collectivite']}"
        g_terr = f"{g_coll}/{site['territoire']}"
        g_site = f"{g_terr}/{site['uai']}"
        groups.update((g_coll, g_terr, g_site))
        site_groups[name] = (g_site,)
        gateway = next(
            (v["passerelle"] for v in site["vlans"] if v["usage"] == conf["vlan_liaison"]), None
        )
        if not gateway:
            out.avertissements.append(
                f"{site['uai']} : liaison non supervisée (aucun VLAN « {conf['vlan_liaison']} » "
                "avec passerelle dans le site ; voir vlan_liaison de supervision.yml)"
            )
        else:
            out.hosts.append(
                HoteAttendu(
                    host=f"lien-{site['uai'].lower()}",
                    name=f"Liaison {site['uai']} {site['nom']}"[:128],
                    kind="liaison",
                    uai=site["uai"],
                    address=adresses.get(f"lien-{site['uai'].lower()}", gateway),
                    groups=(g_site,),
                    service=conf["services"]["liaison"],
                )
            )
    for host, vars_ in sorted(inv.hosts.items()):
        memberships = inv.memberships[host]
        site_group = next(g for g in memberships if g in site_groups)
        uai = inv.groups[site_group]["vars"]["amico_uai"]
        if "nas" in memberships:
            kind = "nas"
        elif "serveurs_pedagogiques" in memberships:
            kind = "serveur"
        elif any(g.startswith("commutateurs_") for g in memberships):
            kind = "commutateur"
        else:
            continue
        out.hosts.append(
            HoteAttendu(
                host=host,
                name=host,
                kind=kind,
                uai=uai,
                address=adresses.get(host)
                or str(vars_.get("amico_adresse") or vars_["ansible_host"]),
                groups=site_groups[site_group],
                service=conf["services"][kind],
                macros=macros(conf["seuils"], kind),
            )
        )
    out.groups = sorted(groups)
    out.hosts.sort(key=lambda h: h.host)
    return out
