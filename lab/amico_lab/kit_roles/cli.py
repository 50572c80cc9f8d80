"""``amico role nouveau|tester``: the role development kit (see amico_lab.kit_roles and
docs/ecrire-un-role.md)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from amico_lab.kit_roles import GENRES, RoleErreur, commandes_test, nouveau_role


def register(subparsers: argparse._SubParsersAction) -> None:
    role = subparsers.add_parser("role", help="créer et tester un rôle Ansible (kit du projet)")
    sub = role.add_subparsers(dest="action", metavar="ACTION")

    new = sub.add_parser(
        "nouveau",
        help="crée roles/NOM et son scénario molecule/NOM, prêts à tester",
        description="Crée le squelette d'un rôle comme ceux du projet (defaults commentés, "
        "meta/argument_specs.yml, tâches, README) et son scénario molecule, vert d'emblée.",
    )
    new.add_argument("nom", help="nom du rôle (minuscules, chiffres, _), ex. imprimantes")
    new.add_argument(
        "--genre",
        choices=GENRES,
        default="linux",
        help="linux : conteneur Debian 12 du labo ; windows : poste Windows simulé ; "
        "reseau : commutateur émulé (défaut : linux)",
    )
    new.add_argument("--projet", type=Path, default=Path.cwd(), help="racine du projet")
    new.set_defaults(func=cmd_new)

    test = sub.add_parser(
        "tester",
        help="ansible-lint (profil production) puis molecule pour un rôle",
        description="Ce que lance `make test-role ROLE=NOM`.",
    )
    test.add_argument("nom", help="nom du rôle")
    test.add_argument("--projet", type=Path, default=Path.cwd(), help="racine du projet")
    test.add_argument("--sans-lint", action="store_true", help="molecule seulement")
    test.add_argument("--lint-seul", action="store_true", help="ansible-lint seulement")
    test.set_defaults(func=cmd_test)
    role.set_defaults(func=lambda args: role.print_help() or 2)


def cmd_new(args) -> int:
    try:
        ecrits = nouveau_role(args.projet, args.nom, args.genre)
    except RoleErreur as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    racine = Path(args.projet).resolve()
    for chemin in sorted(ecrits):
        print(f"créé {chemin.resolve().relative_to(racine)}")
    print(
        f"\nRôle « {args.nom} » ({args.genre}) créé. Ensuite :\n"
        f"  1. décrire le rôle dans roles/{args.nom}/defaults/main.yml (son manuel) et "
        f"meta/argument_specs.yml ;\n"
        f"  2. écrire ses tâches, puis ses vérifications dans molecule/{args.nom}/verify.yml ;\n"
        f"  3. make test-role ROLE={args.nom}\n"
        f"Guide : docs/ecrire-un-role.md"
    )
    return 0


def cmd_test(args) -> int:
    racine = Path(args.projet).resolve()
    try:
        commandes = commandes_test(
            racine, args.nom, lint=not args.sans_lint, molecule=not args.lint_seul
        )
    except RoleErreur as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    venv = Path(sys.executable).parent
    env = dict(os.environ, PATH=f"{venv}{os.pathsep}{os.environ.get('PATH', '')}")
    env["ANSIBLE_CONFIG"] = str(racine / "ansible.cfg")
    for commande in commandes:
        print(f"==> {' '.join(commande)}", flush=True)
        debut = time.monotonic()
        rc = subprocess.run(commande, cwd=racine, env=env, check=False).returncode
        duree = time.monotonic() - debut
        if rc != 0:
            print(f"ÉCHEC ({rc}) en {duree:.0f} s : {' '.join(commande)}", file=sys.stderr)
            return 1
        print(f"==> réussi en {duree:.0f} s", flush=True)
    print(f"Rôle « {args.nom} » : tout est vert.")
    return 0
