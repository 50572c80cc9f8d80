"""Référentiel extracts (raw YAML dicts, as the schema describes them) for the switch tests."""

from amico_lab.commutateurs.livraison import etat_livraison

PLAN_VLANS = [
    {
        "id": 100,
        "nom": "PEDAGOGIE",
        "usage": "pedagogique",
        "proprietaire": "collectivite",
        "rang": 0,
        "prefixe": 24,
        "dhcp": True,
    },
    {
        "id": 110,
        "nom": "WIFI",
        "usage": "wifi",
        "proprietaire": "collectivite",
        "rang": 1,
        "prefixe": 24,
        "dhcp": True,
    },
    {
        "id": 200,
        "nom": "ADMINISTRATIF",
        "usage": "administratif",
        "proprietaire": "academie",
        "rang": 2,
        "prefixe": 24,
        "dhcp": True,
    },
    {
        "id": 900,
        "nom": "MANAGEMENT",
        "usage": "management",
        "proprietaire": "collectivite",
        "rang": 15,
        "prefixe": 24,
        "dhcp": False,
    },
]


def site(uai: str = "0670001X") -> dict:
    return {
        "uai": uai,
        "nom": "Collège Exemple des Tilleuls",
        "commune": "Strasbourg",
        "territoire": "67",
        "exemple": True,
        "bloc_adresses": "10.64.0.0/20",
        "vlans": [100, 110, 200, 900],
        "commutateurs": [
            {
                "nom": "sw-coeur-0670001x",
                "fabricant": "aruba",
                "modele": "HPE 2530-24G",
                "role": "coeur",
                "salle": "local_technique",
                "adresse": "10.64.15.2",
                "ports": [
                    {
                        "interfaces": "1-10",
                        "mode": "acces",
                        "vlan": 100,
                        "salle": "s101",
                        "description": "Salle 101",
                    },
                    {"interfaces": "11-12", "mode": "acces", "vlan": 110},
                    {
                        "interfaces": "13",
                        "mode": "acces",
                        "vlan": 200,
                        "description": "Secretariat",
                    },
                    {
                        "interfaces": "24",
                        "mode": "trunk",
                        "vlans": [100, 110, 200, 900],
                        "natif": 1,
                        "vers": "sw-acces-0670001x",
                    },
                ],
            },
            {
                "nom": "sw-acces-0670001x",
                "fabricant": "cisco",
                "modele": "WS-C2960X-24PS",
                "role": "acces",
                "salle": "s101",
                "adresse": "10.64.15.3",
                "ports": [
                    {
                        "interfaces": "1-20",
                        "mode": "acces",
                        "vlan": 100,
                        "description": "Salle 101",
                    },
                    {"interfaces": "21-22", "mode": "acces", "vlan": 110},
                    {
                        "interfaces": "24",
                        "mode": "trunk",
                        "vlans": [100, 110, 200, 900],
                        "vers": "sw-coeur-0670001x",
                    },
                ],
            },
        ],
    }


def staged(intent, uplink: str | None = None) -> dict:
    """Initial state of a freshly staged switch (the lab's one definition): management VLAN
    and address set, the uplink carrying the management VLAN, the Académie VLAN present on
    the ports the référentiel gives it; nothing else."""
    up = uplink or ("24" if intent.vendor == "aruba" else "GigabitEthernet1/0/24")
    return etat_livraison(intent, uplink=up)
