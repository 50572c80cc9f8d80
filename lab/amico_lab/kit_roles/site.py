"""One whole demo site in the lab, for the cross-role scenario molecule/site_demo.

    python -m amico_lab.kit_roles.site demarrer --uai 0679902Z --dossier D --inventaire I
        starts, for that site only, what `amico labo demarrer` starts for every demo site, with the
        lab's own code (amico_lab.demo.Labo): its emulated switches (127.0.0.1), its
        STAND-IN Windows posts (freshly mastered) and the lab software share, one Debian 12
        systemd container per Debian server (named amicosite-<server>); then writes into the
        inventory folder I (molecule's) the référentiel inventory restricted to the site
        (00-site.amico.yml) and the lab overlay (50-labo.yml, connections only).
    python -m amico_lab.kit_roles.site arreter --uai 0679902Z --dossier D --inventaire I
        ends the switches by their PID, removes the containers by name, erases the above.
    python -m amico_lab.kit_roles.site profils --uai 0679902Z --dossier D
        per post, the catalogue entries its stand-in state does not prove (real evaluator).
    python -m amico_lab.kit_roles.site derive --uai 0679902Z --dossier D --inventaire I
        `amico derive --site` on the site, as a user runs it; prints its deviations.

No GLPI test server (the scenario does not open tickets). Secrets: the lab's secrets.json
(D/labo, mode 0600); the Samba and restic passwords are taken from the environment when
set (lab/podman/molecule.sh sets them) so that converge and the lab agree. Nothing listens
anywhere but 127.0.0.1; the plan's addresses are data, never targets. Each command prints
one JSON line.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from amico_lab import demo
from amico_lab.kit_roles.labo import _ecrire_prive

PREFIXE = "amicosite-"
SITE_INVENTAIRE = "00-site.amico.yml"
SURCOUCHE = "50-labo.yml"
FABRICANT = {v: k for k, v in demo.PLATFORM.items()}


def _labo(dossier: Path, inventaire: Path | None) -> demo.Labo:
    """The lab's own Labo, pointed at this scenario: its state folder, and (module globals
    of amico_lab.demo, in this process only) the container prefix and the overlay path,
    so that the demo lab of the repository (inventories/demo/labo.yml, amico-labo-*) is
    never touched."""
    demo.PREFIXE_CONTENEUR = PREFIXE
    demo.SURCOUCHE = (inventaire or dossier / "inventaire") / SURCOUCHE
    (dossier / "labo").mkdir(parents=True, exist_ok=True, mode=0o700)
    return demo.Labo(dossier / "labo")


def _site(uai: str):
    from amico.referentiel import load
    from amico.referentiel.inventory import build

    ref = load(demo.REFERENTIEL)
    sites = [s for s in ref.sites if s.uai == uai.upper()]
    if not sites:
        raise SystemExit(f"erreur : site {uai} absent du référentiel")
    return ref, sites, build(ref, sites=[sites[0].uai])


def _secrets(labo: demo.Labo) -> None:
    """The lab's secrets file, with the Samba / restic passwords of the environment."""
    if labo.fichier_secrets.exists():
        return
    valeurs = {
        "commutateurs_mot_de_passe": secrets.token_urlsafe(18),
        "samba_admin": os.environ.get("AMICO_SAMBA_ADMIN_PASSWORD")
        or "Aa1!" + secrets.token_urlsafe(14),
        "restic": os.environ.get("AMICO_RESTIC_PASSWORD") or secrets.token_urlsafe(24),
    }
    _ecrire_prive(labo.fichier_secrets, valeurs)


def demarrer(uai: str, dossier: Path, inventaire: Path) -> dict[str, Any]:
    labo = _labo(dossier, inventaire)
    ref, sites, inv = _site(uai)
    raison = demo.podman_indisponible()
    if raison:
        raise SystemExit(f"erreur : le serveur du site ne peut pas tourner ici : {raison}")
    _secrets(labo)
    etat: dict[str, Any] = {
        "depuis": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sites": [sites[0].uai],
        "commutateurs": {},
        "postes": {},
        "conteneurs": {},
        "glpi": {},
        "ignores": {},
        "dossier": str(labo.dossier),
    }
    try:
        etat["commutateurs"] = labo._commutateurs(ref, sites, inv)
        labo._ecrire(etat)
        etat["postes"], etat["partage"] = labo._postes(ref, sites, inv)
        conteneurs, raison = labo._conteneurs(ref, sites, inv)
        etat["conteneurs"] = conteneurs
        labo._ecrire(etat)
        if raison:
            raise SystemExit(f"erreur : conteneurs du site : {raison}")
        inventaire.mkdir(parents=True, exist_ok=True)
        (inventaire / SITE_INVENTAIRE).write_text(
            "# Le référentiel, restreint au site du scénario "
            "(écrit par amico_lab.kit_roles.site).\n"
            + yaml.safe_dump(
                {
                    "plugin": "amico.colleges.referentiel",
                    "referentiel": str(demo.REFERENTIEL),
                    "sites": [sites[0].uai],
                }
            ),
            encoding="utf-8",
        )
        etat["surcouche"] = str(labo._surcouche(etat, ref, sites, inv))
        labo._ecrire(etat)
        # Switch records in the layout of amico_lab.kit_roles.labo (0600), so that its
        # `commutateur-config` reads a switch's running configuration for verify.
        mdp = labo.secrets()["commutateurs_mot_de_passe"]
        for nom, s in etat["commutateurs"].items():
            _ecrire_prive(
                labo.dossier / "commutateurs" / f"{nom}.json",
                {"nom": nom, "fabricant": FABRICANT[s["plateforme"]], "pid": s["pid"],
                 "hote": s["hote"], "port": s["port"], "utilisateur": demo.UTILISATEUR,
                 "mot_de_passe": mdp},
            )  # fmt: skip
    except BaseException:
        arreter(uai, dossier, inventaire)
        raise
    return {
        "site": sites[0].uai,
        "commutateurs": sorted(etat["commutateurs"]),
        "postes": len(etat["postes"]),
        "conteneurs": sorted(c["nom"] for c in etat["conteneurs"].values()),
        "dossier_labo": str(labo.dossier),
    }


def arreter(uai: str, dossier: Path, inventaire: Path) -> dict[str, Any]:
    labo = _labo(dossier, inventaire)
    etat = labo.lire() or {}
    pids = sorted({s["pid"] for s in etat.get("commutateurs", {}).values()})
    labo.arreter(sortie=lambda _m: None)
    # Containers by name even when the lab record is missing (create failed half-way).
    from amico_lab import podman

    _, sites, _ = _site(uai)
    noms = [f"{PREFIXE}{s.nom}" for s in sites[0].serveurs if s.systeme.startswith("debian")]
    for nom in noms:
        subprocess.run(
            ["podman", "rm", "-f", "-t", "2", nom], env=podman.lab_env(), capture_output=True
        )
    (inventaire / SITE_INVENTAIRE).unlink(missing_ok=True)
    (inventaire / SURCOUCHE).unlink(missing_ok=True)
    vivants = [p for p in pids if demo._vivant(p) and demo._est_du_labo(p)]
    return {"site": uai.upper(), "pids_arretes": pids, "encore_vivants": vivants,
            "conteneurs_retires": noms}  # fmt: skip


def profils(uai: str, dossier: Path) -> dict[str, Any]:
    """Per post of the site: its profile, its system (référentiel) and the catalogue
    entries its stand-in state does not prove."""
    from amico.logiciels import Catalogue
    from amico.logiciels.preparation import lire
    from amico_lab.postes.referentiel import non_detectables, verifier_conforme

    labo = _labo(dossier, None)
    _, sites, _ = _site(uai)
    etat = labo.lire() or {}
    brut = lire(demo.REFERENTIEL / "catalogue" / "logiciels.yml")  # the hardened reader
    catalogue = Catalogue(brut)
    out: dict[str, Any] = {"postes": {}, "non_detectables": {}}
    for p in sites[0].postes:
        if p.nom not in etat.get("postes", {}):
            continue
        profil = p.profil or "base"
        manquants = verifier_conforme(catalogue, Path(etat["postes"][p.nom]), profil)
        out["postes"][p.nom] = {"profil": profil, "systeme": p.systeme,
                                "non_conformes": [m["id"] for m in manquants]}  # fmt: skip
        out["non_detectables"][profil] = non_detectables(catalogue, profil)
    return out


def derive(uai: str, dossier: Path, inventaire: Path) -> dict[str, Any]:
    """`amico derive --site UAI` on the scenario's inventory, with the lab's environment
    (secrets by environment variables) and a state folder of its own."""
    labo = _labo(dossier, inventaire)
    sortie = dossier / "derive"
    env = labo.environnement()
    env["AMICO_STATE_DIR"] = str(dossier / "etat-derive")
    # the project's own configuration, as a user runs it (not molecule's)
    for cle in ("ANSIBLE_INVENTORY_ENABLED", "ANSIBLE_ROLES_PATH", "ANSIBLE_COLLECTIONS_PATH"):
        env.pop(cle, None)
    amico = Path(sys.executable).parent / "amico"
    cmd = [str(amico), "derive", "--site", uai.upper(), "-i", str(inventaire), "--sortie",
           str(sortie), "--silencieux", "--sans-historique"]  # fmt: skip
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, cwd=demo.ROOT, capture_output=True, text=True, timeout=1800)
    fichier = sortie / "resultat.json"
    if not fichier.exists():
        raise SystemExit(f"erreur : amico derive n'a rien produit (code {r.returncode}) : "
                         f"{(r.stdout + r.stderr)[-1500:]}")  # fmt: skip
    resultat = json.loads(fichier.read_text(encoding="utf-8"))
    return {
        "code": r.returncode,
        "duree_s": round(time.monotonic() - t0, 1),
        "resume": resultat["resume"],
        "hotes": {h["hote"]: h["statut"] for h in resultat.get("hotes", [])},
        "ecarts": [
            {k: e.get(k) for k in ("hote", "regle", "objet", "statut", "attendu", "trouve")}
            for e in resultat.get("ecarts", [])
            if not e.get("ignore")
        ],
        "rapport": str(sortie / "rapport.html"),
        "sortie": r.stdout.strip().splitlines()[:1],
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m amico_lab.kit_roles.site", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("action", choices=["demarrer", "arreter", "profils", "derive"])
    p.add_argument("--uai", required=True)
    p.add_argument("--dossier", required=True, type=Path, help="dossier éphémère du scénario")
    p.add_argument("--inventaire", type=Path, help="dossier d'inventaire de molecule")
    a = p.parse_args(argv)
    if a.action in ("demarrer", "arreter", "derive") and a.inventaire is None:
        p.error("--inventaire est requis pour cette action")
    with contextlib.redirect_stdout(sys.stderr):  # the lab's messages never mix with the JSON
        if a.action == "demarrer":
            res = demarrer(a.uai, a.dossier, a.inventaire)
        elif a.action == "arreter":
            res = arreter(a.uai, a.dossier, a.inventaire)
        elif a.action == "profils":
            res = profils(a.uai, a.dossier)
        else:
            res = derive(a.uai, a.dossier, a.inventaire)
    print(json.dumps(res, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
