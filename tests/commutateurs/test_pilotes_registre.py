"""Switch drivers by name: the built-in vendors, another distribution's through the
entry-point group `amico.pilotes_commutateurs`, a French error naming the known ones."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from amico.commutateurs import drivers
from amico.commutateurs.drivers import FabricantInconnu, Target, driver_class, get_driver
from amico.commutateurs.drivers.aruba import ArubaDriver
from amico.commutateurs.drivers.cisco import CiscoDriver


class PiloteEssai(drivers.Driver):
    def __init__(self, target):
        self.target = target


def test_fabricants_integres():
    assert driver_class("aruba") is ArubaDriver and driver_class("cisco") is CiscoDriver


def test_fabricant_d_une_autre_distribution(monkeypatch):
    point = EntryPoint("juniper", f"{__name__}:PiloteEssai", drivers.ENTRY_POINT_GROUP)

    def entry_points(group):
        return [point] if group == drivers.ENTRY_POINT_GROUP else []

    monkeypatch.setattr(drivers, "entry_points", entry_points)
    pilote = get_driver("juniper", Target("127.0.0.1", 2222))
    assert isinstance(pilote, PiloteEssai) and pilote.target.port == 2222
    assert drivers.known_vendors() == ["aruba", "cisco", "juniper"]


def test_fabricant_inconnu_en_francais():
    with pytest.raises(FabricantInconnu, match=r"non pris en charge : hp \(connus : aruba, cisco"):
        get_driver("hp", Target("127.0.0.1"))
    assert issubclass(FabricantInconnu, ValueError)  # run.py reports ValueError per switch
