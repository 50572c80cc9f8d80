"""One driver per vendor, found by name in a registry.

Built-in: `aruba` (ArubaOS-Switch) and `cisco` (Cisco IOS), each module imported only when
its vendor is first asked for (napalm's import alone costs a quarter of a second). Another
distribution adds a vendor through the entry-point group `amico.pilotes_commutateurs`
(`vendor = "package.module:DriverClass"`, a `Driver` subclass taking a `Target`) plus its
templates; the runtime names none of them. Adding a vendor here = a driver module +
``templates/<vendor>/`` + a line in BUILTIN.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

from amico.commutateurs.drivers.base import (
    ConnectionFailed,
    Driver,
    PushRejected,
    SessionLost,
    Target,
)

ENTRY_POINT_GROUP = "amico.pilotes_commutateurs"
BUILTIN = {
    "aruba": "amico.commutateurs.drivers.aruba:ArubaDriver",
    "cisco": "amico.commutateurs.drivers.cisco:CiscoDriver",
}


class FabricantInconnu(ValueError):
    """No driver, built-in or registered, for this vendor."""


def _registered() -> dict:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def known_vendors() -> list[str]:
    return sorted({*BUILTIN, *_registered()})


def driver_class(vendor: str) -> type[Driver]:
    if vendor in BUILTIN:
        module, _, name = BUILTIN[vendor].partition(":")
        return getattr(importlib.import_module(module), name)
    point = _registered().get(vendor)
    if point is None:
        raise FabricantInconnu(
            f"fabricant non pris en charge : {vendor} (connus : {', '.join(known_vendors())})"
        )
    return point.load()


def get_driver(vendor: str, target: Target) -> Driver:
    return driver_class(vendor)(target)


__all__ = [
    "ConnectionFailed",
    "Driver",
    "FabricantInconnu",
    "PushRejected",
    "SessionLost",
    "Target",
    "driver_class",
    "get_driver",
    "known_vendors",
]
