"""What the lab's emulated switches "learn" from a cabling that follows the référentiel:
the MAC addresses of the site's posts, peripherals and servers on the access ports of
their room (and VLAN), and the LLDP neighbours on the ``vers`` uplinks. Merged into the
emulators' initial state so that ``amico dossier --collecter`` and the drift's LLDP rule
read something real-shaped on the lab."""

from __future__ import annotations

from typing import Any

from amico.commutateurs.intent import port_names


def voisins_annonces(intent) -> dict[str, dict]:
    """LLDP neighbours on the ``vers`` uplinks of a switch intent (remote port unknown
    from one end: "1"); :func:`cablage` knows both ends."""
    out: dict[str, dict] = {}
    for spec in intent.ports:
        if spec.get("vers"):
            for port in intent.port_names(str(spec["interfaces"])):
                out[port] = {"nom": str(spec["vers"]), "port": "1"}
    return out


def _ports(switch: dict) -> list[dict]:
    return list(switch.get("ports") or [])


def cablage(site: dict, switch_name: str) -> dict[str, Any]:
    """``{"macs": {port: [[mac, vlan]]}, "voisins": {port: {...}}}`` for one switch of a
    raw site dict (``Site.model_dump(mode="json")``)."""
    switches = {s["nom"]: s for s in site.get("commutateurs") or []}
    me = switches[switch_name]
    vendor = me["fabricant"]
    voisins: dict[str, dict] = {}
    for spec in _ports(me):
        other = spec.get("vers")
        if not other:
            continue
        local = port_names(vendor, str(spec["interfaces"]))
        remote: list[str] = ["1"]
        chassis = ""
        if other in switches:
            peer = switches[other]
            chassis = str(peer.get("mac") or "")
            back = next((p for p in _ports(peer) if p.get("vers") == switch_name), None)
            if back is not None:
                remote = port_names(peer["fabricant"], str(back["interfaces"]))
        for i, port in enumerate(local):
            voisins[port] = {"nom": other, "port": remote[min(i, len(remote) - 1)]}
            if chassis:
                voisins[port]["chassis"] = chassis
    # access ports by (room, VLAN), in référentiel order, each taken by one device
    free: dict[tuple[str, int], list[str]] = {}
    for spec in _ports(me):
        if spec.get("mode") == "acces" and spec.get("salle") and spec.get("vlan"):
            key = (spec["salle"], int(spec["vlan"]))
            free.setdefault(key, []).extend(port_names(vendor, str(spec["interfaces"])))
    by_room: dict[str, list[tuple[str, int]]] = {}
    for key in free:
        by_room.setdefault(key[0], []).append(key)
    macs: dict[str, list[list]] = {}
    devices = [
        (d.get("mac"), d.get("salle"), d.get("vlan"))
        for kind in ("serveurs", "postes", "peripheriques")
        for d in site.get(kind) or []
    ]
    for mac, salle, vlan in devices:
        if not mac or not salle:
            continue
        keys = [(salle, int(vlan))] if vlan else by_room.get(salle, [])
        for key in keys:
            if free.get(key):
                macs[free[key].pop(0)] = [[str(mac), key[1]]]
                break
    return {"macs": macs, "voisins": voisins}
