"""The state of a switch as delivered, before AMICo's first run: what the labs start from."""

from __future__ import annotations

from typing import Any


def etat_livraison(intent, uplink: str | None = None) -> dict[str, Any]:
    """A freshly staged switch (as the installer delivers it): management VLAN and address,
    the uplink trunk carrying the management VLAN, and the Académie's VLANs with the ports
    the référentiel puts on them (its DSI creates and assigns them before AMICo, which
    never changes that membership). Uplink: ``uplink``, else the référentiel's first trunk
    carrying the management VLAN, else port 24."""
    if uplink is None:
        for p in intent.ports:
            if p.get("mode") == "trunk" and intent.mgmt_vlan in (p.get("vlans") or []):
                uplink = intent.port_names(str(p["interfaces"]))[0]
                break
    uplink = uplink or ("24" if intent.vendor == "aruba" else "GigabitEthernet1/0/24")
    vlans = {intent.mgmt_vlan: intent.vlans.get(intent.mgmt_vlan, "MANAGEMENT")}
    vlans.update({v: intent.vlans[v] for v in intent.academie_vlans if v in intent.vlans})
    ports: dict[str, dict] = {uplink: {"mode": "trunk", "vlans": [intent.mgmt_vlan]}}
    academie = intent.academie_vlans
    for spec in intent.ports:
        for name in intent.port_names(str(spec["interfaces"])):
            if spec.get("mode") != "trunk":
                if spec.get("vlan") in academie:
                    ports[name] = {"mode": "acces", "vlan": int(spec["vlan"])}
                continue
            tagged = [int(v) for v in spec.get("vlans") or [] if int(v) in academie]
            natif = spec.get("natif") if spec.get("natif") in academie else None
            if not tagged and natif is None:
                continue
            port = ports.setdefault(name, {"mode": "trunk", "vlans": []})
            port["vlans"] = sorted(set(port["vlans"]) | set(tagged))
            if natif is not None:
                port["natif"] = int(natif)
    from amico_lab.commutateurs.cablage import voisins_annonces

    return {
        "vlans": vlans,
        "mgmt": {"vlan": intent.mgmt_vlan, "address": intent.mgmt_address},
        "ports": ports,
        # cabled as the référentiel says: its uplink neighbours answer LLDP
        "voisins": voisins_annonces(intent),
    }
