"""amico.serveurs.parametres: what the server roles hand to Kea, Samba and Windows.

Checked against what we did not write: Kea's own configuration checker (`kea-dhcp4 -t`,
when the binary is on the machine), Python's ipaddress for hostile plans (hypothesis), and
the référentiel's real demo sites through the inventory (the same dicts the roles get).
"""

import ipaddress
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amico.serveurs import (
    dn_domaine,
    domaine_pedago,
    etendues_windows,
    kea_dhcp4,
    partages_windows,
    unites_ad,
    vlans_dhcp,
)

ROOT = Path(__file__).resolve().parents[2]


def vlan(vid, reseau, usage="pedagogique", proprietaire="collectivite", dhcp=True, **extra):
    net = ipaddress.IPv4Network(reseau)
    premier, dernier = net.network_address + 1, net.broadcast_address - 1
    return {
        "id": vid,
        "nom": f"V{vid}",
        "usage": usage,
        "proprietaire": proprietaire,
        "reseau": reseau,
        "passerelle": str(premier),
        "dhcp": dhcp,
        "dhcp_debut": str(premier + (net.num_addresses // 2 - 1)),
        "dhcp_fin": str(dernier),
        **extra,
    }


VLANS = [
    vlan(110, "10.64.1.0/24", usage="wifi"),
    vlan(100, "10.64.0.0/24"),
    vlan(200, "10.64.2.0/24", proprietaire="academie"),
    vlan(900, "10.64.3.0/24", usage="serveurs", dhcp=False),
    vlan(101, "10.64.4.0/23"),
]
RESERVATIONS = [
    {"nom": "imp-s101", "mac": "00:23:24:AA:BB:20", "adresse": "10.64.0.20"},
    {"nom": "tbi-s102", "mac": "00:23:24:AA:BB:21", "adresse": "10.64.5.9"},
    {"nom": "hors-vlan", "mac": "00:23:24:AA:BB:22", "adresse": "10.64.3.9"},
]


def test_domain_names_come_from_the_uai():
    assert domaine_pedago("0670001X") == {
        "dns": "peda0670001x.amico.internal",
        "realm": "PEDA0670001X.AMICO.INTERNAL",
        "netbios": "PEDA0670001X",
        "dn": "DC=peda0670001x,DC=amico,DC=internal",
    }
    assert domaine_pedago("0689903V", "lab.internal")["dns"] == "peda0689903v.lab.internal"
    # NetBIOS names are 15 characters at most: a UAI always fits
    assert len(domaine_pedago("0679901Y")["netbios"]) <= 15
    assert dn_domaine("a.b") == "DC=a,DC=b"


def test_served_vlans_are_the_collectivite_ones_with_dhcp_and_a_served_usage_by_id():
    assert [v["id"] for v in vlans_dhcp(VLANS, ["pedagogique"])] == [100, 101]
    assert [v["id"] for v in vlans_dhcp(VLANS, ["pedagogique", "wifi"])] == [100, 101, 110]
    # an Académie VLAN is never served, whatever its usage
    assert 200 not in [v["id"] for v in vlans_dhcp(VLANS, ["pedagogique", "administratif"])]
    assert vlans_dhcp(VLANS, []) == []


def test_kea_configuration_subnets_pools_gateways_and_reservations():
    conf = kea_dhcp4(
        VLANS, ["pedagogique"], RESERVATIONS, ["*"], 28800, "10.64.3.10", "peda.example"
    )["Dhcp4"]
    assert [s["id"] for s in conf["subnet4"]] == [100, 101]
    s100, s101 = conf["subnet4"]
    assert s100["subnet"] == "10.64.0.0/24"
    assert s100["pools"] == [{"pool": "10.64.0.128 - 10.64.0.254"}]
    assert s100["option-data"] == [{"name": "routers", "data": "10.64.0.1"}]
    # each reservation lands in the subnet holding its address, MAC in lower case; one
    # outside every served VLAN is in none
    assert s100["reservations"] == [
        {"hw-address": "00:23:24:aa:bb:20", "ip-address": "10.64.0.20", "hostname": "imp-s101"}
    ]
    assert [r["hostname"] for r in s101["reservations"]] == ["tbi-s102"]
    assert conf["valid-lifetime"] == 28800
    assert {o["name"]: o["data"] for o in conf["option-data"]} == {
        "domain-name-servers": "10.64.3.10",
        "domain-name": "peda.example",
        "domain-search": "peda.example",
        "ntp-servers": "10.64.3.10",
    }


def test_a_non_cidr_subnet_is_refused_in_french():
    with pytest.raises(ValueError, match="VLAN 100 : reseau 'pas-un-reseau'.*corrigez"):
        kea_dhcp4(
            [{**vlan(100, "10.64.0.0/24"), "reseau": "pas-un-reseau"}], ["pedagogique"], [],
            ["*"], 1, "10.0.0.1", "d",
        )  # fmt: skip


@pytest.mark.skipif(
    shutil.which("kea-dhcp4") is None, reason="kea-dhcp4 absent (molecule le couvre)"
)
def test_kea_accepts_the_configuration(tmp_path):
    fichier = tmp_path / "kea.conf"
    conf = kea_dhcp4(VLANS, ["pedagogique"], RESERVATIONS, ["*"], 3600, "10.64.3.10", "p.x")
    fichier.write_text(json.dumps(conf))
    r = subprocess.run(["kea-dhcp4", "-t", str(fichier)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@given(
    st.lists(
        st.tuples(st.integers(1, 4094), st.integers(0, 2**32 - 1), st.integers(16, 30)),
        max_size=8,
        unique_by=lambda t: t[0],
    )
)
def test_every_windows_scope_is_its_vlan_network_and_mask(plans):
    vlans = [
        vlan(vid, str(ipaddress.IPv4Network((adresse, prefixe), strict=False)))
        for vid, adresse, prefixe in plans
    ]
    etendues = etendues_windows(vlans, ["pedagogique"], [], 60)
    assert [e["id"] for e in etendues] == sorted(v["id"] for v in vlans)
    for e in etendues:
        net = ipaddress.IPv4Network(f"{e['reseau']}/{e['masque']}")
        source = next(v for v in vlans if v["id"] == e["id"])
        assert net == ipaddress.IPv4Network(source["reseau"])
        assert ipaddress.IPv4Address(e["debut"]) in net and ipaddress.IPv4Address(e["fin"]) in net


def test_windows_scopes_match_kea_subnets_for_the_same_inputs():
    # one plan, two targets: the same VLANs and reservations on Debian and on Windows
    kea = kea_dhcp4(VLANS, ["pedagogique"], RESERVATIONS, ["*"], 60, "10.64.3.10", "d")["Dhcp4"]
    win = etendues_windows(VLANS, ["pedagogique"], RESERVATIONS, 60)
    assert [s["id"] for s in kea["subnet4"]] == [e["id"] for e in win]
    for s, e in zip(kea["subnet4"], win, strict=True):
        assert s["subnet"] == str(ipaddress.IPv4Network(f"{e['reseau']}/{e['masque']}"))
        assert [r["ip-address"] for r in s["reservations"]] == [
            r["adresse"] for r in e["reservations"]
        ]
        assert all("-" in r["mac"] and ":" not in r["mac"] for r in e["reservations"])


def test_ous_root_first_then_sorted_under_it():
    ous = unites_ad("OU=College", {"eleve": "Eleves", "prof": "Profs", "groupes": "Groupes"}, "a.b")
    assert ous == [
        {"name": "College", "path": "DC=a,DC=b"},
        {"name": "Eleves", "path": "OU=College,DC=a,DC=b"},
        {"name": "Groupes", "path": "OU=College,DC=a,DC=b"},
        {"name": "Profs", "path": "OU=College,DC=a,DC=b"},
    ]


def test_windows_share_rights_follow_the_debian_acls():
    (p,) = partages_windows(
        [{"nom": "devoirs", "acl": {"profs": "rwx", "eleves": "r-x", "invites": "r--"}}],
        "D:\\P",
        "PEDA1",
        "Domain Admins",
    )
    assert p["chemin"] == "D:\\P\\devoirs"
    assert p["description"] == "devoirs"
    assert p["full"] == ["PEDA1\\Domain Admins"]
    assert p["change"] == ["PEDA1\\profs"]
    assert p["read"] == ["PEDA1\\eleves", "PEDA1\\invites"]
    assert {a["groupe"]: a["droits"] for a in p["ntfs"]} == {
        "PEDA1\\Domain Admins": "FullControl",
        "PEDA1\\profs": "Modify",
        "PEDA1\\eleves": "ReadAndExecute",
        "PEDA1\\invites": "Read",
    }


def test_unknown_share_rights_are_refused_in_french():
    with pytest.raises(ValueError, match="partage 'public' : droits 'rw' du groupe 'eleves'"):
        partages_windows([{"nom": "public", "acl": {"eleves": "rw"}}], "D:\\P", "X", "A")


def test_the_referentiel_demo_sites_give_kea_a_subnet_per_served_vlan():
    """The dicts the inventory really hands the roles (not hand-written ones)."""
    from amico.referentiel.inventory import build
    from amico.referentiel.loader import load

    ref = load(ROOT / "referentiel")
    inv = build(ref)
    sites = {n: g["vars"]["amico_site"] for n, g in inv.groups.items() if "amico_site" in g["vars"]}
    assert len(sites) >= 2, "sites du référentiel livré absents de l'inventaire"
    for hote, site in sites.items():
        conf = kea_dhcp4(site["vlans"], ["pedagogique"], site.get("reservations_dhcp", []),
                         ["*"], 28800, "10.0.0.1", "d")["Dhcp4"]  # fmt: skip
        servis = [
            v for v in site["vlans"]
            if v.get("dhcp") and v.get("usage") == "pedagogique"
            and v.get("proprietaire") == "collectivite"
        ]  # fmt: skip
        assert len(conf["subnet4"]) == len(servis), hote
        for s in conf["subnet4"]:
            net = ipaddress.IPv4Network(s["subnet"])
            debut, fin = (ipaddress.IPv4Address(a) for a in s["pools"][0]["pool"].split(" - "))
            assert debut in net and fin in net, hote
