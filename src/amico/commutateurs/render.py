"""Jinja2 rendering per vendor: the managed part of a configuration, and the commands of a
change set. Templates live in ``templates/<vendor>/{config,commandes}.j2``.

Commands are checked twice before anything reaches a device (defence in depth behind the
référentiel's schema): every value interpolated into a command template must be free of
line breaks and control characters (Jinja ``finalize``), and every rendered line must
match one of the few command shapes AMICo sends to that vendor, with the vendor's length
limits (:data:`GRAMMAR`). A violation raises :class:`RenderError`: the caller refuses the
whole switch and sends nothing."""

from __future__ import annotations

import difflib
import ipaddress
import re
import unicodedata

from jinja2 import Environment, PackageLoader, StrictUndefined

from amico.commutateurs.model import RESERVED_VLANS, SwitchState
from amico.commutateurs.plan import Changes
from amico.commutateurs.ranges import compress, compress_names, port_sort_key
from amico.referentiel.model import PORT_DESCRIPTION_MAX, VLAN_NAME_MAX


def _ip(addr: str) -> str:
    return str(ipaddress.IPv4Interface(addr).ip)


def _mask(addr: str) -> str:
    return str(ipaddress.IPv4Interface(addr).netmask)


class RenderError(ValueError):
    """A command AMICo was about to send is not one it may send (message in French)."""


def _unsafe_chars(text: str) -> list[str]:
    """Line breaks, control, format and unassigned characters (Unicode categories C*, Zl,
    Zp): a device CLI reads them as end of command, completion, escape..."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
    ]


def _strict_value(value):
    """Jinja ``finalize`` of the command templates: every interpolated value."""
    if isinstance(value, str):
        bad = _unsafe_chars(value)
        if bad:
            raise RenderError(
                f"valeur {value!r} : caractère de contrôle ou saut de ligne "
                f"({', '.join(dict.fromkeys(bad))})"
            )
        if value != value.strip():  # a CLI strips them: the value would never verify
            raise RenderError(f"valeur {value!r} : espace en début ou en fin")
    return value


def _shown_value(value):
    """Jinja ``finalize`` of the display templates (diffs): a value read from a device is
    shown, never executed; control characters are made visible instead of refused."""
    if isinstance(value, str) and _unsafe_chars(value):
        return "".join(
            c.encode("unicode_escape").decode("ascii") if _unsafe_chars(c) else c for c in value
        )
    return value


def _env(finalize) -> Environment:
    env = Environment(
        loader=PackageLoader("amico.commutateurs", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - device configuration, not HTML
        finalize=finalize,
    )
    env.filters.update(compress=compress, compress_names=compress_names, ip=_ip, mask=_mask)
    return env


ENV = _env(_shown_value)  # managed part of a configuration, for diffs and reports
COMMAND_ENV = _env(_strict_value)  # commands sent to a device


def render_config(vendor: str, state: SwitchState, ports: list[str] | None = None) -> str:
    """The managed part of a configuration in the vendor's syntax (used for diffs)."""
    names = sorted(ports if ports is not None else state.ports, key=port_sort_key)
    return ENV.get_template(f"{vendor}/config.j2").render(
        state=state,
        vlans=sorted(state.vlans.items()),
        ports=[(n, state.ports[n]) for n in dict.fromkeys(names) if n in state.ports],
        svis=sorted((v, a) for v, a in state.svis.items() if a),
        reserved=RESERVED_VLANS[vendor],
    )


def unified_diff(before: str, after: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"{name} (configuration en service)",
            tofile=f"{name} (configuration voulue)",
            n=2,
        )
    )


def _procurve_ops(changes: Changes) -> dict:
    untag: dict[int, set[str]] = {}
    tag: dict[int, set[str]] = {}
    notag: dict[int, set[str]] = {}
    nountag: dict[int, set[str]] = {}
    descriptions = []
    for pc in changes.ports:
        b, a = pc.before, pc.after
        ub = b.natif if b.mode == "trunk" else b.vlan
        ua = a.natif if a.mode == "trunk" else a.vlan
        tb = set(b.vlans) if b.mode == "trunk" else set()
        ta = set(a.vlans) if a.mode == "trunk" else set()
        if ua is not None and ua != ub:
            untag.setdefault(ua, set()).add(pc.name)
        for v in ta - tb:
            tag.setdefault(v, set()).add(pc.name)
        for v in tb - ta:
            if v != ua:
                notag.setdefault(v, set()).add(pc.name)
        # a ProCurve port must stay in at least one VLAN: its untagged membership is only
        # removed once it is tagged somewhere (the tagged lines come first); a port left in
        # no VLAN is refused by the planner and keeps its untagged VLAN here
        if ua is None and ub is not None and ta:
            nountag.setdefault(ub, set()).add(pc.name)
        if (a.description or None) != (b.description or None):
            descriptions.append((pc.name, a.description))
    return {
        "add": sorted(set(untag) | set(tag)),
        "untag": untag,
        "tag": tag,
        "remove": sorted(set(notag) | set(nountag)),
        "notag": notag,
        "nountag": nountag,
        "descriptions": sorted(descriptions, key=lambda d: port_sort_key(d[0])),
    }


# Catalyst families that also speak ISL: a trunk's encapsulation defaults to "Auto" and
# ``switchport mode trunk`` is rejected until ``switchport trunk encapsulation dot1q`` is
# set (3550, 3560 but not the compact 3560-C/CX, 3750, 4500/4900, 6500, 7600, 2900XL,
# 3500XL). The dot1q-only ones (2960, 3650, 3850, 9000...) do not know the command.
_ISL_MODELS = re.compile(
    r"(?<!\d)(?:2900XL|3500XL|3550|3560(?!-?C)|3750|4[05]\d\d|49\d\d|65\d\d|76\d\d)", re.I
)


def needs_dot1q(vendor: str, model: str | None) -> bool:
    """True when trunks must be told ``switchport trunk encapsulation dot1q`` first."""
    return vendor == "cisco" and bool(model) and bool(_ISL_MODELS.search(model))


def render_commands(vendor: str, changes: Changes, *, dot1q: bool = False) -> list[str]:
    """Configuration-mode commands applying ``changes`` (without ``configure``/``end``);
    ``dot1q``: see :func:`needs_dot1q`."""
    extra = _procurve_ops(changes) if vendor == "aruba" else {"dot1q": dot1q}
    text = COMMAND_ENV.get_template(f"{vendor}/commandes.j2").render(ch=changes, **extra)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    lines = _ios_ranges(lines) if vendor == "cisco" else lines
    check_commands(vendor, lines)
    return lines


def _ios_ranges(lines: list[str]) -> list[str]:
    """Merge consecutive ``interface`` blocks with identical bodies into ``interface range``
    blocks (shorter merge file: napalm's inline transfer waits 12 s above 2500 bytes)."""
    blocks: list[tuple[list[str], list[str]] | str] = []
    i = 0
    while i < len(lines):
        m = re.match(
            r"^interface ((?:GigabitEthernet|FastEthernet|TenGigabitEthernet)\S+)$", lines[i]
        )
        if not m:
            blocks.append(lines[i])
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j].startswith(" ") and lines[j] != " exit":
            j += 1
        body = lines[i + 1 : j]
        prev = blocks[-1] if blocks else None
        if isinstance(prev, tuple) and prev[1] == body and _next_port(prev[0][-1]) == m.group(1):
            prev[0].append(m.group(1))
        else:
            blocks.append(([m.group(1)], body))
        i = j + 1  # skip " exit"
    out: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            out.append(block)
            continue
        names, body = block
        if len(names) == 1:
            out.append(f"interface {names[0]}")
        else:
            out.append(f"interface range {names[0]} - {names[-1].rsplit('/', 1)[1]}")
        out += body + [" exit"]
    return out


def _next_port(name: str) -> str:
    head, num = re.match(r"^(.*?)(\d+)$", name).groups()
    return f"{head}{int(num) + 1}"


# --- command grammar ---------------------------------------------------------------------
# The only command shapes AMICo sends, per vendor and CLI context, with the vendor limits
# the référentiel's schema already enforces (one place: referentiel.model, with their
# sources): ProCurve VLAN name 32 and port name 64 characters (quoted, no quote inside);
# IOS VLAN name 32 (printable ASCII), interface description 240. ``?`` is refused inside
# any value: both CLIs treat it as the help key when a line is typed over SSH (netmiko,
# restores).
LIMITS = {
    "aruba": {"vlan_name": VLAN_NAME_MAX, "port_name": PORT_DESCRIPTION_MAX["aruba"]},
    "cisco": {"vlan_name": VLAN_NAME_MAX, "description": PORT_DESCRIPTION_MAX["cisco"]},
}
_VID = r"(?:[1-9]\d{0,2}|[1-3]\d{3}|40[0-8]\d|409[0-4])"
_IP = r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_APORT = r"(?:\d{1,2}/)?(?:[A-Z]?\d{1,3}[a-z]?|Trk\d{1,3})"
_APORTS = rf"{_APORT}(?:-{_APORT})?(?:,{_APORT}(?:-{_APORT})?)*"
# IOS interface families: FastEthernet, GigabitEthernet, TenGigabitEthernet,
# TwentyFiveGigE, AppGigabitEthernet..., and Port-channel
_CIF = r"(?:[A-Za-z]{0,20}(?:Ethernet|GigE)|Port-channel)\d{1,3}(?:/\d{1,3}){0,2}"
_VLIST = rf"{_VID}(?:-{_VID})?(?:,{_VID}(?:-{_VID})?)*"


def _quoted(limit: int) -> str:
    return rf'"[^"?\\]{{1,{limit}}}"'


_A, _C = LIMITS["aruba"], LIMITS["cisco"]
# context -> [(regex, next context)]; ``None`` keeps the context
GRAMMAR: dict[str, dict[str, list[tuple[str, str | None]]]] = {
    "aruba": {
        "config": [
            (rf"vlan {_VID}", "vlan"),
            (rf"interface {_APORT}", "interface"),
            (rf"no vlan {_VID}", None),
        ],
        "vlan": [
            (rf"   name {_quoted(_A['vlan_name'])}", None),
            (rf"   (?:no )?(?:un)?tagged {_APORTS}", None),
            (rf"   ip address {_IP} {_IP}", None),
            (r"   exit", "config"),
        ],
        "interface": [
            (rf"   name {_quoted(_A['port_name'])}", None),
            (r"   no name", None),
            (r"   exit", "config"),
        ],
    },
    "cisco": {
        "config": [
            (rf"vlan {_VID}", "vlan"),
            (rf"interface {_CIF}", "interface"),
            (rf"interface range {_CIF} - \d{{1,3}}", "interface"),
            (rf"interface Vlan{_VID}", "svi"),
            (rf"no vlan {_VID}", None),
        ],
        "vlan": [
            # IOS takes the rest of the line: inner spaces are inert (``A1 - VIDEO``, read
            # back from a device and restored), leading/trailing ones would be stripped
            (rf" name (?=\S)[ !->@-~]{{1,{_C['vlan_name']}}}(?<=\S)", None),
            (r" exit", "config"),
        ],
        "interface": [
            (rf" description \S[^?]{{0,{_C['description'] - 1}}}", None),
            (r" no description", None),
            (r" switchport mode (?:access|trunk)", None),
            (rf" switchport access vlan {_VID}", None),
            (rf" switchport trunk allowed vlan (?:{_VLIST}|none)", None),
            (rf" switchport trunk native vlan {_VID}", None),
            (r" no switchport trunk (?:allowed|native) vlan", None),
            (r" switchport trunk encapsulation dot1q", None),
            (r" exit", "config"),
        ],
        "svi": [
            (rf" ip address {_IP} {_IP}", None),
            (r" no shutdown", None),
            (r" exit", "config"),
        ],
    },
}
_COMPILED = {
    vendor: {ctx: [(re.compile(p), n) for p, n in rules] for ctx, rules in contexts.items()}
    for vendor, contexts in GRAMMAR.items()
}


def check_commands(vendor: str, lines: list[str]) -> None:
    """Raise :class:`RenderError` unless every line is a command shape of :data:`GRAMMAR`
    valid in the CLI context the previous lines lead to."""
    ctx = "config"
    rules = _COMPILED[vendor]
    for number, line in enumerate(lines, 1):
        bad = _unsafe_chars(line)
        if bad:
            raise RenderError(
                f"commande n°{number} {line!r} : caractère de contrôle ou saut de ligne "
                f"({', '.join(dict.fromkeys(bad))})"
            )
        for pattern, nxt in rules[ctx]:
            if pattern.fullmatch(line):
                ctx = nxt or ctx
                break
        else:
            raise RenderError(
                f"commande n°{number} {line!r} : forme non admise par la grammaire {vendor} "
                f"d'AMICo (contexte « {ctx} » ; valeur trop longue, guillemet, « ? » ou "
                "caractère interdit)"
            )
