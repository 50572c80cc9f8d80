"""Running configurations (and IOS ``show vlan brief``) -> :class:`SwitchState`."""

from __future__ import annotations

import ipaddress
import re

from amico.referentiel.ports import expand_interfaces
from amico.switches.model import RESERVED_VLANS, PortState, SwitchState
from amico.switches.ranges import expand_ints


def _prefixlen(words: list[str]) -> str | None:
    try:
        if len(words) == 1 and "/" in words[0]:
            return ipaddress.IPv4Interface(words[0]).with_prefixlen
        if len(words) >= 2:
            return ipaddress.IPv4Interface(f"{words[0]}/{words[1]}").with_prefixlen
    except ValueError:
        return None
    return None


def _unquote(text: str) -> str:
    text = text.strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


# -- Cisco IOS ------------------------------------------------------------------------
def parse_ios_vlan_brief(text: str) -> dict[int, str]:
    """``show vlan brief``: id -> name. VLANs 1002-1005 are listed by every IOS switch;
    they are returned too (callers skip :data:`RESERVED_VLANS`)."""
    vlans: dict[int, str] = {}
    for line in text.splitlines():
        m = re.match(r"^(\d{1,4})\s+(\S+)\s+(active|act/unsup|suspended|act/lshut|sus/lshut)", line)
        if m:
            vlans[int(m.group(1))] = m.group(2)
    return vlans


def parse_ios(running: str, vlan_brief: str | None = None) -> SwitchState:
    state = SwitchState()
    if vlan_brief is not None:
        state.vlans = parse_ios_vlan_brief(vlan_brief)
    current_if: str | None = None
    current_vlan: int | None = None
    raw: dict[str, dict] = {}
    for line in running.splitlines():
        if not line.strip() or line.startswith("!"):
            current_if = current_vlan = None
            continue
        words = line.split()
        if not line.startswith(" "):
            current_if = current_vlan = None
            if words[0] == "hostname" and len(words) == 2:
                state.hostname = words[1]
            elif words[0] == "interface" and len(words) == 2:
                current_if = words[1]
                if current_if.startswith("Vlan"):
                    state.svis.setdefault(int(current_if[4:]), None)
                else:
                    raw[current_if] = {"access": 1, "allowed": None, "native": 1}
            elif words[0] == "vlan" and len(words) == 2:  # VTP transparent: VLANs in the config
                for vid in expand_ints(words[1]):
                    state.vlans.setdefault(vid, f"VLAN{vid:04d}")
                    current_vlan = vid
            continue
        if current_vlan is not None and words[0] == "name":
            state.vlans[current_vlan] = line.split(None, 1)[1]
            continue
        if current_if is None:
            continue
        if current_if.startswith("Vlan"):
            if words[:2] == ["ip", "address"]:
                state.svis[int(current_if[4:])] = _prefixlen(words[2:4])
            continue
        port = raw[current_if]
        if words[0] == "description":
            port["description"] = line.split(None, 1)[1]
        elif words[:2] == ["switchport", "mode"]:
            port["mode"] = words[2]
        elif words[:3] == ["switchport", "access", "vlan"]:
            port["access"] = int(words[3])
        elif words[:4] == ["switchport", "trunk", "allowed", "vlan"]:
            if words[4] == "add":
                port["allowed"] = (port["allowed"] or set()) | set(expand_ints(words[5]))
            elif words[4] == "none":
                port["allowed"] = set()
            elif words[4] == "all":
                port["allowed"] = None
            else:
                port["allowed"] = set(expand_ints(words[4]))
        elif words[:4] == ["switchport", "trunk", "native", "vlan"]:
            port["native"] = int(words[4])
    for name, p in raw.items():
        if p.get("mode") == "trunk":
            allowed = p["allowed"] if p["allowed"] is not None else set(range(1, 4095))
            native = p["native"] if p["native"] in allowed else None
            state.ports[name] = PortState(
                "trunk", None, frozenset(allowed - {native}), native, p.get("description")
            )
        else:
            mode = "acces" if p.get("mode") == "access" else None
            state.ports[name] = PortState(
                mode, p["access"], frozenset(), None, p.get("description")
            )
    return state


# -- ArubaOS-Switch / ProCurve ------------------------------------------------------------
def parse_procurve(running: str) -> SwitchState:
    """ProCurve lists memberships per VLAN (``untagged 1-20``, ``tagged 24``); VLAN 1 also
    carries ``no untagged ...`` lines (oxidized#1978), which only say what is elsewhere."""
    state = SwitchState()
    untagged: dict[str, int] = {}
    tagged: dict[str, set[int]] = {}
    descriptions: dict[str, str] = {}
    ctx: tuple | None = None
    for line in running.splitlines():
        words = line.split()
        if not words or line.startswith(";"):
            continue
        if not line.startswith(" "):
            ctx = None
            if words[0] == "hostname":
                state.hostname = _unquote(line.split(None, 1)[1])
            elif words[0] == "vlan" and len(words) == 2:
                vid = int(words[1])
                state.vlans.setdefault(vid, f"VLAN{vid}")
                ctx = ("vlan", vid)
            elif words[0] == "interface" and len(words) == 2:
                ctx = ("if", expand_interfaces(words[1]))
            continue
        if ctx is None or words == ["exit"]:
            continue
        if ctx[0] == "if":
            if words[0] == "name":
                for port in ctx[1]:
                    descriptions[port] = _unquote(line.split(None, 1)[1])
            continue
        vid = ctx[1]
        if words[0] == "name":
            state.vlans[vid] = _unquote(line.split(None, 1)[1])
        elif words[0] == "untagged":
            for port in expand_interfaces(words[1]):
                untagged[port] = vid
        elif words[0] == "tagged":
            for port in expand_interfaces(words[1]):
                tagged.setdefault(port, set()).add(vid)
        elif words[:2] == ["ip", "address"]:
            state.svis[vid] = None if words[2:] == ["dhcp-bootp"] else _prefixlen(words[2:4])
        elif words[:3] == ["no", "ip", "address"]:
            state.svis.setdefault(vid, None)
    for port in set(untagged) | set(tagged) | set(descriptions):
        desc = descriptions.get(port)
        if port in tagged:
            state.ports[port] = PortState(
                "trunk", None, frozenset(tagged[port]), untagged.get(port), desc
            )
        elif port in untagged:
            state.ports[port] = PortState("acces", untagged[port], frozenset(), None, desc)
        else:
            state.ports[port] = PortState(None, None, frozenset(), None, desc)
    return state


def parse(vendor: str, running: str, vlan_brief: str | None = None) -> SwitchState:
    if vendor == "cisco":
        return parse_ios(running, vlan_brief)
    return parse_procurve(running)


__all__ = ["RESERVED_VLANS", "parse", "parse_ios", "parse_ios_vlan_brief", "parse_procurve"]
