"""Assets of the GLPI test server: what GLPI makes of native inventory payloads, read back
through the legacy REST API v1.

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
onboarding import has to cope with), writes on assets, search options of assets.
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
