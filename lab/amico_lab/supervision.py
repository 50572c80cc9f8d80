"""The lab's Zabbix: one container converged by roles/supervision, committed once as an image.

The first use converges the role on the project's Debian 12 systemd image (packages from
Debian's mirror, about 2 minutes) and commits the result as
`localhost/amico-zabbix:<hash of the role and of the base image>`; later uses start that
image in seconds. Agents run in containers of their own, converged by
roles/supervision_agent, and reach the server over podman's bridge network.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from amico_lab import podman

ROOT = Path(__file__).resolve().parents[2]
ROLES = ROOT / "roles"
IMAGE = "localhost/amico-zabbix"
# Lab-only secrets (never used outside the lab's own containers).
LAB_SECRETS = {
    "AMICO_ZABBIX_BDD_MOT_DE_PASSE": "labo-bdd-supervision-3817",
    "AMICO_ZABBIX_MOT_DE_PASSE": "labo-supervision-5271",
}


def _hash(*folders: Path) -> str:
    h = hashlib.sha256(podman.image_ref().encode())
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(str(path.relative_to(folder)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", *args], env=podman.lab_env(), capture_output=True, text=True, check=check
    )


def converge(container: str, role: str, extra_vars: dict | None = None) -> str:
    """Run one role on a lab container through podman exec; returns the output."""
    with tempfile.TemporaryDirectory() as tmp:
        play = Path(tmp) / "play.yml"
        play.write_text(
            json.dumps(
                [
                    {
                        "name": f"lab {role}",
                        "hosts": "all",
                        "gather_facts": False,
                        "roles": [{"role": role}],
                    }
                ]
            ),
            encoding="utf-8",
        )
        inventory = Path(tmp) / "inventaire.yml"
        inventory.write_text(
            json.dumps(
                {
                    "all": {
                        "hosts": {
                            container: {
                                "ansible_connection": "containers.podman.podman",
                                "ansible_python_interpreter": "/usr/bin/python3",
                            }
                        }
                    }
                }
            ),
            encoding="utf-8",
        )
        env = podman.lab_env({**os.environ, **LAB_SECRETS})
        env["ANSIBLE_ROLES_PATH"] = str(ROLES)
        env["ANSIBLE_CONFIG"] = str(ROOT / "ansible.cfg")
        cmd = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-i",
            str(inventory),
            "-e",
            json.dumps(extra_vars or {}),
            str(play),
        ]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if r.returncode != 0:
            raise RuntimeError(
                f"rôle {role} en échec sur {container} :\n{(r.stdout + r.stderr)[-4000:]}"
            )
        return r.stdout


def _run(name: str, image: str) -> None:
    _podman("rm", "-f", "-t", "2", name, check=False)
    _podman(
        "run",
        "-d",
        "--name",
        name,
        "--hostname",
        name,
        "--systemd=always",
        image,
        "/lib/systemd/systemd",
    )
    for _ in range(60):
        state = _podman("exec", name, "systemctl", "is-system-running", check=False).stdout
        if state.strip() in ("running", "degraded"):
            return
        time.sleep(0.5)


def address(name: str) -> str:
    return _podman("inspect", "-f", "{{.NetworkSettings.IPAddress}}", name).stdout.strip()


@dataclass
class ZabbixLab:
    name: str
    url: str
    user: str = "Admin"
    password: str = LAB_SECRETS["AMICO_ZABBIX_MOT_DE_PASSE"]

    def recharger(self) -> None:
        """Make the server read its configuration now (it does every 60 s by itself): the
        lab's tests cannot wait a minute after each change to see it polled."""
        _podman("exec", self.name, "zabbix_server", "-R", "config_cache_reload", check=False)

    def stop(self) -> None:
        _podman("rm", "-f", "-t", "2", self.name, check=False)


def image() -> str:
    """The converged Zabbix image, built once per recipe."""
    # the project's Debian 12 image (base of the Zabbix image and of the agents), built by
    # its recipe when this machine lacks it
    subprocess.run(["bash", str(podman.BUILD)], env=podman.lab_env(), check=True,
                   capture_output=True, text=True)  # fmt: skip
    ref = f"{IMAGE}:{_hash(ROLES / 'supervision')}"
    if _podman("image", "exists", ref, check=False).returncode == 0:
        return ref
    builder = "amico-zabbix-construction"
    _run(builder, podman.image_ref())
    try:
        converge(builder, "supervision")
        _podman("stop", "-t", "10", builder)
        _podman("commit", builder, ref)
    finally:
        _podman("rm", "-f", "-t", "2", builder, check=False)
    return ref


def start(name: str = "amico-zabbix-labo") -> ZabbixLab:
    _run(name, image())
    ip = address(name)
    lab = ZabbixLab(name, f"http://{ip}")
    deadline = time.monotonic() + 120
    from amico.supervision.zabbix import ZabbixClient, ZabbixError

    while True:  # PHP-FPM, nginx and the server need a few seconds after boot
        try:
            client = ZabbixClient(lab.url, timeout=5)
            client.login(user=lab.user, password=lab.password)
            client.logout()
            return lab
        except ZabbixError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def start_agent(name: str, server: str, services: list[dict], packages: list[str]) -> str:
    """A Debian 12 container with the agent role and the given Debian packages."""
    _run(name, podman.image_ref())
    if packages:
        r = _podman(
            "exec",
            "-e",
            "DEBIAN_FRONTEND=noninteractive",
            name,
            "sh",
            "-c",
            "apt-get update -qq && apt-get install -y -qq --no-install-recommends "
            + " ".join(packages),
            check=False,
        )
        if r.returncode != 0:
            raise RuntimeError(f"apt-get install {packages} : {r.stderr[-1000:]}")
    converge(
        name,
        "supervision_agent",
        {"supervision_agent__serveur": server, "supervision_agent__services": services},
    )
    return address(name)
