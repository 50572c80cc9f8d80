"""The lab's Zabbix: one container converged by roles/supervision, committed once as an image.

The first use converges the role on the project's Debian 12 systemd image (packages from
Debian's mirror, about 2 minutes) and commits the result as
`localhost/amico-zabbix:<hash of the role and of the base image>`; later uses start that
image in seconds. Agents run in containers of their own, converged by
roles/supervision_agent, and reach the server over podman's bridge network.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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

    def verifier_maintenant(self, client, host: str, key_prefix: str) -> None:
        """Reload the configuration, then ask Zabbix to poll now the host's items (and
        discovery rules) whose key starts with `key_prefix` ("Execute now" in the UI)."""
        self.recharger()
        found = client.call("host.get", {"output": ["hostid"], "filter": {"host": [host]}})
        if not found:
            return
        hostid = found[0]["hostid"]
        items = client.call(
            "item.get",
            {
                "output": ["itemid", "key_"],
                "hostids": [hostid],
                "search": {"key_": key_prefix},
                "startSearch": True,
            },
        )
        rules = client.call(
            "discoveryrule.get", {"output": ["itemid", "key_"], "hostids": [hostid]}
        )
        from amico.supervision.zabbix import ZabbixError

        for it in [*items, *[r for r in rules if r["key_"].startswith(key_prefix)]]:
            # a dependent item cannot be polled on its own (its master item is)
            with contextlib.suppress(ZabbixError):
                client.call("task.create", {"type": 6, "request": {"itemid": it["itemid"]}})

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


def start(name: str = "amico-zabbix-labo", ref: str | None = None) -> ZabbixLab:
    _run(name, ref or image())
    return _attendre_frontal(ZabbixLab(name, f"http://{address(name)}"))


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


# -- the demo's incident ------------------------------------------------------------------
# `amico demo` plants one incident Zabbix sees (the DHCP server stopped in a server
# container, the very deviation the drift also finds) and turns it into one routed ticket.
DEMO_SERVICE = {"unite": "kea-dhcp4-server", "libelle": "DHCP Kea"}
DEMO_CLE = f"amico.service[{DEMO_SERVICE['unite']}]"
# A container shares the machine's kernel: the CPU use and load average its agent reads are
# the whole machine's (the demo itself, the other containers), not the server's. On the
# demo's host only, these macros keep those two triggers of Zabbix's Linux template quiet
# (a real server keeps Zabbix's thresholds).
DEMO_MACROS_CONTENEUR = (("{$CPU.UTIL.CRIT}", "100"), ("{$LOAD_AVG_PER_CPU.MAX.WARN}", "1000"))


@dataclass
class DemoSupervision:
    """The demo's Zabbix and the one server it watches through a real agent."""

    zabbix: ZabbixLab
    serveur: str  # référentiel host name
    conteneur: str
    uai: str
    hors_demo: int = 0  # hosts of the demo sites the lab cannot watch (said in the output)
    bilan: Any = None  # the sync's Bilan
    reference: str | None = None  # the service's value Zabbix saw before the incident

    def client(self):
        from amico.supervision.zabbix import ZabbixClient

        c = ZabbixClient(self.zabbix.url, timeout=30)
        c.login(user=self.zabbix.user, password=self.zabbix.password)
        return c

    def environnement(self, base: dict[str, str]) -> dict[str, str]:
        """What `amico supervision remonter` reads, as AWX would inject it."""
        return {
            **base,
            "AMICO_ZABBIX_URL": self.zabbix.url,
            "AMICO_ZABBIX_UTILISATEUR": self.zabbix.user,
            "AMICO_ZABBIX_MOT_DE_PASSE": self.zabbix.password,
        }

    def valeur_service(self, client) -> str | None:
        self.zabbix.verifier_maintenant(client, self.serveur, "amico.service")
        items = client.call(
            "item.get",
            {"output": ["lastvalue", "lastclock"], "host": self.serveur,
             "filter": {"key_": DEMO_CLE}},
        )  # fmt: skip
        if items and items[0]["lastclock"] != "0":
            return items[0]["lastvalue"]
        return None

    def probleme(self, client) -> list[dict]:
        self.zabbix.verifier_maintenant(client, self.serveur, "amico.service")
        return [
            p
            for p in client.call("problem.get", {"output": ["name", "eventid"]})
            if DEMO_SERVICE["libelle"] in p["name"] and self.serveur in p["name"]
        ]


def attendre(probe, delai: float, pas: float = 2.0):
    """probe() until it answers something truthy, at most `delai` seconds (None then)."""
    fin = time.monotonic() + delai
    while True:
        valeur = probe()
        if valeur or time.monotonic() > fin:
            return valeur or None
        time.sleep(pas)


def demo_preparer(
    ref, uai: str, serveur: str, conteneur: str, nom_zabbix: str, journal: Path
) -> DemoSupervision:
    """Zabbix beside the demo servers, the agent on `serveur`'s container, a real backup
    and restore test, then the sync of that host. Raises RuntimeError (French) when a part
    cannot be done; the caller says so and goes on."""
    from amico.supervision.attendu import etat_attendu
    from amico.supervision.sync import synchroniser

    try:
        ref_image = image()
    except (subprocess.CalledProcessError, RuntimeError, OSError) as e:
        premiere = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise RuntimeError(f"image Zabbix du labo non construite ({premiere[:200]})") from None
    zabbix = start(nom_zabbix, ref_image)
    journal.write_text(
        converge(
            conteneur,
            "supervision_agent",
            {
                "supervision_agent__serveur": address(nom_zabbix),
                "supervision_agent__nom": serveur,
            },
        ),
        encoding="utf-8",
    )
    # a real backup of the server role, then the agent's real check (latest snapshot, and a
    # real restore of one file): fresh backup, restore test passed
    for unite in ("amico-sauvegarde.service", "amico-supervision-sauvegarde.service"):
        r = _podman("exec", conteneur, "systemctl", "start", unite, check=False)
        if r.returncode != 0:
            raise RuntimeError(f"{unite} en échec dans {conteneur} : {r.stderr.strip()[-300:]}")
    sup = DemoSupervision(zabbix, serveur, conteneur, uai)
    etat = etat_attendu(ref, sites=[uai], adresses={serveur: address(conteneur)})
    sup.hors_demo = sum(1 for h in etat.hosts if h.host != serveur)
    etat.hosts = [
        replace(h, macros=h.macros + DEMO_MACROS_CONTENEUR) for h in etat.hosts if h.host == serveur
    ]
    client = sup.client()
    sup.bilan = synchroniser(client, etat, perimetre_complet=False)
    # the baseline: Zabbix discovered the service and sees it running
    zabbix.verifier_maintenant(client, serveur, "amico.services.decouverte")
    sup.reference = attendre(lambda: sup.valeur_service(client), 120)
    client.logout()
    return sup


def _attendre_frontal(lab: ZabbixLab, delai: float = 120) -> ZabbixLab:
    from amico.supervision.zabbix import ZabbixClient, ZabbixError

    fin = time.monotonic() + delai
    while True:  # PHP-FPM, nginx and the server need a few seconds after boot
        try:
            client = ZabbixClient(lab.url, timeout=5)
            client.login(user=lab.user, password=lab.password)
            client.logout()
            return lab
        except ZabbixError:
            if time.monotonic() > fin:
                raise
            time.sleep(1)


def demo_incident(sup: DemoSupervision, env: dict[str, str], referentiel: Path,
                  journal: Path, delai: float = 180) -> dict[str, Any]:  # fmt: skip
    """Wait (bounded) for the planted incident's Zabbix problem, then run
    `amico supervision remonter` as a user does, to the demo's GLPI test server."""
    client = sup.client()
    t0 = time.monotonic()
    problemes = attendre(lambda: sup.probleme(client), delai, 3.0)
    vu = round(time.monotonic() - t0, 1)
    client.logout()
    if not problemes:
        raise RuntimeError(
            f"aucun problème Zabbix pour {DEMO_SERVICE['unite']} arrêté sur {sup.serveur} "
            f"après {delai:.0f} s"
        )
    amico = Path(sys.executable).parent / "amico"
    r = subprocess.run(
        [str(amico), "supervision", "remonter", "--referentiel", str(referentiel)],
        env=sup.environnement(env), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    journal.write_text(r.stdout + r.stderr, encoding="utf-8")
    return {
        "probleme": problemes[0]["name"],
        "vu_en_s": vu,
        "code": r.returncode,
        "sortie": [ligne for ligne in (r.stdout + r.stderr).splitlines() if ligne.strip()],
    }


def tickets_routes(glpi_url: str, routage: Path, deja: set[int]) -> list[dict[str, Any]]:
    """Tickets of the lab's GLPI test server not in `deja`, with the names of the groups
    they were assigned to (names from the demo's routing file)."""
    import urllib.request

    import yaml

    with urllib.request.urlopen(glpi_url + "/_lab/state", timeout=10) as r:  # noqa: S310
        etat = json.loads(r.read())
    conf = yaml.safe_load(routage.read_text(encoding="utf-8")) or {}
    acteur_de = {gid: a for a, gid in (conf.get("groupes") or {}).items()}
    noms = conf.get("acteurs") or {}
    out = []
    for t in etat.get("tickets") or []:
        if t["id"] in deja:
            continue
        groupes = sorted(
            g["groups_id"]
            for g in etat.get("group_tickets") or []
            if g["tickets_id"] == t["id"] and g.get("type") == 2  # 2 = assigned
        )
        out.append(
            {
                "id": t["id"],
                "nom": t.get("name"),
                "entite": t.get("entities_id"),
                "groupes": [noms.get(acteur_de.get(g), str(g)) for g in groupes],
            }
        )
    return out
