"""GLPI native inventory payloads (POST /front/inventory.php), from gathered facts.

- `from_ansible_facts(facts)`: a server (Linux/Windows) from Ansible facts -> Computer;
- `from_windows_collector(data)`: a post from the Windows collector -> Computer;
- `from_switch(data)`: a switch (referentiel + collected facts) -> NetworkEquipment.
Every payload is checked by `validate()` against GLPI's own schema (inventory.schema.json,
see PROVENANCE.md) before it is sent.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

VERSION_CLIENT = "AMICo-1.0"


class InventoryError(ValueError):
    pass


@cache
def schema() -> dict:
    return json.loads(
        resources.files("amico.guichet").joinpath("inventory.schema.json").read_text()
    )


def validate(payload: dict) -> None:
    """Raise InventoryError (French) when GLPI would refuse the payload (HTTP 500,
    "JSON does not validate")."""
    try:
        import jsonschema
    except ImportError as e:  # pragma: no cover - jsonschema ships with ansible-lint/molecule
        raise InventoryError("Le module jsonschema est nécessaire pour valider l'inventaire") from e
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(racine)"
        raise InventoryError(
            f"Inventaire {payload.get('deviceid')} refusé par le schéma GLPI "
            f"({len(errors)} erreur(s)) ; {where} : {first.message}"
        )


def deviceid(name: str, tag: str = "") -> str:
    """GLPI agents use <hostname>-<date>; AMICo keeps one stable id per asset."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "inconnu"
    return f"{base}-amico" if not tag else f"{base}-{tag}"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def _softwares(items) -> list[dict]:
    out = []
    for s in items or []:
        if isinstance(s, str):
            s = {"name": s}
        name = str(s.get("name") or s.get("DisplayName") or "").strip()
        if not name:
            continue
        out.append(
            _clean(
                {
                    "name": name,
                    "version": str(s.get("version") or s.get("DisplayVersion") or "") or None,
                    "publisher": str(s.get("publisher") or s.get("Publisher") or "") or None,
                    "arch": s.get("arch"),
                    "from": s.get("from") or s.get("source"),
                }
            )
        )
    return out


def from_ansible_facts(facts: dict, *, tag: str = "", packages: dict | None = None) -> dict:
    """Ansible facts (setup; optional package_facts 'packages') -> Computer inventory."""
    f = {k[len("ansible_") :] if k.startswith("ansible_") else k: v for k, v in facts.items()}
    name = f.get("hostname") or f.get("nodename") or "inconnu"
    hardware = _clean(
        {
            "name": name,
            "uuid": f.get("product_uuid") if f.get("product_uuid") not in ("NA", None) else None,
            "memory": _int(f.get("memtotal_mb")),
            "swap": _int(f.get("swaptotal_mb")),
            "vmsystem": "Physical"
            if f.get("virtualization_role") != "guest"
            else str(f.get("virtualization_type") or "Virtual"),
            "workgroup": f.get("domain") or None,
        }
    )
    osinfo = _clean(
        {
            "name": f.get("distribution") or f.get("os_family"),
            "version": str(f.get("distribution_version") or "") or None,
            "full_name": " ".join(
                x for x in (f.get("distribution"), f.get("distribution_version")) if x
            )
            or None,
            "kernel_name": str(f.get("system") or "").lower() or None,
            "kernel_version": f.get("kernel"),
            "arch": f.get("architecture"),
            "fqdn": f.get("fqdn"),
        }
    )
    bios = _clean(
        {
            "smanufacturer": f.get("system_vendor") if f.get("system_vendor") != "NA" else None,
            "smodel": f.get("product_name") if f.get("product_name") != "NA" else None,
            "ssn": f.get("product_serial") if f.get("product_serial") not in ("NA", None) else None,
            "bversion": f.get("bios_version") if f.get("bios_version") != "NA" else None,
        }
    )
    networks = []
    for iface in f.get("interfaces") or []:
        data = f.get(iface.replace("-", "_")) or {}
        ipv4 = data.get("ipv4") or {}
        networks.append(
            _clean(
                {
                    "description": iface,
                    "mac": data.get("macaddress"),
                    "ipaddress": ipv4.get("address"),
                    "ipmask": ipv4.get("netmask"),
                    "ipsubnet": ipv4.get("network"),
                    "status": "up" if data.get("active") else "down",
                    "type": "loopback"
                    if data.get("type") == "loopback"
                    else ("ethernet" if data.get("type") in ("ether", None) else None),
                }
            )
        )
    pkgs = packages if packages is not None else f.get("packages") or {}
    softwares = []
    for pname, versions in sorted(pkgs.items()):
        for v in versions or [{}]:
            softwares.append(
                _clean(
                    {
                        "name": pname,
                        "version": str(v.get("version") or "") or None,
                        "arch": v.get("arch"),
                        "from": v.get("source"),
                    }
                )
            )
    content = _clean(
        {
            "versionclient": VERSION_CLIENT,
            "hardware": hardware,
            "operatingsystem": osinfo,
            "bios": bios,
            "networks": networks,
            "softwares": softwares,
        }
    )
    content["versionclient"] = VERSION_CLIENT
    payload = {"deviceid": deviceid(name, tag), "itemtype": "Computer", "content": content}
    validate(payload)
    return payload


def from_windows_collector(data: dict, *, tag: str = "") -> dict:
    """Windows collector record -> Computer inventory.

    Expected keys: nom, serie, fabricant, modele, systeme {nom, version, build},
    memoire_mo, interfaces [{description, mac, ip}], logiciels [{name, version, publisher}].
    """
    name = str(data.get("nom") or "inconnu")
    osd = data.get("systeme") or {}
    content = _clean(
        {
            "versionclient": VERSION_CLIENT,
            "hardware": _clean(
                {
                    "name": name,
                    "memory": _int(data.get("memoire_mo")),
                    "uuid": data.get("uuid"),
                    "workgroup": data.get("domaine"),
                }
            ),
            "bios": _clean(
                {
                    "ssn": data.get("serie"),
                    "smanufacturer": data.get("fabricant"),
                    "smodel": data.get("modele"),
                }
            ),
            "operatingsystem": _clean(
                {
                    "name": osd.get("nom") or "Windows",
                    "version": str(osd.get("version") or "") or None,
                    "full_name": osd.get("nom_complet"),
                    "kernel_name": "win32",
                    "kernel_version": str(osd.get("build") or "") or None,
                }
            ),
            "networks": [
                _clean(
                    {
                        "description": i.get("description") or "ethernet",
                        "mac": i.get("mac"),
                        "ipaddress": i.get("ip"),
                        "status": "up" if i.get("actif", True) else "down",
                    }
                )
                for i in data.get("interfaces") or []
            ],
            "softwares": _softwares(data.get("logiciels")),
        }
    )
    content["versionclient"] = VERSION_CLIENT
    payload = {"deviceid": deviceid(name, tag), "itemtype": "Computer", "content": content}
    validate(payload)
    return payload


def from_switch(data: dict, *, tag: str = "") -> dict:
    """Switch -> NetworkEquipment inventory (network_device + network_ports).

    Expected keys: nom, fabricant, modele, serie, adresse, mac, firmware, uptime,
    ports [{ifnumber, ifdescr, ifalias, mac, ifstatus (up/down), vlan}].
    """
    name = str(data.get("nom") or "inconnu")
    ports = []
    for i, p in enumerate(data.get("ports") or [], start=1):
        status = str(p.get("ifstatus") or "").lower()
        ports.append(
            _clean(
                {
                    "ifnumber": _int(p.get("ifnumber")) or i,
                    "ifdescr": str(p.get("ifdescr") or p.get("nom") or i),
                    "ifalias": p.get("ifalias") or p.get("description"),
                    "mac": p.get("mac"),
                    "ifstatus": {"up": 1, "down": 2}.get(status),
                    "iftype": 6,  # ethernetCsmacd
                }
            )
        )
    device = _clean(
        {
            "type": "Networking",
            "name": name,
            "manufacturer": {"aruba": "Aruba", "cisco": "Cisco"}.get(
                str(data.get("fabricant") or "").lower(), data.get("fabricant")
            ),
            "model": data.get("modele"),
            "serial": data.get("serie"),
            "mac": data.get("mac"),
            "firmware": data.get("firmware"),
            "ips": [data["adresse"]] if data.get("adresse") else None,
            "uptime": data.get("uptime"),
            "location": data.get("salle"),
        }
    )
    content = {"versionclient": VERSION_CLIENT, "network_device": device}
    if ports:
        content["network_ports"] = ports
    # GLPI's own network-inventory examples carry action "netinventory"
    # (AbstractRequest::NETINV_ACTION), which routes them to the SNMP import.
    payload = {
        "action": "netinventory",
        "deviceid": deviceid(name, tag),
        "itemtype": "NetworkEquipment",
        "content": content,
    }
    validate(payload)
    return payload
