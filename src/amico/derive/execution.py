"""Run the drift playbook with progress, then merge, record and render.

The progress comes from the run folder itself (one result file per host done), not from
Ansible's output: it works with any stdout callback (AWX forces its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from amico import projet


def ansible_playbook() -> str:
    candidate = Path(sys.executable).parent / "ansible-playbook"
    return str(candidate) if candidate.exists() else "ansible-playbook"


def commande(
    dossier: Path,
    inventaires: list[str],
    referentiel: Path,
    sites: list[str],
    territoires: list[str],
    tout: bool,
    ignorer: Path | None,
    forks: int | None,
    extra: list[str] | None = None,
    projet_dir: Path | None = None,
    par_site: bool = False,
    parallelisme: int | None = None,
) -> list[str]:
    variables: dict = {
        "amico_derive_dossier": str(dossier),
        "amico_referentiel": str(referentiel),
        "amico_derive_sites": [s.upper() for s in sites],
        "amico_derive_territoires": list(territoires),
    }
    if ignorer is not None:
        variables["amico_derive_ignorer"] = str(ignorer)
    if par_site:  # one task per site (amico.colleges.derive_site); servers stay per host
        variables["amico_derive_mode"] = "site"
        if parallelisme:
            variables["amico_derive_parallelisme"] = parallelisme
    # the project's playbook (AWX project, development tree), else the collection's
    livre = projet.playbook("derive", projet_dir).resolve()
    cmd = [ansible_playbook(), str(livre), "-e", json.dumps(variables)]
    for inv in inventaires:
        cmd += ["-i", inv]
    if not tout:
        motifs = [f"site_{s.lower()}" for s in sites] + [f"territoire_{t}" for t in territoires]
        cmd += ["--limit", ":".join(["localhost", *motifs])]
    if forks:
        cmd += ["--forks", str(forks)]
    return cmd + list(extra or [])


class Progression:
    """Counts the per-host result files: hosts done / total, failures so far."""

    def __init__(self, dossier: Path, sortie: Callable[[str], None]) -> None:
        self.dossier = dossier
        self.sortie = sortie
        self.total: int | None = None
        self.vus: dict[str, str] = {}
        self.dernier = ""

    def _total(self) -> int | None:
        f = self.dossier / "execution.json"
        if self.total is None and f.exists():
            try:
                data = json.loads(f.read_text(encoding="utf-8"))
                self.total = sum(len(s["hotes"]) for s in data["sites"])
            except (OSError, json.JSONDecodeError):
                return None
        return self.total

    def relever(self) -> None:
        dossier = self.dossier / "hotes"
        if dossier.exists():
            for f in dossier.glob("*.json"):
                if f.stem not in self.vus:
                    try:
                        self.vus[f.stem] = json.loads(f.read_text(encoding="utf-8"))["statut"]
                    except (OSError, json.JSONDecodeError, KeyError):
                        continue
        total = self._total()
        if total is None:
            return
        injoignables = sum(1 for s in self.vus.values() if s == "injoignable")
        ecarts = sum(1 for s in self.vus.values() if s in ("non conforme", "non vérifiable"))
        ligne = (
            f"[dérive] {len(self.vus)}/{total} hôte(s) traité(s), "
            f"{injoignables} injoignable(s), {ecarts} avec écart(s)"
        )
        if ligne != self.dernier:
            self.sortie(ligne)
            self.dernier = ligne


def lancer(
    cmd: list[str],
    dossier: Path,
    sortie: Callable[[str], None],
    intervalle: float = 0.5,
    env: dict[str, str] | None = None,
    projet_dir: Path | None = None,
) -> int:
    """Run ansible-playbook (its output goes to dossier/ansible.log); report progress.

    It runs from the project directory, which it also hands to the plugins (they read
    the roles' defaults through `amico.projet` inside Ansible)."""
    dossier.mkdir(parents=True, exist_ok=True)
    environ = dict(os.environ if env is None else env)
    racine = projet.racine(projet_dir or environ.get(projet.ENV_VAR)).resolve()
    environ[projet.ENV_VAR] = str(racine)
    cfg = projet.ansible_cfg(racine)
    if cfg is not None:
        environ.setdefault("ANSIBLE_CONFIG", str(cfg.resolve()))
    environ.setdefault("ANSIBLE_NOCOLOR", "1")
    prog = Progression(dossier, sortie)
    with open(dossier / "ansible.log", "wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=environ, cwd=racine)
        while proc.poll() is None:
            prog.relever()
            time.sleep(intervalle)
    prog.relever()
    return proc.returncode
