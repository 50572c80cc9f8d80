"""``amico dossier``: write the dossiers d'exploitation of the designated collèges.

amico dossier --site 0679901Y [--out DIR]
amico dossier --all --collecter --utilisateur amico   # gather ports/MACs first
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from amico.referentiel.findings import ReferentielInvalide
from amico.referentiel.inventory import InventaireInvalide, check_options
from amico.referentiel.loader import load
from amico.scope import ScopeError, add_scope_arguments, select_sites

PASSWORD_ENV = "AMICO_COMMUTATEURS_MOT_DE_PASSE"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dossier",
        help="dossiers d'exploitation des collèges (HTML imprimable et fichiers bruts)",
        description="Écrit, pour chaque collège désigné, DOSSIER/<UAI>/index.html "
        "(synoptique, brassage, configurations, serveurs, matériels, qui fait quoi) "
        "et les fichiers bruts.",
    )
    add_scope_arguments(parser)
    parser.add_argument("--referentiel", type=Path, default=Path("referentiel"),
                        help="dossier du référentiel (défaut : referentiel)")  # fmt: skip
    parser.add_argument("--out", type=Path, default=None,
                        help="dossier de sortie (défaut : $AMICO_STATE_DIR/dossiers)")  # fmt: skip
    parser.add_argument("--phase", default=None,
                        help="phase de la matrice (défaut : perimetre.yml)")  # fmt: skip
    parser.add_argument("--operateur", default=None,
                        help="acteur qui exécute AMICo (défaut : perimetre.yml)")  # fmt: skip
    parser.add_argument("--date", dest="date_reference", default=None, metavar="AAAA-MM-JJ",
                        help="date de référence pour l'âge des matériels (défaut : date des "
                        "données collectées, sinon du commit du référentiel)")  # fmt: skip
    parser.add_argument("--age-limite", type=int, default=None, metavar="ANS",
                        help="signaler les matériels d'au moins ANS ans "
                        "(défaut : aucun seuil)")  # fmt: skip
    parser.add_argument("--sans-cache", action="store_true",
                        help="recalculer tous les synoptiques (pas de cache)")  # fmt: skip
    parser.add_argument("--collecter", action="store_true",
                        help="lire d'abord l'état des ports et les MAC sur les commutateurs "
                        f"(SSH ; mot de passe dans ${PASSWORD_ENV})")  # fmt: skip
    parser.add_argument("--utilisateur", default="amico", help="compte SSH des commutateurs")
    parser.add_argument("--labo", action="store_true",
                        help="avec --collecter : lire les commutateurs émulés du labo en cours "
                        "(amico labo demarrer) au lieu de leurs adresses "
                        "du référentiel")  # fmt: skip
    parser.set_defaults(func=run)


def run(args) -> int:
    from amico.dossier.build import Options, default_out, generate
    from amico.dossier.synoptique import GraphvizError

    try:
        ref = load(args.referentiel)
        sites = select_sites(ref, args)
        check_options(ref, args.operateur, args.phase, None, None)
    except ReferentielInvalide as exc:
        print(exc.report(), file=sys.stderr)
        return 2
    except (ScopeError, InventaireInvalide) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    if args.date_reference:
        try:
            dt.date.fromisoformat(args.date_reference)
        except ValueError:
            print("erreur : --date attend AAAA-MM-JJ", file=sys.stderr)
            return 2
    if args.labo and not args.collecter:
        print("erreur : --labo va avec --collecter", file=sys.stderr)
        return 2
    if args.collecter:
        code = _collect(sites, args.utilisateur, labo=args.labo)
        if code != 0:
            return code
    out = args.out or default_out()
    opts = Options(
        phase=args.phase,
        operateur=args.operateur,
        date_reference=args.date_reference,
        age_limite=args.age_limite,
        cache=not args.sans_cache,
    )
    t0 = time.perf_counter()
    try:
        results = generate(ref, sites, out, opts)
    except GraphvizError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    changed = sum(1 for r in results if r.written)
    for r in results:
        state = f"{len(r.written)} fichier(s) mis à jour" if r.written else "inchangé"
        gaps = f", {len(r.missing)} partie(s) manquante(s)" if r.missing else ""
        print(f"{r.uai} : {r.folder / 'index.html'} ({state}{gaps})")
    print(f"{len(results)} dossier(s), {changed} modifié(s), en {elapsed:.1f} s")
    return 0


def _collect(sites, user: str, labo: bool = False) -> int:
    """Gather every switch of ``sites``; 0, or 2 on bad usage. A switch that cannot be
    read is reported on its line and the others go on (exit code unchanged: the dossier
    then says "non collecté" for it)."""
    from amico.commutateurs.drivers import Target
    from amico.dossier.collecte import collect_site

    password = os.environ.get(PASSWORD_ENV)
    where: dict[str, tuple[str, int]] = {}
    if labo:
        from amico_lab.demo import Labo

        lab = Labo()
        etat = lab.lire()
        if not etat or not etat.get("commutateurs"):
            print(
                "erreur : --labo : aucun labo en cours (lancer « amico labo demarrer »)",
                file=sys.stderr,
            )
            return 2
        where = {n: (c["hote"], int(c["port"])) for n, c in etat["commutateurs"].items()}
        password = password or lab.secrets()["commutateurs_mot_de_passe"]
    if not password:
        print(f"erreur : --collecter demande le mot de passe dans ${PASSWORD_ENV}", file=sys.stderr)
        return 2
    for site in sites:
        targets = {
            sw.nom: Target(*where.get(sw.nom, (str(sw.adresse), 22)), user, password)
            for sw in site.commutateurs
            if not labo or sw.nom in where
        }
        for name, status in collect_site(site, targets).items():
            print(f"{site.uai} {name} : collecte {status}")
    return 0
