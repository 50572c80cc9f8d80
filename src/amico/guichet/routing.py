"""Ticket routing by the matrice des services (RACI) and planning of helpdesk operations.

Input: the raw YAML structure of referentiel/matrice/services.yml (services with id,
libelle, raci {phase: {actor: cell}}, anomalies) and a routing configuration
(config.load_routing). Output: JSON-serialisable operations (see ops.py) that the
delivery layer executes or spools. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from amico.guichet.config import ConfigError

PREFIX = "amico"
MAX_EXTERNAL_ID = 255  # glpi_tickets.externalid is a varchar(255)
ROLE_LABELS = {
    "R": "R (réalise, groupe assigné)",
    "A": "A (approuve, rend compte)",
    "C": "C (consulté)",
    "I": "I (informé)",
}
# Finding states.
ECHEC, DERIVE, CONFORME, IGNOREE, CHANGEMENT = (
    "echec",
    "derive",
    "conforme",
    "ignoree",
    "changement",
)


class RoutingError(ConfigError):
    """The matrix or the routing configuration cannot route a ticket (French message)."""


def slug(text: str, limit: int = 80) -> str:
    text = text.lower()
    for a, b in (("àâä", "a"), ("éèêë", "e"), ("îï", "i"), ("ôö", "o"), ("ùûü", "u"), ("ç", "c")):
        for ch in a:
            text = text.replace(ch, b)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:limit].rstrip("-") or "sans-nom"


def external_id(site: str, service: str, probleme: str) -> str:
    """Stable GLPI external id of one (site, service, problem)."""
    full = slug(probleme, 10_000)
    key = f"{PREFIX}/{site.upper()}/{service}/{full}"
    if len(key) > MAX_EXTERNAL_ID:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        key = key[: MAX_EXTERNAL_ID - 17] + "~" + digest
    return key


def site_service_prefix(site: str, service: str) -> str:
    return f"{PREFIX}/{site.upper()}/{service}/"


@dataclass
class Cell:
    letters: list[str]
    uncertain: bool = False
    condition: str | None = None
    raw: str = ""


def parse_cell(raw: object) -> Cell:
    """'R C', 'R?', 'R (si absence PRN)' -> letters, uncertainty, condition."""
    text = "" if raw is None else str(raw).strip()
    condition = None
    m = re.search(r"\((.*?)\)", text)
    if m:
        condition = m.group(1).strip()
        text_wo = (text[: m.start()] + text[m.end() :]).strip()
    else:
        text_wo = text
    letters, uncertain = [], False
    for token in text_wo.split():
        mm = re.fullmatch(r"([RACI])(\?)?", token)
        if mm:
            letters.append(mm.group(1))
            uncertain |= bool(mm.group(2))
    return Cell(letters, uncertain, condition, str(raw or ""))


@dataclass
class Route:
    service: str
    libelle: str
    phase: str
    entity: int
    assign_groups: list[int]
    roles: dict[str, list[str]]  # letter -> actor ids (with condition/uncertainty notes)
    anomalies: list[str] = field(default_factory=list)
    observations: str | None = None


def find_service(matrix: dict, service_id: str) -> dict:
    for svc in (matrix or {}).get("services") or []:
        if svc.get("id") == service_id:
            return svc
    raise RoutingError(f"Service « {service_id} » absent de la matrice des services")


def route(
    matrix: dict, service_id: str, site: str, routing: dict, phase: str | None = None
) -> Route:
    """Who gets the ticket: R actors' groups assigned; A, C, I listed; anomalies cited."""
    svc = find_service(matrix, service_id)
    phase = phase or routing.get("phase") or "transitoire"
    row = (svc.get("raci") or {}).get(phase)
    if not row:
        raise RoutingError(
            f"Service « {service_id} » : pas de ligne RACI pour la phase « {phase} »"
        )
    names = routing.get("acteurs") or {}
    roles: dict[str, list[str]] = {k: [] for k in "RACI"}
    r_actors = []
    for actor, raw in row.items():
        cell = parse_cell(raw)
        label = names.get(actor, actor)
        note = []
        if cell.uncertain:
            note.append("incertain")
        if cell.condition:
            note.append(cell.condition)
        shown = f"{label} ({', '.join(note)})" if note else label
        for letter in dict.fromkeys(cell.letters):
            roles[letter].append(shown)
        if "R" in cell.letters:
            r_actors.append(actor)
    groups_map = routing.get("groupes") or {}
    groups = [groups_map[a] for a in r_actors if a in groups_map]
    if not groups:
        default = routing.get("groupe_defaut")
        if default is None:
            raise RoutingError(
                f"Service « {service_id} », phase « {phase} » : aucun acteur R "
                f"({', '.join(r_actors) or 'aucun'}) n'a de groupe GLPI dans la configuration "
                "(groupes) et aucun groupe_defaut n'est défini"
            )
        groups = [int(default)]
    entities = routing.get("entites") or {}
    entity = entities.get(site.upper(), entities.get(site))
    if entity is None:
        entity = routing.get("entite_defaut")
    if entity is None:
        raise RoutingError(f"Site « {site} » : aucune entité GLPI dans la configuration (entites)")
    anomalies = []
    for key in ("anomalies", "decisions"):
        value = (svc.get(key) or {}).get(phase)
        if value:
            anomalies.append(str(value))
    obs = (svc.get("observations") or {}).get(phase)
    return Route(
        service_id,
        str(svc.get("libelle") or service_id),
        phase,
        int(entity),
        list(dict.fromkeys(int(g) for g in groups)),
        roles,
        anomalies,
        obs,
    )


@dataclass
class Finding:
    """One observation from a run for one host."""

    site: str
    service: str
    probleme: str
    etat: str  # echec | derive | conforme | ignoree | changement
    hote: str
    detail: str = ""


# A task result as the callback sees it (before it becomes findings).
INJOIGNABLE = "injoignable"
ISSUES = (ECHEC, INJOIGNABLE, CHANGEMENT, CONFORME)


def locate(site: object, service: object) -> tuple[str, str] | None:
    """(site, service) of a host from its variables, or None when the host cannot be
    routed: a variable missing or left untemplated (a ticket is never opened on "{{ x }}")."""
    if not site or not service or "{{" in f"{site}{service}":
        return None
    return str(site), str(service)


def findings_of_constats(where: tuple[str, str], host: str, constats: list[dict]) -> list[Finding]:
    """Findings a drift collect reports itself (`amico_constats`): one per check, on the
    host's site, under the check's own service when it names one."""
    site, service = where
    return [
        Finding(
            site,
            str(c.get("service") or service),
            str(c.get("probleme")),
            str(c.get("etat")),
            host,
            str(c.get("detail") or ""),
        )
        for c in constats
    ]


def findings_of_result(
    where: tuple[str, str],
    host: str,
    task: str,
    issue: str,
    detail: str = "",
    read_only: bool = False,
) -> list[Finding]:
    """The findings one ordinary task result on one host yields.

    - failed task: `echec-<task>` open; unreachable host: `injoignable` open;
    - ok task: `echec-<task>` cleared; in a read-only run (check mode or drift), also
      `ecart-<task>` cleared;
    - changed task: `echec-<task>` cleared, then in a read-only run a deviation
      `ecart-<task>` (a change that would be made), otherwise an intervention traced.
    """
    if issue not in ISSUES:
        raise ValueError(f"état de tâche inconnu : {issue!r} (attendu : {', '.join(ISSUES)})")
    site, service = where
    probleme = f"echec-{slug(task)}"
    if issue == INJOIGNABLE:
        return [Finding(site, service, INJOIGNABLE, ECHEC, host, detail)]
    if issue == ECHEC:
        return [Finding(site, service, probleme, ECHEC, host, detail)]
    out = [Finding(site, service, probleme, CONFORME, host)]
    ecart = f"ecart-{slug(task)}"
    if issue == CHANGEMENT:
        if read_only:
            out.append(Finding(site, service, ecart, DERIVE, host, task))
        else:
            out.append(Finding(site, service, "interventions", CHANGEMENT, host, task))
    elif read_only:
        out.insert(0, Finding(site, service, ecart, CONFORME, host))
    return out


def entities_to_check(routing: dict) -> set[int]:
    """Every GLPI entity a ticket of this routing may go to: checked against the API
    profile before any ticket is sent."""
    entities = {int(e) for e in (routing.get("entites") or {}).values()}
    if routing.get("entite_defaut") is not None:
        entities.add(int(routing["entite_defaut"]))
    return entities


@dataclass
class RunInfo:
    run_id: str
    playbook: str = ""
    date: str = ""
    mode: str = "execution"  # execution | derive (read-only drift run)


def _raci_text(rt: Route) -> str:
    lines = [f"Matrice des services, phase « {rt.phase} » :"]
    for letter in "RACI":
        lines.append(f"  - {ROLE_LABELS[letter]} : {', '.join(rt.roles[letter]) or '—'}")
    for a in rt.anomalies:
        lines.append(f"  - Anomalie de la matrice : {a}")
    if rt.observations:
        lines.append(f"  - Observation : {rt.observations}")
    return "\n".join(lines)


def _hosts_text(items: list[Finding]) -> str:
    out = []
    for f in sorted(items, key=lambda f: f.hote):
        detail = " ".join(f.detail.split())[:500]
        out.append(f"  - {f.hote} : {detail}" if detail else f"  - {f.hote}")
    return "\n".join(out)


def _ticket_spec(
    site: str, rt: Route, probleme: str, items: list[Finding], run: RunInfo, ext: str, routing: dict
) -> dict:
    kind = "Dérive" if any(f.etat == DERIVE for f in items) else "Échec"
    content = "\n".join(
        [
            f"{kind} constatée par AMICo sur le site {site}.",
            f"Service : {rt.libelle} ({rt.service})",
            f"Problème : {probleme}",
            "Hôtes concernés :",
            _hosts_text(items),
            _raci_text(rt),
            f"Exécution : {run.playbook or '—'} ({run.run_id}) {run.date}".rstrip(),
            f"Référence AMICo : {ext}",
        ]
    )
    spec = {
        "name": f"[AMICo] {site} · {rt.service} · {probleme}"[:250],
        "content": content,
        "entities_id": rt.entity,
        "externalid": ext,
        "type": int(routing.get("type", 1)),
        "urgency": int(routing.get("urgence", 3)),
        "groups_assign": rt.assign_groups,
    }
    if routing.get("categorie"):
        spec["itilcategories_id"] = int(routing["categorie"])
    return spec


def plan(findings: list[Finding], matrix: dict, routing: dict, run: RunInfo) -> list[dict]:
    """Turn a run's findings into helpdesk operations (deterministic order).

    - echec/derive on (site, service, problem): `signaler` (open, or followup if open);
    - conforme only: the ticket of that problem, if open, is solved (`resoudre_lot`);
    - ignoree: nothing at all;
    - changement: interventions traced per routing['interventions'].
    Routing errors do not stop the run: the ticket is still sent to the default entity
    when one is configured, else the error is returned as a `erreur_routage` op.
    """
    groups: dict[tuple[str, str], dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        groups[(f.site.upper(), f.service)][f.probleme].append(f)
    ops: list[dict] = []
    mode = routing.get("interventions", "suivi")
    for (site, service), problems in sorted(groups.items()):
        try:
            rt = route(matrix, service, site, routing)
        except RoutingError as e:
            ops.append(
                {
                    "op": "erreur_routage",
                    "id": str(uuid.uuid4()),
                    "site": site,
                    "service": service,
                    "message": str(e),
                }
            )
            continue
        failing, clear = [], []
        changes: list[Finding] = []
        for probleme, items in sorted(problems.items()):
            states = {f.etat for f in items}
            bad = [f for f in items if f.etat in (ECHEC, DERIVE)]
            if bad:
                ext = external_id(site, service, probleme)
                failing.append(probleme)
                spec = _ticket_spec(site, rt, probleme, bad, run, ext, routing)
                suivi = "\n".join(
                    [
                        f"Le problème persiste (exécution {run.run_id} {run.date}).".replace(
                            " )", ")"
                        ),
                        "Hôtes concernés :",
                        _hosts_text(bad),
                    ]
                )
                ops.append(
                    {
                        "op": "signaler",
                        "id": str(uuid.uuid4()),
                        "external_id": ext,
                        "ticket": spec,
                        "suivi": suivi,
                    }
                )
            elif states & {CONFORME} and not states & {IGNOREE}:
                clear.append(probleme)
            changes.extend(f for f in items if f.etat == CHANGEMENT)
        if clear:
            # One prefix search per (site, service) instead of one per problem.
            ops.append(
                {
                    "op": "resoudre_lot",
                    "id": str(uuid.uuid4()),
                    "entities_id": rt.entity,
                    "prefix": site_service_prefix(site, service),
                    "external_ids": [external_id(site, service, p) for p in clear],
                    "solution": f"Résolu : plus constaté par AMICo sur le site {site} "
                    f"(exécution {run.run_id} {run.date}).".replace(" )", ")"),
                }
            )
        if changes and mode != "aucune":
            probleme = "interventions" if mode == "suivi" else f"intervention-{run.run_id}"
            ext = external_id(site, service, probleme)
            text = "\n".join(
                [
                    f"Interventions réalisées par AMICo sur le site {site} "
                    f"(exécution {run.run_id} {run.date}) :".replace(" )", ")"),
                    _hosts_text(changes),
                    _raci_text(rt),
                ]
            )
            spec = _ticket_spec(site, rt, "interventions", changes, run, ext, routing)
            spec["name"] = f"[AMICo] {site} · {rt.service} · interventions"
            spec["content"] = text + f"\nRéférence AMICo : {ext}"
            spec["type"] = 2
            if mode == "suivi":
                ops.append(
                    {
                        "op": "signaler",
                        "id": str(uuid.uuid4()),
                        "external_id": ext,
                        "ticket": spec,
                        "suivi": text,
                    }
                )
            else:
                ops.append(
                    {
                        "op": "consigner",
                        "id": str(uuid.uuid4()),
                        "external_id": ext,
                        "ticket": spec,
                        "solution": "Intervention réalisée par AMICo.",
                    }
                )
    return ops
