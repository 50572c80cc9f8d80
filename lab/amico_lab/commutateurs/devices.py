"""Stateful switch models behind the emulated SSH sessions: an IOS-like and a ProCurve-like.

Each device object keeps its VLANs, ports, management addresses, files (IOS flash) and
running configuration, shared by every SSH session opened on it; a session object holds
the CLI mode of one connection and hands every line to the device. Only the commands the
drivers (netmiko ``cisco_ios`` / ``hp_procurve``, napalm ``ios`` with inline transfer)
send are implemented; see README.md for what is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
import threading
from dataclasses import dataclass, field

from amico.commutateurs.ranges import compress, compress_names, expand_ints
from amico.referentiel.ports import expand_interfaces


class DropSession(Exception):
    """Raised by a device to make the server cut the SSH transport (fault injection)."""


@dataclass
class Faults:
    """Injected faults. ``drop_after_config_lines`` fires once: the device applies that
    many configuration lines, then the transport is cut (a link lost mid-push)."""

    drop_after_config_lines: int | None = None
    reject: list[str] = field(default_factory=list)  # regexes of config lines refused

    @classmethod
    def from_dict(cls, data: dict | None) -> Faults:
        data = data or {}
        return cls(
            drop_after_config_lines=data.get("drop_after_config_lines"),
            reject=list(data.get("reject") or []),
        )


def _mask(prefix: int) -> str:
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask)


def _parse_ip(args: list[str]) -> str | None:
    """``["10.0.0.2", "255.255.255.0"]`` or ``["10.0.0.2/24"]`` -> ``"10.0.0.2 255.255.255.0"``."""
    try:
        if len(args) == 1 and "/" in args[0]:
            iface = ipaddress.IPv4Interface(args[0])
        elif len(args) == 2:
            iface = ipaddress.IPv4Interface(f"{args[0]}/{args[1]}")
        else:
            return None
    except ValueError:
        return None
    return f"{iface.ip} {iface.netmask}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    return text


class BaseSwitch:
    """Shared state, lock and fault accounting."""

    platform = "base"

    def __init__(
        self, name: str, nports: int = 24, initial: dict | None = None, faults: dict | None = None
    ) -> None:
        self.name = name
        self.hostname = name
        self.nports = nports
        self.lock = threading.RLock()
        self.faults = Faults.from_dict(faults)
        self.config_lines = 0
        self.sessions = 0
        self.saved = False
        init = initial or {}
        self.model = str(init.get("modele") or "")
        # What a real switch learns from its cabling (read-only in the lab):
        # "macs": {port: [[mac, vlan], ...]}, "voisins": {port: {"nom", "port", "chassis"}},
        # "etats": {port: "up" | "down"} (default: up when something is learnt on it).
        self.macs: dict[str, list[tuple[str, int]]] = {
            str(k): [(str(m), int(v)) for m, v in items]
            for k, items in (init.get("macs") or {}).items()
        }
        self.neighbours: dict[str, dict] = {
            str(k): dict(v) for k, v in (init.get("voisins") or {}).items()
        }
        self.link_states: dict[str, str] = {
            str(k): str(v) for k, v in (init.get("etats") or {}).items()
        }
        self.own_mac = "02:" + ":".join(
            f"{b:02x}" for b in hashlib.sha256(name.encode()).digest()[:5]
        )

    def link_up(self, port: str) -> bool:
        if port in self.link_states:
            return self.link_states[port] == "up"
        return bool(self.macs.get(port) or port in self.neighbours)

    # fault helpers -----------------------------------------------------------------
    def rejected(self, line: str) -> bool:
        return any(re.search(p, line) for p in self.faults.reject)

    def count_config_line(self) -> None:
        """Called after a configuration line is applied; may cut the session (once)."""
        self.config_lines += 1
        limit = self.faults.drop_after_config_lines
        if limit is not None and self.config_lines >= limit:
            self.faults.drop_after_config_lines = None
            raise DropSession(f"coupure injectée après {self.config_lines} lignes")

    def banner(self) -> str:
        return ""


# ----------------------------------------------------------------------------------
# Cisco IOS-like
# ----------------------------------------------------------------------------------
IOS_INVALID = "% Invalid input detected at '^' marker."
# Refusals of real Catalysts, worded as they print them (issue 17.6/17.7)
IOS_ENCAP_AUTO = (
    'Command rejected: An interface whose trunk encapsulation is "Auto" can not be '
    'configured to "trunk" mode.'
)
IOS_VTP_CLIENT = "% VTP VLAN configuration not allowed when device is in CLIENT mode."
# Catalysts that also speak ISL: their trunk encapsulation defaults to "Auto", so
# ``switchport mode trunk`` needs ``switchport trunk encapsulation dot1q`` first; the
# dot1q-only ones (2960...) do not know that command at all.
ISL_MODELS = re.compile(r"(?:3550|3560(?!-?CX)|3750|4[59]\d\d|65\d\d|2900XL|3500XL)", re.I)


def ios_error(out: str) -> bool:
    """What IOS prints when it refuses a line (informational ``%`` lines excepted)."""
    return (out.startswith("%") and not out.startswith("% Access VLAN does not exist")) or (
        out.startswith("Command rejected")
    )


IOS_RESERVED = {
    1002: "fddi-default",
    1003: "token-ring-default",
    1004: "fddinet-default",
    1005: "trnet-default",
}
IOS_ABBREV = {
    "gi": "GigabitEthernet",
    "gigabitethernet": "GigabitEthernet",
    "fa": "FastEthernet",
    "fastethernet": "FastEthernet",
    "te": "TenGigabitEthernet",
    "tengigabitethernet": "TenGigabitEthernet",
    "vlan": "Vlan",
    "vl": "Vlan",
}


def ios_ifname(text: str) -> str | None:
    m = re.match(r"^([A-Za-z-]+)\s*([\d/]+)$", text.strip())
    if not m:
        return None
    full = IOS_ABBREV.get(m.group(1).lower())
    return f"{full}{m.group(2)}" if full else None


def _short_if(name: str) -> str:
    for full, short in (
        ("GigabitEthernet", "Gi"),
        ("FastEthernet", "Fa"),
        ("TenGigabitEthernet", "Te"),
    ):
        if name.startswith(full):
            return short + name[len(full) :]
    return name


# IOS 12.0 on the 2900XL/3500XL prints "interface VLAN1" (uppercase) and, like the 2950
# (12.1), the MAC-first "show mac-address-table" layout.
# (model names as printed: WS-C2924M-XL, WS-C3524-XL, WS-C2950-24)
IOS_XL_MODELS = re.compile(r"(?:2900XL|3500XL|-XL\b)", re.I)
IOS_OLD_MAC_MODELS = re.compile(r"(?:2900XL|3500XL|-XL\b|2950)", re.I)


def _dotted(mac: str) -> str:
    digits = re.sub(r"[^0-9a-f]", "", mac.lower())
    return ".".join(digits[i : i + 4] for i in range(0, 12, 4))


def _procurve_mac(mac: str) -> str:
    digits = re.sub(r"[^0-9a-f]", "", mac.lower())
    return f"{digits[:6]}-{digits[6:]}"


@dataclass
class IosPort:
    mode: str | None = None  # None (dynamic auto) | access | trunk
    access: int = 1
    allowed: set[int] | None = None  # None = all
    native: int = 1
    description: str | None = None
    shutdown: bool = False
    encapsulation: str = "auto"  # ISL-capable models only: auto | dot1q


class IosSwitch(BaseSwitch):
    platform = "cisco_ios"

    def __init__(
        self, name: str, nports: int = 24, initial: dict | None = None, faults: dict | None = None
    ) -> None:
        super().__init__(name, nports, initial, faults)
        self.vlans: dict[int, str] = {1: "default"}
        self.ports: dict[str, IosPort] = {
            f"GigabitEthernet1/0/{n}": IosPort() for n in range(1, nports + 1)
        }
        self.svis: dict[int, str | None] = {1: None}
        self.files: dict[str, str] = {}
        self.file_prompt_quiet = False
        self.last_change = dt.datetime.now(dt.UTC)
        self.model = (initial or {}).get("modele") or "WS-C2960X-24PS-L"
        self.isl = bool(ISL_MODELS.search(self.model))
        self.vtp_mode = (initial or {}).get("vtp") or "server"  # server | client
        self.apply_initial(initial or {})

    # initial state: {"vlans": {id: name}, "mgmt": {"vlan": 900, "address": "a/len"},
    #                 "ports": {name: {"mode":..., "vlan":..., "vlans": [...], "natif":...}},
    #                 "modele": "WS-C3750X-24P" (ISL-capable) | ..., "vtp": "client"}
    def apply_initial(self, initial: dict) -> None:
        for vid, vname in (initial.get("vlans") or {}).items():
            self.vlans[int(vid)] = vname
        mgmt = initial.get("mgmt")
        if mgmt:
            self.vlans.setdefault(int(mgmt["vlan"]), f"VLAN{int(mgmt['vlan']):04d}")
            self.svis[int(mgmt["vlan"])] = _parse_ip([mgmt["address"]])
        for pname, p in (initial.get("ports") or {}).items():
            name = ios_ifname(pname) or pname
            port = self.ports.setdefault(name, IosPort())
            if p.get("mode") == "trunk":
                port.mode = "trunk"
                port.allowed = set(p.get("vlans") or []) | (
                    {p["natif"]} if p.get("natif") else set()
                )
                port.native = p.get("natif") or 1
                port.encapsulation = "dot1q"  # a trunk that works was configured so
            else:
                port.mode = "access"
                port.access = int(p.get("vlan") or 1)

    def new_session(self) -> IosSession:
        return IosSession(self)

    def touch(self) -> None:
        self.last_change = dt.datetime.now(dt.UTC)

    # rendering -----------------------------------------------------------------------
    def running_config(self) -> str:
        lines = [
            "!",
            "! Last configuration change at "
            + self.last_change.strftime("%H:%M:%S UTC %a %b %d %Y")
            + " by amico",
            "!",
            "version 15.2",
            "service timestamps debug datetime msec",
            "no service pad",
            f"hostname {self.hostname}",
            "!",
            "boot-start-marker",
            "boot-end-marker",
            "!",
        ]
        if self.file_prompt_quiet:
            lines += ["file prompt quiet", "!"]
        lines += ["spanning-tree mode rapid-pvst", "!"]
        for name in sorted(self.ports, key=_port_key):
            port = self.ports[name]
            lines.append(f"interface {name}")
            if port.description:
                lines.append(f" description {port.description}")
            if port.access != 1:
                lines.append(f" switchport access vlan {port.access}")
            if self.isl and port.encapsulation == "dot1q":
                lines.append(" switchport trunk encapsulation dot1q")
            if port.allowed is not None:
                lines.append(f" switchport trunk allowed vlan {compress(port.allowed) or 'none'}")
            if port.native != 1:
                lines.append(f" switchport trunk native vlan {port.native}")
            if port.mode:
                lines.append(f" switchport mode {port.mode}")
            if port.shutdown:
                lines.append(" shutdown")
            lines.append("!")
        svi = "VLAN" if IOS_XL_MODELS.search(self.model) else "Vlan"
        for vid in sorted(self.svis):
            lines.append(f"interface {svi}{vid}")
            addr = self.svis[vid]
            lines.append(f" ip address {addr}" if addr else " no ip address")
            lines.append("!")
        lines += [
            "ip forward-protocol nd",
            "!",
            "line con 0",
            "line vty 0 4",
            " login local",
            " transport input ssh",
            "!",
            f"ntp clock-period {17179 + self.config_lines % 7}",
            "end",
        ]
        body = "\n".join(lines) + "\n"
        return f"Building configuration...\n\nCurrent configuration : {len(body)} bytes\n{body}"

    def show_vlan_brief(self) -> str:
        members: dict[int, list[str]] = {}
        for name in sorted(self.ports, key=_port_key):
            port = self.ports[name]
            if port.mode != "trunk":
                members.setdefault(port.access, []).append(_short_if(name))
        out = [
            "",
            "VLAN Name                             Status    Ports",
            "---- -------------------------------- --------- -------------------------------",
        ]
        for vid in sorted(self.vlans):
            ports = ", ".join(members.get(vid, []))
            out.append(f"{vid:<4} {self.vlans[vid]:<32} active    {ports}".rstrip())
        for vid, vname in IOS_RESERVED.items():
            out.append(f"{vid:<4} {vname:<32} act/unsup")
        return "\n".join(out)

    def show_mac_table(self) -> str:
        """``show mac address-table``: the Catalyst access layout with the switch's own
        entries (CPU, its SVI), or the MAC-first 2950/XL layout on those models."""
        learnt = [
            (vlan, mac, name)
            for name in sorted(self.macs, key=_port_key)
            for mac, vlan in self.macs[name]
        ]
        if IOS_OLD_MAC_MODELS.search(self.model):
            out = [
                f"Dynamic Addresses Count:               {len(learnt)}",
                "Secure Addresses (User-defined) Count: 0",
                "Static Addresses (User-defined) Count: 0",
                "System Self Addresses Count:           1",
                f"Total MAC addresses:                   {len(learnt) + 1}",
                "Non-static Address Table:",
                "Destination Address  Address Type  VLAN  Destination Port",
                "-------------------  ------------  ----  --------------------",
            ]
            out += [f"{_dotted(m):<20} Dynamic       {v:>4}  {n}" for v, m, n in learnt]
            return "\n".join(out)
        out = [
            "          Mac Address Table",
            "-------------------------------------------",
            "",
            "Vlan    Mac Address       Type        Ports",
            "----    -----------       --------    -----",
            " All    0100.0ccc.cccc    STATIC      CPU",
            " All    ffff.ffff.ffff    STATIC      CPU",
        ]
        for vid in sorted(v for v, a in self.svis.items() if a):
            out.append(f"{vid:>4}    {_dotted(self.own_mac)}    STATIC      Vl{vid} ")
        out += [f"{v:>4}    {_dotted(m)}    DYNAMIC     {_short_if(n)}" for v, m, n in learnt]
        out.append(f"Total Mac Addresses for this criterion: {len(out) - 5}")
        return "\n".join(out)

    def show_interfaces_status(self) -> str:
        out = ["", "Port      Name               Status       Vlan       Duplex  Speed Type"]
        for name in sorted(self.ports, key=_port_key):
            port = self.ports[name]
            status = (
                "disabled"
                if port.shutdown
                else ("connected" if self.link_up(name) else "notconnect")
            )
            vlan = "trunk" if port.mode == "trunk" else str(port.access)
            speed = ("a-full", "a-1000") if status == "connected" else ("auto", "auto")
            out.append(
                f"{_short_if(name):<9} {(port.description or '')[:18]:<18} {status:<12} "
                f"{vlan:<10} {speed[0]:>6} {speed[1]:>6} 10/100/1000BaseTX"
            )
        return "\n".join(out)

    def show_lldp_detail(self) -> str:
        out = []
        for name in sorted(self.neighbours, key=_port_key):
            n = self.neighbours[name]
            out += [
                "------------------------------------------------",
                f"Local Intf: {_short_if(name)}",
                f"Chassis id: {n.get('chassis') or '0200.0000.0001'}",
                f"Port id: {n.get('port', '')}",
                f"Port Description: {n.get('port', '')}",
                f"System Name: {n.get('nom', '')}",
                "",
                "System Description:",
                n.get("description") or "Emulated switch",
                "",
                "Time remaining: 105 seconds",
                "System Capabilities: B",
                "Enabled Capabilities: B",
                "Management Addresses - not advertised",
                "Auto Negotiation - supported, enabled",
                "Physical media capabilities:",
                "    1000baseT(FD)",
                "Media Attachment Unit type: 30",
                "Vlan ID: 1",
                "",
            ]
        out += ["", f"Total entries displayed: {len(self.neighbours)}", ""]
        return "\n".join(out)

    # configuration lines -----------------------------------------------------------------
    def config_line(self, ctx: tuple, line: str) -> tuple[tuple, str]:
        """Apply one line in context ``ctx``; return the new context and the output."""
        words = line.split()
        if not words or line.lstrip().startswith("!"):
            return ctx, ""
        if self.rejected(line.strip()):
            return ctx, IOS_INVALID
        with self.lock:
            new_ctx, out = self._config_line(ctx, words, line.strip())
            if not ios_error(out):
                self.touch()
                self.count_config_line()
            return new_ctx, out

    def _config_line(self, ctx: tuple, words: list[str], line: str) -> tuple[tuple, str]:
        cmd = words[0]
        if cmd == "end":
            return ("exec",), ""
        if cmd == "exit":
            return (("config",) if ctx[0] != "config" else ("exec",)), ""
        # global commands are accepted from any sub-mode, as IOS does
        if cmd == "hostname" and len(words) == 2:
            self.hostname = words[1]
            return ("config",), ""
        if words[:3] == ["file", "prompt", "quiet"]:
            self.file_prompt_quiet = True
            return ("config",), ""
        if words[:4] == ["no", "file", "prompt", "quiet"]:
            self.file_prompt_quiet = False
            return ("config",), ""
        if self.vtp_mode == "client" and (
            (cmd == "vlan" and len(words) == 2) or words[:2] == ["no", "vlan"]
        ):
            return ctx, IOS_VTP_CLIENT
        if cmd == "vlan" and len(words) == 2:
            try:
                ids = expand_ints(words[1])
            except ValueError:
                return ctx, IOS_INVALID
            for vid in ids:
                if not 1 <= vid <= 4094:
                    return ctx, IOS_INVALID
                if vid in IOS_RESERVED:
                    return ctx, f"% Default VLAN {vid} may not be modified."
            for vid in ids:
                self.vlans.setdefault(vid, f"VLAN{vid:04d}")
            return ("vlan", ids), ""
        if words[:2] == ["no", "vlan"] and len(words) == 3:
            ids = expand_ints(words[2])
            for vid in ids:
                if vid == 1 or vid in IOS_RESERVED:
                    return ctx, f"%Default VLAN {vid} may not be deleted."
            for vid in ids:
                self.vlans.pop(vid, None)
            return ("config",), ""
        if cmd == "interface" and len(words) >= 3 and words[1] == "range":
            names = _ios_range(" ".join(words[2:]))
            if not names or any(n not in self.ports for n in names):
                return ctx, IOS_INVALID
            return ("if", names), ""
        if cmd == "interface" and len(words) >= 2:
            name = ios_ifname("".join(words[1:]))
            if name is None:
                return ctx, IOS_INVALID
            if name.startswith("Vlan"):
                self.svis.setdefault(int(name[4:]), None)
            elif name not in self.ports:
                return ctx, IOS_INVALID
            return ("if", name), ""
        if ctx[0] == "vlan":
            if cmd == "name" and len(words) >= 2:
                vname = line.split(None, 1)[1]
                if len(vname) > 32 or " " in vname:
                    return ctx, IOS_INVALID
                for vid in ctx[1]:
                    self.vlans[vid] = vname
                return ctx, ""
            if words[:1] == ["no"] and words[1:2] == ["name"]:
                for vid in ctx[1]:
                    self.vlans[vid] = f"VLAN{vid:04d}"
                return ctx, ""
        if ctx[0] == "if":
            return self._if_line(ctx, words, line)
        return ctx, IOS_INVALID

    def _if_line(self, ctx: tuple, words: list[str], line: str) -> tuple[tuple, str]:
        if isinstance(ctx[1], list):  # interface range: same line on every member
            out = ""
            for name in ctx[1]:
                _, out = self._if_line(("if", name), words, line)
                if ios_error(out):
                    return ctx, out
            return ctx, out
        name = ctx[1]
        if name.startswith("Vlan"):
            vid = int(name[4:])
            if words[:2] == ["ip", "address"]:
                addr = _parse_ip(words[2:])
                if addr is None:
                    return ctx, IOS_INVALID
                self.svis[vid] = addr
                return ctx, ""
            if words[:3] == ["no", "ip", "address"]:
                self.svis[vid] = None
                return ctx, ""
            if words in (["shutdown"], ["no", "shutdown"]):
                return ctx, ""
            return ctx, IOS_INVALID
        port = self.ports[name]
        if words[0] == "description":
            port.description = line.split(None, 1)[1] if len(words) > 1 else None
            return ctx, ""
        if words[:2] == ["no", "description"]:
            port.description = None
            return ctx, ""
        if words == ["shutdown"]:
            port.shutdown = True
            return ctx, ""
        if words == ["no", "shutdown"]:
            port.shutdown = False
            return ctx, ""
        if (
            words[:2] == ["switchport", "mode"]
            and len(words) == 3
            and words[2] in ("access", "trunk")
        ):
            if words[2] == "trunk" and self.isl and port.encapsulation == "auto":
                return ctx, IOS_ENCAP_AUTO
            port.mode = words[2]
            return ctx, ""
        if words[:3] == ["switchport", "access", "vlan"] and len(words) == 4:
            vid = int(words[3])
            if vid in IOS_RESERVED or not 1 <= vid <= 4094:
                return ctx, IOS_INVALID
            if vid not in self.vlans and self.vtp_mode == "client":
                port.access = vid  # a VTP client cannot create it: the port waits for it
                return ctx, ""
            if vid not in self.vlans:  # IOS creates the VLAN, and says so
                self.vlans[vid] = f"VLAN{vid:04d}"
                port.access = vid
                return ctx, f"% Access VLAN does not exist. Creating vlan {vid}"
            port.access = vid
            return ctx, ""
        if words[:4] == ["no", "switchport", "access", "vlan"]:
            port.access = 1
            return ctx, ""
        if words[:4] == ["switchport", "trunk", "allowed", "vlan"] and len(words) >= 5:
            rest = words[4:]
            try:
                if rest[0] == "add":
                    port.allowed = (port.allowed or set()) | set(expand_ints(rest[1]))
                elif rest[0] == "remove":
                    base = port.allowed if port.allowed is not None else set(range(1, 4095))
                    port.allowed = base - set(expand_ints(rest[1]))
                elif rest[0] == "all":
                    port.allowed = None
                elif rest[0] == "none":
                    port.allowed = set()
                else:
                    port.allowed = set(expand_ints(rest[0]))
            except (ValueError, IndexError):
                return ctx, IOS_INVALID
            return ctx, ""
        if words[:5] == ["no", "switchport", "trunk", "allowed", "vlan"]:
            port.allowed = None
            return ctx, ""
        if words[:4] == ["switchport", "trunk", "native", "vlan"] and len(words) == 5:
            port.native = int(words[4])
            return ctx, ""
        if words[:5] == ["no", "switchport", "trunk", "native", "vlan"]:
            port.native = 1
            return ctx, ""
        if words[:3] == ["switchport", "trunk", "encapsulation"] and self.isl:
            if words[3:] not in (["dot1q"], ["isl"], ["negotiate"]):
                return ctx, IOS_INVALID
            port.encapsulation = "dot1q" if words[3] == "dot1q" else "auto"
            return ctx, ""
        if words[:4] == ["no", "switchport", "trunk", "encapsulation"] and self.isl:
            if port.mode == "trunk":
                return ctx, IOS_ENCAP_AUTO
            port.encapsulation = "auto"
            return ctx, ""
        return ctx, IOS_INVALID  # a dot1q-only model has no encapsulation command

    def replace_with(self, text: str) -> list[str]:
        """``configure replace``: reset what the running config holds, then apply ``text``.
        VLANs are not in the running config (VTP server mode) and are left as they are."""
        self.hostname = self.name
        self.ports = {name: IosPort() for name in self.ports}
        self.svis = {1: None}
        self.file_prompt_quiet = False
        return self.apply_text(text, count=False)

    def apply_text(self, text: str, count: bool = True) -> list[str]:
        errors: list[str] = []
        ctx: tuple = ("config",)
        for raw in text.splitlines():
            line = raw.rstrip()
            stripped = line.strip()
            if _ios_skip(stripped):
                continue
            if self.rejected(stripped):
                errors.append(f"{stripped}\n{IOS_INVALID}")
                continue
            try:
                with self.lock:
                    new_ctx, out = self._config_line(ctx, stripped.split(), stripped)
                    if not ios_error(out):
                        self.touch()
            except (ValueError, IndexError):
                new_ctx, out = ctx, IOS_INVALID
            if ios_error(out):
                errors.append(f"{stripped}\n{out}")
            else:
                ctx = new_ctx
                if count:
                    self.count_config_line()
        return errors


_IOS_SKIP_WORDS = {
    "version",
    "service",
    "boot-start-marker",
    "boot-end-marker",
    "spanning-tree",
    "line",
    "login",
    "transport",
    "ntp",
}


def _ios_skip(line: str) -> bool:
    """Lines of a saved running config that ``configure replace`` treats as no-ops here."""
    return (
        not line
        or line.startswith("!")
        or line.startswith("Building")
        or line.startswith("Current configuration")
        or line == "end"
        or line.split()[0] in _IOS_SKIP_WORDS
        or line.startswith("ip forward-protocol")
        or line == "no service pad"
    )


def _ios_range(text: str) -> list[str]:
    """``GigabitEthernet1/0/1 - 20, Gi1/0/22`` -> full names."""
    names: list[str] = []
    for part in text.split(","):
        m = re.match(r"^\s*([A-Za-z]+[\d/]*?)(\d+)\s*(?:-\s*(\d+))?\s*$", part)
        if not m:
            return []
        first = ios_ifname(m.group(1) + m.group(2))
        if first is None:
            return []
        prefix = first[: len(first) - len(m.group(2))]
        last = int(m.group(3) or m.group(2))
        names += [f"{prefix}{n}" for n in range(int(m.group(2)), last + 1)]
    return names


def _port_key(name: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


class _Session:
    prompt_suffix = "#"

    def __init__(self, device: BaseSwitch) -> None:
        self.device = device
        self.ctx: tuple = ("exec",)
        self.closed = False

    def greeting(self) -> str:
        return self.prompt()

    def prompt(self) -> str:
        raise NotImplementedError


def _pipe(output: str, pipe: str | None) -> str:
    if not pipe:
        return output
    m = re.match(r"^(include|inc|i|exclude|exc|section|sec)\s+(.*)$", pipe.strip())
    if not m:
        return output
    kind, pattern = m.group(1), m.group(2)
    lines = output.splitlines()
    if kind.startswith("i"):
        return "\n".join(x for x in lines if re.search(pattern, x))
    if kind.startswith("e"):
        return "\n".join(x for x in lines if not re.search(pattern, x))
    return output


class IosSession(_Session):
    device: IosSwitch

    def __init__(self, device: IosSwitch) -> None:
        super().__init__(device)
        self.ctx = ("enable",)
        self.tcl_file: str | None = None
        self.tcl_buffer: list[str] = []

    def prompt(self) -> str:
        host = self.device.hostname
        kind = self.ctx[0]
        return {
            "exec": f"{host}>",
            "enable": f"{host}#",
            "config": f"{host}(config)#",
            "vlan": f"{host}(config-vlan)#",
            "if": f"{host}(config-if)#",
            "tcl": f"{host}(tcl)#",
        }[kind]

    def handle(self, line: str) -> str:
        kind = self.ctx[0]
        if kind == "tcl":
            return self._tcl(line)
        stripped = line.strip()
        if not stripped:
            return ""
        if kind in ("config", "vlan", "if"):
            new_ctx, out = self.device.config_line(self.ctx, stripped)
            self.ctx = ("enable",) if new_ctx == ("exec",) else new_ctx
            return out
        return self._exec(stripped)

    def _exec(self, line: str) -> str:
        dev = self.device
        cmd, _, pipe = line.partition("|")
        words = cmd.split()
        joined = " ".join(words)
        if self.ctx[0] == "exec":
            if joined in ("enable", "en"):
                self.ctx = ("enable",)
                return ""
            if joined in ("exit", "logout", "quit"):
                self.closed = True
                return ""
            if words[:1] == ["show"] or words[:2] == ["terminal"]:
                pass
            else:
                return IOS_INVALID
        if joined in ("exit", "logout", "quit"):
            self.closed = True
            return ""
        if joined in ("disable",):
            self.ctx = ("exec",)
            return ""
        if joined in ("enable", "en"):
            return ""
        if words[:1] == ["terminal"]:
            return ""
        if joined in ("configure terminal", "conf t", "config t", "configure"):
            self.ctx = ("config",)
            return "Enter configuration commands, one per line.  End with CNTL/Z."
        if joined in ("show running-config", "show run", "sh run", "show running"):
            with dev.lock:
                return _pipe(dev.running_config(), pipe)
        if joined in ("show vlan brief", "show vlan", "sh vlan brief", "show vlan-switch"):
            with dev.lock:
                return dev.show_vlan_brief()
        if joined in ("show mac address-table", "show mac-address-table"):
            with dev.lock:
                return dev.show_mac_table()
        if joined == "show interfaces status":
            with dev.lock:
                return dev.show_interfaces_status()
        if joined == "show lldp neighbors detail":
            with dev.lock:
                return dev.show_lldp_detail()
        if joined == "show version":
            return (
                f"Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4\n"
                f"{dev.hostname} uptime is 1 week, 2 days, 3 hours, "
                f"{dev.config_lines % 60} minutes\n"
                f"cisco {dev.model} (APM86XXX) processor with 524288K bytes of memory.\n"
                "Processor board ID FOC0000X0AA\nConfiguration register is 0xF"
            )
        if joined == "show archive":
            return "Archive feature not enabled"
        if joined.startswith("show archive config rollback timer"):
            return "% No Rollback Confirmed Change pending"
        if joined in ("write mem", "write memory", "copy running-config startup-config"):
            dev.saved = True
            return "Building configuration...\n[OK]"
        if words[:1] == ["dir"]:
            return self._dir(words[1] if len(words) > 1 else "flash:")
        if words[:2] == ["verify", "/md5"] and len(words) == 3:
            fname = _fname(words[2])
            if fname not in dev.files:
                return f"%Error opening {words[2]} (No such file or directory)"
            md5 = hashlib.md5(dev.files[fname].encode(), usedforsecurity=False).hexdigest()
            return "." * 10 + f"Done!\nverify /md5 ({words[2]}) = {md5}"
        if words[:1] == ["more"] and len(words) == 2:
            fname = _fname(words[1])
            return dev.files.get(fname, f"%Error opening {words[1]} (No such file or directory)")
        if joined == "tclsh":
            self.ctx = ("tcl",)
            return ""
        if words[:1] == ["copy"] and len(words) == 3:
            return self._copy(words[1], words[2])
        if words[:2] == ["configure", "replace"] and len(words) >= 3:
            fname = _fname(words[2])
            if fname not in dev.files:
                return f"%Error opening {words[2]} (No such file or directory)"
            errors = dev.replace_with(dev.files[fname])
            if errors:
                return "\n".join(errors) + "\nFailed to apply command\nRollback aborted"
            return "Total number of passes: 1\nRollback Done"
        if words[:5] == ["show", "archive", "config", "incremental-diffs"] or words[:4] == [
            "show",
            "archive",
            "config",
            "incremental-diffs",
        ]:
            fname = _fname(words[4])
            if fname not in dev.files:
                return f"%Error opening {words[4]} (No such file or directory)"
            running = {x.strip() for x in dev.running_config().splitlines()}
            diff = [
                f"+{x.rstrip()}"
                for x in dev.files[fname].splitlines()
                if x.strip()
                and x.strip() != "end"
                and (x.strip() not in running or not x.startswith(" "))
            ]
            return "!List of Commands:\n" + "\n".join(diff) + "\nend" if diff else ""
        return IOS_INVALID

    def _dir(self, target: str) -> str:
        files = self.device.files
        total, used = 65536000, sum(len(v) for v in files.values())
        footer = f"\n{total} bytes total ({total - used - 1000000} bytes free)"
        if target.rstrip("/") in ("flash:", "flash"):
            rows = [
                f"   {i + 2}  -rw-  {len(v):>10}  Nov 29 2026 10:00:00 +00:00  {k}"
                for i, (k, v) in enumerate(sorted(files.items()))
            ]
            return "Directory of flash:/\n\n" + "\n".join(rows) + "\n" + footer
        fname = _fname(target)
        if fname not in files:
            return f"%Error opening {target} (No such file or directory)"
        return (
            f"Directory of {target}\n\n   2  -rw-  {len(files[fname]):>10}  "
            f"Nov 29 2026 10:00:00 +00:00  {fname}\n" + footer
        )

    def _copy(self, src: str, dst: str) -> str:
        dev = self.device
        if src in ("running-config", "system:running-config") and dst.startswith("flash:"):
            text = dev.running_config()
            dev.files[_fname(dst)] = text
            return f"{len(text)} bytes copied in 0.120 secs"
        if src == "null:" and dst.startswith("flash:"):
            dev.files[_fname(dst)] = ""
            return ""
        if src.startswith("flash:") and dst in ("running-config", "system:running-config"):
            fname = _fname(src)
            if fname not in dev.files:
                return f"%Error opening {src} (No such file or directory)"
            errors = dev.apply_text(dev.files[fname])  # DropSession propagates
            size = len(dev.files[fname])
            return "\n".join(errors + [f"{size} bytes copied in 0.250 secs"])
        if dst == "startup-config":
            dev.saved = True
            return "[OK]"
        return IOS_INVALID

    def _tcl(self, line: str) -> str:
        dev = self.device
        if self.tcl_file is None:
            stripped = line.strip()
            if stripped in ("tclquit", "exit"):
                self.ctx = ("enable",)
                return ""
            if not stripped:
                return ""
            m = re.match(r'^puts \[open "([^"]+)" w\+\] \{(.*)$', stripped)
            if not m:  # IOS tclsh hands unknown words to the exec CLI
                out = self._exec(stripped)
                self.ctx = ("tcl",)
                return out
            self.tcl_file = _fname(m.group(1))
            self.tcl_buffer = []
            line = m.group(2)
        if "}" in line:
            self.tcl_buffer.append(line[: line.index("}")])
            dev.files[self.tcl_file] = "\n".join(self.tcl_buffer) + "\n"
            self.tcl_file = None
            return ""
        self.tcl_buffer.append(line)
        return None  # type: ignore[return-value]  # no prompt while inside the braces


def _fname(path: str) -> str:
    path = path.split(":", 1)[1] if ":" in path else path
    return path.lstrip("/")


# ----------------------------------------------------------------------------------
# ArubaOS-Switch / ProCurve-like
# ----------------------------------------------------------------------------------
PC_INVALID = "Invalid input: {}"


@dataclass
class PcVlan:
    name: str
    untagged: set[str] = field(default_factory=set)
    tagged: set[str] = field(default_factory=set)
    ip: str | None = None  # "a.b.c.d m.m.m.m" | "dhcp-bootp" | None


class ProcurveSwitch(BaseSwitch):
    platform = "hp_procurve"

    def __init__(
        self, name: str, nports: int = 24, initial: dict | None = None, faults: dict | None = None
    ) -> None:
        super().__init__(name, nports, initial, faults)
        init = initial or {}
        # Real port names: a stack ("1/1-1/24,2/1-2/24"), a chassis with lettered modules
        # ("A1-A22,B1-B24,C1i-C3i"); default 1..nports. Trunk groups ("agregats":
        # {"Trk1": ["23", "24"]}) replace their members in VLAN memberships.
        spec = init.get("noms_ports")
        self.physical = expand_interfaces(spec) if spec else [str(n) for n in range(1, nports + 1)]
        self.trunk_groups: dict[str, list[str]] = {
            str(k): [str(m) for m in v] for k, v in (init.get("agregats") or {}).items()
        }
        members = {m for group in self.trunk_groups.values() for m in group}
        self.port_names = [p for p in self.physical if p not in members] + list(self.trunk_groups)
        self.vlans: dict[int, PcVlan] = {
            1: PcVlan("DEFAULT_VLAN", untagged=set(self.port_names), ip="dhcp-bootp")
        }
        self.port_desc: dict[str, str] = {}
        self.apply_initial(initial or {})

    def apply_initial(self, initial: dict) -> None:
        for vid, vname in (initial.get("vlans") or {}).items():
            self.vlans.setdefault(int(vid), PcVlan(vname)).name = vname
        mgmt = initial.get("mgmt")
        if mgmt:
            vid = int(mgmt["vlan"])
            self.vlans.setdefault(vid, PcVlan(f"VLAN{vid}")).ip = _parse_ip([mgmt["address"]])
        for pname, p in (initial.get("ports") or {}).items():
            if p.get("mode") == "trunk":
                for vid in p.get("vlans") or []:
                    self._tag(vid, pname)
                if p.get("natif"):
                    self._untag(int(p["natif"]), pname)
                else:
                    self.vlans[1].untagged.discard(pname)
            else:
                self._untag(int(p.get("vlan") or 1), pname)

    def new_session(self) -> ProcurveSession:
        return ProcurveSession(self)

    def banner(self) -> str:
        return (
            "\r\nHP J9773A 2530-24G-PoEP Switch\r\nSoftware revision YA.16.10.0012\r\n\r\n"
            "(C) Copyright 2020 Hewlett Packard Enterprise Development LP\r\n\r\n"
            "                   RESTRICTED RIGHTS LEGEND\r\n"
            " Confidential computer software. Valid license from HPE required.\r\n\r\n"
            "Press any key to continue\r\n"
        )

    # membership --------------------------------------------------------------------
    def _member_anywhere(self, port: str) -> bool:
        return any(port in v.untagged or port in v.tagged for v in self.vlans.values())

    def _untag(self, vid: int, port: str) -> None:
        for v in self.vlans.values():
            v.untagged.discard(port)
        vlan = self.vlans.setdefault(vid, PcVlan(f"VLAN{vid}"))
        vlan.tagged.discard(port)
        vlan.untagged.add(port)

    def _tag(self, vid: int, port: str) -> None:
        vlan = self.vlans.setdefault(vid, PcVlan(f"VLAN{vid}"))
        vlan.untagged.discard(port)
        vlan.tagged.add(port)

    # rendering -----------------------------------------------------------------------
    def running_config(self) -> str:
        out = [
            "",
            "Running configuration:",
            "",
            "; J9773A Configuration Editor; Created on release #YA.16.10.0012",
            "; Ver #14:01.44.00.04.19.02.13.98.82.34.61.18.28.f3.84.9c.63.ff.37.27:05",
            f'hostname "{self.hostname}"',
            "module 1 type j9773a",
        ]
        for port in sorted(self.port_desc, key=_port_key):
            out += [f"interface {port}", f'   name "{self.port_desc[port]}"', "   exit"]
        for group, members in sorted(self.trunk_groups.items()):
            out.append(f"trunk {compress_names(members)} {group.lower()} lacp")
        out.append('snmp-server community "public" unrestricted')
        for vid in sorted(self.vlans):
            v = self.vlans[vid]
            out += [f"vlan {vid}", f'   name "{v.name}"']
            if vid == 1:
                missing = [p for p in self.port_names if p not in v.untagged]
                if missing:
                    out.append(f"   no untagged {compress_names(missing)}")
            if v.untagged:
                out.append(f"   untagged {compress_names(v.untagged)}")
            if v.tagged:
                out.append(f"   tagged {compress_names(v.tagged)}")
            if v.ip == "dhcp-bootp":
                out.append("   ip address dhcp-bootp")
            elif v.ip:
                out.append(f"   ip address {v.ip}")
            else:
                out.append("   no ip address")
            out.append("   exit")
        out += ["spanning-tree", "no tftp server", "password manager", ""]
        return "\n".join(out)

    def show_mac_address(self) -> str:
        out = [
            "",
            " Status and Counters - Port Address Table",
            "",
            "  MAC Address       Port                            VLAN",
            "  ----------------- ------------------------------- ----",
        ]
        for name in sorted(self.macs, key=_port_key):
            for mac, vlan in self.macs[name]:
                out.append(f"  {_procurve_mac(mac):<17} {name:<31} {vlan}")
        return "\n".join(out) + "\n"

    def show_interfaces_brief(self) -> str:
        group_of = {m: g for g, ms in self.trunk_groups.items() for m in ms}
        out = [
            "",
            " Status and Counters - Port Status",
            "",
            "                          | Intrusion                           MDI  Flow Bcast",
            "  Port         Type       | Alert     Enabled Status Mode       Mode Ctrl Limit",
            "  ------------ ---------- + --------- ------- ------ ---------- ---- ---- -----",
        ]
        for name in self.physical:
            shown = f"{name}-{group_of[name]}" if name in group_of else name
            up = self.link_up(name) or (name in group_of and self.link_up(group_of[name]))
            status, mode = ("Up", "1000FDx") if up else ("Down", "1000FDx")
            out.append(
                f"  {shown:<12} 100/1000T  | No        Yes     {status:<6} {mode:<10} "
                f"{'MDIX' if up else 'Auto':<4} off  0"
            )
        return "\n".join(out) + "\n"

    def show_lldp_remote(self) -> str:
        out = [
            "",
            " LLDP Remote Devices Information",
            "",
            "  LocalPort | ChassisId          PortId             PortDescr SysName           ",
            "  --------- + ------------------ ------------------ --------- ------------------",
        ]
        for name in sorted(self.neighbours, key=_port_key):
            n = self.neighbours[name]
            chassis = _procurve_mac(n.get("chassis") or "02:00:00:00:00:01")
            remote = str(n.get("port", ""))
            # the summary truncates system names to 18 characters, ending with "..."
            sysname = str(n.get("nom", ""))
            sysname = sysname if len(sysname) <= 18 else sysname[:15] + "..."
            out.append(f"  {name:<9} | {chassis:<18} {remote:<18} {remote[:9]:<9} {sysname}")
        return "\n".join(out) + "\n"

    def show_vlans(self) -> str:
        out = [
            "",
            " Status and Counters - VLAN Information",
            "",
            "  Maximum VLANs to support : 256",
            "  Primary VLAN : DEFAULT_VLAN",
            "  Management VLAN :",
            "",
            "  VLAN ID Name                             | Status     Voice Jumbo",
            "  ------- -------------------------------- + ---------- ----- -----",
        ]
        for vid in sorted(self.vlans):
            out.append(f"  {vid:<7} {self.vlans[vid].name:<32} | Port-based No    No")
        return "\n".join(out)

    # configuration ---------------------------------------------------------------------
    def config_line(self, ctx: tuple, line: str) -> tuple[tuple, str]:
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            return ctx, ""
        if self.rejected(stripped):
            return ctx, PC_INVALID.format(stripped.split()[0])
        with self.lock:
            try:
                new_ctx, out = self._config_line(ctx, stripped.split(), stripped)
            except (ValueError, IndexError):
                new_ctx, out = ctx, PC_INVALID.format(stripped.split()[0])
            if not out:
                self.count_config_line()
            return new_ctx, out

    def _config_line(self, ctx: tuple, words: list[str], line: str) -> tuple[tuple, str]:
        cmd = words[0]
        if cmd == "end":
            return ("exec",), ""
        if cmd == "exit":
            return (("config",) if ctx[0] != "config" else ("exec",)), ""
        if cmd == "hostname" and len(words) >= 2:
            self.hostname = _unquote(line.split(None, 1)[1])
            return ("config",), ""
        if cmd == "vlan" and len(words) >= 2:
            vid = int(words[1])
            if not 1 <= vid <= 4094:
                return ctx, f"Invalid input: {words[1]}"
            if len(words) == 2:
                self.vlans.setdefault(vid, PcVlan(f"VLAN{vid}"))
                return ("vlan", vid), ""
            self.vlans.setdefault(vid, PcVlan(f"VLAN{vid}"))
            _, out = self._vlan_line(vid, words[2:], line.split(None, 2)[2])
            return ctx, out
        if words[:2] == ["no", "vlan"] and len(words) == 3:
            vid = int(words[2])
            if vid == 1:
                return ctx, "The default VLAN cannot be deleted."
            vlan = self.vlans.pop(vid, None)
            if vlan:
                for port in vlan.untagged | vlan.tagged:
                    if not self._member_anywhere(port):
                        self.vlans[1].untagged.add(port)
            return ("config",), ""
        if cmd == "interface" and len(words) == 2:
            names = expand_interfaces(words[1])
            if any(n not in self.port_names for n in names):
                return ctx, f"Module not present for port or invalid port: {words[1]}"
            return ("eth", names), ""
        if ctx[0] == "vlan":
            return self._vlan_line(ctx[1], words, line)
        if ctx[0] == "eth":
            if cmd == "name" and len(words) >= 2:
                desc = _unquote(line.split(None, 1)[1])
                if len(desc) > 64:
                    return ctx, "String too long."
                for port in ctx[1]:
                    self.port_desc[port] = desc
                return ctx, ""
            if words[:2] == ["no", "name"]:
                for port in ctx[1]:
                    self.port_desc.pop(port, None)
                return ctx, ""
            if words in (["enable"], ["disable"]):
                return ctx, ""
        return ctx, PC_INVALID.format(cmd)

    def _vlan_line(self, vid: int, words: list[str], line: str) -> tuple[tuple, str]:
        vlan = self.vlans[vid]
        ctx = ("vlan", vid)
        if words[0] == "name" and len(words) >= 2:
            vname = _unquote(line.split(None, 1)[1])
            if len(vname) > 32:
                return ctx, "String too long."
            vlan.name = vname
            return ctx, ""
        if words[0] in ("untagged", "tagged") and len(words) == 2:
            ports = expand_interfaces(words[1])
            bad = [p for p in ports if p not in self.port_names]
            if bad:
                return ctx, f"Module not present for port or invalid port: {bad[0]}"
            for port in ports:
                (self._untag if words[0] == "untagged" else self._tag)(vid, port)
            return ctx, ""
        if words[0] == "no" and len(words) == 3 and words[1] in ("untagged", "tagged"):
            ports = expand_interfaces(words[2])
            for port in ports:
                members = vlan.untagged if words[1] == "untagged" else vlan.tagged
                if port not in members:
                    continue
                members.discard(port)
                if not self._member_anywhere(port):
                    if vid == 1:
                        members.add(port)
                        return ctx, (f"Port {port}: a port must be a member of at least one VLAN.")
                    self.vlans[1].untagged.add(port)
            return ctx, ""
        if words[:2] == ["ip", "address"]:
            if words[2:] == ["dhcp-bootp"]:
                vlan.ip = "dhcp-bootp"
                return ctx, ""
            addr = _parse_ip(words[2:])
            if addr is None:
                return ctx, PC_INVALID.format(" ".join(words[2:]))
            vlan.ip = addr
            return ctx, ""
        if words[:3] == ["no", "ip", "address"]:
            vlan.ip = None
            return ctx, ""
        return ctx, PC_INVALID.format(words[0])


class ProcurveSession(_Session):
    device: ProcurveSwitch

    def __init__(self, device: ProcurveSwitch) -> None:
        super().__init__(device)
        self.waiting_key = True
        self.logout_pending = False
        self.ctx = ("manager",)

    def greeting(self) -> str:
        return self.device.banner()

    def prompt(self) -> str:
        host = self.device.hostname
        kind = self.ctx[0]
        if kind == "manager":
            return f"{host}# "
        if kind == "config":
            return f"{host}(config)# "
        if kind == "vlan":
            return f"{host}(vlan-{self.ctx[1]})# "
        names = self.ctx[1]
        return f"{host}(eth-{compress_names(names)})# "

    def handle(self, line: str) -> str:
        stripped = line.strip()
        if self.logout_pending:
            self.logout_pending = False
            if stripped.lower().startswith("y"):
                self.closed = True
            return ""
        if not stripped:
            return ""
        if self.ctx[0] in ("config", "vlan", "eth"):
            if stripped in ("configure", "configure terminal", "config"):
                return ""
            new_ctx, out = self.device.config_line(self.ctx, stripped)
            self.ctx = ("manager",) if new_ctx == ("exec",) else new_ctx
            return out
        return self._exec(stripped)

    def _exec(self, line: str) -> str:
        dev = self.device
        cmd, _, pipe = line.partition("|")
        joined = " ".join(cmd.split())
        if joined in ("logout",):
            self.logout_pending = True
            return "Do you want to log out [y/n]? "
        if joined in ("exit",):
            self.closed = True
            return ""
        if joined.startswith("terminal") or joined in ("no page", "enable"):
            return ""
        if joined in ("configure", "configure terminal", "config", "conf t"):
            self.ctx = ("config",)
            return ""
        if joined in ("show running-config", "show run", "sh run"):
            with dev.lock:
                return _pipe(dev.running_config(), pipe)
        if joined in ("show vlans", "show vlan"):
            with dev.lock:
                return dev.show_vlans()
        if joined == "show mac-address":
            with dev.lock:
                return dev.show_mac_address()
        if joined == "show interfaces brief":
            with dev.lock:
                return dev.show_interfaces_brief()
        if joined == "show lldp info remote-device":
            with dev.lock:
                return dev.show_lldp_remote()
        if joined in ("write memory", "write mem"):
            dev.saved = True
            return ""
        if joined == "show version":
            return (
                "Image stamp:    /ws/swbuildm/rel_YA_qaoff/code/build/tam(swbuildm_rel_YA)\n"
                "                YA.16.10.0012\nBoot Image:     Primary"
            )
        if joined == "show system":
            return (
                f" Status and Counters - General System Information\n\n"
                f"  System Name        : {dev.hostname}\n"
                f"  Up Time            : {dev.config_lines % 90} days\n"
            )
        return PC_INVALID.format(joined.split()[0])
