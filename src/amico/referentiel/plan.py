"""Plan d'adressage: derive each VLAN's subnet, gateway, DHCP range and reserved ranges.

A site owns one address block; VLAN `v` of the catalog takes the subnet of rank
`v.rang` and length `v.prefixe` inside it; positions inside a subnet are host offsets
from the plan's `regle`.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network

from amico.referentiel.model import PlanAdressage, Regle, VlanDef

UAI_KEYS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def uai_key(digits: str) -> str:
    """The key letter of a UAI from its 7 digits."""
    return UAI_KEYS[int(digits) % 23]


def uai_is_valid(uai: str) -> bool:
    return len(uai) == 8 and uai[:7].isdigit() and uai[7] == uai_key(uai[:7])


class PlanError(ValueError):
    """A VLAN does not fit in the site's block."""


@dataclass(frozen=True)
class VlanSubnet:
    vlan: VlanDef
    reseau: IPv4Network

    def host(self, offset: int) -> IPv4Address:
        return self.reseau.network_address + offset

    def as_vars(self, regle: Regle) -> dict:
        """The VLAN as the inventory hands it to roles (plain JSON-friendly values)."""
        vars_ = {
            "id": self.vlan.id,
            "nom": self.vlan.nom,
            "usage": self.vlan.usage,
            "proprietaire": self.vlan.proprietaire,
            "reseau": str(self.reseau),
            "masque": str(self.reseau.netmask),
            "prefixe": self.reseau.prefixlen,
            "passerelle": str(self.host(regle.passerelle)),
            "dhcp": self.vlan.dhcp,
        }
        if self.vlan.dhcp:
            first, last = self.clamp(regle.dhcp)
            vars_["dhcp_debut"] = str(self.host(first))
            vars_["dhcp_fin"] = str(self.host(last))
        return vars_

    def clamp(self, span: tuple[int, int]) -> tuple[int, int]:
        """Clamp an offset range to the subnet's usable hosts (small subnets)."""
        top = self.reseau.num_addresses - 2
        return min(span[0], top), min(span[1], top)


def vlan_subnet(block: IPv4Network, vlan: VlanDef) -> VlanSubnet:
    if vlan.prefixe < block.prefixlen:
        raise PlanError(f"le VLAN {vlan.id} (/{vlan.prefixe}) est plus grand que le bloc {block}")
    count = 1 << (vlan.prefixe - block.prefixlen)
    if vlan.rang >= count:
        raise PlanError(
            f"le VLAN {vlan.id} (rang {vlan.rang}, /{vlan.prefixe}) sort du bloc {block} "
            f"qui n'a que {count} sous-réseaux /{vlan.prefixe}"
        )
    size = 1 << (32 - vlan.prefixe)
    start = int(block.network_address) + vlan.rang * size
    return VlanSubnet(vlan, IPv4Network((start, vlan.prefixe)))


def site_subnets(plan: PlanAdressage, block: IPv4Network, vlan_ids: list[int]) -> dict:
    """VLAN id -> VlanSubnet for the VLANs a site uses (unknown ids are skipped)."""
    catalog = {v.id: v for v in plan.vlans}
    return {i: vlan_subnet(block, catalog[i]) for i in vlan_ids if i in catalog}
