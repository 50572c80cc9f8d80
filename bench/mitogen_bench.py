"""Benchmark: mitogen's effect on the Linux server role, on the lab's podman containers.

The same playbooks run on the same Debian 12 systemd containers (the lab image of
lab/podman/build-image.sh), interleaved, with and without mitogen:
  podman      ansible-core's linear strategy, connection containers.podman.podman (it
              cannot pipeline: every module is copied into the container, then run)
  pipelining  linear strategy, connection ansible.builtin.ssh with pipelining and piped
              transfers, the ssh executable being a stand-in that runs `podman exec -i`
              (the image has no sshd): how production servers are reached (ansible.cfg
              sets pipelining), minus the SSH handshake and encryption
  mitogen     mitogen 0.3.x's mitogen_linear strategy, connection mitogen_podman
Workloads:
  collecte     the drift collect: ONE amico.colleges.serveur_etat task per server, with
               the role's packages, services, smb.conf sections and Kea config (a drift run)
  converge     an idempotent second converge of the roles socle, dhcp, sauvegarde (time, logging,
               updates, DHCP, backups: ~20 module tasks per server; Samba AD is left out,
               its provisioning alone takes minutes)
  controleur   20 controller-only tasks (debug, set_fact): where mitogen does not help
Reported: wall time (best of N), controller CPU (ansible + podman clients) and the
containers' CPU (podman stats), and the ratios podman/mitogen and pipelining/mitogen.
Containers are named amico-bench-mitogen-<i> and removed at the end (--garder keeps them).

    .venv/bin/python bench/mitogen_bench.py [--conteneurs 3] [--runs 3] [--rapide]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amico.derive.attendu import roles_serveur  # noqa: E402
from amico_lab.podman import image_present, image_ref, lab_env  # noqa: E402

PREFIXE = "amico-bench-mitogen-"
MODES = ("podman", "pipelining", "mitogen")
FAUX_SSH = """#!/bin/sh
# ssh stand-in for the benchmark: run the command in the container named by the host
for a; do hote=$commande; commande=$a; done
exec podman exec -i "$hote" /bin/sh -c "$commande"
"""
BIN = Path(sys.executable).parent


def mitogen_plugins() -> Path | None:
    try:
        import ansible_mitogen  # noqa: PLC0415
    except ImportError:
        return None
    return Path(ansible_mitogen.__file__).parent / "plugins"


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["podman", *args], env=lab_env(), capture_output=True, text=True, check=check
    )


def demarrer(noms: list[str], ref: str) -> None:
    for nom in noms:
        podman("rm", "-f", "-t", "0", nom, check=False)  # a leftover of an interrupted run
        podman("run", "-d", "--name", nom, "--hostname", nom, "--systemd=always",
               "--cap-add", "SYS_ADMIN", ref, "/lib/systemd/systemd")  # fmt: skip
    limite = time.monotonic() + 90
    for nom in noms:
        while True:
            etat = podman("exec", nom, "systemctl", "is-system-running", check=False)
            if etat.stdout.strip() in {"running", "degraded"}:
                break
            if time.monotonic() > limite:
                raise SystemExit(f"{nom} : systemd ne démarre pas ({etat.stdout.strip()})")
            time.sleep(0.5)


def arreter(noms: list[str]) -> None:
    for nom in noms:
        podman("rm", "-f", "-t", "0", nom, check=False)


def cpu_conteneurs(noms: list[str]) -> float:
    """Cumulated CPU seconds of the containers (podman stats, CPUNano)."""
    out = podman("stats", "--no-stream", "--format", "{{.CPUNano}}", *noms, check=False)
    return sum(int(x) for x in out.stdout.split() if x.isdigit()) / 1e9


def ecrire_travail(work: Path, noms: list[str]) -> dict[str, Path]:
    molecule = yaml.safe_load((REPO / "molecule" / "serveurs" / "molecule.yml").read_text())
    group_vars = dict(molecule["provisioner"]["inventory"]["group_vars"]["serveurs_pedagogiques"])
    group_vars["sauvegarde__mot_de_passe"] = "banc-mitogen-jetable"
    group_vars["ansible_python_interpreter"] = "/usr/bin/python3"
    inventaire = {
        "serveurs_pedagogiques": {
            "hosts": {n: {"amico_adresse": f"10.64.3.{10 + i}"} for i, n in enumerate(noms)},
            "vars": group_vars,
        }
    }
    (work / "inventaire.yml").write_text(yaml.safe_dump(inventaire, allow_unicode=True))

    role = roles_serveur()
    collecte_args = {
        # the units amico.derive.attendu expects on a pedagogical server
        "services": [
            "samba-ad-dc",
            "rsyslog",
            "smbd",
            "nmbd",
            "winbind",
            "kea-dhcp4-server",
            "amico-sauvegarde.timer",
            "chrony",
        ],  # fmt: skip
        "paquets": list(role["paquets"]),
        "ports": True,
        "ini_sections": ["/etc/samba/amico-partages.conf"],
        "json": ["/etc/kea/kea-dhcp4.conf"],
    }
    jeu = {"hosts": "serveurs_pedagogiques", "gather_facts": False}
    partie_role = [
        {"name": f"{r} : debian",
         "ansible.builtin.include_role": {"name": r, "tasks_from": "debian",
                                          "handlers_from": "main"}}
        for r in ("socle", "dhcp", "sauvegarde")
    ]  # fmt: skip
    livres = {
        "collecte": [
            {
                **jeu,
                "tasks": [
                    {"name": "Collecte de dérive", "amico.colleges.serveur_etat": collecte_args}
                ],
            }
        ],
        "converge": [{**jeu, "gather_facts": True, "tasks": partie_role}],
        "controleur": [
            {
                **jeu,
                "tasks": [
                    {"name": f"contrôleur {i}", "ansible.builtin.set_fact": {f"x{i}": i}}
                    if i % 2
                    else {"name": f"contrôleur {i}", "ansible.builtin.debug": {"msg": i}}
                    for i in range(20)
                ],
            }
        ],
    }
    chemins = {}
    for nom, livre in livres.items():
        chemins[nom] = work / f"{nom}.yml"
        chemins[nom].write_text(yaml.safe_dump(livre, allow_unicode=True, sort_keys=False))
    return chemins


def environnement(mode: str, plugins: Path | None) -> dict[str, str]:
    env = lab_env()
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["ANSIBLE_ROLES_PATH"] = str(REPO / "roles")
    env["ANSIBLE_COLLECTIONS_PATH"] = str(REPO / "collections")
    env["ANSIBLE_INVENTORY_ENABLED"] = "ansible.builtin.yaml"
    env["ANSIBLE_HOST_KEY_CHECKING"] = "False"
    env["ANSIBLE_DEPRECATION_WARNINGS"] = "False"
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.default"
    if mode == "mitogen":
        assert plugins is not None
        env["ANSIBLE_STRATEGY_PLUGINS"] = str(plugins / "strategy")
        env["ANSIBLE_CONNECTION_PLUGINS"] = str(plugins / "connection")
        env["ANSIBLE_STRATEGY"] = "mitogen_linear"
    else:
        env["ANSIBLE_STRATEGY"] = "linear"
    return env


def connexion(mode: str, work: Path) -> list[str]:
    if mode == "mitogen":
        return ["-e", "ansible_connection=mitogen_podman"]
    if mode == "podman":
        return ["-e", "ansible_connection=containers.podman.podman"]
    faux = work / "faux-ssh"
    if not faux.exists():
        faux.write_text(FAUX_SSH)
        faux.chmod(0o755)
    return ["-e", "ansible_connection=ansible.builtin.ssh", "-e", f"ansible_ssh_executable={faux}",
            "-e", "ansible_ssh_transfer_method=piped", "-e", "ansible_pipelining=true"]  # fmt: skip


def jouer(livre: Path, inventaire: Path, mode: str, plugins: Path | None, noms: list[str]) -> dict:
    cmd = [str(BIN / "ansible-playbook"), "-i", str(inventaire), "-f", str(len(noms)),
           *connexion(mode, inventaire.parent), str(livre)]  # fmt: skip
    avant = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_c0 = cpu_conteneurs(noms)
    t0 = time.perf_counter()
    r = subprocess.run(
        cmd, env=environnement(mode, plugins), capture_output=True, text=True, cwd=REPO
    )
    duree = time.perf_counter() - t0
    cpu_c = cpu_conteneurs(noms) - cpu_c0
    apres = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"échec ({mode}, {livre.name}) :\n{r.stdout[-4000:]}\n{r.stderr[-2000:]}")
    changes = sum(
        int(ligne.split("changed=")[1].split()[0])
        for ligne in r.stdout.splitlines()
        if "changed=" in ligne and ": ok=" in ligne
    )
    return {
        "duree": duree,
        "cpu_controleur": (apres.ru_utime - avant.ru_utime) + (apres.ru_stime - avant.ru_stime),
        "cpu_conteneurs": cpu_c,
        "changes": changes,
        "taches": sum(1 for ligne in r.stdout.splitlines() if ligne.startswith("TASK [")),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--conteneurs", type=int, default=3)
    p.add_argument("--runs", type=int, default=3, help="meilleur de N, modes alternés")
    p.add_argument("--rapide", action="store_true", help="2 conteneurs, 1 passage")
    p.add_argument("--garder", action="store_true", help="ne pas supprimer les conteneurs")
    a = p.parse_args()
    if a.rapide:
        a.conteneurs, a.runs = 2, 1

    plugins = mitogen_plugins()
    manque = []
    if shutil.which("podman") is None:
        manque.append("podman absent")
    elif not image_present():
        manque.append("image du labo absente (make lab-image)")
    if plugins is None:
        manque.append("mitogen non installé")
    if manque:
        print(f"mitogen : banc IGNORÉ ({', '.join(manque)}) ; aucun ratio mesuré")
        return 0

    import mitogen  # noqa: PLC0415
    from ansible.release import __version__ as ansible_version  # noqa: PLC0415

    noms = [f"{PREFIXE}{i}" for i in range(1, a.conteneurs + 1)]
    ref = image_ref()
    print(f"{a.conteneurs} conteneurs Debian 12 systemd ({ref}), ansible-core {ansible_version}, "
          f"mitogen {'.'.join(map(str, mitogen.__version__))}, forks = {a.conteneurs}, "
          f"meilleur de {a.runs} passage(s) alternés")  # fmt: skip
    resultats: dict[str, dict[str, dict]] = {}
    try:
        t0 = time.perf_counter()
        demarrer(noms, ref)
        with tempfile.TemporaryDirectory(prefix="amico-bench-mitogen-") as tmp:
            work = Path(tmp)
            livres = ecrire_travail(work, noms)
            inventaire = work / "inventaire.yml"
            # first converge (not timed): brings the containers to the role's state
            premier = jouer(livres["converge"], inventaire, "podman", plugins, noms)
            pret = time.perf_counter() - t0
            print(f"conteneurs prêts + premier converge (non chronométré) : {pret:.0f} s, "
                  f"{premier['changes']} changement(s)")  # fmt: skip
            for _ in range(a.runs):
                for charge in ("collecte", "converge", "controleur"):
                    for mode in MODES:
                        m = jouer(livres[charge], inventaire, mode, plugins, noms)
                        best = resultats.setdefault(charge, {}).get(mode)
                        if best is None or m["duree"] < best["duree"]:
                            resultats[charge][mode] = m
    finally:
        if not a.garder:
            arreter(noms)

    print(f"\n{'charge':11} {'mode':10} {'tâches':>6} {'changés':>7} {'mur (s)':>8} "
          f"{'CPU ctrl (s)':>12} {'CPU cibles (s)':>14}")  # fmt: skip
    for charge, par_mode in resultats.items():
        for mode, m in par_mode.items():
            print(f"{charge:11} {mode:10} {m['taches']:6d} {m['changes']:7d} {m['duree']:8.1f} "
                  f"{m['cpu_controleur']:12.1f} {m['cpu_conteneurs']:14.1f}")  # fmt: skip
    print()
    libelles = {
        "collecte": "collecte de dérive (1 tâche/serveur)",
        "converge": "second converge idempotent",
        "controleur": "tâches contrôleur seules (debug)",
    }
    ratios: dict[str, dict] = {}
    for charge, par_mode in resultats.items():
        avec = par_mode["mitogen"]
        for base in ("podman", "pipelining"):
            sans = par_mode[base]
            r = ratios.setdefault(charge, {})[base] = {
                "mur": sans["duree"] / avec["duree"],
                "cpu_controleur": sans["cpu_controleur"] / max(avec["cpu_controleur"], 1e-3),
                "cpu_cibles": sans["cpu_conteneurs"] / max(avec["cpu_conteneurs"], 1e-3),
            }
            cibles = (
                f"{r['cpu_cibles']:.2f}x"
                if max(sans["cpu_conteneurs"], avec["cpu_conteneurs"]) >= 0.1
                else "sans objet"
            )
            print(f"ratio {base + '/mitogen':18}, {libelles[charge]:37} : mur {r['mur']:.2f}x, "
                  f"CPU contrôleur {r['cpu_controleur']:.2f}x, CPU cibles {cibles}")  # fmt: skip
    if any(m["changes"] for par in resultats.values() for m in par.values()):
        changes = {c: {k: v["changes"] for k, v in par.items()} for c, par in resultats.items()}
        print(f"ATTENTION : des changements pendant les passages chronométrés : {changes}")
    print(
        "ne s'applique pas : postes Windows (WinRM/PSRP, mitogen est Unix seulement : "
        "repli sur le chemin normal d'Ansible) ; commutateurs (le pilote netmiko/SSH tourne "
        "dans l'action sur le contrôleur) ; tâches contrôleur seules (debug, set_fact, "
        "calcul de l'état attendu, fusion) ; inventaire"
    )
    (REPO / ".cache").mkdir(exist_ok=True)
    (REPO / ".cache" / "mitogen_bench.json").write_text(
        json.dumps({"resultats": resultats, "ratios": ratios}, indent=2)
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("ANSIBLE_NOCOLOR", "1")
    sys.exit(main())
