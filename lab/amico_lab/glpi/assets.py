"""Assets of the GLPI test server: what GLPI makes of native inventory payloads, read back
through the legacy REST API v1 and the high-level API v2 (`serve_v2`, below).

Followed documentation: apirest.md (glpi-project/glpi) "Get an item" and "Get all items":
`GET apirest.php/:itemtype/` with `range` (default 0 to the list limit), 200 or 206
Partial Content with `Content-Range: start-end/total` and `Accept-Range: itemtype max`;
`GET apirest.php/:itemtype/:id` with `with_networkports` (the item's ports under
`_networkports`, by port type), 404 ERROR_ITEM_NOT_FOUND. Rows carry the columns of GLPI's
tables (glpi_computers, glpi_networkequipments, glpi_networkports, glpi_locations,
glpi_entities, dropdowns) with dropdowns as ids, as `expand_dropdowns=false` returns them.
Items outside the session's active entities are not listed and not readable
(Session::haveAccessToEntity), as for tickets.

NOT emulated: GLPI's import and link rules (each payload imported here creates an
asset, as when no rule matches: duplicates stay duplicates, which is the mess the
onboarding import has to cope with), writes on assets, search options of assets; in
v2, the properties of the schemas beyond those the import reads, sorting, GraphQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from amico_lab.glpi.server import ApiError

DROPDOWNS = ("Manufacturer", "ComputerModel", "NetworkEquipmentModel", "OperatingSystem")
ASSET_TYPES = (
    "Entity",
    "Location",
    *DROPDOWNS,
    "Item_OperatingSystem",
    "Computer",
    "NetworkEquipment",
    "NetworkPort",
)


@dataclass
class AssetStore:
    tables: dict[str, dict[int, dict]] = field(
        default_factory=lambda: {t: {} for t in ASSET_TYPES if t != "Entity"}
    )
    entity_fields: dict[int, dict] = field(default_factory=dict)  # comment, town...
    ports_of: dict[tuple[str, int], list[dict]] = field(default_factory=dict)

    def add(self, itemtype: str, row: dict) -> int:
        table = self.tables[itemtype]
        rid = len(table) + 1  # rows are never deleted here: ids stay dense, as in MySQL
        table[rid] = {"id": rid, **row}
        if itemtype == "NetworkPort":
            self.ports_of.setdefault((row["itemtype"], row["items_id"]), []).append(table[rid])
        return rid

    def dropdown(self, itemtype: str, name: str | None) -> int:
        if not name:
            return 0
        for rid, row in self.tables[itemtype].items():
            if row["name"] == name:
                return rid
        return self.add(itemtype, {"name": name, "comment": None})


def assets_of(server) -> AssetStore:
    with server.lock:
        if not hasattr(server, "assets"):
            server.assets = AssetStore()
        return server.assets


def add_entity(server, eid: int, name: str, parent: int = 0, **fields: Any) -> None:
    """An entity with GLPI's columns (comment, town...); `parent` is entities_id."""
    with server.lock:
        server.store.entities[eid] = name
        if hasattr(server.store, "parents"):
            server.store.parents[eid] = parent
        assets_of(server).entity_fields[eid] = {"entities_id": parent, **fields}


def location(server, entity: int, name: str | None) -> int:
    if not name:
        return 0
    store = assets_of(server)
    for rid, row in store.tables["Location"].items():
        if row["name"] == name and row["entities_id"] == entity:
            return rid
    parent = server.store.entities.get(entity, "")
    return store.add(
        "Location",
        {"name": name, "completename": f"{parent} > {name}", "entities_id": entity,
         "locations_id": 0, "is_recursive": 0, "building": None, "room": None},
    )  # fmt: skip


def import_payload(server, payload: dict, entity: int, room: str | None = None) -> int:
    """A native inventory payload (Computer or NetworkEquipment) turned into the asset,
    its model, manufacturer, OS, location and network ports; returns the asset id."""
    content = payload["content"]
    store = assets_of(server)
    with server.lock:
        if payload.get("itemtype", "Computer") == "NetworkEquipment":
            dev = content.get("network_device", {})
            itemtype = "NetworkEquipment"
            row = {
                "entities_id": entity,
                "name": dev.get("name", ""),
                "serial": dev.get("serial"),
                "networkequipmentmodels_id": store.dropdown(
                    "NetworkEquipmentModel", dev.get("model")
                ),
                "manufacturers_id": store.dropdown("Manufacturer", dev.get("manufacturer")),
                "locations_id": location(server, entity, room or dev.get("location")),
                "is_deleted": 0,
                "is_template": 0,
                "is_dynamic": 1,
            }
            macs = [dev.get("mac")] + [p.get("mac") for p in content.get("network_ports", [])]
        else:
            hw, bios = content.get("hardware", {}), content.get("bios", {})
            itemtype = "Computer"
            row = {
                "entities_id": entity,
                "name": hw.get("name", ""),
                "serial": bios.get("ssn"),
                "otherserial": None,
                "computermodels_id": store.dropdown("ComputerModel", bios.get("smodel")),
                "manufacturers_id": store.dropdown("Manufacturer", bios.get("smanufacturer")),
                "locations_id": location(server, entity, room),
                "uuid": hw.get("uuid"),
                "is_deleted": 0,
                "is_template": 0,
                "is_dynamic": 1,
            }
            macs = [n.get("mac") for n in content.get("networks", [])]
        rid = store.add(itemtype, row)
        osinfo = content.get("operatingsystem") or {}
        if osinfo.get("full_name") or osinfo.get("name"):
            name = osinfo.get("full_name") or osinfo.get("name")
            store.add(
                "Item_OperatingSystem",
                {"itemtype": itemtype, "items_id": rid,
                 "operatingsystems_id": store.dropdown("OperatingSystem", name)},
            )  # fmt: skip
        for n, mac in enumerate(m for m in macs if m):
            store.add(
                "NetworkPort",
                {"itemtype": itemtype, "items_id": rid, "entities_id": entity,
                 "logical_number": n + 1, "name": f"port{n + 1}", "mac": mac,
                 "instantiation_type": "NetworkPortEthernet", "is_deleted": 0},
            )  # fmt: skip
        return rid


def _entity_rows(server) -> dict[int, dict]:
    store = assets_of(server)
    names = server.store.entities
    rows = {}
    for eid, name in sorted(names.items()):
        extra = store.entity_fields.get(eid, {})
        parent = extra.get("entities_id", -1 if eid == 0 else 0)
        chain, cur = [name], parent
        while cur in names and cur != eid and len(chain) < 16:
            chain.insert(0, names[cur])
            cur = store.entity_fields.get(cur, {}).get("entities_id", -1)
        rows[eid] = {"id": eid, "name": name, "completename": " > ".join(chain),
                     "entities_id": parent, "level": len(chain), "comment": None,
                     **{k: v for k, v in extra.items() if k != "entities_id"}}  # fmt: skip
    return rows


def serve(handler, method: str, seg: list[str], qs: dict, sess: dict) -> None:
    """GET apirest.php/:itemtype/ and /:itemtype/:id for the asset itemtypes."""
    server = handler.glpi
    itemtype = seg[0]
    if method != "GET":
        raise ApiError(400, "ERROR_METHOD_NOT_ALLOWED", f"{method} {itemtype} non émulé")
    active = sess.get("active")

    def visible(rid: int, row: dict) -> bool:
        if itemtype == "Entity":
            return active is None or rid in active
        return (
            active is None
            or "entities_id" not in row
            or int(row["entities_id"]) in active
            or (itemtype == "Location" and bool(row.get("is_recursive")))
        )

    with server.lock:
        store = assets_of(server)
        table = _entity_rows(server) if itemtype == "Entity" else store.tables[itemtype]
        if len(seg) > 1 and seg[1]:
            rid = int(seg[1]) if seg[1].isdigit() else -1
            if rid not in table:
                raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "Élément introuvable")
            if not visible(rid, table[rid]):
                raise ApiError(
                    401, "ERROR_RIGHT_MISSING", "You don't have permission to perform this action."
                )
            item = dict(table[rid])
            flag = (qs.get("with_networkports") or ["false"])[-1].lower()
            if flag in ("1", "true"):
                ports = [dict(p) for p in store.ports_of.get((itemtype, rid), [])]
                item["_networkports"] = {"NetworkPortEthernet": ports}
            return handler._send(200, item)
        # ids are dense and increasing: the table's order is GLPI's default (id ASC);
        # rows are only serialized, never changed, so the page is not copied
        rows = [row for rid, row in table.items() if visible(rid, row)]
    return handler._send_range(rows, qs, itemtype)


def seed_sites(server, sites: list[dict], first_entity: int = 10) -> dict[str, int]:
    """One entity per collège (UAI in its name, under the CEA > territory entities), its
    posts and switches imported from the native inventory payloads the project itself
    produces; returns UAI -> entity id. Builds the full-size inventory of the bench."""
    from amico.guichet.inventory import from_switch, from_windows_collector

    territories: dict[str, int] = {}
    add_entity(server, 1, "CEA", 0)
    out: dict[str, int] = {}
    for n, site in enumerate(sites):
        code = str(site["territoire"])
        if code not in territories:
            territories[code] = 2 + len(territories)
            add_entity(server, territories[code], f"Territoire {code}", 1)
        eid = first_entity + n
        add_entity(server, eid, f"{site['nom']} ({site['uai']})", territories[code],
                   town=site.get("commune"))  # fmt: skip
        out[site["uai"]] = eid
        rooms = {r["id"]: r["nom"] for r in site.get("salles", [])}
        for p in site.get("postes", []):
            maker, _, model = str(p.get("modele") or "").partition(" ")
            payload = from_windows_collector(
                {"nom": p["nom"], "serie": p.get("serie"), "fabricant": maker,
                 "modele": model or None, "systeme": {"nom": "Windows 10"},
                 "interfaces": [{"mac": p["mac"]}] if p.get("mac") else []}
            )  # fmt: skip
            import_payload(server, payload, eid, rooms.get(p.get("salle")))
        for sw in site.get("commutateurs", []):
            payload = from_switch({k: sw.get(k) for k in ("nom", "fabricant", "modele", "serie",
                                                          "mac", "adresse")})  # fmt: skip
            import_payload(server, payload, eid, rooms.get(sw.get("salle")))
    return out


# ---- high-level API v2 (api.php/v2) ------------------------------------------------------
# Routes the onboarding import reads, with the schemas GLPI declares for them:
#   /Administration/Entity       AdministrationController 'Entity' (id, name, comment,
#                                completename, parent {id, name}, level: no town)
#   /Assets/Computer, /Assets/NetworkEquipment
#                                AssetController::search on the generated asset schemas
#                                (entity {id, name, completename}, location, manufacturer,
#                                model as {id, name}; serial, otherserial, uuid, is_deleted;
#                                no operating system property)
#   /Network/NetworkPort         NetworkController (API 2.3: itemtype, items_id,
#                                instantiation_type, logical_number, mac, is_deleted)
# plus GET /{route}/{id} (ResourceAccessor::getOneBySchema: the search with id==N,
# 404 when nothing matches, so an item outside the active entities is "not found").
V2_ROUTES = {
    ("Administration", "Entity"): "Entity",
    ("Assets", "Computer"): "Computer",
    ("Assets", "NetworkEquipment"): "NetworkEquipment",
    ("Network", "NetworkPort"): "NetworkPort",
}
_MODEL_KEY = {"Computer": "computermodels_id", "NetworkEquipment": "networkequipmentmodels_id"}
_MODEL_TABLE = {"Computer": "ComputerModel", "NetworkEquipment": "NetworkEquipmentModel"}


def _dropdown(store: AssetStore, table: str, rid: int) -> dict | None:
    # getDropdownTypeSchema: a joined {id, name}; an empty foreign key gives null
    row = store.tables[table].get(int(rid or 0))
    return {"id": row["id"], "name": row["name"]} if row else None


def _v2_rows(server, itemtype: str) -> list[tuple[int, dict]]:
    """(entity id, HL row) per item, in id order (the search's default sort)."""
    store = assets_of(server)
    if itemtype == "Entity":
        out = []
        for eid, row in _entity_rows(server).items():
            parent = row["entities_id"]
            out.append((eid, {
                "id": eid, "name": row["name"], "comment": row.get("comment"),
                "completename": row["completename"], "level": row["level"],
                "parent": ({"id": parent, "name": server.store.entities.get(parent, "")}
                           if parent in server.store.entities and eid != 0 else None),
            }))  # fmt: skip
        return out
    entities = _entity_rows(server)
    out = []
    for rid, row in store.tables[itemtype].items():
        eid = int(row.get("entities_id") or 0)
        entity = {"id": eid, "name": entities.get(eid, {}).get("name"),
                  "completename": entities.get(eid, {}).get("completename")}  # fmt: skip
        if itemtype == "NetworkPort":
            out.append((eid, {
                "id": rid, "name": row["name"], "comment": None, "entity": entity,
                "is_recursive": False, "itemtype": row["itemtype"], "items_id": row["items_id"],
                "instantiation_type": row["instantiation_type"],
                "logical_number": row["logical_number"], "mac": row["mac"],
                "is_deleted": bool(row["is_deleted"]), "is_dynamic": True,
            }))  # fmt: skip
            continue
        out.append((eid, {
            "id": rid, "name": row["name"], "comment": None, "entity": entity,
            "is_recursive": False,
            "location": _dropdown(store, "Location", row["locations_id"]),
            "manufacturer": _dropdown(store, "Manufacturer", row["manufacturers_id"]),
            "model": _dropdown(store, _MODEL_TABLE[itemtype], row[_MODEL_KEY[itemtype]]),
            "serial": row.get("serial"), "otherserial": row.get("otherserial"),
            "uuid": row.get("uuid"), "is_deleted": bool(row["is_deleted"]),
        }))  # fmt: skip
    return out


def serve_v2(handler, method: str, seg: list[str], qs: dict, active: set[int]) -> None:
    """GET /{route} (search: RSQL `filter`, `start`/`limit`) and GET /{route}/{id}."""
    from amico_lab.glpi.server import _rsql

    server = handler.glpi
    itemtype = V2_ROUTES[(seg[0], seg[1])]
    if method != "GET":
        raise ApiError(405, "ERROR_METHOD_NOT_ALLOWED", f"{method} non émulé", True)
    flt = qs.get("filter", [""])[-1]
    with server.lock:
        store = assets_of(server)
        # rows are only appended here (never edited): the sizes stamp the result, so the
        # pages of one search do not rebuild and refilter the whole table each time
        stamp = (itemtype, flt if len(seg) < 3 else "", frozenset(active),
                 len(server.store.entities), *(len(t) for t in store.tables.values()))  # fmt: skip
        cached = getattr(server, "_v2_search", None)
        if cached and cached[0] == stamp:
            rows = cached[1]
        else:
            # Search::getSearchResultsBySchema restricts entity-assigned items (and the
            # Entity table itself) to the request's active entities.
            rows = [row for eid, row in _v2_rows(server, itemtype) if eid in active]
            if len(seg) < 3:
                rows = [r for r in rows if _rsql(flt, r)]
            server._v2_search = (stamp, rows)
    if len(seg) > 2:
        hit = [r for r in rows if seg[2].isdigit() and r["id"] == int(seg[2])]
        if not hit:
            # AbstractController::getNotFoundErrorResponse
            raise ApiError(404, "ERROR_ITEM_NOT_FOUND", "The requested item was not found", True)
        return handler._send(200, hit[0])
    # Doc\SearchRoute: start 0 and limit 100 by default; the lab caps limit at
    # server.v2_max_limit so that clients must follow Content-Range.
    start = int(qs.get("start", ["0"])[-1])
    limit = min(int(qs.get("limit", ["100"])[-1]), server.v2_max_limit)
    page = rows[start : start + limit]
    total = len(rows)
    # ResourceAccessor::searchBySchema: 206 while start + limit < total; Content-Range
    # "start-end/total" with end = start + limit - 1, capped at total - 1 (so "0--1/0"
    # for an empty result, as GLPI writes it).
    end = max(0, start + limit - 1)
    if end > total:
        end = total - 1
    return handler._send(
        206 if start + limit < total else 200, page, {"Content-Range": f"{start}-{end}/{total}"}
    )
