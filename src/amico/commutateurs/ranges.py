"""Compressed ranges as switches print them: ``1-4,10,20-22``.

ProCurve prints port lists and VLAN lists that way, IOS prints trunk allowed lists that
way; naive string comparison of such lines breaks idempotence (ansible/ansible#29539),
so everything is compared as sets and printed back through :func:`compress`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from amico.referentiel.ports import expand_interfaces

# Same shape as amico.referentiel.ports: a run is on the last number, with an optional
# one-letter suffix kept on every name (5406R ``C1i-C3i``).
_PORT = re.compile(r"^(?P<prefix>.*?)(?P<num>\d+)(?P<suffix>[A-Za-z]?)$")


def expand_ports(text: str) -> list[str]:
    """Port list as a switch prints it (``A1-A22,C1i-C3i``, ``1/A1-1/A4``, ``Trk1``) ->
    names; ValueError (French) when unreadable. The référentiel reads the same syntax."""
    return expand_interfaces(text)


def expand_ints(text: str) -> list[int]:
    """``"1-4,10"`` -> ``[1, 2, 3, 4, 10]`` (spaces tolerated, order kept, no duplicates)."""
    out: list[int] = []
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        if "-" in part:
            low, high = part.split("-", 1)
            lo, hi = int(low), int(high)
            if hi < lo:
                raise ValueError(f"plage inversée : {part}")
            out.extend(range(lo, hi + 1))
        else:
            out.append(int(part))
    seen: set[int] = set()
    return [n for n in out if not (n in seen or seen.add(n))]


def compress(values: Iterable[int]) -> str:
    """``[1, 2, 3, 4, 10, 20, 21, 22]`` -> ``"1-4,10,20-22"``."""
    nums = sorted(set(values))
    parts: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        parts.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(parts)


def port_sort_key(name: str) -> tuple:
    """Natural order: ``2 < 10``, ``A1 < A2``, ``Gi1/0/2 < Gi1/0/10``."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def compress_names(names: Iterable[str]) -> str:
    """``["1", "2", "3", "10"]`` -> ``"1-3,10"`` (runs on the last number, same prefix and
    suffix: ``["C1i", "C2i", "C3i"]`` -> ``"C1i-C3i"``)."""
    items = sorted(set(names), key=port_sort_key)
    parts: list[str] = []
    i = 0
    while i < len(items):
        m = _PORT.match(items[i])
        j = i
        if m:
            while j + 1 < len(items):
                n = _PORT.match(items[j + 1])
                prev = _PORT.match(items[j])
                if (
                    n
                    and prev
                    and n.group("prefix") == m.group("prefix")
                    and n.group("suffix") == m.group("suffix")
                    and int(n.group("num")) == int(prev.group("num")) + 1
                ):
                    j += 1
                else:
                    break
        parts.append(items[i] if i == j else f"{items[i]}-{items[j]}")
        i = j + 1
    return ",".join(parts)
