"""A lab at fleet scale, for the benchmarks: a generated référentiel, one emulated switch
per switch and one STAND-IN Windows post per post, reached through an inventory overlay.

`LaboFlotte(dossier, sites, postes).demarrer()` writes into `dossier`:
    referentiel/            `amico referentiel generer` output, servers removed (see below)
    postes/<nom>.json       one stand-in post state per post (poste.py), conforme for its
                            profile except one post in ten (a software removed by hand)
    inventaire/colleges.amico.yml   the project's inventory plugin over that référentiel
    inventaire/labo.yml     connection overlay: 127.0.0.1 + port per switch, state file per
                            post; the switch password is read from the environment
and starts the switch emulators (subprocesses on 127.0.0.1, ended by `arreter()`): one
switch in three already carries its VLANs and ports, the others are freshly staged, so
both conforme and drifting switches appear in the findings.

Servers are left out: the lab has no container per server at this scale, and a server of
the plan must never be contacted; they are removed from the generated référentiel (the
drift then neither expects nor collects them), and `serveurs_retires` says how many.
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}
UTILISATEUR = "amico"
ENV_MOT_DE_PASSE = "AMICO_COMMUTATEURS_MOT_DE_PASSE"
# groups the drift playbook collects (its default target), as the inventory's direct groups
COLLECTES = frozenset(
    {"serveurs_pedagogiques", "commutateurs", "commutateurs_aruba", "commutateurs_cisco",
     "postes_pedagogiques"}
)  # fmt: skip


def etat_configure(intent) -> dict[str, Any]:
    """A switch already configured by AMICo's push as far as VLANs and ports go (port
    descriptions not set): staged state plus every VLAN and port of the intent."""
    from amico.commutateurs.plan import intended_port
    from amico_lab.demo import etat_livraison

    base = etat_livraison(intent)
    base["vlans"] = dict(intent.vlans)
    for spec in intent.ports:
        port = intended_port(intent.vendor, spec)
        for name in intent.port_names(str(spec["interfaces"])):
            base["ports"][name] = {
                "mode": port.mode,
                "vlan": port.vlan,
                "vlans": sorted(port.vlans),
                "natif": port.natif,
            }
    return base


def postes_pour(sites: int, postes_par_148: int = 17000) -> int:
    """Posts of `sites` collèges at the fleet's density (17,000 posts over 148 sites)."""
    return round(postes_par_148 * sites / 148)


class LaboFlotte:
    def __init__(
        self, dossier: Path, sites: int, postes: int | None = None, processus: int = 4
    ) -> None:
        self.dossier = Path(dossier)
        self.sites = sites
        self.postes = postes_pour(sites) if postes is None else postes
        self.processus = processus
        self.mot_de_passe = secrets.token_urlsafe(16)
        self.referentiel = self.dossier / "referentiel"
        self.inventaire = self.dossier / "inventaire"
        self.switch_lab = None
        self.serveurs_retires = 0
        self.hotes: dict[str, str] = {}  # name -> "commutateur" | "poste"

    # -- environment of the runs ---------------------------------------------------------
    def environnement(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        env[ENV_MOT_DE_PASSE] = self.mot_de_passe
        env.setdefault("ANSIBLE_CONFIG", str(ROOT / "ansible.cfg"))
        env.setdefault("ANSIBLE_NOCOLOR", "1")
        return env

    # -- up / down -----------------------------------------------------------------------
    def demarrer(self) -> None:
        self._generer()
        from amico.referentiel import load
        from amico.referentiel.inventory import build

        ref = load(self.referentiel)
        inv = build(ref)
        surcouche = self._postes(ref, inv)
        try:
            surcouche.update(self._commutateurs(ref, inv))
            # nothing of the plan may be contacted: every collected host must be a lab one
            hors_labo = [
                h
                for h, groupes in inv.memberships.items()
                if h not in self.hotes and COLLECTES.intersection(groupes)
            ]
            if hors_labo:
                raise RuntimeError(
                    f"{len(hors_labo)} hôte(s) collecté(s) sans doublure dans le labo "
                    f"(ex. {hors_labo[0]}) : banc arrêté, aucune adresse du plan n'est contactée"
                )
            self._inventaire(surcouche)
        except BaseException:
            self.arreter()
            raise

    def arreter(self) -> None:
        if self.switch_lab is not None:
            self.switch_lab.stop()
            self.switch_lab = None

    def pids_emulateurs(self) -> list[int]:
        if self.switch_lab is None:
            return []
        return [p.pid for p in self.switch_lab.procs]

    # -- parts ---------------------------------------------------------------------------
    def _generer(self) -> None:
        amico = Path(sys.executable).parent / "amico"
        cmd = [str(amico)] if amico.exists() else [sys.executable, "-m", "amico"]
        subprocess.run(
            [*cmd, "referentiel", "generer", "--sites", str(self.sites),
             "--postes", str(self.postes), "--sortie", str(self.referentiel),
             "--depuis", str(ROOT / "referentiel")],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        for chemin in sorted((self.referentiel / "sites").glob("*.yml")):
            site = yaml.load(chemin.read_text("utf-8"), Loader=yaml.CSafeLoader)
            avant = len(site.get("serveurs") or [])
            site["serveurs"] = [
                s
                for s in site.get("serveurs") or []
                if s["role"] not in ("serveur_pedagogique", "nas")
            ]
            self.serveurs_retires += avant - len(site["serveurs"])
            chemin.write_text(
                yaml.dump(site, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )

    def _postes(self, ref, inv) -> dict[str, dict]:
        from amico.logiciels import Catalogue
        from amico_lab.postes.referentiel import ecrire_etat, etat_conforme
        from amico_lab.postes.transport import variables_poste

        catalogue = Catalogue(ref.logiciels.model_dump(mode="json", exclude_none=True))
        dossier = self.dossier / "postes"
        modeles: dict[str, dict] = {}
        hotes: dict[str, dict] = {}
        rang = 0
        for site in ref.sites:
            for p in site.postes:
                if p.nom not in inv.hosts or "windows" not in inv.memberships[p.nom]:
                    continue
                profil = p.profil or "base"
                if profil not in modeles:
                    modeles[profil] = etat_conforme(catalogue, "modele", profil)
                etat = copy.deepcopy(modeles[profil])
                etat["nom"] = p.nom
                if rang % 10 == 9 and len(etat["desinstallation"]) > 4:
                    etat["desinstallation"].pop()  # removed by hand: a drifting post
                rang += 1
                hotes[p.nom] = variables_poste(ecrire_etat(dossier, etat))
                self.hotes[p.nom] = "poste"
        return hotes

    def _commutateurs(self, ref, inv) -> dict[str, dict]:
        from amico.commutateurs.intent import intent_from_site
        from amico_lab.commutateurs.runner import SwitchLab
        from amico_lab.demo import etat_livraison

        plan = [v.model_dump(mode="json") for v in ref.plan.vlans]
        devices = []
        for site in ref.sites:
            brut = site.model_dump(mode="json", exclude_none=True)
            for sw in site.commutateurs:
                if sw.nom not in inv.hosts:
                    continue
                intent = intent_from_site(brut, plan, sw.nom)
                initial = etat_configure(intent) if len(devices) % 3 == 0 else None
                devices.append(
                    {
                        "name": sw.nom,
                        "platform": PLATFORM[intent.vendor],
                        "username": UTILISATEUR,
                        "password": self.mot_de_passe,
                        "initial": initial or etat_livraison(intent),
                    }
                )
                self.hotes[sw.nom] = "commutateur"
        if not devices:
            return {}
        self.switch_lab = SwitchLab(
            devices,
            processes=min(self.processus, len(devices)),
            workdir=self.dossier / "commutateurs",
        )
        self.switch_lab.start()
        return {
            n: {"ansible_host": s.host, "ansible_port": s.port}
            for n, s in self.switch_lab.switches.items()
        }

    def _inventaire(self, hotes: dict[str, dict]) -> None:
        self.inventaire.mkdir(parents=True, exist_ok=True)
        (self.inventaire / "colleges.amico.yml").write_text(
            "plugin: amico.colleges.referentiel\n"
            f"referentiel: {json.dumps(str(self.referentiel))}\n",
            encoding="utf-8",
        )
        donnees = {
            "all": {
                "hosts": hotes,
                "vars": {
                    "amico_commutateurs__utilisateur": UTILISATEUR,
                    # the lab password stays in the environment, never in a file
                    "amico_commutateurs__mot_de_passe": (
                        "{{ lookup('ansible.builtin.env', '" + ENV_MOT_DE_PASSE + "') }}"
                    ),
                },
            }
        }
        (self.inventaire / "labo.yml").write_text(
            "# Surcouche du labo de flotte (banc) : connexions seulement.\n"
            + yaml.dump(donnees, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
