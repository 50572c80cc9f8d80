import pytest

from amico.commutateurs.ranges import compress, compress_names, expand_ints
from amico.referentiel.ports import expand_interfaces


def test_compressed_vlan_ranges_round_trip():
    # quirk: ProCurve and IOS print lists as compressed ranges (ansible/ansible#29539)
    assert expand_ints("1-4,10,20-22") == [1, 2, 3, 4, 10, 20, 21, 22]
    assert compress([22, 1, 2, 3, 4, 10, 20, 21]) == "1-4,10,20-22"
    assert compress(expand_ints("1-4,10,20-22")) == "1-4,10,20-22"
    assert compress([]) == ""


def test_port_ranges():
    assert expand_interfaces("1-3,10") == ["1", "2", "3", "10"]
    assert expand_interfaces("A1-A3") == ["A1", "A2", "A3"]
    assert expand_interfaces("Gi1/0/1-3") == ["Gi1/0/1", "Gi1/0/2", "Gi1/0/3"]
    assert compress_names(["10", "2", "1", "3", "A1", "A2"]) == "1-3,10,A1-A2"


def test_reversed_range_is_an_error():
    with pytest.raises(ValueError, match="inversée"):
        expand_ints("10-4")
