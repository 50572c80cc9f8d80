"""What a switch says about its ports, read with ntc-templates and put in the project's
terms: learnt MAC addresses, link state, VLAN names (IOS), LLDP neighbours.

Cisco IOS        ``show mac address-table``, ``show interfaces status``, ``show vlan brief``,
                 ``show lldp neighbors detail``
ArubaOS-Switch   ``show mac-address``, ``show interfaces brief``,
(ProCurve)       ``show lldp info remote-device``

MAC addresses come back as ``aa:bb:cc:dd:ee:ff`` (amico.referentiel.mac), port names in
the form the running configuration uses (IOS ``Gi1/0/1`` -> ``GigabitEthernet1/0/1``,
ProCurve ``A8*`` -> ``A8``, ``1/28-Trk1`` -> ``1/28``), so that facts and configuration
name a port alike.
Entries that are not a device behind a port are dropped: the switch's own addresses
(``CPU``, ``Switch``, ``Router``, SVIs ``Vl1``), broadcast and multicast addresses,
entries on several ports (multicast sections), ``All``-VLAN entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amico.commutateurs.ntc import CommandRefused, TemplateError, parse_template
from amico.referentiel.mac import is_device_mac, normalize_mac  # one reader, every layer

# IOS short interface names -> the full names of the running configuration.
IOS_NAMES = {
    "gi": "GigabitEthernet",
    "gig": "GigabitEthernet",
    "fa": "FastEthernet",
    "te": "TenGigabitEthernet",
    "ten": "TenGigabitEthernet",
    "tw": "TwoGigabitEthernet",
    "twe": "TwentyFiveGigE",
    "fo": "FortyGigabitEthernet",
    "hu": "HundredGigE",
    "eth": "Ethernet",
    "et": "Ethernet",
    "po": "Port-channel",
    "vl": "Vlan",
}
_IOS_FULL = {full.lower(): full for full in IOS_NAMES.values()}
_IOS_NAME = re.compile(r"^(?P<kind>[A-Za-z][A-Za-z-]*?)(?P<num>\d[\d/.:]*)$")
_PROCURVE_PORT = re.compile(r"^(?:\d+/)?[A-Za-z]?\d+[A-Za-z]?$|^Trk\d+$", re.IGNORECASE)

# One command per listing; where older images spell it differently, the alternatives
# (tried in order when the switch refuses the first) are in ALTERNATIVES.
ALTERNATIVES = {"show mac address-table": ("show mac-address-table",)}

COMMANDS = {
    "cisco": {
        "macs": "show mac address-table",
        "etats": "show interfaces status",
        "lldp": "show lldp neighbors detail",
    },
    "aruba": {
        "macs": "show mac-address",
        "etats": "show interfaces brief",
        "lldp": "show lldp info remote-device",
    },
}


@dataclass(frozen=True, order=True)
class MacEntry:
    port: str
    mac: str  # aa:bb:cc:dd:ee:ff
    vlan: int | None = None


@dataclass(frozen=True, order=True)
class Neighbour:
    """One LLDP neighbour seen on ``port``: its system name (may be empty, or truncated
    with ``...`` by ProCurve's summary), its own port id, its chassis id."""

    port: str
    name: str
    remote_port: str = ""
    chassis: str = ""

    def is_named(self, host: str) -> bool:
        """Does this neighbour advertise ``host``? (case-insensitive; a domain suffix and
        ProCurve's ``...`` truncation are accepted)."""
        name, host = self.name.strip().lower(), host.strip().lower()
        if not name or not host:
            return False
        if name.endswith("..."):
            return host.startswith(name[:-3])
        return name == host or name.split(".", 1)[0] == host


# -- names and addresses -----------------------------------------------------------------
def ios_port(name: str) -> str:
    """``Gi1/0/1`` -> ``GigabitEthernet1/0/1``, ``Po15`` -> ``Port-channel15``; a full
    name keeps its canonical spelling; anything else is returned unchanged."""
    m = _IOS_NAME.match(name.strip())
    if not m:
        return name.strip()
    kind = m.group("kind").lower()
    full = _IOS_FULL.get(kind) or IOS_NAMES.get(kind)
    return f"{full}{m.group('num')}" if full else name.strip()


def procurve_port(name: str) -> str:
    """``A8*`` (RADIUS override mark) -> ``A8``; ``1/28-Trk1`` (member of a trunk) -> ``1/28``."""
    name = name.strip().rstrip("*")
    return re.sub(r"-Trk\d+$", "", name, flags=re.IGNORECASE)


def port_name(vendor: str, name: str) -> str:
    return ios_port(name) if vendor == "cisco" else procurve_port(name)


def _is_patch_port(vendor: str, port: str) -> bool:
    if vendor == "cisco":
        m = _IOS_NAME.match(port)
        return bool(m) and m.group("kind") in _IOS_FULL.values() and m.group("kind") != "Vlan"
    return bool(_PROCURVE_PORT.match(port))


def _vlan(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= 4094 else None


# -- MAC tables ----------------------------------------------------------------------------
def parse_mac_table(vendor: str, text: str) -> list[MacEntry]:
    """Learnt addresses of devices behind ports (see the module doc for what is dropped).
    TemplateError when the output cannot be read at all."""
    out: set[MacEntry] = set()
    if vendor == "cisco":
        rows = [
            (r["destination_address"], r["destination_port"], r["vlan_id"])
            for r in parse_template("cisco_ios_show_mac-address-table", text)
        ]
    else:
        rows = [
            (r["mac_address"], [r["port"]], r["vlan_id"])
            for r in parse_template("hp_procurve_show_mac-address", text)
        ]
    for address, ports, vlan_text in rows:
        mac = normalize_mac(address)
        if mac is None or not is_device_mac(mac) or len(ports) != 1:
            continue
        if vendor == "cisco" and _vlan(vlan_text) is None:  # "All": the switch's own entries
            continue
        port = port_name(vendor, ports[0])
        if _is_patch_port(vendor, port):
            out.add(MacEntry(port, mac, _vlan(vlan_text)))
    return sorted(out)


# -- link state ----------------------------------------------------------------------------
_STATUS = {
    "connected": "up",
    "up": "up",
    "monitoring": "up",
    "notconnect": "down",
    "notconnected": "down",
    "down": "down",
    "inactive": "down",
    "sfpabsent": "down",
    "disabled": "desactive",
    "err-disabled": "erreur",
}


def _status(word: str) -> str:
    word = word.strip().rstrip(":").lower()
    return _STATUS.get(word, word)


def parse_port_status(vendor: str, text: str) -> dict[str, str]:
    """Port -> ``up`` | ``down`` | ``desactive`` | ``erreur`` (or the device's word)."""
    out: dict[str, str] = {}
    if vendor == "cisco":
        for r in parse_template("cisco_ios_show_interfaces_status", text):
            out[ios_port(r["port"])] = _status(r["status"])
        return out
    for r in parse_template("hp_procurve_show_interfaces_brief", text):
        port = procurve_port(r["port"])
        out[port] = "desactive" if r["enabled"].lower() == "no" else _status(r["status"])
    return out


def trunk_members(text: str) -> dict[str, str]:
    """ProCurve ``show interfaces brief``: member port -> trunk group (``1/28-Trk1``)."""
    out: dict[str, str] = {}
    for r in parse_template("hp_procurve_show_interfaces_brief", text):
        m = re.match(r"^(.+?)\*?-(Trk\d+)$", r["port"], re.IGNORECASE)
        if m:
            out[m.group(1)] = m.group(2)
    return out


# -- VLANs (IOS) -------------------------------------------------------------------------
def parse_vlan_brief(text: str) -> dict[int, str]:
    """``show vlan brief`` -> id -> name (names with spaces kept whole; VLANs 1002-1005 are
    listed by every IOS switch and returned too)."""
    return {int(r["vlan_id"]): r["vlan_name"] for r in parse_template("cisco_ios_show_vlan", text)}


def vlan_brief_ports(text: str) -> dict[int, list[str]]:
    """``show vlan brief`` -> id -> access ports (full names)."""
    out: dict[int, list[str]] = {}
    for r in parse_template("cisco_ios_show_vlan", text):
        names = [p for line in r["ports"] for p in re.split(r"[,\s]+", line) if p]
        out[int(r["vlan_id"])] = [ios_port(p) for p in names]
    return out


# -- LLDP ------------------------------------------------------------------------------------
def parse_lldp(vendor: str, text: str) -> list[Neighbour]:
    out: set[Neighbour] = set()
    if vendor == "cisco":
        for r in parse_template("cisco_ios_show_lldp_neighbors_detail", text):
            out.add(
                Neighbour(
                    ios_port(r["local_interface"]),
                    r["neighbor_name"].strip(),
                    r["neighbor_port_id"].strip(),
                    r["chassis_id"].strip(),
                )
            )
    else:
        for r in parse_template("hp_procurve_show_lldp_info_remote-device", text):
            out.add(
                Neighbour(
                    procurve_port(r["local_interface"]),
                    r["neighbor_name"].strip(),
                    r["neighbor_interface"].strip(),
                    r["chassis_id"].strip(),
                )
            )
    return sorted(out)


__all__ = [
    "ALTERNATIVES",
    "COMMANDS",
    "CommandRefused",
    "IOS_NAMES",
    "MacEntry",
    "Neighbour",
    "TemplateError",
    "ios_port",
    "is_device_mac",
    "normalize_mac",
    "parse_lldp",
    "parse_mac_table",
    "parse_port_status",
    "parse_vlan_brief",
    "port_name",
    "procurve_port",
    "trunk_members",
    "vlan_brief_ports",
]
