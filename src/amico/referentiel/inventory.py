"""Turn the référentiel into an Ansible inventory (groups, hosts, vars), as plain data.

The inventory plugin is a thin loop over `build()`'s result; the benchmark and the tests
call `build()` directly. Site-wide and per-kind data go in group vars (computed once),
never repeated on every host: each host var costs on every host in ansible-core.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from amico.referentiel.loader import Referentiel
from amico.referentiel.matrice import actors_with, may_act, services_by_id
from amico.referentiel.perimetre import type_autorise
from amico.referentiel.plan import site_subnets

# host kind -> (group name, connection group)
KIND_GROUPS = {
    "poste_pedagogique": "postes_pedagogiques",
    "poste_administratif": "postes_administratifs",
    "serveur_pedagogique": "serveurs_pedagogiques",
    "serveur_administratif": "serveurs_administratifs",
    "commutateur": "commutateurs",
    "pare_feu": "pare_feux",
    "peripherique_pedagogique": "peripheriques_pedagogiques",
    "peripherique_administratif": "peripheriques_administratifs",
}

# Connection settings per kind of host. The lab overlays its own (127.0.0.1 ports,
# container names) on top; the addresses of the plan are never contacted by tests.
CONNECTION_VARS = {
    "linux": {
        "ansible_connection": "ssh",
        "ansible_user": "amico",
        "ansible_become": True,
        "ansible_python_interpreter": "/usr/bin/python3",
    },
    "windows": {
        # HTTPS with certificate validation by default (never plain HTTP, never "ignore")
        "ansible_connection": "winrm",
        "ansible_port": 5986,
        "ansible_winrm_scheme": "https",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_server_cert_validation": "validate",
        "ansible_shell_type": "powershell",
    },
    "commutateurs_aruba": {"amico_pilote": "aruba", "ansible_network_os": "hp_procurve"},
    "commutateurs_cisco": {"amico_pilote": "cisco", "ansible_network_os": "cisco.ios.ios"},
    # switches are driven from the controller by amico's netmiko/napalm drivers (the
    # inventory plugin adds the controller's own Python as their interpreter)
    "commutateurs": {"ansible_connection": "local"},
}
PSRP_VARS = {
    "ansible_connection": "psrp",
    "ansible_port": 5986,
    "ansible_psrp_protocol": "https",
    "ansible_psrp_cert_validation": "validate",
}


def group_name(text: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", text.lower())


@dataclass
class InventoryData:
    groups: dict[str, dict] = field(default_factory=dict)  # name -> {vars, children}
    hosts: dict[str, dict] = field(default_factory=dict)  # name -> host vars
    memberships: dict[str, list[str]] = field(default_factory=dict)  # host -> groups
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> count

    def group(self, name: str, parent: str | None = None, vars_: dict | None = None) -> str:
        entry = self.groups.setdefault(name, {"vars": {}, "children": []})
        if vars_:
            entry["vars"].update(vars_)
        if parent is not None:
            parent_entry = self.groups.setdefault(parent, {"vars": {}, "children": []})
            if name not in parent_entry["children"]:
                parent_entry["children"].append(name)
        return name

    def add(self, host: str, vars_: dict, groups: list[str]) -> None:
        self.hosts[host] = vars_
        self.memberships[host] = groups

    def skip(self, reason: str) -> None:
        self.excluded[reason] = self.excluded.get(reason, 0) + 1


class InventaireInvalide(ValueError):
    """An inventory option names nothing the référentiel knows (message in French)."""


def check_options(
    ref: Referentiel,
    operateur: str | None,
    phase: str | None,
    sites: list[str] | None,
    territoires: list[str] | None,
) -> None:
    """Refuse an option that would silently select nothing (a typo in `operateur` gives
    no rights at all, hence an empty inventory): name the value and the allowed ones."""
    problems = []

    def unknown(option: str, values, allowed) -> None:
        bad = [str(v) for v in values if v not in allowed]
        if bad:
            problems.append(
                f"{option} : « {', '.join(bad)} » inconnu ; valeurs admises : "
                f"{', '.join(sorted(map(str, allowed)))}"
            )

    if operateur is not None:
        unknown("operateur", [operateur], {a.id for a in ref.organisation.acteurs})
    if phase is not None:
        unknown("phase", [phase], {p.id for p in ref.matrice.phases})
    if sites:
        unknown("sites", [s.upper() for s in sites], {s.uai for s in ref.sites})
    if territoires:
        codes = {t.code for c in ref.organisation.collectivites for t in c.territoires}
        unknown("territoires", [str(t) for t in territoires], codes)
    if problems:
        raise InventaireInvalide(
            "Configuration d'inventaire invalide : "
            + " ; ".join(problems)
            + ". Corriger le fichier *.amico.yml (ou AMICO_OPERATEUR / AMICO_PHASE)."
        )


def _contact(contact) -> dict | None:
    return contact.model_dump(exclude_none=True) if contact else None


def build(
    ref: Referentiel,
    operateur: str | None = None,
    phase: str | None = None,
    sites: list[str] | None = None,
    territoires: list[str] | None = None,
    inclure_postes: bool = True,
    connexion_windows: str = "winrm",
) -> InventoryData:
    check_options(ref, operateur, phase, sites, territoires)
    operateur = operateur or ref.perimetre.operateur_defaut
    phase = phase or ref.perimetre.phase_defaut
    services = services_by_id(ref.matrice)
    inv = InventoryData()

    # Per kind: is it handed to this operator's runs? Decided once, carried as group vars.
    allowed: dict[str, bool] = {}
    for kind, spec in ref.perimetre.types_hote.items():
        service = services[spec.service]
        ok, _ = type_autorise(ref, kind, operateur, phase)  # the one rule, run time too
        allowed[kind] = ok
        if kind in KIND_GROUPS and ok:
            inv.group(
                KIND_GROUPS[kind],
                vars_={
                    "amico_type_hote": kind,
                    "amico_service": spec.service,
                    "amico_acteurs_autorises": [
                        a for a in service.raci.get(phase, {}) if may_act(service, phase, a)
                    ],
                    "amico_autorite": actors_with(service, phase, "A"),
                },
            )
    inv.group(
        "all",
        vars_={
            "amico_operateur": operateur,
            "amico_phase": phase,
            # from the whole plan, not a site's list: a site that dropped one is still
            # known to own it (the switch plan refuses to touch it)
            "amico_vlans_academie": sorted(
                v.id for v in ref.plan.vlans if v.proprietaire == "academie"
            ),
        },
    )
    windows_vars = CONNECTION_VARS["windows"] if connexion_windows == "winrm" else PSRP_VARS
    inv.group("windows", vars_=windows_vars)
    inv.group("linux", vars_=CONNECTION_VARS["linux"])
    inv.group("commutateurs", vars_=CONNECTION_VARS["commutateurs"])
    for vendor in ("aruba", "cisco"):
        inv.group(
            f"commutateurs_{vendor}", "commutateurs", CONNECTION_VARS[f"commutateurs_{vendor}"]
        )

    coll_of = {
        t.code: c for c in ref.organisation.collectivites for t in c.territoires
    }  # territory -> collectivité
    terr_of = {t.code: t for c in ref.organisation.collectivites for t in c.territoires}
    wanted_sites = {s.upper() for s in sites} if sites else None
    wanted_terr = set(territoires) if territoires else None
    regle = ref.plan.regle
    # posts reach Ansible by the kind of their hardware class: Windows posts over WinRM;
    # thin clients and Chromebooks are inventoried but have no connection group
    connection_of = {"poste": "windows", "chromeos": "chromeos", "client_leger": "clients_legers"}
    class_conn = {
        c.id: connection_of.get(c.type_hote, "sans_connexion") for c in ref.materiels.classes
    }

    for site in ref.sites:
        if wanted_sites is not None and site.uai not in wanted_sites:
            continue
        if wanted_terr is not None and site.territoire not in wanted_terr:
            continue
        coll = coll_of[site.territoire]
        g_coll = inv.group(f"collectivite_{coll.id}")
        g_terr = inv.group(f"territoire_{site.territoire}", g_coll)
        subnets = site_subnets(ref.plan, site.bloc_adresses, site.vlans)
        contacts = {"correspondant_en": _contact(site.contacts.correspondant_en)}
        contacts["amico"] = _contact(site.contacts.amico or terr_of[site.territoire].amico)
        room_vlan = {r.id: r.vlan for r in site.salles}
        dhcp_vlans = {v for v, sub in subnets.items() if sub.vlan.dhcp}
        # fixed addresses of posts and peripherals in a DHCP-served VLAN: the pedagogical
        # server's DHCP (Kea) hands them out as reservations
        reservations = [
            {"nom": d.nom, "mac": d.mac, "adresse": str(d.adresse)}
            for d in (*site.postes, *site.peripheriques)
            if d.mac and d.adresse and room_vlan.get(d.salle) in dhcp_vlans
        ]
        pedagogical = [s.nom for s in site.serveurs if s.role == "serveur_pedagogique"]
        g_site = inv.group(
            f"site_{site.uai.lower()}",
            g_terr,
            {
                "amico_uai": site.uai,
                "amico_site": {
                    "uai": site.uai,
                    "nom": site.nom,
                    "commune": site.commune,
                    "territoire": site.territoire,
                    "collectivite": coll.id,
                    "exemple": site.exemple,
                    "bloc_adresses": str(site.bloc_adresses),
                    "vlans": [subnets[v].as_vars(regle) for v in site.vlans if v in subnets],
                    "salles": [r.model_dump(exclude_none=True) for r in site.salles],
                    "contacts": contacts,
                    "serveur_pedagogique": pedagogical[0] if pedagogical else None,
                    "reservations_dhcp": reservations,
                },
            },
        )

        for srv in site.serveurs:
            kind = {"nas": "serveur_pedagogique"}.get(srv.role, srv.role)
            if not allowed.get(kind):
                inv.skip(f"{kind} (périmètre {operateur}/{phase})")
                continue
            groups = [
                g_site,
                KIND_GROUPS[kind],
                "linux" if srv.systeme.startswith("debian") else "windows",
            ]
            if srv.role == "nas":
                groups.append(inv.group("nas"))
            vars_ = {
                "ansible_host": str(srv.adresse),
                "amico_vlan": srv.vlan,
                "amico_systeme": srv.systeme,
            }
            if srv.mac:
                vars_["amico_mac"] = srv.mac
            inv.add(srv.nom, vars_, groups)

        if allowed.get("commutateur"):
            for sw in site.commutateurs:
                vars_ = {
                    "ansible_host": str(sw.adresse),
                    "amico_adresse": str(sw.adresse),  # stays when the lab overlays ansible_host
                    "amico_modele": sw.modele,
                    "amico_role_commutateur": sw.role,
                    "amico_ports": [p.model_dump(exclude_none=True) for p in sw.ports],
                }
                inv.add(sw.nom, vars_, [g_site, f"commutateurs_{sw.fabricant}"])
        else:
            for _ in site.commutateurs:
                inv.skip(f"commutateur (périmètre {operateur}/{phase})")

        for dev in (*site.pare_feux, *site.proxys):
            # the Académie's during the transitional phase: never handed to a run
            if not allowed.get("pare_feu"):
                inv.skip(f"pare_feu (périmètre {operateur}/{phase})")
                continue
            vars_ = {"ansible_host": str(dev.adresse)} if dev.adresse else {}
            inv.add(dev.nom, vars_, [g_site, KIND_GROUPS["pare_feu"]])

        if not inclure_postes:
            continue
        devices = [(p, f"poste_{p.usage}") for p in site.postes]
        devices += [(d, f"peripherique_{d.usage}") for d in site.peripheriques]
        for dev, kind in devices:
            if not allowed.get(kind):
                inv.skip(f"{kind} (périmètre {operateur}/{phase})")
                continue
            vars_ = {
                "amico_classe": dev.classe,
                "amico_salle": dev.salle,
                "amico_vlan": room_vlan.get(dev.salle),
            }
            optional = {
                "ansible_host": dev.adresse and str(dev.adresse),
                "amico_mac": dev.mac,
                "amico_modele": dev.modele,
                "amico_serie": dev.serie,
                "amico_profil": getattr(dev, "profil", None),
            }
            vars_.update((k, v) for k, v in optional.items() if v)
            groups = [g_site, KIND_GROUPS[kind], inv.group(f"classe_{group_name(dev.classe)}")]
            if kind.startswith("poste_"):
                groups.append(class_conn[dev.classe])
            inv.add(dev.nom, vars_, groups)
    return inv
