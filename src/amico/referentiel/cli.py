"""`amico referentiel verifier|generate`."""

from __future__ import annotations

import sys
from pathlib import Path

from amico import projet
from amico.referentiel.findings import ReferentielInvalide
from amico.referentiel.generate import generate
from amico.referentiel.loader import load

EXIT_INVALID = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser("referentiel", help="vérifier ou générer un référentiel")
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = sub.add_parser("verifier", help="vérifier le référentiel (schéma et cohérence)")
    check.add_argument("dossier", nargs="?", default=projet.referentiel(), type=Path)
    check.set_defaults(func=run_check)
    gen = sub.add_parser("generer", help="générer un référentiel synthétique valide")
    gen.add_argument("--sites", type=int, required=True, help="nombre de collèges")
    gen.add_argument("--postes", type=int, required=True, help="nombre total de postes")
    gen.add_argument("--sortie", dest="out", type=Path, required=True, help="dossier à écrire")
    gen.add_argument("--depuis", type=Path, default=projet.referentiel(),
                     help="référentiel dont copier catalogues, matrice et plan")  # fmt: skip
    gen.set_defaults(func=run_generate)
    new = sub.add_parser(
        "nouveau-site", help="créer le fichier d'un nouveau collège (plan d'adressage)"
    )
    new.add_argument("--uai", required=True, help="UAI du collège (7 chiffres + lettre clé)")
    new.add_argument("--nom", required=True, help="nom du collège")
    new.add_argument("--commune", required=True)
    new.add_argument("--territoire", required=True, help="code du territoire (67, 68)")
    new.add_argument(
        "--bloc", default="auto", help="bloc d'adresses (CIDR) ou « auto » (premier /20 libre)"
    )
    new.add_argument("--commutateurs-acces", type=int, default=0, dest="n_access",
                     help="nombre de commutateurs d'accès en plus du cœur (défaut 0)")  # fmt: skip
    new.add_argument("--dossier", type=Path, default=projet.referentiel())
    new.set_defaults(func=run_new_site)
    imp = sub.add_parser(
        "importer",
        help="proposer les postes et commutateurs de l'inventaire GLPI (diff, --ecrire)",
        description="Lit l'inventaire GLPI (entités, lieux, ordinateurs, équipements réseau) et "
        "propose les fichiers de site correspondants sous forme de diff ; n'écrit qu'avec "
        "--ecrire, sans jamais remplacer une valeur écrite par un humain. Jetons : variables "
        "AMICO_GLPI_* ou fichier chiffré (AMICO_GLPI_SECRETS_FILE).",
    )
    imp.add_argument("source", choices=["glpi"])
    which = imp.add_mutually_exclusive_group(required=True)
    which.add_argument("--entite", type=int, help="id de l'entité GLPI du collège")
    which.add_argument("--tous", action="store_true", help="toutes les entités accessibles")
    imp.add_argument("--ecrire", action="store_true", help="écrire les fichiers proposés")
    imp.add_argument("--dossier", type=Path, default=projet.referentiel())
    imp.add_argument("--url", help="URL de GLPI (défaut : AMICO_GLPI_URL)")
    imp.add_argument("--api", choices=["v1", "v2"], default=None)
    imp.set_defaults(func=run_import)
    dec = sub.add_parser(
        "decouvrir",
        help="placer les postes d'après les tables MAC et LLDP des commutateurs (diff, --ecrire)",
        description="Lit les faits collectés sur les commutateurs du collège (`amico dossier "
        "--site UAI --collecter`) : propose la salle des postes dont la salle est à compléter, "
        "signale les MAC inconnues du référentiel.",
    )
    dec.add_argument("--site", required=True, help="UAI du collège")
    dec.add_argument("--ecrire", action="store_true", help="écrire les salles proposées")
    dec.add_argument("--dossier", type=Path, default=projet.referentiel())
    dec.set_defaults(func=run_discover)


def run_check(args) -> int:
    try:
        ref = load(args.dossier)
    except ReferentielInvalide as exc:
        print(exc.report(), file=sys.stderr)
        return EXIT_INVALID
    for warning in ref.warnings:
        print(warning.with_line().format(ref.root), file=sys.stderr)
    posts = sum(len(s.postes) for s in ref.sites)
    switches = sum(len(s.commutateurs) for s in ref.sites)
    servers = sum(len(s.serveurs) for s in ref.sites)
    print(
        f"Référentiel valide ({ref.root}) : {len(ref.sites)} collège(s), {servers} serveur(s), "
        f"{switches} commutateur(s), {posts} poste(s), {len(ref.logiciels.logiciels)} logiciel(s), "
        f"{len(ref.matrice.services)} service(s) de la matrice, "
        f"{len(ref.warnings)} avertissement(s)."
    )
    return 0


def run_generate(args) -> int:
    if args.sites < 1 or args.postes < 0:
        print("erreur : --sites doit valoir au moins 1 et --postes au moins 0", file=sys.stderr)
        return EXIT_INVALID
    written = generate(args.depuis, args.out, args.sites, args.postes)
    print(f"{len(written)} collège(s) écrit(s) dans {args.out}/sites")
    return 0


def run_new_site(args) -> int:
    from amico.onboarding import OnboardingError
    from amico.onboarding.nouveau_site import create_site

    try:
        path, warnings = create_site(
            args.dossier,
            args.uai,
            args.nom,
            args.commune,
            args.territoire,
            args.bloc,
            args.n_access,
        )
    except OnboardingError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"Collège créé : {path}")
    print(
        f"{len(warnings)} valeur(s) à compléter (avertissements de `amico referentiel verifier`) :"
    )
    for warning in warnings:
        print(warning.with_line().format(path.parents[1]))
    return 0


def run_import(args) -> int:
    from amico.onboarding.import_glpi import run_cli

    return run_cli(args)


def run_discover(args) -> int:
    from amico.onboarding.decouverte import run_cli

    return run_cli(args)
