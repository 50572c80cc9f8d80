"""Jinja2 rendering per vendor: the managed part of a configuration, and the commands of a
change set. Templates live in ``templates/<vendor>/{config,commandes}.j2``."""

from __future__ import annotations

import difflib
import ipaddress
import re

from jinja2 import Environment, PackageLoader, StrictUndefined

from amico.switches.model import RESERVED_VLANS, SwitchState
from amico.switches.plan import Changes
from amico.switches.ranges import compress, compress_names, port_sort_key


def _ip(addr: str) -> str:
    return str(ipaddress.IPv4Interface(addr).ip)


def _mask(addr: str) -> str:
    return str(ipaddress.IPv4Interface(addr).netmask)


ENV = Environment(
    loader=PackageLoader("amico.switches", "templates"),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    autoescape=False,  # noqa: S701 - device configuration, not HTML
)
ENV.filters.update(compress=compress, compress_names=compress_names, ip=_ip, mask=_mask)


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
        if ua is None and ub is not None:
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


def render_commands(vendor: str, changes: Changes) -> list[str]:
    """Configuration-mode commands applying ``changes`` (without ``configure``/``end``)."""
    extra = _procurve_ops(changes) if vendor == "aruba" else {}
    text = ENV.get_template(f"{vendor}/commandes.j2").render(ch=changes, **extra)
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return _ios_ranges(lines) if vendor == "cisco" else lines


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
