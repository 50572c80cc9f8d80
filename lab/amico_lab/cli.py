"""``amico labo demarrer|etat|arreter`` and ``amico demo``: the embedded lab of the demo sites.

amico labo demarrer     start switch emulators, stand-in posts, GLPI test server, containers
amico labo etat         what runs (PIDs, ports, containers), what was skipped and why
amico labo arreter      stop everything by PID, remove the containers and the overlay
amico labo commutateurs demarrer|mesurer   emulated switches by hand, switch-layer figures
amico demo [--garder]   lab up, deploy, plant deviations, drift, report, lab down
"""

from __future__ import annotations

import argparse
import json
import os

from amico_lab.commutateurs import commandes as commandes_commutateurs


def register(subparsers: argparse._SubParsersAction) -> None:
    lab = subparsers.add_parser(
        "labo", help="labo de démonstration embarqué (demarrer, etat, arreter)"
    )
    sub = lab.add_subparsers(dest="action", metavar="ACTION")
    sub.add_parser("demarrer", help="démarre le labo (idempotent)").set_defaults(func=cmd_up)
    status = sub.add_parser("etat", help="ce qui tourne")
    status.add_argument("--json", action="store_true", help="sortie JSON")
    status.set_defaults(func=cmd_status)
    sub.add_parser("arreter", help="arrête tout et efface la surcouche").set_defaults(func=cmd_down)
    commandes_commutateurs.register(sub)
    lab.set_defaults(func=lambda args: lab.print_help() or 2)

    demo = subparsers.add_parser(
        "demo", help="démonstration de bout en bout sur le labo (déploiement, dérive, rapport)"
    )
    demo.add_argument(
        "--garder",
        action="store_true",
        default=os.environ.get("KEEP", "") not in ("", "0"),
        help="garder le labo démarré à la fin (KEEP=1)",
    )
    demo.add_argument("--sans-serveurs", action="store_true", help="ignorer la partie serveurs")
    demo.set_defaults(func=cmd_demo)


def cmd_up(args) -> int:
    from amico_lab.demo import Labo, LaboErreur

    try:
        Labo().demarrer()
    except LaboErreur as exc:
        print(f"erreur : {exc}")
        return 1
    return 0


def cmd_status(args) -> int:
    from amico_lab.demo import Labo

    s = Labo().statut()
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=1))
        return 0 if s["actif"] else 1
    if not s["actif"]:
        print("Aucun labo démarré (`amico labo demarrer`).")
        return 1
    print(f"Labo démarré depuis {s['depuis']}")
    for nom, c in s["commutateurs"].items():
        etat = "en marche" if c["vivant"] else "ARRÊTÉ"
        print(f"  commutateur {nom:24} {c['plateforme']:12} 127.0.0.1:{c['port']:<6} "
              f"PID {c['pid']} {etat}")  # fmt: skip
    g = s["glpi"]
    print(f"  GLPI (test)  {g['url']}  PID {g['pid']} {'en marche' if g['vivant'] else 'ARRÊTÉ'}")
    print(f"  postes Windows simulés : {s['postes']}")
    for nom, etat in s["conteneurs"].items():
        print(f"  serveur {nom:28} conteneur {etat}")
    for partie, raison in s["ignores"].items():
        print(f"  {partie} : ignoré ({raison})")
    print(f"  surcouche : {s['surcouche']}")
    return 0


def cmd_down(args) -> int:
    from amico_lab.demo import Labo

    Labo().arreter()
    return 0


def cmd_demo(args) -> int:
    from amico_lab.scenario import lancer_demo

    return lancer_demo(garder=args.garder, serveurs=not args.sans_serveurs)
