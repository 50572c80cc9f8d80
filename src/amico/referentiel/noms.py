"""Naming convention: Windows posts `<7 digits of the UAI>-<room>-<NN>`; servers
`<role prefix>-<uai>` and switches `sw-<role>[N]-<uai>` (lowercase UAI, key letter kept).

Windows truncates computer names to 15 characters (NetBIOS), so the UAI's key letter
(a checksum, redundant) is dropped and the room part shortened to what fits:
"0679901-s101-01" (room s101, post 1). The référentiel check refuses longer names.
"""

from __future__ import annotations

import re

NETBIOS_MAX = 15


def room_slug(room_id: str) -> str:
    return re.sub(r"[^a-z0-9]", "", room_id.lower()) or "x"


def post_prefix(uai: str, room_id: str, digits: int = 2) -> str:
    """The name of a room's posts, without their number; fits NETBIOS_MAX with `digits`."""
    room_room = NETBIOS_MAX - len(uai[:7]) - 2 - digits
    return f"{uai[:7]}-{room_slug(room_id)[:room_room]}-"


def post_name(uai: str, room_id: str, number: int) -> str:
    digits = max(2, len(str(number)))
    return f"{post_prefix(uai, room_id, digits)}{number:0{digits}d}"


# server role -> host name prefix (one server of each role per collège)
SERVER_PREFIX = {"serveur_pedagogique": "se", "nas": "nas", "serveur_administratif": "sa"}


def server_name(role: str, uai: str) -> str:
    return f"{SERVER_PREFIX[role]}-{uai.lower()}"


def switch_name(role: str, uai: str, number: int | None = None) -> str:
    """`sw-coeur-<uai>`, `sw-acces1-<uai>`: role plus its number when the site has several."""
    return f"sw-{role}{number if number is not None else ''}-{uai.lower()}"
