"""What a switch should be, built from the référentiel's raw YAML dicts."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from amico.referentiel.ports import expand_interfaces

VENDORS = ("aruba", "cisco")
_CISCO_ABBREV = {"gi": "GigabitEthernet", "fa": "FastEthernet", "te": "TenGigabitEthernet"}


class IntentError(ValueError):
    """The référentiel does not describe a usable switch (message in French)."""


@dataclass
class SwitchIntent:
    hostname: str
    vendor: str  # aruba | cisco
    mgmt_vlan: int
    mgmt_address: str  # "a.b.c.d/len"
    vlans: dict[int, str]  # VLANs of the site: id -> name
    # ids owned by the Académie in the WHOLE addressing plan, not only the site's list:
    # never created, renamed, deleted, nor added to or removed from a port
    academie_vlans: frozenset[int] = frozenset()
    ports: list[dict] = field(default_factory=list)  # as in the site YAML
    uai: str | None = None
    model: str | None = None  # référentiel ``modele`` (e.g. "WS-C3750X-24P"), if known

    def port_names(self, spec: str) -> list[str]:
        return port_names(self.vendor, spec)


def port_names(vendor: str, spec: str) -> list[str]:
    """Expand a référentiel ``interfaces`` value into the vendor's interface names.

    ArubaOS-Switch uses the numbers as they are (``1-20``, ``A1-A4``). On IOS a bare number
    ``n`` is ``GigabitEthernet1/0/n``; ``Gi1/0/1-4`` style names are expanded in full."""
    names = expand_interfaces(str(spec))
    if vendor != "cisco":
        return names
    out = []
    for name in names:
        if name.isdigit():
            out.append(f"GigabitEthernet1/0/{name}")
            continue
        m = re.match(r"^([A-Za-z]+)([\d/]+)$", name)
        if m and m.group(1).lower() in _CISCO_ABBREV:
            out.append(_CISCO_ABBREV[m.group(1).lower()] + m.group(2))
        else:
            out.append(name)
    return out


def intent_from_site(site: dict, plan_vlans: list[dict], switch_name: str) -> SwitchIntent:
    """Build the intent of ``switch_name`` from a raw ``sites/<UAI>.yml`` dict and the
    ``vlans`` list of ``plan_adressage.yml`` (tests and tools that read YAML directly)."""
    switch = next((c for c in site.get("commutateurs") or [] if c.get("nom") == switch_name), None)
    uai = site.get("uai")
    if switch is None:
        raise IntentError(f"site {uai} : commutateur « {switch_name} » absent du référentiel")
    by_id = {int(v["id"]): v for v in plan_vlans}
    site_ids = [int(v) for v in site.get("vlans") or []]
    unknown = [v for v in site_ids if v not in by_id]
    if unknown:
        raise IntentError(f"site {uai} : VLAN {unknown} absents du plan d'adressage")
    site_vars = {"uai": uai, "vlans": [by_id[v] for v in site_ids]}
    return intent_from_inventory(
        site_vars, switch_name, switch.get("fabricant"), switch.get("adresse"),
        switch.get("ports") or [], academie_vlans=academie_of(plan_vlans),
        model=switch.get("modele"),
    )  # fmt: skip


def academie_of(plan_vlans: list[dict]) -> frozenset[int]:
    """Ids of the VLANs the addressing plan gives to the Académie (``proprietaire``)."""
    return frozenset(int(v["id"]) for v in plan_vlans if v.get("proprietaire") == "academie")


def academie_of_referentiel(root: str) -> frozenset[int]:
    """The Académie's VLAN ids from ``<root>/plan_adressage.yml`` (schema-checked through the
    référentiel's own loader and model); IntentError (French) when it cannot be read."""
    from pathlib import Path

    from pydantic import ValidationError

    from amico.referentiel.loader import read_yaml
    from amico.referentiel.model import PlanAdressage

    path = Path(root) / "plan_adressage.yml"
    findings: list = []
    data = read_yaml(path, findings)
    if findings or data is None:
        detail = "; ".join(f.format() for f in findings) or "fichier vide"
        raise IntentError(f"{path} : plan d'adressage illisible ({detail})")
    try:
        plan = PlanAdressage.model_validate(data)
    except ValidationError as exc:
        raise IntentError(
            f"{path} : plan d'adressage invalide ({exc.error_count()} erreur(s)) ; "
            "lancer « amico referentiel verifier »"
        ) from exc
    return frozenset(v.id for v in plan.vlans if v.proprietaire == "academie")


def intent_from_inventory(
    site: dict,
    switch_name: str,
    vendor: str | None,
    address: str | None,
    ports: list[dict],
    academie_vlans: frozenset[int] | None = None,
    model: str | None = None,
) -> SwitchIntent:
    """Build the intent from what the inventory hands a switch host: the group var
    ``amico_site`` (``uai``, ``vlans`` with id, nom, usage, proprietaire, prefixe), the
    vendor (``amico_pilote``), the management address (``amico_adresse``) and the port
    map (``amico_ports``). ``academie_vlans``: the Académie's VLANs of the whole plan
    (:func:`academie_of`), added to the site's VLANs marked ``academie``; ``model``: the
    référentiel's model name (``amico_modele``)."""
    uai = site.get("uai")
    if vendor not in VENDORS:
        raise IntentError(
            f"{switch_name} : fabricant « {vendor} » non pris en charge "
            f"(attendu : {', '.join(VENDORS)})"
        )
    vlans = {int(v["id"]): v for v in site.get("vlans") or []}
    site_ids = list(vlans)
    mgmt = [v for v in vlans.values() if v.get("usage") == "management"]
    if len(mgmt) != 1:
        raise IntentError(
            f"site {uai} : il faut exactement un VLAN d'usage « management » "
            f"parmi les VLAN du site (trouvés : {[m['id'] for m in mgmt]})"
        )
    mgmt_vlan = mgmt[0]
    if not address:
        raise IntentError(f"{switch_name} : adresse de management manquante")
    try:
        iface = ipaddress.IPv4Interface(f"{address}/{int(mgmt_vlan.get('prefixe', 24))}")
    except ValueError as exc:
        raise IntentError(f"{switch_name} : adresse de management invalide : {address}") from exc
    academie = frozenset(i for i, v in vlans.items() if v.get("proprietaire") == "academie")
    academie |= frozenset(academie_vlans or ())
    ports = [dict(p) for p in ports]
    for port in ports:
        for vid in _port_vlans(port):
            if vid not in site_ids and vid != 1:
                raise IntentError(
                    f"{switch_name} : port {port.get('interfaces')} : VLAN {vid} "
                    f"absent des VLAN du site {site_ids}"
                )
        if port.get("mode") == "trunk" and port.get("natif") in (port.get("vlans") or []):
            raise IntentError(
                f"{switch_name} : port {port.get('interfaces')} : le VLAN natif "
                f"{port['natif']} ne peut pas être aussi étiqueté"
            )
        port_names(vendor, str(port.get("interfaces")))  # raises on an unreadable range
    return SwitchIntent(
        hostname=switch_name,
        vendor=vendor,
        mgmt_vlan=int(mgmt_vlan["id"]),
        mgmt_address=str(iface.with_prefixlen),
        vlans={i: str(v["nom"]) for i, v in vlans.items()},
        academie_vlans=academie,
        ports=ports,
        uai=uai,
        model=model,
    )


def _port_vlans(port: dict) -> list[int]:
    if port.get("mode") == "trunk":
        out = [int(v) for v in port.get("vlans") or []]
        if port.get("natif") is not None:
            out.append(int(port["natif"]))
        return out
    return [int(port["vlan"])] if port.get("vlan") is not None else []
