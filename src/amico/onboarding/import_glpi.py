"""`amico referentiel importer glpi`: GLPI's inventory mapped onto the référentiel.

GLPI entity -> collège (the UAI read in the entity's name, full name or comment);
Computer -> poste (class from the model via the Annexe 6 catalogue, room from the
location, system from the OS); NetworkEquipment -> commutateur. A record the référentiel
already has is found by serial, then by MAC, and only its missing values are proposed
(absent, or listed under `a_completer`): a value a human wrote is never replaced. What
cannot be mapped goes to a French report for a human to decide. The result is a set of
proposed site files shown as a diff; files are written only when asked, then checked.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import functools
import io
import json
import re
from dataclasses import dataclass, field
from ipaddress import IPv4Network
from pathlib import Path

import yaml

from amico.onboarding import OnboardingError
from amico.onboarding.glpi_lecture import Asset, Inventory
from amico.onboarding.nouveau_site import PLACEHOLDER, TECH_ROOM, build_site, free_blocks
from amico.referentiel import yamlio
from amico.referentiel.findings import ReferentielInvalide
from amico.referentiel.generate import _Dumper
from amico.referentiel.loader import Referentiel, load
from amico.referentiel.noms import NETBIOS_MAX, post_name, room_slug, switch_name
from amico.referentiel.plan import site_subnets, uai_is_valid
from amico.referentiel.yamlio import load_file

_UAI = re.compile(r"\b([0-9]{7}[A-Z])\b")
POST_TYPES = ("poste", "client_leger", "chromeos")
VENDORS = {"aruba": "aruba", "hpe": "aruba", "hewlett": "aruba", "hp": "aruba",
           "procurve": "aruba", "cisco": "cisco"}  # fmt: skip
_NORM = re.compile(r"[^a-z0-9]+")
_WINDOWS = re.compile(r"windows\s+(xp|7|8\.1|10|11)\b")


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


@dataclass
class Report:
    """What a human must decide, by heading; each line names the GLPI item."""

    sections: dict[str, list[str]] = field(default_factory=dict)

    def add(self, heading: str, line: str) -> None:
        self.sections.setdefault(heading, []).append(line)

    def lines(self) -> list[str]:
        out = []
        for heading, items in self.sections.items():
            out.append(f"{heading} ({len(items)}) :")
            out += [f"  - {item}" for item in items]
        return out


UNKNOWN_MODEL = "Modèles inconnus du catalogue (à ajouter à catalogue/materiels.yml), non importés"
NO_ID = "Matériels sans numéro de série ni MAC (non importés : rien pour les reconnaître)"
NO_MAC = "Matériels sans MAC (importés, MAC à compléter)"
NO_SERIAL = "Matériels sans numéro de série (importés, numéro à compléter)"
DUP_ACROSS = "Numéros de série ou MAC en double entre entités (non importés)"
DUP_GLPI = "Doublons dans GLPI (même entité : un seul enregistrement retenu)"
WRONG_ENTITY = "Matériels rangés dans GLPI sous une autre entité que leur collège du référentiel"
RENAME = "Noms hors convention (renommage proposé dans le référentiel, jamais appliqué dans GLPI)"
NO_UAI = "Entités GLPI sans UAI reconnaissable (leurs matériels ne sont pas importés)"
VENDOR = "Équipements réseau d'un fabricant non pris en charge (non importés)"
DIFFERS = "Valeurs différentes entre GLPI et le référentiel (le référentiel est conservé)"
AMBIGUOUS = "Modèles présents dans plusieurs classes du catalogue (classe à vérifier)"
NO_ROOM = "Matériels sans lieu dans GLPI (salle à compléter)"
FULL = "Réservations d'adresses pleines (non importés)"


@dataclass
class SiteChange:
    path: Path
    before: dict | None  # None: a new site file
    after: dict
    header: str = ""  # a new file's leading comments; an existing file keeps its own

    def text(self, data: dict | None) -> str:
        if data is None:
            return ""
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)

    @functools.cached_property
    def old_text(self) -> str:
        return "" if self.before is None else self.path.read_text("utf-8")

    @functools.cached_property
    def new_text(self) -> str:
        """The file as it will be written: an existing file is edited in place (its
        comments, key order and quoting kept), a new one is dumped under its header."""
        if self.before is None:
            return (self.header or NEW_HEADER) + self.text(self.after)
        return rewrite(self.old_text, self.before, self.after)

    def diff(self, root: Path) -> str:
        name = str(self.path.relative_to(root.parent))
        before = "/dev/null" if self.before is None else f"a/{name}"
        return "".join(
            difflib.unified_diff(
                self.old_text.splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                before,
                f"b/{name}",
            )
        )


NEW_HEADER = (
    "# Collège créé par `amico referentiel importer glpi` : compléter les valeurs\n"
    "# listées sous `a_completer`, puis retirer chaque entrée.\n---\n"
)


_KEY_LINE = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")


def _indentation(lines: list[str]) -> tuple[int, int]:
    """(mapping indent, dash offset) the file uses: ruamel re-emits the whole document
    with one style, so it must be the human's (the project's files indent list items
    under their key; PyYAML's default puts the dash at the key's column)."""
    mapping = offset = None
    for line, following in zip(lines, lines[1:], strict=False):
        m = _KEY_LINE.match(line)
        if not m or not following.strip():
            continue
        step = len(following) - len(following.lstrip(" ")) - len(m[1])
        if following.lstrip(" ").startswith("- "):
            offset = step if offset is None and step >= 0 else offset
        elif mapping is None and step > 0:
            mapping = step
        if mapping is not None and offset is not None:
            break
    return mapping or 2, 2 if offset is None else offset


def _round_trip(lines: list[str]):
    # ruamel's round-trip mode keeps comments, key order and quotes of what it does not
    # touch; 100 columns as the generator writes.
    from ruamel.yaml import YAML

    mapping, offset = _indentation(lines)
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    rt.width = 100
    return rt


def rewrite(text: str, before: dict, after: dict) -> str:
    """`text` (whose values are `before`, as the hardened loader read them) edited so its
    values become `after`: only the changed keys and list items are rewritten, the rest of
    the text (comments included) stays as the human wrote it. Reading stays the hardened
    loader's job: the result is parsed back with it and must give exactly `after`."""
    lines = text.splitlines(keepends=True)
    head = 0
    for n, line in enumerate(lines):  # the comment block before `---` stays verbatim
        if line.strip() == "---":
            head = n + 1
            break
        if not (line.startswith("#") or not line.strip()):
            break
    rt = _round_trip(lines[head:])
    tree = rt.load("".join(lines[head:]))
    _patch(tree, before, after)
    out = io.StringIO()
    rt.dump(tree, out)
    new = "".join(lines[:head]) + out.getvalue()
    if yamlio.parse(new) != after:
        raise OnboardingError(
            "réécriture du fichier de site impossible sans en changer le sens (valeur "
            "que l'éditeur YAML ne sait pas reproduire) ; rien n'a été écrit : appliquer "
            "les propositions à la main"
        )
    return new


def _container(value) -> bool:
    return isinstance(value, (dict, list))


def _patch(node, before, after) -> None:
    """Make the round-trip `node` (mirroring `before`) hold `after`, touching only what
    differs: a changed key or list item is replaced, a new one inserted where `after` has
    it, a removed one deleted; unchanged neighbours keep their comments."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [k for k in before if k not in after]:
            del node[key]
        for pos, (key, value) in enumerate(after.items()):
            if key in before:
                if before[key] == value:
                    continue
                if type(before[key]) is type(value) and _container(value):
                    _patch(node[key], before[key], value)
                else:
                    node[key] = copy.deepcopy(value)
            else:
                node.insert(min(pos, len(node)), key, copy.deepcopy(value))
        return
    keys_b = [json.dumps(v, sort_keys=True, default=str) for v in before]
    keys_a = [json.dumps(v, sort_keys=True, default=str) for v in after]
    ops = difflib.SequenceMatcher(None, keys_b, keys_a, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):  # from the end: indices stay valid
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for off in range(i2 - i1):
                b, a = before[i1 + off], after[j1 + off]
                if type(b) is type(a) and _container(a):
                    _patch(node[i1 + off], b, a)
                else:
                    node[i1 + off] = copy.deepcopy(a)
            continue
        for i in range(i2 - 1, i1 - 1, -1):
            del node[i]
        for n, a in enumerate(after[j1:j2]):
            node.insert(i1 + n, copy.deepcopy(a))


@dataclass
class ImportPlan:
    root: Path
    changes: list[SiteChange]
    report: Report
    counts: dict[str, int]


class _Catalog:
    def __init__(self, ref: Referentiel):
        # normalized model (with or without its maker's first word) -> classes, and the
        # catalogue's own spelling, so the record names the model as the catalogue does
        self.by_model: dict[str, list[str]] = {}
        self.spelling: dict[str, str] = {}
        for cls in ref.materiels.classes:
            if cls.type_hote not in POST_TYPES:
                continue
            for m in cls.modeles:
                for key in {_norm(m.modele), _norm(m.modele.split(" ", 1)[-1])}:
                    ids = self.by_model.setdefault(key, [])
                    self.spelling.setdefault(key, m.modele)
                    if cls.id not in ids:
                        ids.append(cls.id)
        self.systems = {s.id for s in ref.logiciels.logiciels if s.categorie == "systeme"}

    def classes(self, asset: Asset) -> tuple[list[str], str | None]:
        if not asset.model:
            return [], None
        keys = [_norm(asset.model)]
        if asset.manufacturer:
            keys.append(_norm(f"{asset.manufacturer.split()[0]} {asset.model}"))
        for key in keys:
            if key in self.by_model:
                return self.by_model[key], self.spelling[key]
        return [], None

    def system(self, os_name: str | None) -> str | None:
        m = _WINDOWS.search((os_name or "").lower())
        sid = f"windows_{m[1].replace('.', '_')}" if m else None
        return sid if sid in self.systems else None


def entity_uai(entity: dict) -> str | None:
    for key in ("name", "completename", "comment"):
        for m in _UAI.finditer(str(entity.get(key) or "")):
            if uai_is_valid(m[1]):
                return m[1]
    return None


def _missing(record: dict, key: str, todo: set[str], loc: str) -> bool:
    return record.get(key) in (None, "", PLACEHOLDER) or loc in todo


class _SiteEdit:
    """One site file being completed: indexes and free numbers kept as records arrive."""

    def __init__(self, ref: Referentiel, data: dict, plan_vlans: dict):
        self.data = data
        self.uai = data["uai"]
        self.todo = list(data.get("a_completer") or [])
        self.subnets = site_subnets(ref.plan, IPv4Network(data["bloc_adresses"]), data["vlans"])
        self.regle = ref.plan.regle
        self.vlans_by_usage = {}
        for vid in data["vlans"]:
            self.vlans_by_usage.setdefault(plan_vlans[vid].usage, vid)
        self.rooms = {r["id"]: r for r in data.setdefault("salles", [])}
        self.room_names = {_norm(r.get("nom", "")): r["id"] for r in self.rooms.values()}
        self.post_name = re.compile(self.uai[:7] + r"-[a-z0-9]+-[0-9]{2,}")
        self.changed = False

    def done(self, loc: str) -> None:
        if loc in self.todo:
            self.todo.remove(loc)
            self.changed = True

    def need(self, loc: str) -> None:
        if loc not in self.todo:
            self.todo.append(loc)

    def room_for(self, location: str | None) -> tuple[str, bool]:
        """Room id for a GLPI location name (existing by name or id, else a new room)."""
        if not location:
            self.ensure_tech_room()
            return TECH_ROOM, False
        rid = self.room_names.get(_norm(location)) or (location if location in self.rooms else None)
        if rid:
            return rid, True
        m = re.match(r"^\s*salle\s+(.+)$", location, re.I)
        rid = ("s" + room_slug(m[1])) if m else re.sub(r"[^a-z0-9]+", "_", location.lower())
        rid = rid.strip("_") or "salle"
        room = {"id": rid, "nom": location}
        if "pedagogique" in self.vlans_by_usage:
            room["vlan"] = self.vlans_by_usage["pedagogique"]
        self.data["salles"].append(room)
        self.rooms[rid] = room
        self.room_names[_norm(location)] = rid
        self.done("salles")
        self.changed = True
        return rid, True

    def ensure_tech_room(self) -> None:
        if TECH_ROOM not in self.rooms:
            room = {"id": TECH_ROOM, "nom": "Local technique (baie de brassage)"}
            self.data["salles"].append(room)
            self.rooms[TECH_ROOM] = room

    def free_switch_address(self, taken: set) -> str | None:
        vid = self.vlans_by_usage.get("management")
        if vid is None or vid not in self.subnets:
            return None
        first, last = self.regle.reservations.commutateurs
        used = {str(s.get("adresse")) for s in self.data.get("commutateurs", [])} | taken
        for offset in range(first, last + 1):
            addr = str(self.subnets[vid].host(offset))
            if addr not in used:
                return addr
        return None


def plan_import(ref: Referentiel, inv: Inventory) -> ImportPlan:
    """The proposals (site files before/after) and the report; nothing is written."""
    report = Report()
    catalog = _Catalog(ref)
    plan_vlans = {v.id: v for v in ref.plan.vlans}
    counts = {"postes": 0, "commutateurs": 0, "complétés": 0, "sites": 0}
    # where the référentiel already knows each serial and MAC
    paths = dict(zip((s.uai for s in ref.sites), ref.site_paths, strict=True))
    # fresh copies (the cached parse is shared), edited in place below
    raw: dict[str, dict] = {uai: copy.deepcopy(load_file(p)) for uai, p in paths.items()}
    known_serial: dict[str, tuple[str, str, int]] = {}
    known_mac: dict[str, tuple[str, str, int]] = {}
    names: set[str] = set()
    for uai, data in raw.items():
        for kind in ("postes", "commutateurs", "serveurs", "peripheriques"):
            for i, rec in enumerate(data.get(kind) or []):
                names.add(rec["nom"])
                if rec.get("serie") and rec["serie"] != PLACEHOLDER:
                    known_serial.setdefault(str(rec["serie"]).lower(), (uai, kind, i))
                if rec.get("mac"):
                    known_mac.setdefault(str(rec["mac"]).lower(), (uai, kind, i))
    # entities -> UAI
    uai_of: dict[int, str] = {}
    holding = {a.entity for a in inv.assets}
    for eid, entity in sorted(inv.entities.items()):
        uai = entity_uai(entity)
        if uai:
            uai_of[eid] = uai
        elif eid in holding:
            n = sum(a.entity == eid for a in inv.assets)
            report.add(
                NO_UAI,
                f"entité n° {eid} « {entity.get('completename') or entity.get('name')} » : "
                f"{n} matériel(s)",
            )
    # duplicates across entities and inside one entity
    by_key: dict[str, list[Asset]] = {}
    for a in inv.assets:
        for key in ([f"serie:{a.serial.lower()}"] if a.serial else []) + [
            f"mac:{m}" for m in a.macs
        ]:
            by_key.setdefault(key, []).append(a)
    skip: set[int] = set()
    merged: set[int] = set()
    for key, group in by_key.items():
        ids = sorted({(a.itemtype, a.glpi_id) for a in group})
        if len(ids) < 2:
            continue
        serial = key.startswith("serie:")
        what = f"numéro de série {group[0].serial}" if serial else f"MAC {key[4:]}"
        entities = sorted({a.entity for a in group})
        if len(entities) > 1:
            line = f"{what} : " + ", ".join(f"{a.label} (entité {a.entity})" for a in group)
            if line not in report.sections.get(DUP_ACROSS, []):
                report.add(DUP_ACROSS, line)
            skip |= {id(a) for a in group}
        else:
            keep = min(group, key=lambda a: a.glpi_id)
            others = [a for a in group if a is not keep and id(a) not in merged]
            if others:
                report.add(
                    DUP_GLPI,
                    f"{what} : {keep.label} retenu ; "
                    + ", ".join(a.label for a in others)
                    + " ignoré(s)",
                )
            merged |= {id(a) for a in group if a is not keep}
    territories = {t.code for c in ref.organisation.collectivites for t in c.territoires}
    edits: dict[str, _SiteEdit] = {}
    new_paths: dict[str, Path] = {}
    blocks = free_blocks(ref)

    def edit_for(eid: int) -> _SiteEdit | None:
        uai = uai_of.get(eid)
        if uai is None:
            return None
        if uai not in edits:
            if uai in raw:
                edits[uai] = _SiteEdit(ref, raw[uai], plan_vlans)
            else:
                entity = inv.entities[eid]
                territoire = uai[1:3]
                if territoire not in territories:
                    report.add(
                        NO_UAI,
                        f"entité n° {eid} « {entity.get('name')} » : UAI {uai} d'un territoire "
                        f"absent de organisation.yml ({territoire})",
                    )
                    uai_of.pop(eid)
                    return None
                nom = re.sub(
                    r"\s*[(\[]?\b" + uai + r"\b[)\]]?\s*", " ", str(entity.get("name") or "")
                ).strip(" -")
                block = next(blocks)
                data = build_site(
                    ref,
                    uai,
                    nom or PLACEHOLDER,
                    str(entity.get("town") or "") or PLACEHOLDER,
                    territoire,
                    block,
                )
                data["postes"], data["peripheriques"] = [], []
                if data["commune"] == PLACEHOLDER:
                    data["a_completer"].insert(0, "commune")
                edits[uai] = _SiteEdit(ref, data, plan_vlans)
                edits[uai].changed = True
                names.update(r["nom"] for k in ("serveurs", "commutateurs") for r in data[k])
                new_paths[uai] = ref.root / "sites" / f"{uai}.yml"
                counts["sites"] += 1
        return edits[uai]

    taken_addrs: dict[str, set] = {}
    # one report line per model, not per post (a model may cover thousands of posts)
    unknown_models: dict[str, list[str]] = {}
    ambiguous: dict[str, list[str]] = {}
    for a in sorted(inv.assets, key=lambda a: (a.entity, a.itemtype, a.glpi_id)):
        if id(a) in skip or id(a) in merged:
            continue
        site = edit_for(a.entity)
        if site is None:
            continue
        kind = "postes" if a.itemtype == "Computer" else "commutateurs"
        hit = known_serial.get(a.serial.lower()) if a.serial else None
        hit = hit or next((known_mac[m] for m in a.macs if m in known_mac), None)
        if hit:
            uai, hkind, idx = hit
            if uai != site.uai:
                report.add(
                    WRONG_ENTITY,
                    f"{a.label} : entité GLPI n° {a.entity} ({site.uai}), mais {hkind}[{idx}] "
                    f"du site {uai} dans le référentiel",
                )
                continue
            complete(site, hkind, idx, a, report, counts, catalog)
            continue
        if not a.serial and not a.macs:
            report.add(NO_ID, f"{a.label} (entité {site.uai})")
            continue
        if kind == "commutateurs":
            # a switch the site file already names (a new site's placeholder): complete it
            same = [i for i, r in enumerate(site.data.get(kind) or []) if r["nom"] == a.name]
            if same:
                complete(site, kind, same[0], a, report, counts, catalog)
                continue
        room, located = site.room_for(a.location)
        if kind == "postes":
            classes, model = catalog.classes(a)
            if not classes:
                key = f"« {a.manufacturer or '?'} {a.model or '(modèle vide)'} »"
                unknown_models.setdefault(key, []).append(f"{a.label} ({site.uai})")
                continue
            rec = {"nom": None, "classe": classes[0], "modele": model}
            if a.serial:
                rec["serie"] = a.serial
            if a.macs:
                rec["mac"] = a.macs[0]
            rec["salle"] = room
            rec["usage"] = "pedagogique"
            system = catalog.system(a.os)
            if system:
                rec["systeme"] = system
            # a name of the convention for this collège is kept, whatever its room part
            # (the GLPI location may be missing or coarser than the name)
            conform = bool(site.post_name.fullmatch(a.name))
            conform = conform and len(a.name) <= NETBIOS_MAX
            if conform and a.name not in names:
                rec["nom"] = a.name
            else:
                n = 1
                while post_name(site.uai, room, n) in names:
                    n += 1
                rec["nom"] = post_name(site.uai, room, n)
                report.add(RENAME, f"{a.label} ({site.uai}) : « {a.name} » -> « {rec['nom']} »")
            i = len(site.data.setdefault("postes", []))
            site.data["postes"].append(rec)
            counts["postes"] += 1
            if len(classes) > 1:
                key = f"« {model} » : {' ou '.join(classes)} ; {classes[0]} retenue"
                ambiguous.setdefault(key, []).append(rec["nom"])
                site.need(f"postes[{i}].classe")
            if not system:
                site.need(f"postes[{i}].systeme")
        else:
            vendor = _vendor(a)
            if vendor is None:
                report.add(
                    VENDOR, f"{a.label} ({site.uai}) : fabricant « {a.manufacturer or '(vide)'} »"
                )
                continue
            addr = site.free_switch_address(taken_addrs.setdefault(site.uai, set()))
            if addr is None:
                report.add(FULL, f"{a.label} ({site.uai}) : plus d'adresse de management libre")
                continue
            taken_addrs[site.uai].add(addr)
            low = site.uai.lower()
            conform = bool(re.fullmatch(r"sw-[a-z]+[0-9]*-" + low, a.name))
            if conform and a.name not in names:
                name = a.name
            else:
                n = 1
                while switch_name("acces", site.uai, n) in names:
                    n += 1
                name = switch_name("acces", site.uai, n)
                report.add(RENAME, f"{a.label} ({site.uai}) : « {a.name} » -> « {name} »")
            rec = {"nom": name, "fabricant": vendor, "modele": a.model or PLACEHOLDER,
                   "role": "acces", "salle": room, "adresse": addr}  # fmt: skip
            if a.macs:
                rec["mac"] = a.macs[0]
            if a.serial:
                rec["serie"] = a.serial
            rec["ports"] = []
            i = len(site.data.setdefault("commutateurs", []))
            site.data["commutateurs"].append(rec)
            site.need(f"commutateurs[{i}].ports")
            if not a.model:
                site.need(f"commutateurs[{i}].modele")
            counts["commutateurs"] += 1
        names.add(rec["nom"])
        if a.serial:
            known_serial[a.serial.lower()] = (site.uai, kind, i)
        for m in a.macs:
            known_mac.setdefault(m, (site.uai, kind, i))
        if not a.macs:
            report.add(NO_MAC, f"{a.label} ({site.uai}) -> {rec['nom']}")
            site.need(f"{kind}[{i}].mac")
        if not a.serial:
            report.add(NO_SERIAL, f"{a.label} ({site.uai}) -> {rec['nom']}")
            site.need(f"{kind}[{i}].serie")
        if not located:
            report.add(NO_ROOM, f"{a.label} ({site.uai}) -> {rec['nom']}")
            site.need(f"{kind}[{i}].salle")
        site.done(kind)
        site.changed = True
    for key, items in sorted(unknown_models.items()):
        report.add(UNKNOWN_MODEL, f"{key} ({len(items)}) : {_some(items)}")
    for key, items in sorted(ambiguous.items()):
        report.add(AMBIGUOUS, f"{key} pour {len(items)} poste(s) : {_some(items)}")
    changes = []
    for uai, site in edits.items():
        if not site.changed:
            continue
        after = dict(site.data)
        after.pop("a_completer", None)
        if site.todo:
            after["a_completer"] = site.todo
        if uai in new_paths:
            changes.append(SiteChange(new_paths[uai], None, after))
        else:
            before = load_file(paths[uai])
            if before != after:
                changes.append(SiteChange(paths[uai], before, after))
    return ImportPlan(ref.root, changes, report, counts)


def complete(
    site: _SiteEdit, kind: str, idx: int, a: Asset, report: Report, counts, catalog
) -> None:
    """Fill only what is missing on a record the référentiel already has."""
    rec = site.data[kind][idx]
    todo = set(site.todo)
    model = (catalog.classes(a)[1] if kind == "postes" else None) or a.model
    fields = {"serie": a.serial, "mac": a.macs[0] if a.macs else None, "modele": model}
    if kind == "commutateurs":
        fields["fabricant"] = _vendor(a)
    for key, value in fields.items():
        if not value:
            continue
        loc = f"{kind}[{idx}].{key}"
        if _missing(rec, key, todo, loc):
            rec[key] = value
            site.done(loc)
            counts["complétés"] += 1
            site.changed = True
        elif key != "mac" and str(rec[key]).lower() != str(value).lower():
            report.add(
                DIFFERS,
                f"{a.label} ~ {rec['nom']} ({site.uai}) : {key} GLPI « {value} », "
                f"référentiel « {rec[key]} »",
            )
        elif key == "mac" and str(rec[key]).lower() not in a.macs:
            report.add(
                DIFFERS,
                f"{a.label} ~ {rec['nom']} ({site.uai}) : MAC GLPI {', '.join(a.macs)}, "
                f"référentiel {rec[key]}",
            )


def _some(items: list[str], shown: int = 5) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" et {more} autre(s)" if more > 0 else "")


def _vendor(a: Asset) -> str | None:
    return next((VENDORS[w] for w in _norm(a.manufacturer or "").split() if w in VENDORS), None)


def write(plan: ImportPlan) -> list[Path]:
    """Write the proposed files, then check the référentiel; on failure put every file
    back as it was and raise OnboardingError."""
    saved: dict[Path, bytes | None] = {}
    for change in plan.changes:
        saved[change.path] = change.path.read_bytes() if change.path.exists() else None
    try:
        texts = [(change.path, change.new_text) for change in plan.changes]
        for path, text in texts:
            path.write_text(text, "utf-8")
        load(plan.root)
    except ReferentielInvalide as exc:
        for path, content in saved.items():
            if content is None:
                with contextlib.suppress(OSError):
                    path.unlink()
            else:
                path.write_bytes(content)
        raise OnboardingError(
            "les fichiers proposés ne passent pas la vérification ; rien n'a été écrit :\n"
            + exc.report()
        ) from None
    return [c.path for c in plan.changes]


def import_glpi(root: Path, client, entite: int | None, ecrire: bool) -> tuple[ImportPlan, int]:
    """Read GLPI, plan, write if asked; returns the plan and the number of API calls."""
    from amico.onboarding.glpi_lecture import read_inventory

    try:
        ref = load(root)
    except ReferentielInvalide as exc:
        raise OnboardingError(
            "le référentiel est invalide, corriger d'abord ses erreurs :\n" + exc.report()
        ) from None
    inv = read_inventory(client, entite)
    plan = plan_import(ref, inv)
    for change in plan.changes:  # rendered now: the diff shows what --ecrire writes
        _ = change.old_text, change.new_text
    if ecrire:
        write(plan)
    return plan, inv.calls


def run_cli(args) -> int:
    import os
    import sys

    from amico.guichet.client import GlpiError, make_client
    from amico.guichet.config import ConfigError, load_config

    try:
        config = load_config({"url": args.url, "api": args.api or os.environ.get("AMICO_GLPI_API")})
        client = make_client(config)
    except (ConfigError, ValueError) as exc:
        print(f"erreur : configuration GLPI : {exc}", file=sys.stderr)
        return 2
    try:
        plan, calls = import_glpi(args.dossier, client, args.entite, args.ecrire)
    except OnboardingError as exc:
        print(f"erreur : {exc}\nRien n'a été écrit.", file=sys.stderr)
        return 2
    except GlpiError as exc:
        print(f"erreur : {config.scrub(str(exc))}\nRien n'a été écrit.", file=sys.stderr)
        return 2
    finally:
        with contextlib.suppress(Exception):
            client.close()
    for change in plan.changes:
        print(change.diff(plan.root), end="")
    c = plan.counts
    print(
        f"Import GLPI : {c['sites']} collège(s) nouveau(x), {c['postes']} poste(s) et "
        f"{c['commutateurs']} commutateur(s) ajouté(s), {c['complétés']} valeur(s) complétée(s), "
        f"{len(plan.changes)} fichier(s) concerné(s), {calls} appel(s) à l'API GLPI."
    )
    lines = plan.report.lines()
    if lines:
        print("À décider par un humain :")
        print("\n".join(lines))
    if not plan.changes:
        print("Rien à proposer : le référentiel est à jour avec GLPI.")
    elif args.ecrire:
        print(f"Écrit : {', '.join(str(c.path) for c in plan.changes)} (vérifié par check).")
    else:
        print("Rien n'a été écrit : relancer avec --ecrire pour appliquer ces propositions.")
    return 0
