"""What the server roles hand to Kea, Samba and the Windows modules, from the site's data.

Pure functions over the dicts the référentiel inventory gives (`amico_site.vlans`, the
reservations, the roles' share lists): no Ansible, no I/O. Bad values raise ValueError
with a French message naming the value (the filter plugin turns it into a task failure).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

SUFFIXE_DEFAUT = "amico.internal"

# Share rights by group, as the Debian ACLs (rwx, r-x) and their NTFS counterpart.
DROITS_NTFS = {"rwx": "Modify", "r-x": "ReadAndExecute", "r--": "Read"}


def domaine_pedago(uai: str, suffixe: str = SUFFIXE_DEFAUT) -> dict[str, str]:
    """Names of the collège's pedagogical domain, all derived from its UAI.

    dns peda0670001x.amico.internal, realm in upper case (AD convention), NetBIOS
    PEDA0670001X (12 characters: within NetBIOS's 15), dn DC=peda0670001x,DC=amico,...
    """
    uai = str(uai)
    dns = f"peda{uai.lower()}.{suffixe}"
    return {
        "dns": dns,
        "realm": dns.upper(),
        "netbios": f"PEDA{uai.upper()}",
        "dn": dn_domaine(dns),
    }


def dn_domaine(domaine_dns: str) -> str:
    """DC=a,DC=b,DC=c for a.b.c."""
    return ",".join(f"DC={part}" for part in str(domaine_dns).split("."))


def _reseau(vlan: Mapping[str, Any]) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(vlan["reseau"]), strict=False)
    except (KeyError, ValueError) as exc:
        raise ValueError(
            f"VLAN {vlan.get('id', '?')} : reseau {vlan.get('reseau', 'absent')!r} n'est pas "
            "un sous-réseau IPv4 CIDR : corrigez le référentiel"
        ) from exc


def vlans_dhcp(vlans: Iterable[Mapping[str, Any]], usages: Iterable[str]) -> list[dict]:
    """VLANs the server's DHCP serves: dhcp true, a usage in `usages`, owned by the
    collectivité (an Académie VLAN is never served), sorted by id."""
    usages = set(usages)
    retenus = [
        dict(v)
        for v in vlans
        if v.get("dhcp") and v.get("usage") in usages and v.get("proprietaire") == "collectivite"
    ]
    return sorted(retenus, key=lambda v: int(v["id"]))


def _reservations_du_vlan(
    reservations: Iterable[Mapping[str, Any]], reseau: ipaddress.IPv4Network
) -> list[Mapping[str, Any]]:
    return [r for r in reservations if ipaddress.IPv4Address(str(r["adresse"])) in reseau]


def kea_dhcp4(
    vlans: Iterable[Mapping[str, Any]],
    usages: Iterable[str],
    reservations: Iterable[Mapping[str, Any]],
    interfaces: Iterable[str],
    bail: int,
    serveur: str,
    domaine_dns: str,
) -> dict[str, Any]:
    """Kea DHCPv4 configuration (the JSON document of /etc/kea/kea-dhcp4.conf): one subnet
    per served VLAN with its pool, gateway and the reservations lying in it; the server
    (`serveur`, the DC) as DNS and NTP server, the AD's domain as suffix."""
    reservations = list(reservations)
    subnets = []
    for vlan in vlans_dhcp(vlans, usages):
        reseau = _reseau(vlan)
        subnets.append(
            {
                "id": int(vlan["id"]),
                "subnet": str(reseau),
                "user-context": {"vlan": vlan.get("nom")},
                "pools": [{"pool": f"{vlan['dhcp_debut']} - {vlan['dhcp_fin']}"}],
                "option-data": [{"name": "routers", "data": vlan["passerelle"]}],
                "reservations": [
                    {
                        "hw-address": str(r["mac"]).lower(),
                        "ip-address": str(r["adresse"]),
                        "hostname": r["nom"],
                    }
                    for r in _reservations_du_vlan(reservations, reseau)
                ],
            }
        )
    return {
        "Dhcp4": {
            "interfaces-config": {"interfaces": list(interfaces)},
            "lease-database": {
                "type": "memfile",
                "persist": True,
                "name": "/var/lib/kea/kea-leases4.csv",
                "lfc-interval": 3600,
            },
            "valid-lifetime": int(bail),
            "authoritative": True,
            "option-data": [
                {"name": "domain-name-servers", "data": serveur},
                {"name": "domain-name", "data": domaine_dns},
                {"name": "domain-search", "data": domaine_dns},
                {"name": "ntp-servers", "data": serveur},
            ],
            "subnet4": subnets,
            "loggers": [
                {
                    "name": "kea-dhcp4",
                    "severity": "INFO",
                    "output_options": [{"output": "syslog:kea-dhcp4"}],
                }
            ],
        }
    }


def etendues_windows(
    vlans: Iterable[Mapping[str, Any]],
    usages: Iterable[str],
    reservations: Iterable[Mapping[str, Any]],
    bail: int,
) -> list[dict[str, Any]]:
    """Windows DHCP Server scopes: one per served VLAN; the scope id is the subnet's
    network address, reservations take the MAC in lower case with dashes."""
    reservations = list(reservations)
    etendues = []
    for vlan in vlans_dhcp(vlans, usages):
        reseau = _reseau(vlan)
        etendues.append(
            {
                "id": int(vlan["id"]),
                "nom": f"VLAN {vlan['id']} {vlan.get('nom', '')}".rstrip(),
                "reseau": str(reseau.network_address),
                "masque": str(reseau.netmask),
                "debut": vlan["dhcp_debut"],
                "fin": vlan["dhcp_fin"],
                "passerelle": vlan["passerelle"],
                "bail": int(bail),
                "reservations": [
                    {
                        "nom": r["nom"],
                        "adresse": str(r["adresse"]),
                        "mac": str(r["mac"]).lower().replace(":", "-"),
                    }
                    for r in _reservations_du_vlan(reservations, reseau)
                ],
            }
        )
    return etendues


def unites_ad(ou_racine: str, ous: Mapping[str, str], domaine_dns: str) -> list[dict[str, str]]:
    """The collège's root OU under the domain, then its OUs (sorted) under the root."""
    dn = dn_domaine(domaine_dns)
    racine = str(ou_racine)
    nom_racine = racine[3:] if racine.upper().startswith("OU=") else racine
    return [{"name": nom_racine, "path": dn}] + [
        {"name": nom, "path": f"{racine},{dn}"} for nom in sorted(ous.values())
    ]


def partages_windows(
    partages: Iterable[Mapping[str, Any]], racine: str, netbios: str, admins: str
) -> list[dict[str, Any]]:
    """Shares with their NTFS rights and share rights by group (rwx -> Modify / Change,
    r-x -> ReadAndExecute / Read), the admins group in full control, as on Debian."""
    admins_compte = f"{netbios}\\{admins}"
    out = []
    for p in partages:
        ntfs = [{"groupe": admins_compte, "droits": "FullControl"}]
        change: list[str] = []
        lecture: list[str] = []
        for groupe, droits in sorted((p.get("acl") or {}).items()):
            if droits not in DROITS_NTFS:
                raise ValueError(
                    f"partage {p.get('nom')!r} : droits {droits!r} du groupe {groupe!r} "
                    f"inconnus (attendus : {', '.join(DROITS_NTFS)})"
                )
            compte = f"{netbios}\\{groupe}"
            ntfs.append({"groupe": compte, "droits": DROITS_NTFS[droits]})
            (change if droits == "rwx" else lecture).append(compte)
        out.append(
            {
                "nom": p["nom"],
                "chemin": f"{racine}\\{p['nom']}",
                "description": p.get("commentaire") or p["nom"],
                "full": [admins_compte],
                "change": change,
                "read": lecture,
                "ntfs": ntfs,
            }
        )
    return out
