"""The demo lab for one site of the shipped référentiel: emulated switches over SSH on
127.0.0.1, stand-in Windows posts, and (when podman and the lab image are there) Debian 12
systemd containers for the site's servers. Brought to the référentiel's state through the
project's own code paths (switch push, role serveur_pedago), then handed to `amico drift`
through an inventory overlay (connection data only)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import yaml

from amico.lab.switches.runner import SwitchLab
from amico.lab.windows.labo import SYSTEME_W10, ecrire_poste
from amico.referentiel.loader import Referentiel
from amico.switches.drivers import Target
from amico.switches.intent import intent_from_site
from amico.switches.run import MODIFIE, apply_switch

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}

# Uninstall entries of a freshly mastered post at the référentiel catalogue's versions
# (as those installers write them), plus the registry/file evidence the rules read.
LOGICIELS = {
    "libreoffice": {
        "vue": "64",
        "cle": "{4C1E7E59-8B0B-4C3D-9D0A-2E4F6B8A2580}",
        "DisplayName": "LibreOffice 25.8.2.2",
        "DisplayVersion": "25.8.2.2",
        "Publisher": "The Document Foundation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{4C1E7E59-8B0B-4C3D-9D0A-2E4F6B8A2580}",
    },
    "7zip": {
        "vue": "64",
        "cle": "7-Zip",
        "DisplayName": "7-Zip 25.01 (x64)",
        "DisplayVersion": "25.01",
        "Publisher": "Igor Pavlov",
        "UninstallString": r'"C:\Program Files\7-Zip\Uninstall.exe"',
    },
    "adobe_reader": {
        "vue": "64",
        "cle": "{AC76BA86-1033-FF00-7760-BC15014EA700}",
        "DisplayName": "Adobe Acrobat Reader (64-bit)",
        "DisplayVersion": "25.001.20693",
        "Publisher": "Adobe",
    },
    "vlc": {
        "vue": "64",
        "cle": "VLC media player",
        "DisplayName": "VLC media player",
        "DisplayVersion": "3.0.21",
        "Publisher": "VideoLAN",
    },
    "photofiltre": {
        "vue": "32",
        "cle": "PhotoFiltre 7",
        "DisplayName": "PhotoFiltre 7",
        "DisplayVersion": "7.2.1",
        "Publisher": "Antonio Da Cruz",
    },
    "firefox_esr": {
        "vue": "64",
        "cle": "Mozilla Firefox 140.4.0 ESR (x64 fr)",
        "DisplayName": "Mozilla Firefox 140.4.0 ESR (x64 fr)",
        "DisplayVersion": "140.4.0",
        "Publisher": "Mozilla",
    },
    "sweethome3d": {
        "vue": "64",
        "cle": "Sweet Home 3D_is1",
        "DisplayName": "Sweet Home 3D 7.5",
        "DisplayVersion": "7.5",
        "Publisher": "eTeks",
    },
}
PROFILS = {
    "base": ["libreoffice", "7zip", "adobe_reader", "vlc", "photofiltre", "firefox_esr"],
    "cfao": [
        "libreoffice",
        "7zip",
        "adobe_reader",
        "vlc",
        "photofiltre",
        "firefox_esr",
        "sweethome3d",
    ],
}


def ecrire_postes(ref: Referentiel, uai: str, dossier: Path) -> dict[str, Path]:
    site = next(s for s in ref.sites if s.uai == uai)
    dossier.mkdir(parents=True, exist_ok=True)
    out = {}
    for p in site.postes:
        profil = p.profil or "base"
        chemin = ecrire_poste(
            dossier,
            p.nom,
            [],
            systeme=SYSTEME_W10,
            registre={
                r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full": {"Version": "4.8.09037"}
            },
            fichiers={
                r"C:\Program Files\Windows Media Player\wmplayer.exe": {
                    "version": "12.0.19041.4355",
                    "version_produit": "12.0.19041.4355",
                }
            },
        )
        etat = json.loads(chemin.read_text(encoding="utf-8"))
        etat["desinstallation"] += [dict(LOGICIELS[k]) for k in PROFILS[profil]]
        chemin.write_text(json.dumps(etat, ensure_ascii=False, indent=1), encoding="utf-8")
        out[p.nom] = chemin
    return out


def retirer_logiciel(chemin: Path, motif: str) -> dict:
    """Uninstall an entry from a stand-in post's state (as someone did by hand)."""
    etat = json.loads(chemin.read_text(encoding="utf-8"))
    avant = len(etat["desinstallation"])
    retire = [e for e in etat["desinstallation"] if e["DisplayName"].startswith(motif)]
    etat["desinstallation"] = [e for e in etat["desinstallation"] if e not in retire]
    assert len(etat["desinstallation"]) == avant - 1, retire
    chemin.write_text(json.dumps(etat, ensure_ascii=False, indent=1), encoding="utf-8")
    return retire[0]


class Commutateurs:
    """The site's switches, emulated, staged then configured by AMICo's own push."""

    def __init__(self, ref: Referentiel, uai: str, workdir: Path) -> None:
        site = next(s for s in ref.sites if s.uai == uai)
        brut = site.model_dump(mode="json", exclude_none=True)
        plan = [v.model_dump(mode="json") for v in ref.plan.vlans]
        self.intents = {c.nom: intent_from_site(brut, plan, c.nom) for c in site.commutateurs}
        self.password = secrets.token_urlsafe(16)
        devices = []
        for name, intent in self.intents.items():
            up = "24" if intent.vendor == "aruba" else "GigabitEthernet1/0/24"
            devices.append(
                {
                    "name": name,
                    "platform": PLATFORM[intent.vendor],
                    "username": "amico",
                    "password": self.password,
                    "initial": {
                        # the Académie's VLANs are created by its DSI, before AMICo
                        "vlans": {
                            intent.mgmt_vlan: "MANAGEMENT",
                            **{v: n for v, n in intent.vlans.items() if v in intent.academie_vlans},
                        },
                        "mgmt": {"vlan": intent.mgmt_vlan, "address": intent.mgmt_address},
                        "ports": {up: {"mode": "trunk", "vlans": [intent.mgmt_vlan]}},
                    },
                }
            )
        self.lab = SwitchLab(devices, processes=1, workdir=workdir)

    def start(self) -> None:
        self.lab.start()
        for name, intent in self.intents.items():
            res = apply_switch(intent, self.target(name), backup=False, force=True)
            assert res.status == MODIFIE, (name, res.status, res.error)

    def target(self, name: str) -> Target:
        s = self.lab.switches[name]
        return Target(s.host, s.port, s.username, s.password, timeout=10)

    def stop(self) -> None:
        self.lab.stop()


def ajouter_vlan_cli(target: Target, vendor: str, vid: int, nom: str) -> None:
    """A technician adds a VLAN by hand, over the switch's own CLI (SSH)."""
    from netmiko import ConnectHandler

    device_type = {"aruba": "hp_procurve", "cisco": "cisco_ios"}[vendor]
    with ConnectHandler(
        device_type=device_type,
        host=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        timeout=10,
        fast_cli=False,
    ) as conn:
        conn.send_config_set([f"vlan {vid}", f"name {nom}"])


# -- servers (podman) ------------------------------------------------------------------------
def podman_disponible() -> tuple[bool, str]:
    from amico.lab import podman

    if shutil.which("podman") is None:
        return False, "podman absent"
    ref = podman.image_ref()
    if not podman.image_present(ref):
        return False, f"image du labo {ref} absente (lab/podman/build-image.sh)"
    return True, ref


class Conteneurs:
    """Debian 12 systemd containers named after the site's servers."""

    def __init__(self, noms: list[str], image: str, prefixe: str) -> None:
        from amico.lab import podman

        self.env = podman.lab_env()
        self.image = image
        self.noms = {n: f"{prefixe}-{n}" for n in noms}

    def start(self) -> None:
        for nom, conteneur in self.noms.items():
            subprocess.run(
                ["podman", "rm", "-f", conteneur], env=self.env, capture_output=True, check=False
            )
            subprocess.run(
                [
                    "podman",
                    "run",
                    "-d",
                    "--name",
                    conteneur,
                    "--hostname",
                    nom,
                    "--systemd=always",
                    "--cap-add",
                    "SYS_ADMIN",
                    self.image,
                    "/lib/systemd/systemd",
                ],
                env=self.env,
                check=True,
                capture_output=True,
            )

    def executer(self, nom: str, *cmd: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["podman", "exec", self.noms[nom], *cmd],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )

    def stop(self) -> None:
        for conteneur in self.noms.values():
            subprocess.run(
                ["podman", "rm", "-f", "-t", "2", conteneur],
                env=self.env,
                capture_output=True,
                check=False,
            )


def surcouche(
    chemin: Path,
    commutateurs: Commutateurs,
    postes: dict[str, Path],
    conteneurs: dict[str, str] | None,
) -> Path:
    """Inventory overlay: how to reach each lab host (nothing about what it should be)."""
    hotes: dict[str, dict] = {}
    for name in commutateurs.intents:
        t = commutateurs.target(name)
        hotes[name] = {"ansible_host": t.host, "ansible_port": t.port}
    for nom, etat in postes.items():
        hotes[nom] = {"amico_lab_windows_etat": str(etat)}
    for nom, conteneur in (conteneurs or {}).items():
        hotes[nom] = {
            "ansible_connection": "containers.podman.podman",
            "ansible_host": conteneur,
            "ansible_become": False,
            "ansible_user": "root",
            "ansible_python_interpreter": "/usr/bin/python3",
        }
    data = {
        "all": {
            "hosts": hotes,
            "vars": {
                "amico_commutateurs__utilisateur": "amico",
                "amico_commutateurs__mot_de_passe": commutateurs.password,
            },
        }
    }
    fd = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(data, fh, allow_unicode=True)
    return chemin
