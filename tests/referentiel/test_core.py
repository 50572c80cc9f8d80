"""Pure pieces of the référentiel: UAI key, IP plan, matrix cells, interface ranges."""

from ipaddress import IPv4Network

import pytest

from amico.referentiel.matrice import parse_cell
from amico.referentiel.model import VlanDef
from amico.referentiel.plan import PlanError, uai_is_valid, uai_key, vlan_subnet
from amico.referentiel.ports import expand_interfaces


@pytest.mark.parametrize(
    ("uai", "valid"),
    [
        ("0670001T", uai_key("0670001") == "T"),
        ("0672614C", True),  # 672614 % 23 = 2 -> C
        ("0672614A", False),
        ("067261U", False),
    ],
)
def test_uai_key(uai, valid):
    assert uai_is_valid(uai) is valid


def test_uai_key_letters_skip_i_o_q():
    letters = {uai_key(f"{n:07d}") for n in range(23)}
    assert letters == set("ABCDEFGHJKLMNPRSTUVWXYZ")


def _vlan(rang, prefixe=24):
    return VlanDef(id=100, nom="PEDA", usage="pedagogique", proprietaire="collectivite",
                   rang=rang, prefixe=prefixe, dhcp=True)  # fmt: skip


def test_vlan_subnet_and_positions():
    from amico.referentiel.model import Regle

    block = IPv4Network("10.64.16.0/20")
    sub = vlan_subnet(block, _vlan(3))
    assert sub.reseau == IPv4Network("10.64.19.0/24")
    regle = Regle(passerelle=1, reservations={"commutateurs": [2, 9], "serveurs": [10, 19],
                  "imprimantes": [20, 49], "peripheriques": [50, 99]}, dhcp=[100, 250])  # fmt: skip
    vars_ = sub.as_vars(regle)
    assert vars_["passerelle"] == "10.64.19.1"
    assert (vars_["dhcp_debut"], vars_["dhcp_fin"]) == ("10.64.19.100", "10.64.19.250")
    assert vars_["masque"] == "255.255.255.0"
    small = vlan_subnet(block, _vlan(0, prefixe=26)).as_vars(regle)
    assert small["dhcp_fin"] == "10.64.16.62"  # clamped to the last usable host of a /26


def test_vlan_outside_block_is_refused():
    with pytest.raises(PlanError, match="sort du bloc"):
        vlan_subnet(IPv4Network("10.64.16.0/20"), _vlan(16))


@pytest.mark.parametrize(
    ("text", "roles", "uncertain", "condition"),
    [
        ("R", {"R"}, set(), None),
        ("R A", {"R", "A"}, set(), None),
        ("A ?", set(), {"A"}, None),
        ("A ? R ?", set(), {"A", "R"}, None),
        ("A?", set(), {"A"}, None),
        ("R (si absence PRN)", {"R"}, set(), "si absence PRN"),
        ("", set(), set(), None),
    ],
)
def test_parse_cell(text, roles, uncertain, condition):
    cell = parse_cell(text)
    assert cell.roles == roles
    assert cell.uncertain == uncertain
    assert cell.condition == condition


def test_parse_cell_rejects_other_letters():
    with pytest.raises(ValueError):
        parse_cell("X")


def test_expand_interfaces():
    assert expand_interfaces("24") == ["24"]
    assert expand_interfaces("1-3") == ["1", "2", "3"]
    assert expand_interfaces("GigabitEthernet1/0/1-2") == [
        "GigabitEthernet1/0/1",
        "GigabitEthernet1/0/2",
    ]
    with pytest.raises(ValueError):
        expand_interfaces("5-2")
    assert expand_interfaces("A1-A3,10") == ["A1", "A2", "A3", "10"]
    with pytest.raises(ValueError):
        expand_interfaces("Gi1/0/1-Te1/0/2")
    with pytest.raises(ValueError):
        expand_interfaces("")


def test_post_names_fit_netbios():
    from amico.referentiel.noms import NETBIOS_MAX, post_name

    assert post_name("0679901Y", "s101", 1) == "0679901-s101-01"
    assert len(post_name("0679901Y", "salle_technologie", 7)) <= NETBIOS_MAX
    assert post_name("0679901Y", "s101", 107) == "0679901-s10-107"
    assert post_name("0679901Y", "Labo_SVT", 3) == "0679901-labo-03"
