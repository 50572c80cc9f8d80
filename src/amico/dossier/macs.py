"""Parsers for what switches say about their ports: learnt MAC addresses and link state.

Cisco IOS        ``show mac address-table`` (``show mac-address-table`` on older images)
                 ``show interfaces status``
ArubaOS-Switch   ``show mac-address``
(ProCurve)       ``show interfaces brief``

Every parser is tolerant: lines it does not understand (headers, legends, totals, CPU and
multicast entries) are skipped, never fatal. MAC addresses come back in the référentiel's
form (``aa:bb:cc:dd:ee:ff``); port names as the switch printed them (callers map
``Gi1/0/1`` to ``GigabitEthernet1/0/1`` with :func:`amico.switches.intent.port_names`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HEX = "[0-9A-Fa-f]"
# 0050.7966.6800 (IOS), 001635-b2f2e0 (ProCurve), 00:50:79:66:68:00, 00-50-79-66-68-00
_MAC = re.compile(
    rf"^(?:{_HEX}{{4}}\.{_HEX}{{4}}\.{_HEX}{{4}}|{_HEX}{{6}}-{_HEX}{{6}}"
    rf"|{_HEX}{{2}}(?:[:-]{_HEX}{{2}}){{5}})$"
)


@dataclass(frozen=True, order=True)
class MacEntry:
    port: str
    mac: str  # aa:bb:cc:dd:ee:ff
    vlan: int | None = None


def normalize_mac(text: str) -> str | None:
    """Any switch spelling of a MAC -> ``aa:bb:cc:dd:ee:ff``; None when not a MAC."""
    if not _MAC.match(text):
        return None
    digits = re.sub(r"[^0-9a-f]", "", text.lower())
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_ios_mac_table(text: str) -> list[MacEntry]:
    """``show mac address-table``: Catalyst access layout (``Vlan Mac Address Type Ports``)
    and the 6500/4500 layout (``* 100 0050.7966.6800 dynamic Yes 0 Gi1/1``).

    Entries on ``CPU``, ``Router``, ``Drop`` or without a single port are skipped (they are
    not something patched on a port)."""
    out: list[MacEntry] = []
    for line in text.splitlines():
        words = line.replace("*", " ").split()
        idx = next((i for i, w in enumerate(words) if normalize_mac(w)), None)
        if idx is None or idx == 0:
            continue
        vlan_word = words[idx - 1]
        if not vlan_word.isdigit():  # "All" (CPU entries) or a legend line
            continue
        port = words[-1]
        if port.upper() in ("CPU", "ROUTER", "DROP", "SWITCH") or "," in port:
            continue
        if not re.match(r"^[A-Za-z]+[\d/.:]+$", port):
            continue
        out.append(MacEntry(port, normalize_mac(words[idx]), int(vlan_word)))
    return sorted(set(out))


def parse_procurve_mac_table(text: str) -> list[MacEntry]:
    """``show mac-address``: ``MAC Address  Port  VLAN`` (K/KB/WC 15-16) or the older
    ``MAC Address  Located on Port`` layout without the VLAN column."""
    out: list[MacEntry] = []
    for line in text.splitlines():
        words = line.split()
        if len(words) < 2:
            continue
        mac = normalize_mac(words[0])
        if mac is None:
            continue
        port = words[1]
        if not re.match(r"^[A-Za-z]*\d+$", port):  # "1", "A1", "Trk1"
            continue
        vlan = int(words[2]) if len(words) > 2 and words[2].isdigit() else None
        out.append(MacEntry(port, mac, vlan))
    return sorted(set(out))


def parse_ios_interfaces_status(text: str) -> dict[str, str]:
    """``show interfaces status`` -> port -> ``up`` | ``down`` | ``desactive`` | raw status.

    The Name column may contain spaces or be empty: columns are cut at the header's
    positions."""
    lines = text.splitlines()
    header = next(
        (i for i, line in enumerate(lines) if re.match(r"^Port\s+Name\s+Status", line)), None
    )
    if header is None:
        return {}
    start = lines[header].index("Status")
    out: dict[str, str] = {}
    for line in lines[header + 1 :]:
        if not line.strip() or line.startswith("Port "):
            continue
        port = line.split()[0]
        rest = line[start:].split() if len(line) > start else []
        if not rest:
            continue
        out[port] = _status(rest[0])
    return out


def parse_procurve_interfaces_brief(text: str) -> dict[str, str]:
    """``show interfaces brief``: ``Port Type | Alert Enabled Status Mode ...`` rows."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "|" not in line:
            continue
        left, right = line.split("|", 1)
        lwords, rwords = left.split(), right.split()
        if not lwords or len(rwords) < 3 or not re.match(r"^[A-Za-z]*\d+(-Trk\d+)?$", lwords[0]):
            continue
        port = lwords[0].split("-Trk")[0]
        enabled, status = rwords[1], rwords[2]
        out[port] = "desactive" if enabled.lower() == "no" else _status(status)
    return out


_STATUS = {
    "connected": "up",
    "up": "up",
    "notconnect": "down",
    "down": "down",
    "disabled": "desactive",
    "err-disabled": "erreur",
    "inactive": "down",
}


def _status(word: str) -> str:
    return _STATUS.get(word.lower(), word.lower())


def parse_mac_table(vendor: str, text: str) -> list[MacEntry]:
    return parse_ios_mac_table(text) if vendor == "cisco" else parse_procurve_mac_table(text)


def parse_port_status(vendor: str, text: str) -> dict[str, str]:
    if vendor == "cisco":
        return parse_ios_interfaces_status(text)
    return parse_procurve_interfaces_brief(text)


# The commands each vendor answers (read-only, exec mode)
COMMANDS = {
    "cisco": {"macs": "show mac address-table", "etats": "show interfaces status"},
    "aruba": {"macs": "show mac-address", "etats": "show interfaces brief"},
}
