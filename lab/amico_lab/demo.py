"""The embedded lab of the demo sites: bring it up, describe it, bring it down.

`amico labo demarrer` starts, for every example site of the référentiel (`exemple: true`):
- one emulated switch per switch of the site (subprocess, 127.0.0.1, freshly staged:
  management VLAN and address, uplink trunk, the Académie's VLANs; nothing else);
- one STAND-IN Windows post state per post handed to the operator (freshly mastered:
  what the deployment installs from the share is absent) and the lab software share;
- the GLPI API test server (subprocess, 127.0.0.1);
- one Debian 12 systemd container per Linux server, when podman and the lab image are
  there (otherwise the lab says so and the server part is skipped);
then records everything in `state_dir("labo")/labo.json` and writes the inventory overlay
`inventories/demo/labo.yml` (connection data only: 127.0.0.1 + ports, stand-in state
files, container names). Secrets (lab switch password, Samba and restic passwords) live
in `state_dir("labo")/secrets.json` (0600) and reach Ansible through environment
variables (`environnement()`), never through the overlay.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from amico.state import state_dir
from amico_lab.commutateurs.livraison import etat_livraison  # also imported from here by flotte
from amico_lab.postes.transport import variables_poste

ROOT = Path(__file__).resolve().parents[2]
REFERENTIEL = ROOT / "referentiel"
SURCOUCHE = ROOT / "inventories" / "demo" / "labo.yml"
PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}
UTILISATEUR = "amico"
PREFIXE_CONTENEUR = "amico-labo-"
GLPI_SECRETS = {  # the test server's fixed test credentials (lab only, see its README)
    "AMICO_GLPI_APP_TOKEN": "app-token-amico",
    "AMICO_GLPI_USER_TOKEN": "user-token-amico",
}


class LaboErreur(RuntimeError):
    """The lab could not be brought up (message in French)."""


@dataclass
class Composant:
    """One part of the lab and why it is there or not."""

    nom: str
    actif: bool
    detail: str = ""
    ignore: str | None = None  # reason it was skipped


@dataclass
class Labo:
    dossier: Path = field(default_factory=lambda: state_dir("labo"))

    @property
    def fichier(self) -> Path:
        return self.dossier / "labo.json"

    @property
    def fichier_secrets(self) -> Path:
        return self.dossier / "secrets.json"

    # -- records ---------------------------------------------------------------------------
    def lire(self) -> dict[str, Any] | None:
        if not self.fichier.exists():
            return None
        return json.loads(self.fichier.read_text(encoding="utf-8"))

    def _ecrire(self, data: dict[str, Any]) -> None:
        tmp = self.fichier.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.fichier)

    def noter(self, cle: str, valeur: Any) -> None:
        """Record one more part of the running lab (e.g. the demo's Zabbix container, so
        that `amico labo arreter` removes it)."""
        etat = self.lire() or {}
        etat[cle] = valeur
        self._ecrire(etat)

    def secrets(self) -> dict[str, str]:
        if self.fichier_secrets.exists():
            return json.loads(self.fichier_secrets.read_text(encoding="utf-8"))
        valeurs = {
            "commutateurs_mot_de_passe": secrets.token_urlsafe(18),
            # AD complexity: upper, lower, digit, symbol
            "samba_admin": "Aa1!" + secrets.token_urlsafe(14),
            "restic": secrets.token_urlsafe(24),
        }
        fd = os.open(self.fichier_secrets, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(valeurs, fh)
        return valeurs

    def environnement(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment for ansible-playbook / amico derive on the lab: secrets by env vars,
        the GLPI callback pointed at the lab's GLPI test server."""
        env = dict(os.environ if base is None else base)
        s = self.secrets()
        env.update(
            AMICO_COMMUTATEURS_UTILISATEUR=UTILISATEUR,
            AMICO_COMMUTATEURS_MOT_DE_PASSE=s["commutateurs_mot_de_passe"],
            AMICO_SAMBA_ADMIN_PASSWORD=s["samba_admin"],
            AMICO_RESTIC_PASSWORD=s["restic"],
            ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
            ANSIBLE_NOCOLOR="1",
        )
        etat = self.lire() or {}
        if etat.get("conteneurs"):
            from amico_lab import podman

            env["CONTAINERS_CONF"] = podman.lab_env({})["CONTAINERS_CONF"]
        glpi = etat.get("glpi") or {}
        if glpi.get("url"):
            env.update(GLPI_SECRETS)
            env.update(
                AMICO_GLPI_URL=glpi["url"],
                AMICO_GLPI_ROUTAGE=glpi["routage"],
                AMICO_GLPI_MATRICE=str(REFERENTIEL / "matrice" / "services.yml"),
                AMICO_GLPI_SPOOL=str(self.dossier / "guichet-spool"),
                AMICO_GLPI_VERIFY_TLS="false",
            )
        return env

    # -- status ----------------------------------------------------------------------------
    def statut(self) -> dict[str, Any]:
        etat = self.lire()
        if etat is None:
            return {"actif": False}
        out: dict[str, Any] = {"actif": True, "depuis": etat.get("depuis")}
        out["commutateurs"] = {
            n: {**s, "vivant": _vivant(s["pid"])} for n, s in etat["commutateurs"].items()
        }
        out["glpi"] = {**etat["glpi"], "vivant": _vivant(etat["glpi"].get("pid"))}
        out["postes"] = len(etat["postes"])
        out["conteneurs"] = {n: _conteneur_etat(c) for n, c in etat["conteneurs"].items()}
        out["ignores"] = etat.get("ignores", {})
        out["surcouche"] = etat.get("surcouche")
        return out

    # -- up --------------------------------------------------------------------------------
    def demarrer(self, sortie=print) -> dict[str, Any]:
        """Bring the lab up; a lab already up is left as it is (idempotent)."""
        etat = self.lire()
        if etat is not None:
            s = self.statut()
            vivants = all(c["vivant"] for c in s["commutateurs"].values()) and s["glpi"]["vivant"]
            if vivants and SURCOUCHE.exists():
                sortie("Le labo est déjà démarré (rien n'est relancé).")
                return etat
            sortie("Labo incomplet (processus arrêtés) : arrêt puis redémarrage.")
            self.arreter(sortie=lambda _m: None)

        from amico.referentiel import load
        from amico.referentiel.inventory import build

        ref = load(REFERENTIEL)
        sites = [s for s in ref.sites if s.exemple]
        inv = build(ref, sites=[s.uai for s in sites])
        etat = {
            "depuis": time.strftime("%Y-%m-%d %H:%M:%S"),
            "sites": [s.uai for s in sites],
            "commutateurs": {},
            "postes": {},
            "conteneurs": {},
            "glpi": {},
            "ignores": {},
            "dossier": str(self.dossier),
        }
        self.secrets()
        try:
            etat["commutateurs"] = self._commutateurs(ref, sites, inv)
            self._ecrire(etat)
            sortie(f"- {len(etat['commutateurs'])} commutateur(s) émulé(s) sur 127.0.0.1")
            etat["postes"], etat["partage"] = self._postes(ref, sites, inv)
            sortie(f"- {len(etat['postes'])} poste(s) Windows simulé(s) (doublure)")
            etat["glpi"] = self._glpi(ref, sites)
            self._ecrire(etat)
            sortie(f"- serveur de test GLPI : {etat['glpi']['url']}")
            conteneurs, raison = self._conteneurs(ref, sites, inv)
            etat["conteneurs"] = conteneurs
            if raison:
                etat["ignores"]["serveurs"] = raison
                sortie(f"- serveurs : partie IGNORÉE ({raison})")
            else:
                sortie(f"- {len(conteneurs)} conteneur(s) Debian 12 (podman)")
            self._ecrire(etat)
            etat["surcouche"] = str(self._surcouche(etat, ref, sites, inv))
            self._ecrire(etat)
        except BaseException:
            self._ecrire(etat)
            self.arreter(sortie=lambda _m: None)
            raise
        sortie(f"Surcouche d'inventaire : {etat['surcouche']}")
        return etat

    def _commutateurs(self, ref, sites, inv) -> dict[str, dict]:
        from amico.commutateurs.intent import intent_from_site
        from amico_lab.commutateurs.cablage import cablage
        from amico_lab.commutateurs.runner import SwitchLab

        plan = [v.model_dump(mode="json") for v in ref.plan.vlans]
        mot_de_passe = self.secrets()["commutateurs_mot_de_passe"]
        devices = []
        for site in sites:
            brut = site.model_dump(mode="json", exclude_none=True)
            for sw in site.commutateurs:
                if sw.nom not in inv.hosts:
                    continue
                intent = intent_from_site(brut, plan, sw.nom)
                devices.append(
                    {
                        "name": sw.nom,
                        "platform": PLATFORM[intent.vendor],
                        "username": UTILISATEUR,
                        "password": mot_de_passe,
                        # posts' MACs on their room's ports, LLDP on both ends of uplinks
                        "initial": {**etat_livraison(intent), **cablage(brut, sw.nom)},
                    }
                )
        if not devices:
            return {}
        lab = SwitchLab(devices, processes=1, workdir=self.dossier / "commutateurs", detached=True)
        lab.start()
        # The lab outlives this command: forget the Popen objects without ending them.
        for proc in lab.procs:
            if proc.stdout:
                proc.stdout.close()
        lab.procs = []
        return {
            n: {"plateforme": s.platform, "hote": s.host, "port": s.port, "pid": s.pid}
            for n, s in lab.switches.items()
        }

    def _postes(self, ref, sites, inv) -> tuple[dict[str, str], str]:
        from amico.logiciels import Catalogue
        from amico.logiciels.preparation import lire
        from amico_lab.postes.referentiel import ecrire_etat, ecrire_installeurs, etat_masterise

        brut = lire(REFERENTIEL / "catalogue" / "logiciels.yml")  # the hardened reader
        catalogue = Catalogue(brut)
        partage = self.dossier / "partage-logiciels"
        ecrire_installeurs(catalogue, partage)
        dossier = self.dossier / "postes"
        dossier.mkdir(parents=True, exist_ok=True)
        out = {}
        for site in sites:
            for p in site.postes:
                if p.nom not in inv.hosts or "windows" not in inv.memberships[p.nom]:
                    continue
                etat = etat_masterise(catalogue, p.nom, p.profil or "base")
                out[p.nom] = str(ecrire_etat(dossier, etat))
        return out, str(partage)

    def _glpi(self, ref, sites) -> dict[str, Any]:
        entites = {100 + i: f"{s.nom} ({s.uai})" for i, s in enumerate(sites)}
        acteurs = [a.id for a in ref.organisation.acteurs]
        groupes = {10 + i: a.nom for i, a in enumerate(ref.organisation.acteurs)}
        routage = {
            "phase": ref.perimetre.phase_defaut,
            "entites": {s.uai: 100 + i for i, s in enumerate(sites)},
            "groupes": {a: 10 + i for i, a in enumerate(acteurs)},
            "acteurs": {a.id: a.nom for a in ref.organisation.acteurs},
            "interventions": "suivi",
        }
        chemin_routage = self.dossier / "glpi-routage.yml"
        chemin_routage.write_text(
            yaml.safe_dump(routage, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        journal = self.dossier / "glpi.log"
        sortie = self.dossier / "glpi.url"
        sortie.unlink(missing_ok=True)
        with open(sortie, "wb") as out, open(journal, "wb") as err:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "amico_lab.glpi",
                    "--port",
                    "0",
                    "--entites",
                    json.dumps(entites, ensure_ascii=False),
                    "--groupes",
                    json.dumps(groupes, ensure_ascii=False),
                ],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
            )
        # generous: on a loaded machine the server's imports alone can take tens of seconds;
        # a server that died is seen at once by poll()
        fin = time.monotonic() + 300
        while time.monotonic() < fin:
            texte = sortie.read_text(encoding="utf-8").strip() if sortie.exists() else ""
            if texte.startswith("http"):
                return {
                    "url": texte.splitlines()[0],
                    "pid": proc.pid,
                    "routage": str(chemin_routage),
                }
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        _terminer(proc.pid)
        raise LaboErreur(f"le serveur de test GLPI n'a pas démarré (voir {journal})")

    def _conteneurs(self, ref, sites, inv) -> tuple[dict[str, dict], str | None]:
        raison = podman_indisponible()
        if raison:
            return {}, raison
        from amico_lab import podman

        image = podman.image_ref()
        env = podman.lab_env()
        out = {}
        for site in sites:
            for srv in site.serveurs:
                if srv.nom not in inv.hosts or not srv.systeme.startswith("debian"):
                    continue
                nom = f"{PREFIXE_CONTENEUR}{srv.nom}"
                subprocess.run(["podman", "rm", "-f", nom], env=env, capture_output=True)
                r = subprocess.run(
                    ["podman", "run", "-d", "--name", nom, "--hostname", srv.nom,
                     "--label", "amico.labo=demo", "--systemd=always", "--cap-add", "SYS_ADMIN",
                     image, "/lib/systemd/systemd"],
                    env=env, capture_output=True, text=True,
                )  # fmt: skip
                if r.returncode != 0:
                    for c in out.values():
                        subprocess.run(
                            ["podman", "rm", "-f", c["nom"]], env=env, capture_output=True
                        )
                    return {}, f"podman run a échoué : {r.stderr.strip()[-300:]}"
                out[srv.nom] = {"nom": nom, "role": srv.role, "adresse": str(srv.adresse)}
        return out, None

    def _surcouche(self, etat, ref, sites, inv) -> Path:
        hotes: dict[str, dict] = {}
        for nom, s in etat["commutateurs"].items():
            hotes[nom] = {"ansible_host": s["hote"], "ansible_port": s["port"]}
        for nom, chemin in etat["postes"].items():
            hotes[nom] = variables_poste(chemin)
        for nom, c in etat["conteneurs"].items():
            hotes[nom] = {
                "ansible_connection": "containers.podman.podman",
                "ansible_host": c["nom"],
                "ansible_user": "root",  # podman exec --user: the image has no "amico"
                "ansible_become": False,
                "ansible_python_interpreter": "/usr/bin/python3",
                # the role takes the server's address from amico_adresse (the inventory
                # gives it as ansible_host, which the lab overrides with the container)
                "amico_adresse": c["adresse"],
                # a container gets resolv.conf from the engine, and has no backup target
                "annuaire__gerer_resolv_conf": False,
                "sauvegarde__depot": "/var/backups/amico-restic",
            }
        donnees = {
            "all": {
                "hosts": hotes,
                "vars": {
                    # secrets stay in the environment: the overlay only names the variables
                    "amico_commutateurs__utilisateur": (
                        "{{ lookup('ansible.builtin.env', 'AMICO_COMMUTATEURS_UTILISATEUR') }}"
                    ),
                    "amico_commutateurs__mot_de_passe": (
                        "{{ lookup('ansible.builtin.env', 'AMICO_COMMUTATEURS_MOT_DE_PASSE') }}"
                    ),
                    "postes_windows__partage": etat["partage"],
                    "postes_windows__rapport_dossier": str(self.dossier / "rapports-postes"),
                },
            }
        }
        entete = (
            "# Surcouche du labo de démonstration, écrite par `amico labo demarrer`,\n"
            "# effacée par `amico labo arreter` (ne pas versionner). Connexions seulement :\n"
            "# 127.0.0.1 + ports,\n"
            "# états des postes simulés, conteneurs. Aucun secret (variables d'environnement).\n"
        )
        SURCOUCHE.write_text(
            entete + yaml.safe_dump(donnees, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return SURCOUCHE

    # -- down ------------------------------------------------------------------------------
    def arreter(self, sortie=print) -> bool:
        etat = self.lire()
        if etat is None:
            SURCOUCHE.unlink(missing_ok=True)
            sortie("Aucun labo démarré.")
            return False
        pids = {s["pid"] for s in etat.get("commutateurs", {}).values()}
        if etat.get("glpi", {}).get("pid"):
            pids.add(etat["glpi"]["pid"])
        for pid in sorted(pids):
            _terminer(pid)
        conteneurs = [c["nom"] for c in etat.get("conteneurs", {}).values()]
        if (etat.get("supervision") or {}).get("conteneur"):  # the demo's Zabbix
            conteneurs.append(etat["supervision"]["conteneur"])
        if conteneurs:
            from amico_lab import podman

            env = podman.lab_env()
            for nom in conteneurs:
                subprocess.run(["podman", "rm", "-f", "-t", "2", nom], env=env, capture_output=True)
        SURCOUCHE.unlink(missing_ok=True)
        self.fichier.unlink(missing_ok=True)
        self.fichier_secrets.unlink(missing_ok=True)
        for sous in ("postes", "partage-logiciels", "commutateurs", "guichet-spool",
                     "supervision-etat"):  # fmt: skip
            shutil.rmtree(self.dossier / sous, ignore_errors=True)
        sortie(
            f"Labo arrêté : {len(pids)} processus, {len(conteneurs)} "
            "conteneur(s), surcouche effacée."
        )
        return True

    # -- GLPI ------------------------------------------------------------------------------
    def tickets(self) -> list[dict[str, Any]]:
        """Tickets of the lab's GLPI test server (its lab-only state endpoint)."""
        glpi = (self.lire() or {}).get("glpi") or {}
        if not glpi.get("url"):
            return []
        with urllib.request.urlopen(glpi["url"] + "/_lab/state", timeout=5) as r:  # noqa: S310
            data = json.loads(r.read())
        return list(data.get("tickets") or [])


def podman_indisponible() -> str | None:
    """Why the server containers cannot run here, or None."""
    if shutil.which("podman") is None:
        return "podman absent de cette machine"
    try:
        from amico_lab import podman

        ref = podman.image_ref()
        if not podman.image_present(ref):
            return f"image du labo {ref} absente (construire : lab/podman/build-image.sh)"
    except (OSError, subprocess.CalledProcessError) as exc:
        return f"image du labo indisponible : {exc}"
    return None


def _vivant(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie is not alive
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] == "Z":
            return False
    return True


def _est_du_labo(pid: int) -> bool:
    """The PID is still one of ours (a lab module), not a reused PID."""
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"amico_lab." in cmd


def _terminer(pid: int) -> None:
    """End one lab process by its PID (SIGTERM, then SIGKILL after 5 s)."""
    if not _est_du_labo(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    fin = time.monotonic() + 5
    while time.monotonic() < fin and _vivant(pid):
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    if _vivant(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _conteneur_etat(c: dict) -> str:
    r = subprocess.run(
        ["podman", "inspect", "-f", "{{.State.Status}}", c["nom"]],
        capture_output=True,
        text=True,
        check=False,
    )
    return r.stdout.strip() or "absent"
