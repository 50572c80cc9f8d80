"""Wake-on-LAN before a campaign: magic packets (6 x 0xFF then the MAC 16 times) over UDP."""

from __future__ import annotations

import re
import socket

_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}$", re.IGNORECASE)


def paquet_magique(mac: str) -> bytes:
    if not _MAC.match(mac.strip()):
        raise ValueError(f"adresse MAC invalide : {mac!r}")
    brut = bytes.fromhex(re.sub(r"[:-]", "", mac.strip()))
    return b"\xff" * 6 + brut * 16


def reveiller(macs: list[str], adresse: str = "255.255.255.255", port: int = 9) -> int:
    """Send one magic packet per MAC to `adresse` (a site's directed broadcast); count sent."""
    paquets = [paquet_magique(m) for m in macs]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        for p in paquets:
            s.sendto(p, (adresse, port))
    return len(paquets)
