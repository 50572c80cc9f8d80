"""Cross-checks of the référentiel: what a schema alone cannot see.

Each check appends `Finding`s (file + key path; lines resolved only when shown), so one
run reports every error. Checks are linear in the number of records (17,000 posts in
well under a second).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address
from pathlib import Path

from pydantic import BaseModel

from amico.logiciels.validation import problemes_catalogue
from amico.referentiel.findings import Finding, parse_loc
from amico.referentiel.matrice import parse_cell
from amico.referentiel.model import PORT_DESCRIPTION_MAX, PORT_NAME_PATTERNS, RACI_ACTORS, Site
from amico.referentiel.noms import NETBIOS_MAX
from amico.referentiel.plan import PlanError, site_subnets, uai_is_valid, uai_key
from amico.referentiel.ports import expand_interfaces


class _Checker:
    def __init__(self, ref):
        self.ref = ref
        self.findings: list[Finding] = []
        root = ref.root
        self.f_org = root / "organisation.yml"
        self.f_plan = root / "plan_adressage.yml"
        self.f_peri = root / "perimetre.yml"
        self.f_mat = root / "matrice/services.yml"
        self.f_log = root / "catalogue/logiciels.yml"
        self.f_hw = root / "catalogue/materiels.yml"

    def err(self, path: Path, loc, message: str, fix: str, value=None, warn: bool = False):
        gravite = "avertissement" if warn else "erreur"
        self.findings.append(Finding(path, tuple(loc), message, fix, value, gravite=gravite))

    # -- helpers ------------------------------------------------------------------------
    def unique(self, path: Path, items, key: str, loc_prefix, what: str):
        seen: dict = {}
        for i, item in enumerate(items):
            value = getattr(item, key)
            if value in seen:
                self.err(
                    path,
                    (*loc_prefix, i, key),
                    f"{what} en double (déjà à l'entrée {seen[value]})",
                    "donner une valeur unique ou supprimer le doublon",
                    value,
                )
            else:
                seen[value] = i

    # -- global files --------------------------------------------------------------------
    def check_organisation(self):
        org = self.ref.organisation
        self.unique(self.f_org, org.acteurs, "id", ("acteurs",), "acteur")
        ids = {a.id for a in org.acteurs}
        for actor in RACI_ACTORS:
            if actor not in ids:
                self.err(
                    self.f_org,
                    ("acteurs",),
                    "acteur de la matrice absent",
                    "déclarer cet acteur (colonnes de l'annexe 1)",
                    actor,
                )
        codes: dict[str, str] = {}
        for ci, coll in enumerate(org.collectivites):
            for ti, terr in enumerate(coll.territoires):
                if terr.code in codes:
                    self.err(
                        self.f_org,
                        ("collectivites", ci, "territoires", ti, "code"),
                        "territoire en double",
                        "un territoire n'appartient qu'à une collectivité",
                        terr.code,
                    )
                codes[terr.code] = coll.id
        self.territories = codes

    def check_plan(self):
        plan = self.ref.plan
        self.unique(self.f_plan, plan.vlans, "id", ("vlans",), "identifiant de VLAN")
        self.unique(self.f_plan, plan.vlans, "nom", ("vlans",), "nom de VLAN")
        regle = plan.regle
        spans = {"dhcp": regle.dhcp, **dict(regle.reservations)}
        for name, (first, last) in spans.items():
            if first > last:
                loc = ("regle", "dhcp") if name == "dhcp" else ("regle", "reservations", name)
                self.err(
                    self.f_plan,
                    loc,
                    "plage inversée",
                    "écrire [premier, dernier]",
                    f"[{first}, {last}]",
                )
        names = sorted(spans, key=lambda n: spans[n][0])
        for a, b in zip(names, names[1:], strict=False):
            if spans[b][0] <= spans[a][1]:
                self.err(
                    self.f_plan,
                    ("regle",),
                    f"les plages « {a} » et « {b} » se chevauchent",
                    "séparer les plages de décalages",
                    f"{spans[a]} / {spans[b]}",
                )
        for name, (first, last) in spans.items():
            if first <= regle.passerelle <= last:
                self.err(
                    self.f_plan,
                    ("regle", "passerelle"),
                    f"la passerelle tombe dans la plage « {name} »",
                    "choisir un décalage hors des plages",
                    regle.passerelle,
                )
        self.vlans = {v.id: v for v in plan.vlans}
        self.academie_vlans = frozenset(v.id for v in plan.vlans if v.proprietaire == "academie")
        self.mgmt_vlans = {v.id for v in plan.vlans if v.usage == "management"}

    def check_matrice(self):
        mat = self.ref.matrice
        self.unique(self.f_mat, mat.services, "id", ("services",), "service")
        phases = {p.id for p in mat.phases}
        if sum(p.defaut for p in mat.phases) > 1:
            self.err(
                self.f_mat,
                ("phases",),
                "plusieurs phases par défaut",
                "ne garder qu'un seul `defaut: true`",
            )
        actors = {a.id for a in self.ref.organisation.acteurs}
        for si, svc in enumerate(mat.services):
            for phase, cells in svc.raci.items():
                loc = ("services", si, "raci", phase)
                if phase not in phases:
                    self.err(
                        self.f_mat,
                        loc,
                        "phase inconnue",
                        f"choisir parmi : {', '.join(sorted(phases))}",
                        phase,
                    )
                    continue
                authorities, irregular = 0, False
                for actor, text in cells.items():
                    if actor not in actors:
                        self.err(
                            self.f_mat,
                            (*loc, actor),
                            "acteur inconnu",
                            f"choisir parmi : {', '.join(sorted(actors))}",
                            actor,
                        )
                    try:
                        cell = parse_cell(str(text))
                    except ValueError:
                        self.err(
                            self.f_mat,
                            (*loc, actor),
                            "cellule illisible",
                            "écrire des lettres R, A, C, I (éventuellement « ? » ou "
                            "une condition entre parenthèses)",
                            text,
                        )
                        continue
                    authorities += "A" in cell.roles
                    irregular |= cell.irregular
                if (authorities != 1 or irregular) and not svc.anomalies.get(phase):
                    what = (
                        f"{authorities} autorité(s) A au lieu d'une"
                        if authorities != 1
                        else "cellule incertaine (?) ou conditionnelle"
                    )
                    self.err(
                        self.f_mat,
                        loc,
                        f"ligne irrégulière : {what}",
                        f"annoter la ligne avec `anomalies.{phase}` (ce qu'elle a "
                        "d'anormal et comment l'outil la traite)",
                        svc.id,
                    )
            for key in ("anomalies", "observations", "decisions"):
                for phase in getattr(svc, key):
                    if phase not in phases:
                        self.err(
                            self.f_mat,
                            ("services", si, key, phase),
                            "phase inconnue",
                            f"choisir parmi : {', '.join(sorted(phases))}",
                            phase,
                        )
        self.services = {s.id for s in mat.services}
        self.phases = phases

    def check_perimetre(self):
        peri = self.ref.perimetre
        if peri.phase_defaut not in self.phases:
            self.err(
                self.f_peri,
                ("phase_defaut",),
                "phase inconnue",
                f"choisir parmi : {', '.join(sorted(self.phases))}",
                peri.phase_defaut,
            )
        if peri.operateur_defaut not in {a.id for a in self.ref.organisation.acteurs}:
            self.err(
                self.f_peri,
                ("operateur_defaut",),
                "acteur inconnu",
                "choisir un acteur de organisation.yml",
                peri.operateur_defaut,
            )
        for kind, spec in peri.types_hote.items():
            for loc, svc in [(("service",), spec.service)] + [
                (("actions", a), s) for a, s in spec.actions.items()
            ]:
                if svc not in self.services:
                    self.err(
                        self.f_peri,
                        ("types_hote", kind, *loc),
                        "service inconnu de la matrice",
                        "utiliser un id de matrice/services.yml",
                        svc,
                    )

    def check_logiciels(self):
        cat = self.ref.logiciels
        self.unique(self.f_log, cat.logiciels, "id", ("logiciels",), "logiciel")
        self.unique(self.f_log, cat.profils, "id", ("profils",), "profil")
        # regexes that would fail at run time, end of life within six months (issue 13.8, 19)
        for p in problemes_catalogue(cat.model_dump()):
            self.err(
                self.f_log,
                p.chemin,
                p.message,
                p.correction,
                p.valeur,
                warn=p.gravite == "avertissement",
            )
        # the posts' policy next to the catalogue (licences, antivirus, unlisted software)
        f_postes = self.f_log.with_name("postes.yml")
        if f_postes.is_file():
            import yaml

            from amico.logiciels.analyse import problemes_politique
            from amico.referentiel.yamlio import parse

            try:
                brut = parse(f_postes.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                brut = None
                self.err(f_postes, (), f"fichier illisible ({exc})", "corriger le YAML")
            for chemin, message, valeur in problemes_politique(brut) if brut is not None else []:
                self.err(
                    f_postes,
                    chemin,
                    message,
                    "voir l'en-tête de catalogue/postes.yml (regex Python, dates AAAA-MM-JJ)",
                    valeur,
                )
        by_id = {s.id: s for s in cat.logiciels}
        for i, sw in enumerate(cat.logiciels):
            added = sw.version_min or sw.detection or sw.installation or sw.desinstallation
            if added and not (sw.source or sw.a_verifier):
                self.err(
                    self.f_log,
                    ("logiciels", i, "source"),
                    "valeurs ajoutées à l'annexe 6 sans provenance",
                    "indiquer `source` (documentation éditeur) ou `a_verifier: true`",
                    sw.id,
                )
            cycle = sw.cycle_de_vie
            if cycle.statut != "supporte" and not (cycle.source or sw.a_verifier):
                self.err(
                    self.f_log,
                    ("logiciels", i, "cycle_de_vie", "source"),
                    "statut de cycle de vie sans source",
                    "citer la source éditeur ou marquer `a_verifier: true`",
                    sw.id,
                )
            if cycle.remplace_par and cycle.remplace_par not in by_id:
                self.err(
                    self.f_log,
                    ("logiciels", i, "cycle_de_vie", "remplace_par"),
                    "logiciel de remplacement inconnu",
                    "utiliser un id du catalogue",
                    cycle.remplace_par,
                )
        profiles = {p.id: p for p in cat.profils}
        for i, prof in enumerate(cat.profils):
            for j, sid in enumerate(prof.logiciels):
                sw = by_id.get(sid)
                if sw is None:
                    self.err(
                        self.f_log,
                        ("profils", i, "logiciels", j),
                        "le profil nomme un logiciel inconnu",
                        "utiliser un id de `logiciels` ou ajouter ce logiciel",
                        sid,
                    )
                elif sw.cycle_de_vie.statut == "interdit":
                    self.err(
                        self.f_log,
                        ("profils", i, "logiciels", j),
                        "le profil installe un logiciel interdit",
                        "retirer ce logiciel du profil (il doit être désinstallé)",
                        sid,
                    )
            for j, pid in enumerate(prof.inclut):
                if pid not in profiles:
                    self.err(
                        self.f_log,
                        ("profils", i, "inclut", j),
                        "profil inclus inconnu",
                        "utiliser un id de `profils`",
                        pid,
                    )
        # inclusion cycles
        for i, prof in enumerate(cat.profils):
            seen, stack = set(), list(prof.inclut)
            while stack:
                pid = stack.pop()
                if pid == prof.id:
                    self.err(
                        self.f_log,
                        ("profils", i, "inclut"),
                        "inclusion circulaire",
                        "supprimer l'inclusion qui revient sur ce profil",
                        prof.id,
                    )
                    break
                if pid in seen or pid not in profiles:
                    continue
                seen.add(pid)
                stack.extend(profiles[pid].inclut)
        self.software = by_id
        self.profiles = profiles

    def check_materiels(self):
        cat = self.ref.materiels
        self.unique(self.f_hw, cat.classes, "id", ("classes",), "classe de matériel")
        families = {f.id for f in cat.familles}
        for i, cls in enumerate(cat.classes):
            if cls.famille not in families:
                self.err(
                    self.f_hw,
                    ("classes", i, "famille"),
                    "famille inconnue",
                    f"choisir parmi : {', '.join(sorted(families))}",
                    cls.famille,
                )
        self.classes = {c.id: c for c in cat.classes}
        self.models = {c.id: {m.modele for m in c.modeles} for c in cat.classes}

    # -- sites -----------------------------------------------------------------------------
    def check_sites(self):
        ref = self.ref
        uais: dict[str, Path] = {}
        names: dict[str, tuple] = {}
        macs: dict[str, tuple] = {}
        addresses: dict[IPv4Address, tuple] = {}
        blocks: list[tuple] = []
        for site, path in zip(ref.sites, ref.site_paths, strict=True):
            if not uai_is_valid(site.uai):
                self.err(
                    path,
                    ("uai",),
                    "lettre clé de l'UAI fausse",
                    f"la clé de {site.uai[:7]} est « {uai_key(site.uai[:7])} » : "
                    "vérifier le numéro ou la lettre",
                    site.uai,
                )
            if site.uai in uais:
                self.err(
                    path,
                    ("uai",),
                    f"UAI en double (déjà dans {uais[site.uai].name})",
                    "un seul fichier par collège",
                    site.uai,
                )
            uais[site.uai] = path
            if path.stem != site.uai:
                self.err(
                    path,
                    ("uai",),
                    f"le fichier s'appelle {path.name}",
                    f"renommer le fichier en {site.uai}.yml",
                    site.uai,
                )
            if site.territoire not in self.territories:
                self.err(
                    path,
                    ("territoire",),
                    "territoire inconnu",
                    f"choisir parmi : {', '.join(sorted(self.territories))}",
                    site.territoire,
                )
            for other_block, other_path in blocks:
                if site.bloc_adresses.overlaps(other_block):
                    self.err(
                        path,
                        ("bloc_adresses",),
                        f"le bloc chevauche celui de {other_path.name} ({other_block})",
                        "attribuer un bloc libre du plan d'adressage",
                        site.bloc_adresses,
                    )
            blocks.append((site.bloc_adresses, path))
            self.check_site(site, path, names, macs, addresses)

    def check_site(self, site: Site, path: Path, names, macs, addresses):
        subnets = {}
        for i, vid in enumerate(site.vlans):
            vlan = self.vlans.get(vid)
            if vlan is None:
                self.err(
                    path,
                    ("vlans", i),
                    "VLAN absent du plan d'adressage",
                    "utiliser un id de plan_adressage.yml",
                    vid,
                )
                continue
            try:
                subnets.update(site_subnets(self.ref.plan, site.bloc_adresses, [vid]))
            except PlanError as exc:
                self.err(
                    path,
                    ("vlans", i),
                    str(exc),
                    "agrandir le bloc du site ou revoir le rang du VLAN",
                    vid,
                )
        nets = sorted(subnets.values(), key=lambda s: s.reseau)
        for a, b in zip(nets, nets[1:], strict=False):
            if a.reseau.overlaps(b.reseau):
                self.err(
                    path,
                    ("vlans",),
                    f"les sous-réseaux des VLAN {a.vlan.id} et "
                    f"{b.vlan.id} se chevauchent ({a.reseau}, {b.reseau})",
                    "revoir rang/prefixe dans plan_adressage.yml",
                    site.uai,
                )
        rooms = {}
        for i, room in enumerate(site.salles):
            if room.id in rooms:
                self.err(
                    path, ("salles", i, "id"), "salle en double", "donner un id unique", room.id
                )
            rooms[room.id] = room
            if room.vlan is not None and room.vlan not in subnets:
                self.err(
                    path,
                    ("salles", i, "vlan"),
                    "VLAN non déclaré pour ce site",
                    "l'ajouter à `vlans` du site ou corriger",
                    room.vlan,
                )

        def host(kind, i, rec, vlan_id):
            loc = (kind, i)
            if rec.nom in names:
                self.err(
                    path,
                    (*loc, "nom"),
                    f"nom d'hôte en double (déjà {names[rec.nom]})",
                    "donner un nom unique dans tout le référentiel",
                    rec.nom,
                )
            else:
                names[rec.nom] = f"{path.name} {kind}[{i}]"
            mac = getattr(rec, "mac", None)
            if mac:
                if mac in macs:
                    self.err(
                        path,
                        (*loc, "mac"),
                        f"adresse MAC en double (déjà {macs[mac]})",
                        "vérifier l'étiquette du matériel",
                        mac,
                    )
                else:
                    macs[mac] = f"{path.name} {rec.nom}"
            addr = getattr(rec, "adresse", None)
            if addr is None:
                return
            if addr in addresses:
                self.err(
                    path,
                    (*loc, "adresse"),
                    f"adresse IP en double (déjà {addresses[addr]})",
                    "choisir une adresse libre",
                    addr,
                )
            else:
                addresses[addr] = f"{path.name} {rec.nom}"
            sub = subnets.get(vlan_id)
            if sub is None:
                if vlan_id is not None and vlan_id in self.vlans:
                    self.err(
                        path,
                        (*loc, "vlan"),
                        "VLAN non déclaré pour ce site",
                        "l'ajouter à `vlans` du site",
                        vlan_id,
                    )
                return
            net = sub.reseau
            if addr not in net:
                self.err(
                    path,
                    (*loc, "adresse"),
                    f"adresse hors du sous-réseau du VLAN {vlan_id} ({net})",
                    f"choisir une adresse dans {net}",
                    addr,
                )
            elif addr in (
                net.network_address,
                net.broadcast_address,
                sub.host(self.ref.plan.regle.passerelle),
            ):
                self.err(
                    path,
                    (*loc, "adresse"),
                    "adresse réservée (réseau, diffusion ou passerelle)",
                    "choisir une adresse d'hôte libre",
                    addr,
                )

        for i, srv in enumerate(site.serveurs):
            host("serveurs", i, srv, srv.vlan)
            if srv.vlan not in self.vlans:
                self.err(
                    path,
                    ("serveurs", i, "vlan"),
                    "VLAN absent du plan d'adressage",
                    "utiliser un id de plan_adressage.yml",
                    srv.vlan,
                )
        mgmt = [v for v in site.vlans if v in self.mgmt_vlans]
        switch_names = {sw.nom for sw in site.commutateurs}
        for i, sw in enumerate(site.commutateurs):
            host("commutateurs", i, sw, mgmt[0] if mgmt else None)
            if not mgmt:
                self.err(
                    path,
                    ("commutateurs", i, "adresse"),
                    "aucun VLAN de management sur le site",
                    "ajouter le VLAN de management à `vlans`",
                    sw.nom,
                )
            self.check_ports(path, i, sw, subnets, rooms, switch_names)
        for i, post in enumerate(site.postes):
            room = rooms.get(post.salle)
            host("postes", i, post, room.vlan if room else None)
            self.check_device(path, "postes", i, post, rooms)
            if post.profil and post.profil not in self.profiles:
                self.err(
                    path,
                    ("postes", i, "profil"),
                    "profil logiciel inconnu",
                    "utiliser un id de `profils` (catalogue/logiciels.yml)",
                    post.profil,
                )
            if post.systeme:
                sw_ = self.software.get(post.systeme)
                if sw_ is None or sw_.categorie != "systeme":
                    self.err(
                        path,
                        ("postes", i, "systeme"),
                        "système inconnu du catalogue",
                        "utiliser un id de catégorie `systeme`",
                        post.systeme,
                    )
        for i, dev in enumerate(site.peripheriques):
            room = rooms.get(dev.salle)
            host("peripheriques", i, dev, room.vlan if room else None)
            self.check_device(path, "peripheriques", i, dev, rooms)
        for kind in ("pare_feux", "proxys"):
            for i, dev in enumerate(getattr(site, kind)):
                self.check_security_device(path, kind, i, dev, subnets, rooms, host)
        self.check_a_completer(site, path)
        self.check_academie(site, path, rooms)

    def check_security_device(self, path, kind, i, dev, subnets, rooms, host):
        """Names, MACs and addresses unique like any host; the address in its VLAN, where
        the gateway is allowed (the firewall usually is the gateway)."""
        host(kind, i, dev, None)
        if dev.salle and dev.salle not in rooms:
            self.err(
                path,
                (kind, i, "salle"),
                "salle inconnue",
                "déclarer la salle dans `salles` ou corriger",
                dev.salle,
            )
        if dev.vlan is None:
            return
        sub = subnets.get(dev.vlan)
        if sub is None:
            self.err(
                path,
                (kind, i, "vlan"),
                "VLAN non déclaré pour ce site",
                "l'ajouter à `vlans` du site ou corriger",
                dev.vlan,
            )
        elif dev.adresse is not None and dev.adresse not in sub.reseau:
            self.err(
                path,
                (kind, i, "adresse"),
                f"adresse hors du sous-réseau du VLAN {dev.vlan} ({sub.reseau})",
                f"choisir une adresse dans {sub.reseau}",
                dev.adresse,
            )

    def check_academie(self, site: Site, path: Path, rooms: dict):
        """The Académie's VLANs (`proprietaire: academie` in the WHOLE plan, not the site's
        list) are never dropped from a site nor moved port by port: every change of their
        membership is the Académie's (convention, annexe 1: VLAN administration)."""
        academie = self.academie_vlans
        names = {v: self.vlans[v].nom for v in academie}
        for vid in sorted(academie):
            if self.vlans[vid].requis and vid not in site.vlans:
                self.err(
                    path,
                    ("vlans",),
                    f"VLAN {vid} ({names[vid]}) de l'Académie absent : le plan d'adressage "
                    "l'exige sur chaque site",
                    f"remettre {vid} dans `vlans` (seule l'Académie décide de ses VLAN)",
                    vid,
                )
        on_site = [v for v in site.vlans if v in academie]
        for i, srv in enumerate(site.serveurs):
            admin = srv.role == "serveur_administratif"
            if admin != (srv.vlan in academie):
                self.err(
                    path,
                    ("serveurs", i, "vlan"),
                    "serveur administratif hors d'un VLAN de l'Académie"
                    if admin
                    else "serveur de la collectivité placé sur un VLAN de l'Académie",
                    "remettre le VLAN prévu par le plan d'adressage"
                    + (f" ({', '.join(map(str, sorted(academie)))})" if admin else ""),
                    srv.vlan,
                )
        by_name = {sw.nom: sw for sw in site.commutateurs}
        for si, sw in enumerate(site.commutateurs):
            for pi, port in enumerate(sw.ports):
                loc = ("commutateurs", si, "ports", pi)
                room = rooms.get(port.salle) if port.salle else None
                room_vlan = room.vlan if room else None
                if port.mode == "acces" and port.vlan is not None and room_vlan is not None:
                    if port.vlan in academie and room_vlan != port.vlan:
                        self.err(
                            path,
                            (*loc, "vlan"),
                            f"ports de la salle {room.id} (VLAN {room_vlan}) placés sur le "
                            f"VLAN {port.vlan} de l'Académie",
                            f"remettre le VLAN {room_vlan} de la salle ; l'appartenance au "
                            "VLAN de l'Académie ne change que sur demande de l'Académie",
                            port.vlan,
                        )
                    elif room_vlan in academie and port.vlan != room_vlan:
                        self.err(
                            path,
                            (*loc, "vlan"),
                            f"ports de la salle {room.id} retirés du VLAN {room_vlan} de "
                            "l'Académie",
                            f"remettre `vlan: {room_vlan}` (décision de l'Académie)",
                            port.vlan,
                        )
                if port.mode == "trunk" and port.vers in by_name:
                    needed = _access_vlans(by_name[port.vers]) & academie
                    for vid in sorted(needed - set(port.vlans)):
                        self.err(
                            path,
                            (*loc, "vlans"),
                            f"la liaison vers {port.vers} ne porte pas le VLAN {vid} de "
                            f"l'Académie, servi par des ports de {port.vers}",
                            f"ajouter {vid} à `vlans` de cette liaison",
                            port.interfaces,
                        )
            uplinks = [p for p in sw.ports if p.mode == "trunk" and not p.vers]
            if sw.role == "coeur" and uplinks:
                carried = set().union(*(set(p.vlans) for p in uplinks))
                for vid in on_site:
                    if vid not in carried:
                        self.err(
                            path,
                            ("commutateurs", si, "ports"),
                            f"aucune liaison montante de {sw.nom} (trunk sans `vers`) ne "
                            f"porte le VLAN {vid} de l'Académie",
                            f"remettre {vid} dans `vlans` de la liaison vers le pare-feu",
                            sw.nom,
                        )

    def check_a_completer(self, site: Site, path: Path):
        """Each listed key path is a warning until a human fills it and removes the entry."""
        for i, entry in enumerate(site.a_completer):
            loc = parse_loc(entry)
            found, value = _resolve(site, loc) if loc else (False, None)
            if not found:
                self.err(
                    path,
                    ("a_completer", i),
                    "chemin inconnu dans ce fichier de site",
                    "écrire un chemin de clé du fichier (ex. commutateurs[0].mac) ou le retirer",
                    entry,
                )
                continue
            shown = None if isinstance(value, list | tuple | BaseModel) else value
            self.err(
                path,
                loc,
                "valeur à compléter" + (f" (provisoire : {shown})" if shown is not None else ""),
                f"renseigner la valeur réelle puis retirer « {entry} » de `a_completer`",
                warn=True,
            )

    def check_device(self, path, kind, i, rec, rooms):
        if rec.salle not in rooms:
            self.err(
                path,
                (kind, i, "salle"),
                "salle inconnue",
                "déclarer la salle dans `salles` ou corriger",
                rec.salle,
            )
        cls = self.classes.get(rec.classe)
        if cls is None:
            self.err(
                path,
                (kind, i, "classe"),
                "classe de matériel inconnue",
                "utiliser une classe de catalogue/materiels.yml (ex. PBASE, I3)",
                rec.classe,
            )
        elif cls.type_hote == "poste" and len(rec.nom) > NETBIOS_MAX:
            self.err(
                path,
                (kind, i, "nom"),
                f"nom de poste Windows de {len(rec.nom)} caractères : Windows le tronque à "
                f"{NETBIOS_MAX} (nom NetBIOS), deux postes pourraient porter le même nom",
                f"raccourcir à {NETBIOS_MAX} caractères au plus (convention : "
                "<7 chiffres de l'UAI>-<salle>-<NN>)",
                rec.nom,
            )
        elif rec.modele and self.models[rec.classe] and rec.modele not in self.models[rec.classe]:
            self.err(
                path,
                (kind, i, "modele"),
                f"modèle absent du catalogue pour {rec.classe}",
                "l'ajouter au catalogue matériels s'il est pris en charge",
                rec.modele,
                warn=True,
            )

    def check_ports(self, path, si, sw, subnets, rooms, switch_names):
        seen: dict[str, int] = {}
        for pi, port in enumerate(sw.ports):
            loc = ("commutateurs", si, "ports", pi)
            try:
                names = expand_interfaces(port.interfaces)
            except ValueError as exc:
                self.err(
                    path,
                    (*loc, "interfaces"),
                    str(exc),
                    "écrire une interface (24) ou une plage (1-20, Gi1/0/1-24)",
                    port.interfaces,
                )
                names = []
            pattern = PORT_NAMES[sw.fabricant]
            wrong = [name for name in names if not pattern.fullmatch(name)]
            if wrong:
                self.err(
                    path,
                    (*loc, "interfaces"),
                    f"interface « {wrong[0]} » inconnue des commutateurs {sw.fabricant}",
                    "écrire les ports comme le commutateur les nomme ("
                    + (
                        "24, A1, 1/A1, Trk1"
                        if sw.fabricant == "aruba"
                        else "un numéro de port, ou Gi1/0/1, TenGigabitEthernet1/1/1"
                    )
                    + ")",
                    port.interfaces,
                )
                names = []
            for name in names:
                if name in seen:
                    self.err(
                        path,
                        (*loc, "interfaces"),
                        f"interface {name} déjà décrite (ports[{seen[name]}])",
                        "ne décrire chaque interface qu'une fois",
                        port.interfaces,
                    )
                    break
                seen[name] = pi
            used = [("vlan", port.vlan)] if port.vlan is not None else []
            used += [(("vlans", j), v) for j, v in enumerate(port.vlans)]
            if port.natif is not None:
                used.append(("natif", port.natif))
            for key, vid in used:
                key = key if isinstance(key, tuple) else (key,)
                if vid not in subnets and vid != 1:
                    self.err(
                        path,
                        (*loc, *key),
                        "port sur un VLAN inconnu du site",
                        "utiliser un VLAN déclaré dans `vlans` du site",
                        vid,
                    )
            if port.mode == "acces" and (port.vlan is None or port.vlans):
                self.err(
                    path,
                    loc,
                    "port d'accès : un seul `vlan`, pas de `vlans`",
                    "donner `vlan: ID` (ou passer en mode trunk)",
                    port.interfaces,
                )
            if port.mode == "trunk" and (port.vlan is not None or not port.vlans):
                self.err(
                    path,
                    loc,
                    "port trunk : liste `vlans` attendue",
                    "donner `vlans: [ID, ...]` (et `natif` au besoin)",
                    port.interfaces,
                )
            limit = PORT_DESCRIPTION_MAX[sw.fabricant]
            if port.description and len(port.description) > limit:
                self.err(
                    path,
                    (*loc, "description"),
                    f"description de {len(port.description)} caractères : le nom de port "
                    f"{sw.fabricant} en admet {limit} au plus",
                    f"raccourcir à {limit} caractères",
                    port.description,
                )
            if port.salle and port.salle not in rooms:
                self.err(
                    path,
                    (*loc, "salle"),
                    "salle inconnue",
                    "déclarer la salle dans `salles`",
                    port.salle,
                )
            if port.vers and port.vers not in switch_names:
                self.err(
                    path,
                    (*loc, "vers"),
                    "commutateur voisin inconnu sur ce site",
                    "nommer un commutateur de `commutateurs`",
                    port.vers,
                )

    def run(self) -> list[Finding]:
        self.check_organisation()
        self.check_plan()
        self.check_matrice()
        self.check_perimetre()
        self.check_logiciels()
        self.check_materiels()
        self.check_sites()
        return self.findings


def _resolve(model, loc) -> tuple[bool, object]:
    """(exists, value) of a key path in a parsed site; an optional key left empty exists."""
    node = model
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False, None
            node = node[part]
        elif isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        else:
            return False, None
    return True, node


PORT_NAMES = {vendor: re.compile(p) for vendor, p in PORT_NAME_PATTERNS.items()}


def _access_vlans(switch) -> set[int]:
    """VLANs a switch serves on its own edge ports (access VLAN or trunk native)."""
    return {v for p in switch.ports for v in (p.vlan, p.natif) if v is not None}


def cross_check(ref) -> list[Finding]:
    return _Checker(ref).run()
