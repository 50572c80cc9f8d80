"""The demo lab for one site of the shipped référentiel: emulated switches over SSH on
127.0.0.1, stand-in Windows posts, and (when podman and the lab image are there) Debian 12
systemd containers for the site's servers. Brought to the référentiel's state through the
project's own code paths (switch push, server roles), then handed to `amico derive`
through an inventory overlay (connection data only)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import yaml

from amico.commutateurs.drivers import Target
from amico.commutateurs.intent import intent_from_site
from amico.commutateurs.run import MODIFIE, apply_switch
from amico.logiciels import Catalogue
from amico.referentiel.loader import Referentiel
from amico_lab.commutateurs.livraison import etat_livraison
from amico_lab.commutateurs.runner import SwitchLab
from amico_lab.postes.referentiel import ecrire_etat, etat_conforme
from amico_lab.postes.transport import variables_poste

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}


def ecrire_postes(ref: Referentiel, uai: str, dossier: Path) -> dict[str, Path]:
    """A stand-in state per post of the site, conforme for its profile (the lab's own
    builder, checked against the référentiel's catalogue by the demo tests)."""
    catalogue = Catalogue(
        yaml.safe_load((ROOT / "referentiel/catalogue/logiciels.yml").read_text("utf-8"))
    )
    site = next(s for s in ref.sites if s.uai == uai)
    return {
        p.nom: ecrire_etat(dossier, etat_conforme(catalogue, p.nom, p.profil or "base"))
        for p in site.postes
    }


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
                    # the Académie's VLANs and their ports are set by its DSI, before AMICo
                    "initial": etat_livraison(intent, uplink=up),
                }
            )
        self.lab = SwitchLab(devices, processes=1, workdir=workdir)

    def start(self) -> None:
        self.lab.start(timeout=600)  # a guard: on a loaded CI the emulators start slowly
        for name, intent in self.intents.items():
            res = apply_switch(intent, self.target(name), backup=False, force=True)
            assert res.status == MODIFIE, (name, res.status, res.error)

    def target(self, name: str) -> Target:
        s = self.lab.switches[name]
        return Target(s.host, s.port, s.username, s.password, timeout=30)  # a guard

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
        timeout=30,
        fast_cli=False,
    ) as conn:
        conn.send_config_set([f"vlan {vid}", f"name {nom}"])


# -- servers (podman) ------------------------------------------------------------------------
def podman_disponible() -> tuple[bool, str]:
    from amico_lab import podman

    if shutil.which("podman") is None:
        return False, "podman absent"
    ref = podman.image_ref()
    if not podman.image_present(ref):
        return False, f"image du labo {ref} absente (lab/podman/build-image.sh)"
    return True, ref


class Conteneurs:
    """Debian 12 systemd containers named after the site's servers."""

    def __init__(self, noms: list[str], image: str, prefixe: str) -> None:
        from amico_lab import podman

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
        hotes[nom] = variables_poste(etat)
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
