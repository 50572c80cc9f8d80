"""From the current state and the intent to the desired state, the change set and the
safety verdicts (management cut, Académie VLANs, reserved VLANs)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from amico.commutateurs.intent import SwitchIntent
from amico.commutateurs.model import RESERVED_VLANS, PortState, SwitchState


@dataclass
class PortChange:
    name: str
    before: PortState
    after: PortState


@dataclass
class Changes:
    create: list[tuple[int, str]] = field(default_factory=list)
    rename: list[tuple[int, str]] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    ports: list[PortChange] = field(default_factory=list)
    svis: list[tuple[int, str | None]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.create or self.rename or self.delete or self.ports or self.svis)


@dataclass
class Plan:
    intent: SwitchIntent
    current: SwitchState
    desired: SwitchState
    managed_ports: list[str]
    changes: Changes
    warnings: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # never overridden
    management_cuts: list[str] = field(default_factory=list)  # overridden by force


def intended_port(vendor: str, spec: dict) -> PortState:
    desc = spec.get("description")
    if spec.get("mode") == "trunk":
        natif = spec.get("natif")
        return PortState(
            "trunk",
            None,
            frozenset(int(v) for v in spec.get("vlans") or []),
            int(natif) if natif is not None else None,
            desc,
        )
    return PortState("acces", int(spec["vlan"]), frozenset(), None, desc)


def desired_state(
    current: SwitchState, intent: SwitchIntent
) -> tuple[SwitchState, list[str], list[str], list[str]]:
    """Return (desired, managed port names, warnings, refusals)."""
    reserved = RESERVED_VLANS[intent.vendor]
    academie = intent.academie_vlans
    desired = current.copy()
    warnings: list[str] = []
    refusals: list[str] = []
    for vid in list(current.vlans):
        # an Académie VLAN missing from the site's list is dropped here too, so that the
        # diff shows it and academie_refusals() refuses the deletion
        if vid not in intent.vlans and vid not in reserved:
            del desired.vlans[vid]
    for vid, name in sorted(intent.vlans.items()):
        if vid in reserved:
            continue
        if vid in academie:
            if vid not in current.vlans:
                warnings.append(
                    f"VLAN {vid} ({name}) appartient à l'Académie et n'existe pas "
                    "sur le commutateur : AMICo ne le crée pas"
                )
            elif current.vlans[vid] != name:
                warnings.append(
                    f"VLAN {vid} appartient à l'Académie : nom « {current.vlans[vid]} »"
                    f" laissé tel quel (référentiel : « {name} »)"
                )
            continue
        desired.vlans[vid] = name
    managed: list[str] = []
    for spec in intent.ports:
        port = intended_port(intent.vendor, spec)
        for name in intent.port_names(str(spec["interfaces"])):
            desired.ports[name] = port
            managed.append(name)
            if intent.vendor == "aruba" and not _carried(port):
                refusals.append(
                    f"port {name} : un port ProCurve doit rester membre d'au moins un VLAN "
                    "(le référentiel n'y met ni vlan, ni vlans, ni natif)"
                )
            for vid in _carried(port):
                if vid in academie and vid not in current.vlans:
                    refusals.append(
                        f"port {name} : VLAN {vid} de l'Académie absent du "
                        "commutateur ; AMICo ne crée pas les VLAN de l'Académie"
                    )
    desired.svis[intent.mgmt_vlan] = intent.mgmt_address
    for vid in current.vlans:
        if vid not in desired.vlans:
            users = [n for n, p in current.ports.items() if p.carries(vid) and n not in managed]
            if users:
                warnings.append(
                    f"VLAN {vid} supprimé alors que des ports non décrits par le "
                    f"référentiel le portent : {', '.join(users)}"
                )
    return desired, managed, warnings, refusals


def _carried(port: PortState) -> set[int]:
    if port.mode == "trunk":
        return set(port.vlans) | ({port.natif} if port.natif is not None else set())
    return {port.vlan} if port.vlan is not None else set()


def diff_states(
    current: SwitchState,
    desired: SwitchState,
    vendor: str,
    ports: list[str] | None = None,
    svis: list[int] | None = None,
) -> Changes:
    """Changes turning ``current`` into ``desired`` (reserved VLANs left alone)."""
    reserved = RESERVED_VLANS[vendor]
    ch = Changes()
    for vid, name in sorted(desired.vlans.items()):
        if vid in reserved:
            continue
        if vid not in current.vlans:
            ch.create.append((vid, name))
        elif current.vlans[vid] != name:
            ch.rename.append((vid, name))
    ch.delete = sorted(v for v in current.vlans if v not in desired.vlans and v not in reserved)
    names = ports if ports is not None else list(desired.ports)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            continue
        seen.add(name)
        after = desired.ports[name]
        before = current.ports.get(name, PortState())
        if not before.same_as(after):
            ch.ports.append(PortChange(name, before, after))
    for vid in svis if svis is not None else sorted(desired.svis):
        if desired.svis.get(vid) and current.svis.get(vid) != desired.svis.get(vid):
            ch.svis.append((vid, desired.svis[vid]))
    return ch


def management_cuts(current: SwitchState, desired: SwitchState, intent: SwitchIntent) -> list[str]:
    """Reasons why pushing ``desired`` could cut the management session."""
    mv = intent.mgmt_vlan
    reasons: list[str] = []
    if mv in current.vlans and mv not in desired.vlans:
        reasons.append(f"suppression du VLAN de management {mv}")
    before = current.svis.get(mv)
    if before and before != desired.svis.get(mv):
        reasons.append(
            f"changement de l'adresse de management du VLAN {mv} : {before} -> "
            f"{desired.svis.get(mv)}"
        )
    wanted_ip = ipaddress.IPv4Interface(intent.mgmt_address).ip
    for vid, addr in sorted(current.svis.items()):
        if vid != mv and addr and ipaddress.IPv4Interface(addr).ip == wanted_ip:
            reasons.append(
                f"l'adresse de management {wanted_ip} est aujourd'hui sur le VLAN "
                f"{vid} : la porter sur le VLAN {mv} coupe la session"
            )
    for name, port in sorted(current.ports.items()):
        after = desired.ports.get(name)
        if after is not None and port.carries(mv) and not after.carries(mv):
            reasons.append(
                f"le port {name} porte le VLAN de management {mv} et ne le porterait "
                "plus (liaison de management)"
            )
    return reasons


def academie_refusals(changes: Changes, academie: frozenset[int]) -> list[str]:
    """Refusals for every change that touches an Académie VLAN: deleting it, or adding a
    port to it or removing one from it (access, tagged or native). Checked on the final
    change set, whatever produced it; never overridden (not even by force)."""
    out = [
        f"VLAN {vid} de l'Académie : suppression refusée (présent sur le commutateur, "
        "absent des VLAN du site dans le référentiel) ; l'Académie seule administre ses "
        "VLAN : ajouter ce VLAN au site"
        for vid in changes.delete
        if vid in academie
    ]
    for pc in changes.ports:
        for vid in sorted(academie):
            was, will = _membership(pc.before, vid), _membership(pc.after, vid)
            if was == will:
                continue
            if was and will:
                move = f"passé de {was} à {will} dans le"
            else:
                move = "ajouté au" if will else "retiré du"
            out.append(
                f"port {pc.name} : serait {move} VLAN {vid} de l'Académie : refusé, "
                "l'Académie seule administre ses VLAN ; aligner le référentiel sur "
                "le commutateur"
            )
    return out


def _membership(port: PortState, vid: int) -> str | None:
    """How ``port`` is on VLAN ``vid``: ``non étiqueté``, ``étiqueté`` or None."""
    if port.mode == "trunk":
        if port.natif == vid:
            return "non étiqueté"
        return "étiqueté" if vid in port.vlans else None
    return "non étiqueté" if port.vlan == vid else None


def make_plan(current: SwitchState, intent: SwitchIntent) -> Plan:
    desired, managed, warnings, refusals = desired_state(current, intent)
    changes = diff_states(current, desired, intent.vendor, ports=managed, svis=[intent.mgmt_vlan])
    refusals += academie_refusals(changes, intent.academie_vlans)
    cuts = management_cuts(current, desired, intent) if not changes.empty else []
    if current.hostname and current.hostname != intent.hostname:
        warnings.append(
            f"nom d'hôte « {current.hostname} » différent du référentiel "
            f"« {intent.hostname} » (non modifié)"
        )
    return Plan(intent, current, desired, managed, changes, warnings, refusals, cuts)
