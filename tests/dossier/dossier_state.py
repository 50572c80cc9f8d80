"""Gathered data of the demo sites, written where the runs write it."""

import datetime as dt
import json

from dossier_outputs import (
    PROCURVE_INTERFACES_BRIEF,
    PROCURVE_LLDP,
    PROCURVE_MAC_TABLE,
    PROCURVE_RUNNING,
)

from amico.commutateurs.backup import BackupRepo
from amico.dossier.collecte import gather_switch, save_facts

NOW = dt.datetime(2025, 3, 2, 3, 10, tzinfo=dt.UTC)

VLAN_NAMES = {
    1: "default", 100: "PEDAGOGIE", 110: "WIFI_PEDA", 120: "INVITES", 130: "SERVEURS_PEDA",
    200: "ADMINISTRATIF", 300: "TOIP", 950: "MANAGEMENT",
}  # fmt: skip


def ios_backup_compliant() -> str:
    """sw-acces1-0679902z as CiscoDriver.read() returns it, matching the référentiel."""
    lines = ["Building configuration...", "", "Current configuration : 4242 bytes", "!",
             "hostname sw-acces1-0679902z", "!"]  # fmt: skip
    for n in range(1, 25):
        lines.append(f"interface GigabitEthernet1/0/{n}")
        if n <= 20:
            lines += [" description Prises salle s101", " switchport access vlan 100",
                      " switchport mode access"]  # fmt: skip
        elif n <= 22:
            lines += [" description Téléphones", " switchport access vlan 300",
                      " switchport mode access"]  # fmt: skip
        elif n == 24:
            lines += [
                " description Liaison montante coeur",
                " switchport trunk allowed vlan 100,110,300,950",
                " switchport mode trunk",
            ]
        lines.append("!")
    lines += ["interface Vlan950", " ip address 10.64.31.3 255.255.255.0", "!", "end"]
    brief = [
        "VLAN Name                             Status    Ports",
        "---- -------------------------------- --------- ------------------------------",
    ]
    for vid, name in sorted(VLAN_NAMES.items()):
        brief.append(f"{vid:<4} {name:<32} active")
    for vid, name in ((1002, "fddi-default"), (1003, "token-ring-default")):
        brief.append(f"{vid:<4} {name:<32} act/unsup")
    comment = "\n".join(f"! {b}".rstrip() for b in brief)
    return "\n".join(lines) + "\n! ---- show vlan brief ----\n" + comment


class _Driver:
    """Stands for an opened driver (``Driver.run``) of sw-acces1-0679901y."""

    answers = {"show mac-address": PROCURVE_MAC_TABLE,
               "show interfaces brief": PROCURVE_INTERFACES_BRIEF,
               "show lldp info remote-device": PROCURVE_LLDP}  # fmt: skip

    @classmethod
    def run(cls, command):
        return cls.answers[command]


SERVER_FACTS = {
    "type": "serveur",
    "date": "2025-03-01T22:00:00+00:00",
    "services": [
        {"nom": "samba-ad-dc", "etat": "actif"},
        {"nom": "kea-dhcp4-server", "etat": "actif"},
    ],
    "partages": [{"nom": "classes", "chemin": "/srv/samba/classes"}, "public"],
    "sauvegarde": {"statut": "ok", "derniere": "2025-03-01T02:00:00+00:00", "outil": "restic"},
    "test_restauration": {"date": "2025-02-15", "resultat": "réussi", "detail": "rapport.odt"},
}


def populate(state_dir) -> None:
    """0679901Y: one ProCurve backup (drifted), its ports/MACs, one server's facts;
    0679902Z: one compliant IOS backup. 0689903V: nothing (never gathered)."""
    BackupRepo("0679901Y").save("sw-acces1-0679901y", PROCURVE_RUNNING, "sauvegarde (conforme)")
    save_facts("0679901Y", "sw-acces1-0679901y", gather_switch(_Driver, "aruba", now=lambda: NOW))
    folder = state_dir / "faits" / "0679901Y"
    (folder / "se-0679901y.json").write_text(json.dumps(SERVER_FACTS), encoding="utf-8")
    BackupRepo("0679902Z").save("sw-acces1-0679902z", ios_backup_compliant(), "sauvegarde")
