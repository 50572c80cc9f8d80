"""Lab instances of the role scenarios (molecule create / destroy / verify helpers).

    python -m amico_lab.kit_roles.labo poste-creer --dossier D --nom N
        a stand-in Windows post (amico_lab.postes): D/postes/N.json, Windows 10 base lines
    python -m amico_lab.kit_roles.labo commutateur-demarrer --dossier D --nom N --fabricant aruba \
            --initial JSON
        an emulated switch (amico_lab.commutateurs.SwitchLab) on 127.0.0.1, left running; its
        PID, port and throwaway credentials go to D/commutateurs/N.json (mode 0600)
    python -m amico_lab.kit_roles.labo commutateur-arreter --dossier D --nom N
        ends that switch by its PID (only if the PID is still that emulator)
    python -m amico_lab.kit_roles.labo commutateur-config --dossier D --nom N
        prints its running configuration, read through the project's own driver
    --instances FILE (with poste-creer / commutateur-demarrer): also record the instance in
        molecule's instance_config.yml (address, port, credentials, local connection)

Each command prints one JSON line. Nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import sys
import time
from pathlib import Path

PLATEFORMES = {"aruba": "hp_procurve", "cisco": "cisco_ios"}
RUNNER = "amico_lab.commutateurs.runner"


def _ecrire_prive(chemin: Path, donnees: dict) -> None:
    chemin.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(donnees, fh)


def inscrire_instance(fichier: Path, instance: dict) -> None:
    """Add or replace `instance` in molecule's instance config (a YAML list, mode 0600):
    molecule turns address, port, user, password and connection into the host's
    ansible_host, ansible_port... in its inventory."""
    import yaml

    liste = []
    if fichier.exists():
        liste = yaml.safe_load(fichier.read_text(encoding="utf-8")) or []
    liste = [i for i in liste if i.get("instance") != instance["instance"]] + [instance]
    fichier.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(fichier, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        yaml.safe_dump(liste, fh, sort_keys=False)


def poste_creer(dossier: Path, nom: str) -> dict:
    from amico_lab.postes.labo import ecrire_poste

    postes = dossier / "postes"
    postes.mkdir(parents=True, exist_ok=True)
    chemin = ecrire_poste(postes, nom, [])
    return {"nom": nom, "etat": str(chemin)}


def _fiche(dossier: Path, nom: str) -> Path:
    return dossier / "commutateurs" / f"{nom}.json"


def commutateur_demarrer(dossier: Path, nom: str, fabricant: str, initial: dict) -> dict:
    from amico_lab.commutateurs.runner import SwitchLab

    fiche = _fiche(dossier, nom)
    if fiche.exists():
        existant = json.loads(fiche.read_text(encoding="utf-8"))
        if _est_emulateur(existant["pid"]):
            return _public(existant)
    mot_de_passe = secrets.token_urlsafe(16)
    lab = SwitchLab(
        [
            {
                "name": nom,
                "platform": PLATEFORMES[fabricant],
                "username": "amico",
                "password": mot_de_passe,
                "initial": initial,
            }
        ],
        workdir=dossier / "commutateurs" / f"{nom}.d",
        detached=True,  # outlives molecule's create step; destroy ends it by PID
    )
    sw = lab.start()[nom]
    # Left running on purpose (own session): `commutateur-arreter` ends it by PID.
    for proc in lab.procs:
        if proc.stdout:
            proc.stdout.close()
    donnees = {
        "nom": nom,
        "fabricant": fabricant,
        "pid": sw.pid,
        "hote": sw.host,
        "port": sw.port,
        "utilisateur": sw.username,
        "mot_de_passe": mot_de_passe,
    }
    _ecrire_prive(fiche, donnees)
    return _public(donnees)


def _public(donnees: dict) -> dict:
    return {k: v for k, v in donnees.items() if k != "mot_de_passe"}


def _est_emulateur(pid: int) -> bool:
    try:
        ligne = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return RUNNER.encode() in ligne


def commutateur_arreter(dossier: Path, nom: str) -> dict:
    fiche = _fiche(dossier, nom)
    if not fiche.exists():
        return {"nom": nom, "arrete": False, "raison": "pas de fiche (jamais démarré)"}
    pid = int(json.loads(fiche.read_text(encoding="utf-8"))["pid"])
    arrete = False
    if _est_emulateur(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        fin = time.monotonic() + 5
        while _est_emulateur(pid) and time.monotonic() < fin:
            time.sleep(0.1)
        if _est_emulateur(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        arrete = True
    fiche.unlink()
    return {"nom": nom, "pid": pid, "arrete": arrete}


def commutateur_config(dossier: Path, nom: str) -> dict:
    from amico.commutateurs.drivers import Target, get_driver

    d = json.loads(_fiche(dossier, nom).read_text(encoding="utf-8"))
    pilote = get_driver(d["fabricant"], Target(d["hote"], d["port"], d["utilisateur"],
                                               d["mot_de_passe"], 20.0))  # fmt: skip
    pilote.open()
    with pilote:
        instantane = pilote.read()
    return {"nom": nom, "configuration": instantane.running}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m amico_lab.kit_roles.labo", description=__doc__)
    p.add_argument(
        "action",
        choices=["poste-creer", "commutateur-demarrer", "commutateur-arreter",
                 "commutateur-config"],
    )  # fmt: skip
    p.add_argument("--dossier", required=True, type=Path)
    p.add_argument("--nom", required=True)
    p.add_argument("--fabricant", choices=sorted(PLATEFORMES), default="aruba")
    p.add_argument("--initial", default="{}", help="état initial du commutateur (JSON)")
    p.add_argument("--instances", type=Path, help="instance_config.yml de molecule à compléter")
    a = p.parse_args(argv)
    if a.action == "poste-creer":
        res = poste_creer(a.dossier, a.nom)
        instance = {"instance": a.nom, "address": "127.0.0.1", "user": "amico", "port": 0,
                    "connection": "local"}  # fmt: skip
    elif a.action == "commutateur-demarrer":
        res = commutateur_demarrer(a.dossier, a.nom, a.fabricant, json.loads(a.initial))
        fiche = json.loads(_fiche(a.dossier, a.nom).read_text(encoding="utf-8"))
        instance = {"instance": a.nom, "address": fiche["hote"], "port": fiche["port"],
                    "user": fiche["utilisateur"], "password": fiche["mot_de_passe"],
                    "connection": "local"}  # fmt: skip
    elif a.action == "commutateur-arreter":
        res = commutateur_arreter(a.dossier, a.nom)
    else:
        res = commutateur_config(a.dossier, a.nom)
    if a.instances and a.action in ("poste-creer", "commutateur-demarrer"):
        inscrire_instance(a.instances, instance)
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
