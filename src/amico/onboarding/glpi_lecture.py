"""Reading GLPI's asset inventory through the project's client, REST API v1 or v2.

v1 (apirest.php): a handful of paged list calls (apirest.md "Get all items": `range`, 206
Partial Content, `Content-Range: start-end/total`, `Accept-Range: itemtype max`) instead of
one call per asset: entities, locations, models, manufacturers, operating systems,
computers, network equipments and every network port (MACs) of the active entities.
Dropdowns are read as ids and resolved here (`expand_dropdowns` would replace the entity
id by its name).

v2 (api.php, the high-level API of GLPI 11): the searches of AdministrationController
(`/Administration/Entity`), AssetController (`/Assets/Computer`,
`/Assets/NetworkEquipment`: dropdowns come joined as `{id, name}`) and NetworkController
(`/Network/NetworkPort`, RSQL filter on `itemtype`), paged by `start`/`limit` and
`Content-Range`. The HL schemas carry neither a computer's operating system nor an
entity's town: through v2 those stay to complete (`systeme`, `commune`).
Both feed the same `assemble`, so one inventory gives the same proposals either way.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from amico.guichet.client import GlpiEntityError, GlpiError, GlpiV2, _paged
from amico.onboarding import OnboardingError
from amico.referentiel.mac import device_mac

PAGE = 1000  # rows asked per call; lowered to the server's Accept-Range max if smaller
V2_ASSETS = {"Computer": "/Assets/Computer", "NetworkEquipment": "/Assets/NetworkEquipment"}
LISTS = (
    "Entity",
    "Location",
    "Manufacturer",
    "ComputerModel",
    "NetworkEquipmentModel",
    "OperatingSystem",
    "Item_OperatingSystem",
    "Computer",
    "NetworkEquipment",
    "NetworkPort",
)


def norm_mac(value) -> str | None:
    """A port's MAC in the référentiel's form, or None (empty, all zeros, broadcast or
    multicast: GLPI keeps what the agent sent, virtual adapters included)."""
    return device_mac("" if value is None else value)[0]


@dataclass
class Asset:
    """A Computer or a NetworkEquipment as the import sees it."""

    itemtype: str  # Computer | NetworkEquipment
    glpi_id: int
    entity: int
    name: str
    serial: str | None
    model: str | None
    manufacturer: str | None
    os: str | None
    location: str | None  # the location's name (the room)
    macs: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        kind = "poste" if self.itemtype == "Computer" else "équipement réseau"
        return f"{kind} GLPI n° {self.glpi_id} « {self.name or '(sans nom)'} »"


@dataclass
class Inventory:
    entities: dict[int, dict]
    assets: list[Asset]
    calls: int = 0


class GlpiReader:
    """Paged reads over the client's generic `call` (v1)."""

    def __init__(self, client):
        if not hasattr(client, "call"):
            raise OnboardingError("importer glpi : client GLPI sans accès à l'API")
        self.client = client
        self.calls = 0

    def _call(self, method: str, path: str, **kw):
        self.calls += 1
        return self.client.call(method, path, **kw)

    def all(self, itemtype: str) -> list[dict]:
        rows: list[dict] = []
        size = PAGE
        while True:
            try:
                r = self._call(
                    "GET",
                    f"{itemtype}/",
                    params={"range": f"{len(rows)}-{len(rows) + size - 1}", "get_hateoas": "false"},
                )
            except GlpiError as exc:
                if exc.code == "ERROR_RANGE_EXCEED_TOTAL":
                    return rows
                raise
            page = r.data if isinstance(r.data, list) else []
            rows.extend(page)
            total = _total(r.headers)
            limit = _max_range(r.headers, itemtype)
            if limit:
                size = min(size, limit)
            if r.status != 206 or not page or (total is not None and len(rows) >= total):
                return rows

    def my_entities(self) -> dict[int, str]:
        r = self._call("GET", "getMyEntities", params={"is_recursive": "true"})
        data = r.data if isinstance(r.data, dict) else {}
        return {int(e["id"]): str(e.get("name", "")) for e in data.get("myentities", [])}

    def activate(self, entity: int | None) -> None:
        """The entity (and its sons) whose items the next lists return; None: all of the
        profile's. The client applies it (changeActiveEntities) before its next call."""
        self.client.use_entity(entity)


def _header(headers: dict, name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""


def _total(headers: dict) -> int | None:
    m = re.search(r"/(\d+)\s*$", _header(headers, "Content-Range"))
    return int(m[1]) if m else None


def _max_range(headers: dict, itemtype: str) -> int | None:
    m = re.search(r"(\d+)\s*$", _header(headers, "Accept-Range"))
    return int(m[1]) if m else None


class GlpiReaderV2:
    """Paged searches of the high-level API over the client's generic `call` (v2)."""

    def __init__(self, client):
        self.client = client
        self.calls = 0

    def _call(self, method: str, path: str, **kw):
        self.calls += 1
        return self.client.call(method, path, **kw)

    def all(self, path: str, flt: str = "") -> list[dict]:
        extra = {"filter": flt} if flt else {}
        try:
            return _paged(
                lambda p: self._call("GET", path, params={**extra, **p}),
                PAGE,
                start_key="start",
                limit_key="limit",
            )
        except GlpiError as exc:
            if exc.status == 404 and path.startswith("/Network/"):
                raise OnboardingError(
                    f"l'API v2 de ce GLPI ne publie pas les ports réseau ({path}, API 2.3 "
                    "et suivantes) : sans eux, aucune MAC à importer ; régler api: v1 pour "
                    "l'import, ou mettre GLPI à jour"
                ) from None
            raise

    def my_entities(self) -> set[int]:
        """The entities the API user's session has active when no GLPI-Entity header is
        sent (CoreController::getSession: `active_entities`, PHP's id => id object)."""
        data = self._call("GET", "/session", entity=None).data or {}
        active = data.get("active_entities") or []
        ids = set()
        for v in active.values() if isinstance(active, dict) else active:
            with contextlib.suppress(TypeError, ValueError, KeyError):
                ids.add(int(v["id"] if isinstance(v, dict) else v))
        return ids

    def read(self, entite: int | None) -> Inventory:
        mine = self.my_entities()
        if entite is not None and entite not in mine:
            try:
                self.calls += 1
                self.client.check_entities([entite])
            except GlpiEntityError:
                # An entity outside the active ones is "not found" to the HL searches
                # (ResourceAccessor::getOneBySchema), so unknown and forbidden look alike.
                names = {int(e["id"]): str(e.get("name") or "") for e in self.entities()}
                raise OnboardingError(
                    f"entité GLPI {entite} inconnue ou hors des droits du profil de l'API : "
                    "vérifier --entite, ou demander l'habilitation (profil avec accès à "
                    "cette entité, récursif) ; entités accessibles : "
                    f"{_names({i: names.get(i, '') for i in mine})}"
                ) from None
        self.client.use_entity(entite)
        entities = self.entities()
        assets = {t: self.all(path) for t, path in V2_ASSETS.items()}
        ports = self.all("/Network/NetworkPort", "itemtype=in=(Computer,NetworkEquipment)")
        inv = assemble(_v1_shape(entities, assets, ports), dict.fromkeys(mine, ""), entite)
        inv.calls = self.calls
        return inv

    def entities(self) -> list[dict]:
        return self.all("/Administration/Entity")


def _v1_shape(
    entities: list[dict], assets: dict[str, list[dict]], ports: list[dict]
) -> dict[str, list[dict]]:
    """The HL rows in the v1 columns `assemble` reads: joined dropdowns become id lists."""

    def ref(obj) -> int:
        return int(obj["id"]) if isinstance(obj, dict) and obj.get("id") else 0

    data: dict[str, list[dict]] = {name: [] for name in LISTS}
    for e in entities:
        parent = e.get("parent")
        data["Entity"].append(
            {"id": e["id"], "name": e.get("name"), "completename": e.get("completename"),
             "comment": e.get("comment"), "entities_id": ref(parent) if parent else None}
        )  # fmt: skip
    seen: set[tuple[str, int]] = set()
    for itemtype, rows in assets.items():
        model_list = "ComputerModel" if itemtype == "Computer" else "NetworkEquipmentModel"
        model_key = "computermodels_id" if itemtype == "Computer" else "networkequipmentmodels_id"
        for row in rows:
            for table, prop in (("Location", "location"), ("Manufacturer", "manufacturer"),
                                (model_list, "model")):  # fmt: skip
                obj = row.get(prop)
                if ref(obj) and (table, ref(obj)) not in seen:
                    seen.add((table, ref(obj)))
                    data[table].append({"id": ref(obj), "name": obj.get("name")})
            data[itemtype].append(
                {"id": row["id"], "name": row.get("name"), "serial": row.get("serial"),
                 "entities_id": ref(row.get("entity")), model_key: ref(row.get("model")),
                 "manufacturers_id": ref(row.get("manufacturer")),
                 "locations_id": ref(row.get("location")), "is_deleted": row.get("is_deleted")}
            )  # fmt: skip
    data["NetworkPort"] = [
        {"itemtype": p.get("itemtype"), "items_id": p.get("items_id"), "mac": p.get("mac"),
         "is_deleted": p.get("is_deleted")}
        for p in ports
    ]  # fmt: skip
    return data


def read_inventory(client, entite: int | None) -> Inventory:
    """Everything the import needs, for one entity (and its sons) or for all of them.

    Raises OnboardingError (French) on an unknown entity or one outside the API
    profile's rights; GLPI errors (unreachable, refused) propagate as GlpiError."""
    if isinstance(client, GlpiV2):
        return GlpiReaderV2(client).read(entite)
    reader = GlpiReader(client)
    mine = reader.my_entities()
    if entite is not None and entite not in mine:
        try:
            reader._call("GET", f"Entity/{entite}")
        except GlpiError as exc:
            if exc.status == 404:
                raise OnboardingError(
                    f"entité GLPI {entite} inconnue : vérifier --entite (les entités "
                    f"accessibles sont : {_names(mine)})"
                ) from None
        raise OnboardingError(
            f"aucun droit sur l'entité GLPI {entite} pour le profil de l'API : demander "
            "l'habilitation (profil avec accès à cette entité, récursif) ou choisir parmi "
            f"{_names(mine)}"
        )
    reader.activate(entite)
    data = {name: reader.all(name) for name in LISTS}
    inv = assemble(data, mine, entite)
    inv.calls = reader.calls
    return inv


def assemble(data: dict[str, list[dict]], mine: dict[int, str], entite: int | None) -> Inventory:
    """The inventory from GLPI's rows (one list per itemtype of LISTS), ids resolved."""
    entities = {int(e["id"]): e for e in data["Entity"]}
    if entite is not None:
        wanted = _sons(entities, entite)
    else:
        wanted = set(entities) & set(mine) if mine else set(entities)
    names = {n: {int(r["id"]): str(r.get("name") or "") for r in data[n]} for n in LISTS[1:6]}
    os_of = {
        (o.get("itemtype"), int(o.get("items_id") or 0)): names["OperatingSystem"].get(
            int(o.get("operatingsystems_id") or 0)
        )
        for o in data["Item_OperatingSystem"]
    }
    macs: dict[tuple[str, int], list[str]] = {}
    for port in data["NetworkPort"]:
        if port.get("is_deleted"):
            continue
        mac = norm_mac(port.get("mac"))
        key = (port.get("itemtype"), int(port.get("items_id") or 0))
        if mac and mac not in macs.setdefault(key, []):
            macs[key].append(mac)
    assets = []
    for itemtype, model_list in (
        ("Computer", "ComputerModel"),
        ("NetworkEquipment", "NetworkEquipmentModel"),
    ):
        model_key = "computermodels_id" if itemtype == "Computer" else "networkequipmentmodels_id"
        for row in data[itemtype]:
            if row.get("is_deleted") or row.get("is_template"):
                continue
            entity = int(row.get("entities_id") or 0)
            if entity not in wanted:
                continue
            rid = int(row["id"])
            assets.append(
                Asset(
                    itemtype=itemtype,
                    glpi_id=rid,
                    entity=entity,
                    name=str(row.get("name") or "").strip(),
                    serial=str(row.get("serial") or "").strip() or None,
                    model=names[model_list].get(int(row.get(model_key) or 0)) or None,
                    manufacturer=names["Manufacturer"].get(int(row.get("manufacturers_id") or 0))
                    or None,
                    os=os_of.get((itemtype, rid)),
                    location=names["Location"].get(int(row.get("locations_id") or 0)) or None,
                    macs=macs.get((itemtype, rid), []),
                )
            )
    return Inventory({e: entities[e] for e in wanted if e in entities}, assets)


def _sons(entities: dict[int, dict], root: int) -> set[int]:
    out, grew = {root}, True
    while grew:
        grew = False
        for eid, e in entities.items():
            if eid not in out and int(e.get("entities_id") or -1) in out and eid != 0:
                out.add(eid)
                grew = True
    return out


def _names(mine: dict[int, str]) -> str:
    return ", ".join(f"{i} ({n})" for i, n in sorted(mine.items())) or "aucune"
