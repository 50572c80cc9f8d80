"""Vendor-neutral view of what matters on a switch: VLANs, managed ports, management SVI."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

# VLANs a driver never creates, renames nor deletes, per vendor.
RESERVED_VLANS = {
    "aruba": frozenset({1}),  # ProCurve: the default VLAN cannot be deleted
    "cisco": frozenset({1, 1002, 1003, 1004, 1005}),  # IOS: default + FDDI/Token Ring VLANs
}


@dataclass
class PortState:
    """``mode``: ``acces`` | ``trunk`` | None (unset / dynamic). ``vlan``: untagged VLAN of an
    access port. ``vlans``: tagged VLANs of a trunk. ``natif``: untagged VLAN of a trunk."""

    mode: str | None = None
    vlan: int | None = None
    vlans: frozenset[int] = frozenset()
    natif: int | None = None
    description: str | None = None

    def carries(self, vlan: int) -> bool:
        if self.mode == "trunk":
            return vlan in self.vlans or self.natif == vlan
        return self.vlan == vlan

    def same_as(self, other: PortState) -> bool:
        if self.mode != other.mode or (self.description or None) != (other.description or None):
            return False
        if self.mode == "trunk":
            return self.vlans == other.vlans and self.natif == other.natif
        return self.vlan == other.vlan


@dataclass
class SwitchState:
    hostname: str | None = None
    vlans: dict[int, str] = field(default_factory=dict)
    ports: dict[str, PortState] = field(default_factory=dict)
    svis: dict[int, str | None] = field(default_factory=dict)  # vlan -> "a.b.c.d/len" | None
    # link aggregation: group port (ProCurve "Trk1", IOS "Port-channel15") -> member ports
    trunks: dict[str, list[str]] = field(default_factory=dict)
    # lines of the configuration the parser did not understand (French, for the report)
    warnings: list[str] = field(default_factory=list)

    def copy(self) -> SwitchState:
        return copy.deepcopy(self)
