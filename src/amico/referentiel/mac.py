"""MAC addresses, one reader for every layer: the référentiel's `Mac` form
(``aa:bb:cc:dd:ee:ff``) from the spellings people, agents and switches use.

Read: six colon- or dash-separated octets (one separator throughout), Cisco's dotted quads
``0011.2233.4455``, dashed quads ``0011-2233-4455``, ProCurve's ``001122-334455``,
space-separated octets and twelve bare hex digits; case is ignored. Anything else (mixed
separators, a short or long address, a bare number such as a VLAN id) is not a MAC.
Here, at the bottom, so the switch layer (MAC tables), the delivery manifests (vague) and
the GLPI import all read them the same way without importing one another.
"""

from __future__ import annotations

import re

_FORMS = (
    re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$"),  # 00:11:.. / 00-11-..
    re.compile(r"^[0-9a-f]{4}([.-])[0-9a-f]{4}\1[0-9a-f]{4}$"),  # 0011.2233.4455, 0011-2233-..
    re.compile(r"^[0-9a-f]{6}-[0-9a-f]{6}$"),  # ProCurve 001122-334455
    re.compile(r"^[0-9a-f]{2}(?: [0-9a-f]{2}){5}$"),  # 00 11 22 33 44 55
    re.compile(r"^[0-9a-f]{12}$"),  # 001122334455
)


def normalize_mac(text: object) -> str | None:
    """Any accepted spelling -> ``aa:bb:cc:dd:ee:ff``; None when `text` is not a MAC."""
    value = str(text).strip().lower()
    if not any(form.match(value) for form in _FORMS):
        return None
    digits = re.sub(r"[^0-9a-f]", "", value)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def is_device_mac(mac: str) -> bool:
    """Unicast (I/G bit clear): broadcast ``ff:ff:...`` and multicast are not devices."""
    return not int(mac[:2], 16) & 1


def device_mac(text: object) -> tuple[str | None, str | None]:
    """(the MAC of a network card, None) or (None, the French reason it is not one)."""
    if not str(text if text is not None else "").strip():
        return None, "adresse MAC vide"
    mac = normalize_mac(text)
    if mac is None:
        return None, "adresse MAC mal formée"
    if mac == "00:00:00:00:00:00":
        return None, "adresse MAC nulle"
    if not is_device_mac(mac):
        return None, "adresse MAC de groupe (multicast/diffusion), pas celle d'une carte réseau"
    return mac, None
