"""``amico labo commutateurs ...``: emulated switches and the measurements of the switch layer.

Sub-commands (registered under ``amico labo`` by amico_lab.cli, entry point
``amico.commandes``; the runtime has no lab command of its own):
  demarrer  start emulated switches (IOS-like and ProCurve-like) on 127.0.0.1 until Ctrl-C
  mesurer   start N emulated switches, push the demo intent on all of them, run it again
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds `commutateurs` to the sub-commands of `amico labo`."""
    parser = subparsers.add_parser(
        "commutateurs", help="commutateurs émulés : démarrage à la main, mesures"
    )
    sub = parser.add_subparsers(dest="action_commutateurs", metavar="ACTION")
    demarrer = sub.add_parser("demarrer", help="démarre des commutateurs émulés sur 127.0.0.1")
    demarrer.add_argument("--aruba", type=int, default=1, help="nombre de ProCurve émulés")
    demarrer.add_argument("--cisco", type=int, default=1, help="nombre d'IOS émulés")
    demarrer.add_argument("--processus", type=int, default=1)
    demarrer.set_defaults(func=cmd_demarrer)
    mesurer = sub.add_parser("mesurer", help="démarrage, envoi complet, seconde exécution")
    mesurer.add_argument("--nombre", type=int, default=10, help="commutateurs (moitié/moitié)")
    mesurer.add_argument("--processus", type=int, default=2)
    mesurer.add_argument("--parallele", type=int, default=10)
    mesurer.set_defaults(func=cmd_mesurer)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def _demo(n: int) -> tuple[list, str]:
    from amico.commutateurs.intent import intent_from_site

    site, plan = _demo_site()
    base = {c["fabricant"]: intent_from_site(site, plan, c["nom"]) for c in site["commutateurs"]}
    password = secrets.token_urlsafe(16)
    out = []
    for i in range(n):
        vendor = "aruba" if i % 2 == 0 else "cisco"
        intent = _copy(base[vendor], f"sw-{vendor}-{i:03d}")
        out.append(intent)
    return out, password


def _copy(intent, name):
    import copy

    other = copy.deepcopy(intent)
    other.hostname = name
    return other


def _demo_site() -> tuple[dict, list[dict]]:
    plan = [
        {
            "id": 100,
            "nom": "PEDAGOGIE",
            "usage": "pedagogique",
            "proprietaire": "collectivite",
            "prefixe": 24,
        },
        {"id": 110, "nom": "WIFI", "usage": "wifi", "proprietaire": "collectivite", "prefixe": 24},
        {
            "id": 200,
            "nom": "ADMINISTRATIF",
            "usage": "administratif",
            "proprietaire": "academie",
            "prefixe": 24,
        },
        {
            "id": 900,
            "nom": "MANAGEMENT",
            "usage": "management",
            "proprietaire": "collectivite",
            "prefixe": 24,
        },
    ]
    ports = [
        {"interfaces": "1-20", "mode": "acces", "vlan": 100, "description": "Salle 101"},
        {"interfaces": "21-22", "mode": "acces", "vlan": 110},
        {"interfaces": "23", "mode": "acces", "vlan": 200},
        {"interfaces": "24", "mode": "trunk", "vlans": [100, 110, 200, 900]},
    ]
    site = {
        "uai": "0670001X",
        "vlans": [100, 110, 200, 900],
        "commutateurs": [
            {"nom": "sw-a", "fabricant": "aruba", "adresse": "10.64.15.2", "ports": ports},
            {"nom": "sw-c", "fabricant": "cisco", "adresse": "10.64.15.3", "ports": ports},
        ],
    }
    return site, plan


def _staged(intent) -> dict:
    from amico_lab.commutateurs.livraison import etat_livraison

    return etat_livraison(intent)


def _specs(intents, password) -> list[dict]:
    return [
        {
            "name": i.hostname,
            "platform": "hp_procurve" if i.vendor == "aruba" else "cisco_ios",
            "username": "amico",
            "password": password,
            "initial": _staged(i),
        }
        for i in intents
    ]


def cmd_demarrer(args) -> int:
    from amico_lab.commutateurs.runner import SwitchLab

    intents, password = _demo(args.aruba + args.cisco)
    with SwitchLab(_specs(intents, password), processes=args.processus) as lab:
        print(
            json.dumps(
                {
                    n: {"plateforme": s.platform, "hote": s.host, "port": s.port}
                    for n, s in lab.switches.items()
                },
                indent=2,
            )
        )
        print(
            "Identifiant : amico ; mot de passe affiché une seule fois sur la sortie "
            f"d'erreur. Démarrage : {lab.start_seconds:.2f} s. Ctrl-C pour arrêter."
        )
        print(password, file=sys.stderr)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


def cmd_mesurer(args) -> int:
    from amico.commutateurs.drivers import Target
    from amico.commutateurs.run import apply_many
    from amico_lab.commutateurs.runner import SwitchLab

    os.environ.setdefault("AMICO_STATE_DIR", tempfile.mkdtemp(prefix="amico-mesure-"))
    intents, password = _demo(args.nombre)
    figures: dict = {
        "commutateurs": args.nombre,
        "processus_labo": args.processus,
        "parallele": args.parallele,
    }
    with SwitchLab(_specs(intents, password), processes=args.processus) as lab:
        figures["demarrage_labo_s"] = round(lab.start_seconds, 2)
        items = [
            (
                i,
                Target(
                    lab.switches[i.hostname].host, lab.switches[i.hostname].port, "amico", password
                ),
            )
            for i in intents
        ]
        for label, kwargs in (
            ("verification", {"check": True}),
            ("envoi_complet", {}),
            ("seconde_execution", {}),
        ):
            t0 = time.monotonic()
            results = apply_many(items, workers=args.parallele, **kwargs)
            elapsed = time.monotonic() - t0
            statuses: dict[str, int] = {}
            for r in results:
                statuses[r.status] = statuses.get(r.status, 0) + 1
            figures[label] = {
                "s": round(elapsed, 2),
                "hotes_par_s": round(len(results) / elapsed, 2),
                "statuts": statuses,
            }
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0
