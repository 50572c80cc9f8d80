"""Switch interface ranges as the référentiel writes them: "24", "1-20", "Gi1/0/1-24"."""

from __future__ import annotations

import re

_RANGE = re.compile(r"^(?P<prefix>.*?)(?P<first>\d+)(?:-(?P<last>\d+))?$")


def expand_interfaces(spec: str) -> list[str]:
    """Expand a range on the last number of an interface name; ValueError when malformed."""
    match = _RANGE.match(spec.strip())
    if not match:
        raise ValueError(f"interfaces illisibles : {spec!r}")
    prefix, first = match["prefix"], int(match["first"])
    last = int(match["last"]) if match["last"] else first
    if last < first or last - first > 512:
        raise ValueError(f"plage d'interfaces invalide : {spec!r}")
    return [f"{prefix}{n}" for n in range(first, last + 1)]
