"""`amico referentiel decouvrir --site UAI`: where the network says each post is.

Reads the facts the switch layer gathered for the dossier (`amico dossier --site UAI
--collecter`: MAC tables and LLDP neighbours read with `amico.commutateurs.facts`, one file
per switch under the state directory). A MAC learnt on an access port of the site's
switches (not an uplink: trunk, `vers`, or an LLDP neighbour that is one of the site's
switches) places its device on that port, hence in the port's room:
- a post whose room is still to complete (`postes[i].salle` under `a_completer`) gets
  that room proposed (a diff, written only with --ecrire);
- a post whose declared room differs is reported, never moved;
- a MAC the référentiel does not know is reported (unknown device on the network).
"""

from __future__ import annotations

from dataclasses import dataclass

from amico.dossier.faits import read_facts
from amico.onboarding import OnboardingError
from amico.onboarding.import_glpi import ImportPlan, Report, SiteChange
from amico.referentiel.loader import Referentiel
from amico.referentiel.ports import expand_interfaces
from amico.referentiel.yamlio import load_file

NOT_COLLECTED = "Commutateurs sans faits collectés (lancer `amico dossier --site UAI --collecter`)"
PLACED = "Postes placés par le réseau (salle proposée)"
ELSEWHERE = "Postes vus sur un port d'une autre salle que la leur (rien n'est changé)"
UNKNOWN = "MAC vues sur le réseau et inconnues du référentiel"
SEVERAL = "MAC vues sur plusieurs ports d'accès (non placées)"
NO_ROOM_PORT = "Postes vus sur un port sans salle dans le référentiel"


@dataclass(frozen=True)
class Sighting:
    switch: str
    port: str
    vlan: int | None
    salle: str | None


def sightings(ref: Referentiel, uai: str) -> tuple[dict[str, list[Sighting]], list[str]]:
    """MAC -> where it is learnt on the site's access ports; and the switches not read."""
    site = next((s for s in ref.sites if s.uai == uai), None)
    if site is None:
        raise OnboardingError(f"collège {uai} absent du référentiel : vérifier --site")
    names = {sw.nom for sw in site.commutateurs}
    seen: dict[str, list[Sighting]] = {}
    missing = []
    for sw in site.commutateurs:
        facts, problem = read_facts(uai, sw.nom)
        if facts is None:
            missing.append(f"{sw.nom}" + (f" : {problem}" if problem else ""))
            continue
        edge: dict[str, str | None] = {}
        for port in sw.ports:
            if port.mode != "acces" or port.vers:
                continue
            try:
                for name in expand_interfaces(port.interfaces):
                    edge[name] = port.salle
            except ValueError:
                continue
        uplinks = {
            v.get("port")
            for v in facts.get("voisins") or []
            if str(v.get("nom", "")).split(".")[0].lower() in names
        }
        for port, state in (facts.get("ports") or {}).items():
            if port not in edge or port in uplinks:
                continue
            for entry in state.get("macs") or []:
                mac = str(entry.get("mac", "")).lower()
                seen.setdefault(mac, []).append(
                    Sighting(sw.nom, port, entry.get("vlan"), edge[port])
                )
    return seen, missing


def plan_discovery(ref: Referentiel, uai: str) -> ImportPlan:
    report = Report()
    seen, missing = sightings(ref, uai)
    for line in missing:
        report.add(NOT_COLLECTED, line)
    path = next(p for s, p in zip(ref.sites, ref.site_paths, strict=True) if s.uai == uai)
    data = load_file(path)
    before = load_file(path)
    todo = list(data.get("a_completer") or [])
    known = {}
    for site in ref.sites:
        for kind in ("postes", "peripheriques", "serveurs", "commutateurs"):
            for i, rec in enumerate(getattr(site, kind)):
                if rec.mac:
                    known[rec.mac] = (site.uai, kind, i, rec)
    placed = 0
    for mac, where in sorted(seen.items()):
        places = sorted(set(where), key=lambda s: (s.switch, s.port))
        spot = places[0]
        label = f"{spot.switch} port {spot.port}" + (f" (VLAN {spot.vlan})" if spot.vlan else "")
        hit = known.get(mac)
        if hit is None:
            report.add(UNKNOWN, f"{mac} sur {label}")
            continue
        site_uai, kind, i, rec = hit
        if kind != "postes" or site_uai != uai:
            continue
        if len(places) > 1:
            spots = ", ".join(f"{s.switch} port {s.port}" for s in places)
            report.add(SEVERAL, f"{rec.nom} ({mac}) : {spots}")
            continue
        loc = f"postes[{i}].salle"
        if spot.salle is None:
            report.add(NO_ROOM_PORT, f"{rec.nom} ({mac}) sur {label}")
        elif loc in todo:
            data["postes"][i]["salle"] = spot.salle
            todo.remove(loc)
            placed += 1
            report.add(PLACED, f"{rec.nom} ({mac}) sur {label} -> salle {spot.salle}")
        elif rec.salle != spot.salle:
            report.add(
                ELSEWHERE, f"{rec.nom} ({mac}) : déclaré en salle {rec.salle}, vu sur {label} "
                f"(salle {spot.salle})"
            )  # fmt: skip
    data.pop("a_completer", None)
    if todo:
        data["a_completer"] = todo
    changes = [SiteChange(path, before, data)] if data != before else []
    return ImportPlan(ref.root, changes, report, {"placés": placed})


def run_cli(args) -> int:
    import sys

    from amico.onboarding.import_glpi import write
    from amico.referentiel.findings import ReferentielInvalide
    from amico.referentiel.loader import load

    try:
        try:
            ref = load(args.dossier)
        except ReferentielInvalide as exc:
            raise OnboardingError(
                "le référentiel est invalide, corriger d'abord ses erreurs :\n" + exc.report()
            ) from None
        plan = plan_discovery(ref, args.site.upper())
        for change in plan.changes:  # rendered now: the diff shows what --ecrire writes
            _ = change.old_text, change.new_text
        if args.ecrire:
            write(plan)
    except OnboardingError as exc:
        print(f"erreur : {exc}\nRien n'a été écrit.", file=sys.stderr)
        return 2
    for change in plan.changes:
        print(change.diff(plan.root), end="")
    print(f"Découverte réseau : {plan.counts['placés']} poste(s) placé(s) dans leur salle.")
    lines = plan.report.lines()
    if lines:
        print("\n".join(lines))
    if plan.changes and not args.ecrire:
        print("Rien n'a été écrit : relancer avec --ecrire pour appliquer ces propositions.")
    return 0
