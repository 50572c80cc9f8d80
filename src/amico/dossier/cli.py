"""``amico dossier``: write the dossiers d'exploitation of the designated collèges.

amico dossier --site 0679901Y [--sortie DIR]
amico dossier --tout --collecter --utilisateur amico   # gather ports/MACs first
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from amico import projet
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
    parser.add_argument("--referentiel", type=Path, default=projet.referentiel(),
                        help="dossier du référentiel (défaut : referentiel)")  # fmt: skip
    parser.add_argument("--sortie", dest="out", type=Path, default=None,
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
    parser.add_argument("--surcouche", type=Path, default=None, metavar="INVENTAIRE",
                        help="avec --collecter : ne lire que les commutateurs que cet inventaire "
                        "YAML nomme, à l'adresse qu'il leur donne (ansible_host, ansible_port) "
                        "au lieu de celle du référentiel ; par exemple la surcouche du labo, "
                        "inventories/demo/labo.yml")  # fmt: skip
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
    if args.surcouche and not args.collecter:
        print("erreur : --surcouche va avec --collecter", file=sys.stderr)
        return 2
    if args.collecter:
        code = _collect(sites, args.utilisateur, surcouche=args.surcouche)
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


def adresses_surcouche(chemin: Path) -> dict[str, tuple[str, int]]:
    """host -> (ansible_host, ansible_port or 22) of every host of a YAML inventory that
    gives an ansible_host, at any depth of its groups. InventaireInvalide, in French, when
    the file cannot be read or is not such an inventory."""
    import yaml

    try:
        donnees = yaml.safe_load(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InventaireInvalide(f"{chemin} : illisible ({exc})") from exc
    except yaml.YAMLError as exc:
        ligne = getattr(getattr(exc, "problem_mark", None), "line", None)
        ou = f", ligne {ligne + 1}" if ligne is not None else ""
        raise InventaireInvalide(
            f"{chemin}{ou} : YAML invalide ; corriger le fichier d'inventaire"
        ) from exc
    adresses: dict[str, tuple[str, int]] = {}

    def groupe(nom: str, g: object) -> None:
        if g is None:
            return
        if not isinstance(g, dict):
            raise InventaireInvalide(
                f"{chemin} : le groupe « {nom} » doit être un dictionnaire (hosts, children, "
                "vars) ; c'est un inventaire YAML d'Ansible qui est attendu"
            )
        for hote, v in (g.get("hosts") or {}).items():
            v = v or {}
            if not v.get("ansible_host"):
                continue
            try:
                port = int(v.get("ansible_port") or 22)
            except (TypeError, ValueError):
                raise InventaireInvalide(
                    f"{chemin} : hôte {hote} : ansible_port = {v.get('ansible_port')!r} n'est "
                    "pas un numéro de port"
                ) from None
            adresses[str(hote)] = (str(v["ansible_host"]), port)
        for enfant, sous in (g.get("children") or {}).items():
            groupe(enfant, sous)

    if not isinstance(donnees, dict):
        raise InventaireInvalide(
            f"{chemin} : inventaire YAML vide ou qui n'est pas un dictionnaire"
        )
    for nom, g in donnees.items():
        groupe(nom, g)
    return adresses


def _collect(sites, user: str, surcouche: Path | None = None) -> int:
    """Gather every switch of ``sites`` (with an overlay inventory, only those it names, at
    the address it gives); 0, or 2 on bad usage. A switch that cannot be read is reported
    on its line and the others go on (exit code unchanged: the dossier then says "non
    collecté" for it)."""
    from amico.commutateurs.drivers import Target
    from amico.dossier.collecte import collect_site

    password = os.environ.get(PASSWORD_ENV)
    where: dict[str, tuple[str, int]] = {}
    if surcouche is not None:
        try:
            where = adresses_surcouche(surcouche)
        except InventaireInvalide as exc:
            print(f"erreur : --surcouche : {exc}", file=sys.stderr)
            return 2
        noms = {sw.nom for site in sites for sw in site.commutateurs}
        if not noms & set(where):
            print(
                f"erreur : --surcouche : {surcouche} ne donne l'adresse d'aucun commutateur "
                "des collèges désignés (labo arrêté ? « amico labo demarrer »)",
                file=sys.stderr,
            )
            return 2
    if not password:
        print(f"erreur : --collecter demande le mot de passe dans ${PASSWORD_ENV}", file=sys.stderr)
        return 2
    for site in sites:
        targets = {
            sw.nom: Target(*where.get(sw.nom, (str(sw.adresse), 22)), user, password)
            for sw in site.commutateurs
            if surcouche is None or sw.nom in where
        }
        for name, status in collect_site(site, targets).items():
            print(f"{site.uai} {name} : collecte {status}")
    return 0
