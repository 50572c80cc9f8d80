"""Switch interface lists as the référentiel and the switches write them.

"24", "1-20", "A1-A4", "Gi1/0/1-24", "1-4,10": a range runs on the last number of a
name; parts are separated by commas or spaces. Chassis ports may carry a one-letter suffix
(``C1i-C3i`` on a 5406R: ``C1i``, ``C2i``, ``C3i``), kept on every name of the range.
The switch drivers and the emulators use this same function (through
amico.commutateurs.ranges) to read what switches print.
"""

from __future__ import annotations

import re

_PORT = re.compile(r"^(?P<prefix>.*?)(?P<num>\d+)(?P<suffix>[A-Za-z]?)$")
MAX_RANGE = 1024


def expand_interfaces(text: str) -> list[str]:
    """Expand a list of interfaces and ranges; ValueError (French) when unreadable."""
    out: list[str] = []
    for part in re.split(r"[,\s]+", str(text).strip()):
        if not part:
            continue
        if "-" not in part:
            out.append(part)
            continue
        first, last = part.rsplit("-", 1)
        start, end = _PORT.match(first), _PORT.match(last)
        if (
            not start
            or not end
            or end.group("prefix") not in ("", start.group("prefix"))
            or end.group("suffix") != start.group("suffix")
        ):
            raise ValueError(f"plage d'interfaces illisible : {part}")
        low, high = int(start.group("num")), int(end.group("num"))
        if high < low or high - low > MAX_RANGE:
            raise ValueError(f"plage d'interfaces invalide : {part}")
        prefix, suffix = start.group("prefix"), start.group("suffix")
        out.extend(f"{prefix}{n}{suffix}" for n in range(low, high + 1))
    if not out:
        raise ValueError(f"aucune interface dans : {text!r}")
    return out
