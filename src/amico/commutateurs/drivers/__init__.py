"""One driver per vendor. Adding a vendor = a driver here + ``templates/<vendor>/``."""

from __future__ import annotations

from amico.commutateurs.drivers.base import (
    ConnectionFailed,
    Driver,
    PushRejected,
    SessionLost,
    Target,
)


def get_driver(vendor: str, target: Target) -> Driver:
    if vendor == "aruba":
        from amico.commutateurs.drivers.aruba import ArubaDriver

        return ArubaDriver(target)
    if vendor == "cisco":
        from amico.commutateurs.drivers.cisco import CiscoDriver

        return CiscoDriver(target)
    raise ValueError(f"fabricant non pris en charge : {vendor}")


__all__ = ["ConnectionFailed", "Driver", "PushRejected", "SessionLost", "Target", "get_driver"]
