"""Lines that change without anyone changing the configuration (oxidized#1829, #2297, #3667).

Filtered before a backup is written, so that the backup history and drift reports show
configuration changes only."""

from __future__ import annotations

import re

NOISE = [
    re.compile(r"^! Last configuration change at .*"),
    re.compile(r"^! NVRAM config last updated at .*"),
    re.compile(r"^! No configuration change since last restart"),
    re.compile(r"^Current configuration : \d+ bytes"),
    re.compile(r"^Building configuration\.\.\."),
    re.compile(r"^ntp clock-period \d+"),
    # napalm ios sets "file prompt quiet" for its file operations and removes it on close:
    # a backup taken in between would show a change nobody made
    re.compile(r"^file prompt quiet$"),
    re.compile(r".* uptime is .*"),
    re.compile(r"^\s*Up Time\s*:.*"),
    re.compile(r"^\s*(System )?[Uu]ptime\s*[:=].*"),
    re.compile(r"^\s*Power (Consumption|Drawn).*"),
    re.compile(r"^\s*\d+ (packets|bytes) (input|output).*"),
]


def filter_noise(text: str) -> str:
    """Drop noisy lines, trailing spaces and leading blank lines; end with one newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").splitlines()]
    kept: list[str] = []
    for line in lines:
        if any(p.match(line) for p in NOISE):
            continue
        if line == "!" and kept and kept[-1] == "!":  # separator left by a dropped line
            continue
        kept.append(line)
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept) + "\n"
