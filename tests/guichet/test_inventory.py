"""Native inventory payloads validate against GLPI's schema and are accepted."""

import hashlib
from pathlib import Path

import pytest

import amico.guichet
from amico.guichet.client import make_client
from amico.guichet.inventory import (
    InventoryError,
    from_ansible_facts,
    from_switch,
    from_windows_collector,
    validate,
)

FACTS = {
    "ansible_hostname": "se1-0670001x",
    "ansible_fqdn": "se1-0670001x.college.local",
    "ansible_distribution": "Debian",
    "ansible_distribution_version": "12.8",
    "ansible_system": "Linux",
    "ansible_kernel": "6.1.0-28-amd64",
    "ansible_architecture": "x86_64",
    "ansible_memtotal_mb": 7908,
    "ansible_swaptotal_mb": 975,
    "ansible_product_uuid": "0055ADC9-1D3A-E411-8043-B05D95113232",
    "ansible_system_vendor": "QEMU",
    "ansible_product_name": "Standard PC",
    "ansible_product_serial": "NA",
    "ansible_virtualization_role": "guest",
    "ansible_virtualization_type": "kvm",
    "ansible_interfaces": ["lo", "eth0"],
    "ansible_eth0": {
        "macaddress": "52:54:00:00:01:0a",
        "active": True,
        "type": "ether",
        "ipv4": {"address": "10.64.3.10", "netmask": "255.255.255.0", "network": "10.64.3.0"},
    },
    "ansible_lo": {"active": True, "type": "loopback", "ipv4": {"address": "127.0.0.1"}},
}
PACKAGES = {
    "samba": [{"version": "4.17.12", "arch": "amd64", "source": "apt"}],
    "openssh-server": [{"version": "9.2p1", "arch": "amd64", "source": "apt"}],
}
POSTE = {
    "nom": "p-s101-01",
    "serie": "PC0A1B2C",
    "fabricant": "LENOVO",
    "modele": "ThinkCentre M700",
    "memoire_mo": 8192,
    "systeme": {"nom": "Windows", "version": "10.0.19045", "build": "19045"},
    "interfaces": [{"description": "Ethernet", "mac": "00:23:24:aa:bb:01", "ip": "10.64.0.101"}],
    "logiciels": [
        {
            "DisplayName": "Mozilla Firefox 128.5.0 ESR",
            "DisplayVersion": "128.5.0",
            "Publisher": "Mozilla",
        },
        {"name": "LibreOffice", "version": "24.8"},
    ],
}
SWITCH = {
    "nom": "sw-coeur-0670001x",
    "fabricant": "aruba",
    "modele": "HPE 2530-24G",
    "serie": "CN12345",
    "adresse": "10.64.15.2",
    "firmware": "YA.16.11",
    "ports": [
        {"ifnumber": 1, "ifdescr": "1", "ifalias": "Salle 101", "ifstatus": "up"},
        {"ifnumber": 24, "ifdescr": "24", "ifstatus": "down"},
    ],
}


def test_schema_copy_and_provenance():
    here = Path(amico.guichet.__file__).parent
    prov = (here / "PROVENANCE.md").read_text()
    digest = hashlib.sha256((here / "inventory.schema.json").read_bytes()).hexdigest()
    assert digest in prov and "MIT" in prov


def test_server_from_facts():
    p = from_ansible_facts(FACTS, packages=PACKAGES)
    assert p["itemtype"] == "Computer" and p["content"]["versionclient"]
    assert {s["name"] for s in p["content"]["softwares"]} == {"samba", "openssh-server"}
    assert p["content"]["hardware"]["memory"] == 7908
    assert p["content"]["networks"][1]["status"] == "up"
    validate(p)


def test_post_from_windows_collector():
    p = from_windows_collector(POSTE)
    assert p["content"]["bios"]["ssn"] == "PC0A1B2C"
    assert p["content"]["softwares"][0]["name"] == "Mozilla Firefox 128.5.0 ESR"


def test_switch_network_equipment():
    p = from_switch(SWITCH)
    assert p["itemtype"] == "NetworkEquipment"
    assert p["content"]["network_device"]["type"] == "Networking"
    assert p["content"]["network_ports"][0]["ifstatus"] == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"deviceid": "x", "content": {}},  # versionclient missing
        {"deviceid": "x", "itemtype": "Ordinateur", "content": {"versionclient": "v"}},
        {"deviceid": "x", "content": {"versionclient": "v", "softwares": [{"version": "1"}]}},
        {"deviceid": "x", "content": {"versionclient": "v", "hardware": {"memory": "8 Go"}}},
        {
            "deviceid": "x",
            "content": {"versionclient": "v", "networks": [{"description": "e", "status": "Up"}]},
        },
    ],
)
def test_invalid_payloads_are_refused(bad):
    with pytest.raises(InventoryError, match="schéma GLPI"):
        validate(bad)


def test_payloads_accepted_by_test_server(glpi, config):
    client = make_client(config)
    for p in (
        from_ansible_facts(FACTS, packages=PACKAGES),
        from_windows_collector(POSTE),
        from_switch(SWITCH),
    ):
        assert client.send_inventory(p) == {"status": "ok", "expiration": 24}
    assert set(glpi.store.inventories) == {
        "se1-0670001x-amico",
        "p-s101-01-amico",
        "sw-coeur-0670001x-amico",
    }
