"""Running configurations (and IOS ``show vlan brief``) -> :class:`SwitchState`.

Hand-written because no template reads the *meaning* of a running configuration (which
port is in which VLAN, tagged or not); every device listing (``show vlan brief``, MAC
tables, link state, LLDP) goes through ntc-templates in :mod:`amico.commutateurs.facts`.

Whatever a device prints, a line this parser does not understand is recorded in
``SwitchState.warnings`` (with its line number) and skipped, never raised: one odd line
must not stop the run. Only an output that cannot be read as a whole (an IOS
``show vlan brief`` the template rejects: VLANs would all look absent) raises
:class:`ParseError`, which the caller reports as "configuration illisible"."""

from __future__ import annotations

import ipaddress
import re

from amico.commutateurs.facts import TemplateError, parse_vlan_brief
from amico.commutateurs.model import RESERVED_VLANS, PortState, SwitchState
from amico.commutateurs.ranges import expand_ints, expand_ports


class ParseError(ValueError):
    """The configuration of a switch cannot be read (message in French)."""


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


def _warn(state: SwitchState, number: int, line: str, exc: Exception) -> None:
    # Python's own messages ("invalid literal for int()...") are not for the report.
    why = "nombre illisible" if "literal" in str(exc) or not str(exc) else str(exc)
    state.warnings.append(f"ligne {number} non comprise, ignorée : « {line.strip()} » ({why})")


def _vlan_id(text: str) -> int:
    vid = int(text)
    if not 1 <= vid <= 4094:
        raise ValueError(f"VLAN hors de 1-4094 : {vid}")
    return vid


# -- Cisco IOS ------------------------------------------------------------------------
def parse_ios_vlan_brief(text: str) -> dict[int, str]:
    """``show vlan brief``: id -> name (names with spaces kept). VLANs 1002-1005 are listed
    by every IOS switch; they are returned too (callers skip :data:`RESERVED_VLANS`).
    ParseError when the listing cannot be read."""
    try:
        return parse_vlan_brief(text)
    except TemplateError as exc:
        raise ParseError(f"« show vlan brief » illisible : {exc}") from exc


_SVI = re.compile(r"^vlan(\d+)$", re.IGNORECASE)  # "Vlan24", and "VLAN24" on 12.0 (2900XL)


def parse_ios(running: str, vlan_brief: str | None = None) -> SwitchState:
    state = SwitchState()
    if vlan_brief is not None:
        state.vlans = parse_ios_vlan_brief(vlan_brief)
    raw: dict[str, dict] = {}
    ctx: tuple | None = None  # ("if", name) | ("svi", vid) | ("vlan", vid)
    for number, line in enumerate(running.splitlines(), 1):
        if not line.strip() or line.startswith("!"):
            ctx = None
            continue
        try:
            ctx = _ios_line(state, raw, ctx, line)
        except (ValueError, IndexError) as exc:
            _warn(state, number, line, exc)
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


def _ios_line(state: SwitchState, raw: dict, ctx: tuple | None, line: str) -> tuple | None:
    words = line.split()
    if not line.startswith(" "):
        if words[0] == "hostname" and len(words) == 2:
            state.hostname = words[1]
        elif words[0] == "interface" and len(words) == 2:
            svi = _SVI.match(words[1])
            if svi:
                vid = _vlan_id(svi.group(1))
                state.svis.setdefault(vid, None)
                return ("svi", vid)
            raw[words[1]] = {"access": 1, "allowed": None, "native": 1}
            return ("if", words[1])
        elif words[0] == "vlan" and len(words) == 2:  # VTP transparent: VLANs in the config
            vids = expand_ints(words[1])
            for vid in vids:
                state.vlans.setdefault(_vlan_id(str(vid)), f"VLAN{vid:04d}")
            return ("vlan", vids[-1]) if vids else None
        return None
    if ctx is None:
        return None
    kind, key = ctx
    if kind == "vlan":
        if words[0] == "name":
            state.vlans[key] = line.split(None, 1)[1].strip()
        return ctx
    if kind == "svi":
        if words[:2] == ["ip", "address"] and len(words) >= 3:
            state.svis[key] = _prefixlen(words[2:4])
        return ctx
    port = raw[key]
    if words[0] == "description":
        port["description"] = line.split(None, 1)[1].strip()
    elif words[:2] == ["switchport", "mode"]:
        port["mode"] = words[2]
    elif words[:3] == ["switchport", "access", "vlan"]:
        port["access"] = _vlan_id(words[3])
    elif words[:4] == ["switchport", "trunk", "allowed", "vlan"]:
        arg = words[4]
        if arg == "add":
            port["allowed"] = (port["allowed"] or set()) | set(expand_ints(words[5]))
        elif arg == "remove":
            base = port["allowed"] if port["allowed"] is not None else set(range(1, 4095))
            port["allowed"] = base - set(expand_ints(words[5]))
        elif arg == "except":
            port["allowed"] = set(range(1, 4095)) - set(expand_ints(words[5]))
        elif arg == "none":
            port["allowed"] = set()
        elif arg == "all":
            port["allowed"] = None
        else:
            port["allowed"] = set(expand_ints(arg))
    elif words[:4] == ["switchport", "trunk", "native", "vlan"]:
        port["native"] = _vlan_id(words[4])
    elif words[0] == "channel-group" and len(words) >= 2:
        group = f"Port-channel{int(words[1])}"
        state.trunks.setdefault(group, []).append(key)
    return ctx


# -- ArubaOS-Switch / ProCurve ------------------------------------------------------------
_TRUNK = re.compile(r"^trunk\s+(?P<ports>\S+)\s+trk(?P<num>\d+)(?:\s+\S+)?\s*$", re.IGNORECASE)


def _procurve_name(name: str) -> str:
    """Trunk groups are written ``trk1`` on the ``trunk`` line, ``Trk1`` elsewhere."""
    return re.sub(r"^trk(\d+)$", r"Trk\1", name, flags=re.IGNORECASE)


def _procurve_ports(text: str) -> list[str]:
    return [_procurve_name(p) for p in expand_ports(text)]


def parse_procurve(running: str) -> SwitchState:
    """ProCurve lists memberships per VLAN (``untagged 1-20``, ``tagged 24``); VLAN 1 also
    carries ``no untagged ...`` lines (oxidized#1978), which only say what is elsewhere.
    Ports may be stacked (``1/A1``), on lettered modules with a suffix (``C1i``), or be a
    trunk group (``Trk1``, members from ``trunk 47-48 trk1 lacp``)."""
    state = SwitchState()
    acc = {"untagged": {}, "tagged": {}, "descriptions": {}}
    ctx: tuple | None = None
    for number, line in enumerate(running.splitlines(), 1):
        words = line.split()
        if not words or line.startswith(";"):
            continue
        try:
            ctx = _procurve_line(state, acc, ctx, line, words)
        except (ValueError, IndexError) as exc:
            _warn(state, number, line, exc)
    untagged, tagged, descriptions = acc["untagged"], acc["tagged"], acc["descriptions"]
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


def _procurve_line(
    state: SwitchState, acc: dict, ctx: tuple | None, line: str, words: list[str]
) -> tuple | None:
    if not line.startswith(" "):
        if words[0] == "hostname":
            state.hostname = _unquote(line.split(None, 1)[1])
        elif words[0] == "vlan" and len(words) == 2:
            vid = _vlan_id(words[1])
            state.vlans.setdefault(vid, f"VLAN{vid}")
            return ("vlan", vid)
        elif words[0] == "interface" and len(words) == 2:
            return ("if", _procurve_ports(words[1]))
        elif words[0] == "trunk":
            m = _TRUNK.match(line.strip())
            if not m:
                raise ValueError("groupe d'agrégation attendu : trunk <ports> trk<n> [lacp]")
            group = f"Trk{int(m.group('num'))}"
            state.trunks[group] = expand_ports(m.group("ports"))
        return None
    if ctx is None or words == ["exit"]:
        return ctx
    if ctx[0] == "if":
        if words[0] == "name":
            for port in ctx[1]:
                acc["descriptions"][port] = _unquote(line.split(None, 1)[1])
        return ctx
    vid = ctx[1]
    if words[0] == "name":
        state.vlans[vid] = _unquote(line.split(None, 1)[1])
    elif words[0] == "untagged":
        for port in _procurve_ports(" ".join(words[1:])):
            acc["untagged"][port] = vid
    elif words[0] == "tagged":
        for port in _procurve_ports(" ".join(words[1:])):
            acc["tagged"].setdefault(port, set()).add(vid)
    elif words[:2] == ["ip", "address"]:
        state.svis[vid] = None if words[2:] == ["dhcp-bootp"] else _prefixlen(words[2:4])
    elif words[:3] == ["no", "ip", "address"]:
        state.svis.setdefault(vid, None)
    return ctx


def parse(vendor: str, running: str, vlan_brief: str | None = None) -> SwitchState:
    if vendor == "cisco":
        return parse_ios(running, vlan_brief)
    return parse_procurve(running)


__all__ = [
    "RESERVED_VLANS",
    "ParseError",
    "parse",
    "parse_ios",
    "parse_ios_vlan_brief",
    "parse_procurve",
]
