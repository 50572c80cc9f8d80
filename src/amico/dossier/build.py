"""Assemble the dossier d'exploitation of each site and write its folder.

Inputs only: the référentiel, the state directory (switch backups, gathered facts) and the
options. No wall-clock time anywhere: the same inputs give byte-identical files, and a
file whose content did not change is not rewritten.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from amico.commutateurs.intent import port_names
from amico.commutateurs.ranges import compress, port_sort_key
from amico.dossier import configs as cfg
from amico.dossier import synoptique as syn
from amico.dossier.faits import latest, parse_date, read_facts, show_date
from amico.referentiel.matrice import may_act, parse_cell, services_by_id
from amico.referentiel.plan import site_subnets
from amico.referentiel.ports import expand_interfaces
from amico.sorties import texte_csv
from amico.state import state_dir

NON_VERSIONNE = "non versionné"
MAX_MACS = 4


@dataclass
class Options:
    phase: str | None = None  # matrix phase; default: perimetre.phase_defaut
    operateur: str | None = None  # actor running AMICo; default: perimetre.operateur_defaut
    date_reference: str | None = None  # AAAA-MM-JJ for ages; default: data / commit date
    age_limite: int | None = None  # flag hardware at least this old (years); None: off
    cache: bool = True  # SVG cache in the state dir
    batch: bool = True  # one dot process for all sites


@dataclass
class Provenance:
    commit: str  # référentiel commit or NON_VERSIONNE
    modifie: bool = False  # uncommitted changes under the référentiel
    date_commit: str | None = None  # AAAA-MM-JJ of the commit


@dataclass
class Result:
    uai: str
    folder: Path
    written: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# -- référentiel provenance -------------------------------------------------------------------


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def provenance(root: Path) -> Provenance:
    """The référentiel's commit (``git rev-parse HEAD`` of its repository)."""
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return Provenance(NON_VERSIONNE)
    status = _git(root, "status", "--porcelain", "--", ".")
    date = _git(root, "log", "-1", "--format=%cs")
    return Provenance(commit, bool(status), date or None)


# -- helpers ----------------------------------------------------------------------------------


def _norm_model(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).casefold()


def _contact(role: str, c) -> dict:
    return {"role": role, "nom": c.nom, "courriel": c.courriel, "telephone": c.telephone}


def _facts_ports(vendor: str, facts: dict | None) -> dict[str, dict]:
    """Gathered ports keyed by the vendor's full interface name."""
    out: dict[str, dict] = {}
    for name, data in ((facts or {}).get("ports") or {}).items():
        try:
            key = port_names(vendor, str(name))[0]
        except (ValueError, IndexError):
            key = str(name)
        if isinstance(data, dict):
            out[key] = data
    return out


def _lldp_marks(sw, facts: dict | None, marks: dict[frozenset, str]) -> None:
    """Per switch pair: ``confirmee`` when either end's LLDP neighbours confirm the
    référentiel's ``vers`` link, ``non_confirmee`` when gathered LLDP does not show it."""
    from amico.commutateurs.lldp import CONFIRMEE, check_uplinks, neighbours_from_facts, uplinks

    neighbours = neighbours_from_facts(facts)
    if neighbours is None:
        return
    for check in check_uplinks(uplinks(sw, sw.fabricant), neighbours):
        key = frozenset((sw.nom, check.vers))
        if check.statut == CONFIRMEE:
            marks[key] = CONFIRMEE
        else:
            marks.setdefault(key, "non_confirmee")


def _vlan_cell(port, vlan_names: dict[int, str]) -> str:
    if port.mode == "trunk":
        text = "étiquetés " + (compress(port.vlans) if port.vlans else "aucun")
        if port.natif is not None:
            text += f" ; natif {port.natif}"
        return text
    if port.vlan is None:
        return ""
    name = vlan_names.get(port.vlan)
    return f"{port.vlan} ({name})" if name else str(port.vlan)


# -- one site ---------------------------------------------------------------------------------


class SiteBuilder:
    def __init__(self, ref, prov: Provenance, opts: Options) -> None:
        self.ref = ref
        self.prov = prov
        self.opts = opts
        self.phase = opts.phase or ref.perimetre.phase_defaut
        self.operateur = opts.operateur or ref.perimetre.operateur_defaut
        self.phase_nom = next((p.nom for p in ref.matrice.phases if p.id == self.phase), self.phase)
        self.actors = {a.id: a.nom for a in ref.organisation.acteurs}
        self.services = services_by_id(ref.matrice)
        self.classes = {c.id: c for c in ref.materiels.classes}
        self.familles = {f.id: f.libelle for f in ref.materiels.familles}
        self.model_years: dict[str, dict[str, int]] = {}
        self.any_model_year: dict[str, int] = {}
        for c in ref.materiels.classes:
            years = self.model_years.setdefault(c.id, {})
            for m in c.modeles:
                years.setdefault(_norm_model(m.modele), m.annee)
                self.any_model_year.setdefault(_norm_model(m.modele), m.annee)
        self.systems = {lg.id: lg for lg in ref.logiciels.logiciels if lg.categorie == "systeme"}
        self.territories = {
            t.code: t for col in ref.organisation.collectivites for t in col.territoires
        }
        self.plan_vlans = [v.model_dump(mode="json") for v in ref.plan.vlans]

    # -- context -----------------------------------------------------------------------------

    def context(self, site) -> tuple[dict, str, dict]:
        """(context for the template and dossier.json, DOT source, config reports)."""
        missing: list[str] = []
        salles = {s.id: s.nom for s in site.salles}
        subnets = site_subnets(self.ref.plan, site.bloc_adresses, site.vlans)
        vlan_names = {vid: sn.vlan.nom for vid, sn in subnets.items()}
        regle = self.ref.plan.regle
        vlans = [
            {
                "id": vid,
                "nom": sn.vlan.nom,
                "usage": sn.vlan.usage,
                "proprietaire": sn.vlan.proprietaire,
                "reseau": str(sn.reseau),
                "passerelle": str(sn.host(regle.passerelle)),
                "dhcp": (
                    f"{sn.host(sn.clamp(regle.dhcp)[0])} – {sn.host(sn.clamp(regle.dhcp)[1])}"
                    if sn.vlan.dhcp
                    else ""
                ),
                "description": sn.vlan.description,
            }
            for vid, sn in sorted(subnets.items())
        ]
        dates: list[str] = []
        hosts = {}
        for _kind, items in (
            ("poste", site.postes),
            ("serveur", site.serveurs),
            ("périphérique", site.peripheriques),
            ("commutateur", site.commutateurs),
        ):
            for item in items:
                if item.mac:
                    hosts[item.mac] = f"{item.nom}"

        # switches, patch table
        switches, brassage = [], []
        site_dict = site.model_dump(mode="json")
        reports = {r.switch: r for r in cfg.site_configs(site, site_dict, self.plan_vlans)}
        lldp: dict[frozenset, str] = {}
        for sw in site.commutateurs:
            facts, problem = read_facts(site.uai, sw.nom)
            _lldp_marks(sw, facts, lldp)
            if problem:
                missing.append(f"{sw.nom} : {problem}")
            elif facts is None:
                missing.append(f"{sw.nom} : état des ports et adresses MAC non collectés")
            else:
                dates.append(facts.get("date"))
                # a command the switch answered unreadably: said, not silently a blank
                missing += [f"{sw.nom} : {p}" for p in facts.get("problemes") or []]
            gathered = _facts_ports(sw.fabricant, facts)
            seen: set[str] = set()
            for port in sw.ports:
                for iface in expand_interfaces(port.interfaces):
                    key = port_names(sw.fabricant, iface)[0]
                    seen.add(key)
                    brassage.append(
                        self._row(
                            sw, iface, port, salles, vlan_names, gathered.get(key), facts, hosts
                        )
                    )
            for key in sorted(set(gathered) - seen, key=port_sort_key):
                data = gathered[key]
                if not data.get("macs") and data.get("etat") != "up":
                    continue  # an unused port the référentiel does not describe: not worth a line
                brassage.append(self._row(sw, key, None, salles, vlan_names, data, facts, hosts))
            rep = reports[sw.nom]
            if rep.problem:
                missing.append(f"{sw.nom} : {rep.problem}")
            if rep.date:
                dates.append(rep.date)
            switches.append(
                {
                    "nom": sw.nom,
                    "fabricant": sw.fabricant,
                    "modele": sw.modele,
                    "role": sw.role,
                    "adresse": str(sw.adresse),
                    "salle": salles.get(sw.salle, sw.salle or ""),
                    "serie": sw.serie or "",
                    "faits_date": show_date(facts.get("date")) if facts else None,
                    "config": {
                        "date": show_date(rep.date) if rep.date else None,
                        "commit": rep.commit,
                        "message": rep.message,
                        "conforme": rep.compliant,
                        "diff": rep.diff,
                        "probleme": rep.problem,
                        "fichier": f"configurations/{sw.nom}.cfg" if rep.backup else None,
                        "fichier_diff": f"configurations/{sw.nom}.diff" if rep.diff else None,
                        "fichier_voulu": (
                            f"configurations/{sw.nom}.voulue.txt" if rep.intended else None
                        ),
                    },
                }
            )
        if not site.commutateurs:
            missing.append("aucun commutateur décrit dans le référentiel")

        # servers
        servers = []
        for srv in site.serveurs:
            facts, problem = read_facts(site.uai, srv.nom)
            if problem:
                missing.append(f"{srv.nom} : {problem}")
            elif facts is None:
                missing.append(f"{srv.nom} : faits du serveur non collectés")
            else:
                dates.append(facts.get("date"))
            servers.append(self._server(srv, salles, facts))

        date_faits = latest(dates)
        ref_date = self.opts.date_reference or (
            parse_date(date_faits).date().isoformat() if date_faits else self.prov.date_commit
        )
        ref_year = int(ref_date[:4]) if ref_date else None
        materiels = self._materials(site, ref_year)
        territory = self.territories.get(site.territoire)
        contacts = [_contact("Correspondant Éducation nationale", site.contacts.correspondant_en)]
        amico = site.contacts.amico or (territory.amico if territory else None)
        if amico:
            contacts.append(_contact("AMICo", amico))
        else:
            missing.append("contact AMICo absent (ni sur le site ni sur le territoire)")
        title = f"{site.nom} ({site.uai}) — synoptique réseau"
        dot = syn.build_dot(site, salles, title, lldp=lldp)
        links, foreign = syn.uplinks(site)
        ctx = {
            "site": {
                "uai": site.uai,
                "nom": site.nom,
                "commune": site.commune,
                "territoire": site.territoire,
                "territoire_nom": territory.nom if territory else "",
                "exemple": site.exemple,
                "bloc_adresses": str(site.bloc_adresses),
            },
            "provenance": {
                "commit": self.prov.commit,
                "modifie": self.prov.modifie,
                "date_faits": show_date(date_faits) if date_faits else None,
                "date_reference": ref_date,
                "phase": self.phase,
                "phase_nom": self.phase_nom,
                "operateur": self.actors.get(self.operateur, self.operateur),
            },
            "contacts": contacts,
            "vlans": vlans,
            "liaisons": [
                {
                    "de": link.a,
                    "vers": link.b,
                    "ports": {k: ",".join(v) for k, v in sorted(link.ports.items())},
                    "vlans": {k: compress(v) for k, v in sorted(link.vlans.items())},
                    "coherente": link.consistent,
                    "hors_referentiel": False,
                }
                for link in links
            ]
            + [
                {
                    "de": a,
                    "vers": b,
                    "ports": {a: ",".join(p)},
                    "vlans": {a: compress(v)},
                    "coherente": True,
                    "hors_referentiel": True,
                }  # fmt: skip
                for a, b, p, v in foreign
            ],
            "commutateurs": switches,
            "brassage": brassage,
            "serveurs": servers,
            "materiels": materiels,
            "matrice": self._matrix(site),
            "manquants": missing,
        }
        return ctx, dot, reports

    def _row(self, sw, iface, port, salles, vlan_names, data, facts, hosts) -> dict:
        macs = []
        for entry in (data or {}).get("macs") or []:
            mac = entry.get("mac") if isinstance(entry, dict) else str(entry)
            vlan = entry.get("vlan") if isinstance(entry, dict) else None
            macs.append({"mac": mac, "vlan": vlan, "hote": hosts.get(mac, "")})
        macs.sort(key=lambda m: (m["mac"] or "", m["vlan"] or 0))
        row = {
            "commutateur": sw.nom,
            "port": iface,
            "decrit": port is not None,
            "salle": "",
            "mode": "",
            "vlans": "",
            "vers": "",
            "description": "",
            "collecte": facts is not None,
            "etat": (data or {}).get("etat") or "",
            "macs": macs,
        }
        if port is not None:
            row.update(
                salle=salles.get(port.salle, port.salle or "") if port.salle else "",
                mode={"acces": "accès", "trunk": "trunk"}[port.mode],
                vlans=_vlan_cell(port, vlan_names),
                vers=port.vers or "",
                description=port.description or "",
            )
        return row

    def _server(self, srv, salles, facts: dict | None) -> dict:
        system = self.systems.get(srv.systeme)
        sys_info = {
            "id": srv.systeme,
            "nom": system.nom if system else srv.systeme,
            "fin_de_vie": None,
        }
        if system and system.cycle_de_vie.statut != "supporte":
            fin = system.cycle_de_vie.fin_de_vie
            sys_info["fin_de_vie"] = fin.isoformat() if fin else "date non connue"
        kind = {"nas": "serveur_pedagogique"}.get(srv.role, srv.role)
        perimetre_kind = self.ref.perimetre.types_hote.get(kind)
        out = {
            "nom": srv.nom,
            "role": srv.role,
            "systeme": sys_info,
            "vlan": srv.vlan,
            "adresse": str(srv.adresse),
            "mac": srv.mac or "",
            "salle": salles.get(srv.salle, srv.salle or "") if srv.salle else "",
            "modele": srv.modele or "",
            "perimetre": perimetre_kind.perimetre if perimetre_kind else "",
            "collecte": facts is not None,
            "date": show_date(facts.get("date")) if facts else None,
            "services": None,
            "partages": None,
            "sauvegarde": None,
            "restauration": None,
        }
        if facts is None:
            return out
        services = []
        for s in facts.get("services") or []:
            if isinstance(s, dict):
                services.append({"nom": str(s.get("nom", "")), "etat": str(s.get("etat", ""))})
            else:
                services.append({"nom": str(s), "etat": ""})
        out["services"] = sorted(services, key=lambda s: s["nom"]) if "services" in facts else None
        shares = []
        for s in facts.get("partages") or []:
            if isinstance(s, dict):
                shares.append({"nom": str(s.get("nom", "")), "chemin": str(s.get("chemin", ""))})
            else:
                shares.append({"nom": str(s), "chemin": ""})
        out["partages"] = sorted(shares, key=lambda s: s["nom"]) if "partages" in facts else None
        backup = facts.get("sauvegarde")
        if isinstance(backup, dict):
            out["sauvegarde"] = {
                "statut": str(backup.get("statut", "")),
                "derniere": show_date(backup.get("derniere")) if backup.get("derniere") else "",
                "outil": str(backup.get("outil", "")),
            }
        test = facts.get("test_restauration")
        if isinstance(test, dict):
            out["restauration"] = {
                "date": show_date(test.get("date")) if test.get("date") else "",
                "resultat": str(test.get("resultat", "")),
                "detail": str(test.get("detail", "")),
            }
        return out

    def _materials(self, site, ref_year: int | None) -> dict:
        def rows(items) -> list[dict]:
            groups = Counter((i.classe, i.modele or "", i.usage) for i in items)
            out = []
            for (classe, modele, usage), count in sorted(groups.items()):
                c = self.classes.get(classe)
                norm = _norm_model(modele)
                year = self.model_years.get(classe, {}).get(norm)
                flags = []
                if year is None and norm:
                    year = self.any_model_year.get(norm)
                    flags.append(
                        "modèle d'une autre classe de l'annexe 6"
                        if year is not None
                        else "modèle absent de l'annexe 6 (matériel non supporté)"
                    )
                elif not norm:
                    flags.append("modèle non renseigné")
                age = ref_year - year if (ref_year is not None and year is not None) else None
                if (
                    age is not None
                    and self.opts.age_limite is not None
                    and age >= self.opts.age_limite
                ):
                    flags.append(f"{age} ans : au-delà de {self.opts.age_limite} ans")
                out.append(
                    {
                        "classe": classe,
                        "libelle": c.libelle if c else "classe inconnue",
                        "famille": self.familles.get(c.famille, "") if c else "",
                        "modele": modele,
                        "usage": usage,
                        "annee": year,
                        "age": age,
                        "nombre": count,
                        "signalements": flags,
                    }
                )
            return out

        systems = Counter(p.systeme or "" for p in site.postes)
        sys_rows = []
        for sid, count in sorted(systems.items()):
            system = self.systems.get(sid)
            flags = []
            if not sid:
                flags.append("système non renseigné")
            elif system is None:
                flags.append("système absent du catalogue logiciel")
            elif system.cycle_de_vie.statut != "supporte":
                fin = system.cycle_de_vie.fin_de_vie
                flags.append(
                    f"fin de support {fin.isoformat()}"
                    if fin
                    else "en fin de vie (date non connue)"
                )
            sys_rows.append(
                {
                    "id": sid,
                    "nom": system.nom if system else sid,
                    "nombre": count,
                    "signalements": flags,
                    "source": system.cycle_de_vie.source if system else None,
                }
            )
        return {
            "postes": rows(site.postes),
            "peripheriques": rows(site.peripheriques),
            "systemes": sys_rows,
            "total_postes": len(site.postes),
            "total_peripheriques": len(site.peripheriques),
        }

    def _matrix(self, site) -> list[dict]:
        kinds: list[tuple[str, str]] = []  # (host type, French label)
        labels = {
            "poste_pedagogique": "postes pédagogiques",
            "poste_administratif": "postes administratifs",
            "serveur_pedagogique": "serveurs pédagogiques et NAS",
            "serveur_administratif": "serveurs administratifs",
            "commutateur": "commutateurs",
            "pare_feu": "pare-feu / routeur",
            "peripherique_pedagogique": "périphériques pédagogiques",
            "peripherique_administratif": "périphériques administratifs",
        }
        present = {"pare_feu"}  # every site reaches the internet through its router
        present |= {f"poste_{p.usage}" for p in site.postes}
        present |= {f"peripherique_{p.usage}" for p in site.peripheriques}
        present |= {{"nas": "serveur_pedagogique"}.get(s.role, s.role) for s in site.serveurs}
        if site.commutateurs:
            present.add("commutateur")
        concerned: dict[str, list[str]] = defaultdict(list)
        order: list[str] = []
        for kind, th in self.ref.perimetre.types_hote.items():
            if kind not in present:
                continue
            kinds.append((kind, labels.get(kind, kind)))
            for sid in [th.service, *th.actions.values()]:
                if sid not in concerned:
                    order.append(sid)
                if labels.get(kind, kind) not in concerned[sid]:
                    concerned[sid].append(labels.get(kind, kind))
        rows = []
        for sid in order:
            service = self.services.get(sid)
            if service is None:
                continue
            cells = service.raci.get(self.phase, {})
            roles: dict[str, list[str]] = {letter: [] for letter in "RACI"}
            for actor, text in cells.items():
                try:
                    cell = parse_cell(text)
                except ValueError:
                    continue
                name = self.actors.get(actor, actor)
                cond = f" ({cell.condition})" if cell.condition else ""
                for letter in "RACI":
                    if letter in cell.roles:
                        roles[letter].append(name + cond)
                    elif letter in cell.uncertain:
                        roles[letter].append(f"{name} (à confirmer){cond}")
            rows.append(
                {
                    "id": sid,
                    "domaine": service.domaine,
                    "libelle": service.libelle,
                    "concerne": concerned[sid],
                    "roles": roles,
                    "operateur_agit": may_act(service, self.phase, self.operateur),
                    "observation": service.observations.get(self.phase, ""),
                    "anomalie": service.anomalies.get(self.phase, ""),
                }
            )
        return rows


# -- rendering and writing --------------------------------------------------------------------

ENV = Environment(
    loader=PackageLoader("amico.dossier", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
ROLES_FR = {
    "coeur": "cœur",
    "acces": "accès",
    "serveur_pedagogique": "serveur pédagogique",
    "serveur_administratif": "serveur administratif",
    "nas": "NAS",
}
ENV.filters["role_fr"] = lambda r: ROLES_FR.get(r, r)


def dump_json(data: dict) -> str:
    """Sorted JSON, one line per top-level key and per list item: diff-friendly, and fast
    (the C encoder; ``indent`` would use the pure-Python one, 10x slower)."""

    def enc(value) -> str:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    lines = ["{"]
    keys = sorted(data)
    for i, key in enumerate(keys):
        value, comma = data[key], "," if i < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"{enc(key)}:[")
            lines += [enc(v) + ("," if j < len(value) - 1 else "") for j, v in enumerate(value)]
            lines.append("]" + comma)
        else:
            lines.append(f"{enc(key)}:{enc(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def files_for(ctx: dict, svg: str, dot: str, reports: dict) -> dict[str, str]:
    """Relative path -> content of every file of one site's folder."""
    files: dict[str, str] = {
        "synoptique.dot": dot,
        "synoptique.svg": svg,
        "brassage.csv": texte_csv(
            [
                "commutateur",
                "port",
                "salle",
                "mode",
                "vlans",
                "vers",
                "description",
                "decrit_au_referentiel",
                "etat",
                "macs",
            ],  # fmt: skip
            [
                [
                    r["commutateur"],
                    r["port"],
                    r["salle"],
                    r["mode"],
                    r["vlans"],
                    r["vers"],
                    r["description"],
                    "oui" if r["decrit"] else "non",
                    r["etat"] if r["collecte"] else "non collecté",
                    " ".join(m["mac"] for m in r["macs"]),
                ]  # fmt: skip
                for r in ctx["brassage"]
            ],
        ),
        "materiels.csv": texte_csv(
            [
                "type",
                "classe",
                "libelle",
                "modele",
                "usage",
                "annee",
                "age",
                "nombre",
                "signalements",
            ],  # fmt: skip
            [
                [
                    kind,
                    r["classe"],
                    r["libelle"],
                    r["modele"],
                    r["usage"],
                    r["annee"] or "",
                    "" if r["age"] is None else r["age"],
                    r["nombre"],
                    " ; ".join(r["signalements"]),
                ]  # fmt: skip
                for kind in ("postes", "peripheriques")
                for r in ctx["materiels"][kind]
            ],
        ),
        "dossier.json": dump_json(ctx),
    }
    for name, rep in reports.items():
        if rep.backup is not None:
            files[f"configurations/{name}.cfg"] = rep.backup
        if rep.intended is not None:
            files[f"configurations/{name}.voulue.txt"] = rep.intended
        if rep.diff:
            files[f"configurations/{name}.diff"] = rep.diff
    rows_by_switch: dict[str, list[dict]] = defaultdict(list)
    for row in ctx["brassage"]:
        rows_by_switch[row["commutateur"]].append(row)
    files["index.html"] = ENV.get_template("index.html.j2").render(
        **ctx, synoptique=syn.inline_svg(svg), max_macs=MAX_MACS, ports=rows_by_switch
    )
    return files


def write_folder(folder: Path, files: dict[str, str], prune: bool = True) -> list[Path]:
    """Write what changed; remove stale files of ``configurations/``. Returns written paths."""
    written = []
    for rel, content in sorted(files.items()):
        path = folder / rel
        data = content.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written.append(path)
    conf = folder / "configurations"
    if prune and conf.is_dir():
        for path in sorted(conf.iterdir()):
            if path.is_file() and f"configurations/{path.name}" not in files:
                path.unlink()
    return written


def default_out() -> Path:
    return state_dir("dossiers")


STAMP = ".empreinte.json"
_CODE_HASH: list[str] = []


def _code_hash() -> str:
    """Hash of this package's code and templates: a new version rebuilds every dossier."""
    if not _CODE_HASH:
        h = hashlib.sha256()
        base = Path(__file__).parent
        for path in sorted(base.rglob("*")):
            if path.suffix in (".py", ".j2", ".css"):
                h.update(path.name.encode() + b"\0" + path.read_bytes())
        _CODE_HASH.append(h.hexdigest())
    return _CODE_HASH[0]


def _common_fingerprint(ref, prov: Provenance, opts: Options) -> str:
    h = hashlib.sha256()
    content_opts = (opts.phase, opts.operateur, opts.date_reference, opts.age_limite)
    for part in (_code_hash(), syn.dot_version(), repr(prov), repr(content_opts)):
        h.update(part.encode() + b"\0")
    for model in (ref.organisation, ref.plan, ref.perimetre, ref.matrice, ref.materiels,
                  ref.logiciels):  # fmt: skip
        h.update(model.model_dump_json().encode() + b"\0")
    return h.hexdigest()


def _git_head(repo: Path) -> str:
    """The commit a backup repository points at, read without running git."""
    try:
        head = (repo / ".git" / "HEAD").read_text(encoding="utf-8").strip()
        if head.startswith("ref: "):
            ref_path = repo / ".git" / head[5:]
            if ref_path.is_file():
                return ref_path.read_text(encoding="utf-8").strip()
            packed = (repo / ".git" / "packed-refs").read_text(encoding="utf-8")
            return next((ln.split()[0] for ln in packed.splitlines() if ln.endswith(head[5:])), "")
        return head
    except OSError:
        return ""


def fingerprint(common: str, site) -> str:
    """Everything a site's dossier is made of: when it is unchanged, so is the dossier."""
    h = hashlib.sha256(common.encode())
    h.update(site.model_dump_json().encode())
    facts = state_dir("faits", site.uai, create=False)
    if facts.is_dir():
        for path in sorted(facts.glob("*.json")):
            h.update(path.name.encode() + b"\0" + path.read_bytes())
    h.update(_git_head(cfg.backups_root(site.uai)).encode())
    return h.hexdigest()


def generate(ref, sites, out: Path, opts: Options | None = None) -> list[Result]:
    """Build and write the dossier of each site under ``out/<UAI>/``; a site whose inputs
    did not change since the last generation in ``out`` is skipped (``Options.cache``)."""
    opts = opts or Options()
    prov = provenance(ref.root)
    builder = SiteBuilder(ref, prov, opts)
    common = _common_fingerprint(ref, prov, opts)
    results: dict[str, Result] = {}
    built = []
    for site in sites:
        folder = Path(out) / site.uai
        fp = fingerprint(common, site)
        if opts.cache and (folder / "index.html").is_file():
            try:
                stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                stamp = {}
            if stamp.get("empreinte") == fp:
                results[site.uai] = Result(site.uai, folder, [], list(stamp.get("manquants", [])))
                continue
        ctx, dot, reports = builder.context(site)
        built.append((site, fp, ctx, dot, reports))
    cache = state_dir("cache", "dossier") if opts.cache else None
    svgs = syn.render_svgs({s.uai: dot for s, _, _, dot, _ in built}, cache=cache, batch=opts.batch)
    for site, fp, ctx, dot, reports in built:
        folder = Path(out) / site.uai
        files = files_for(ctx, svgs[site.uai], dot, reports)
        written = write_folder(folder, files)
        # the stamp goes last: an interrupted generation is done again next time
        written += write_folder(
            folder,
            {STAMP: dump_json({"empreinte": fp, "manquants": ctx["manquants"]})},
            prune=False,
        )
        results[site.uai] = Result(site.uai, folder, written, ctx["manquants"])
    return [results[s.uai] for s in sites]
