"""``amico derive``: what differs from the référentiel on the chosen sites (read-only).

    amico derive --site 0679901Y [--site ...] | --territoire 67 | --tout
                [--referentiel DIR] [-i INVENTAIRE ...] [--ignorer FICHIER] [--sortie DIR]
    amico derive --fusionner DOSSIER      merge an existing run folder (e.g. AWX slices)

Exit code: 0 everything conforme (ignored deviations allowed), 1 deviations (non conforme,
injoignable or non vérifiable), 2 bad usage / invalid référentiel or ignore list, 3 the
collect could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from amico import projet
from amico.scope import add_scope_arguments

ATTENTE_HISTORIQUE_S = 300.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "derive",
        help="dérive : écarts avec le référentiel (serveurs, commutateurs, postes), rapport",
        description="Détection de dérive en lecture seule, rapport JSON et HTML, historique.",
    )
    add_scope_arguments(p)
    p.add_argument(
        "--projet",
        type=Path,
        metavar="DOSSIER",
        help=f"dossier du projet (référentiel, inventaires, ansible.cfg ; défaut : "
        f"${projet.ENV_VAR}, sinon le dossier courant)",
    )
    p.add_argument(
        "--referentiel",
        type=Path,
        metavar="DOSSIER",
        help="dossier du référentiel (défaut : referentiel/ du projet)",
    )
    p.add_argument(
        "-i",
        "--inventaire",
        action="append",
        default=[],
        metavar="SOURCE",
        help="source d'inventaire Ansible (répétable ; défaut : inventories/demo du projet)",
    )
    p.add_argument("--ignorer", type=Path, metavar="FICHIER", help="liste d'ignorés (YAML)")
    p.add_argument("--sortie", type=Path, metavar="DOSSIER", help="dossier de l'exécution")
    p.add_argument("--forks", type=int, help="parallélisme d'Ansible")
    p.add_argument(
        "--par-site",
        action="store_true",
        help="une tâche par site qui collecte tous ses commutateurs et postes à la fois "
        "(lecture seule ; les serveurs restent collectés hôte par hôte)",
    )
    p.add_argument(
        "--parallelisme",
        type=int,
        metavar="N",
        help="avec --par-site : hôtes d'un site collectés en même temps (défaut : 8)",
    )
    p.add_argument("--fusionner", type=Path, metavar="DOSSIER", help="fusionner seulement")
    p.add_argument("--sans-historique", action="store_true", help="ne pas enregistrer")
    p.add_argument("--silencieux", action="store_true", help="pas de progression")
    p.set_defaults(func=cmd_drift)


def _err(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _inventaires(args: argparse.Namespace) -> list[str]:
    """The -i sources, paths made absolute (ansible-playbook runs from the project)."""
    if not args.inventaire:
        return [str(projet.inventaire_defaut(args.projet).resolve())]
    return [str(Path(i).resolve()) if Path(i).exists() else str(i) for i in args.inventaire]


def cmd_drift(args: argparse.Namespace) -> int:
    from amico.derive import execution, html, ignorer
    from amico.derive.fusion import fusionner
    from amico.derive.historique import Historique
    from amico.referentiel import ReferentielInvalide, load
    from amico.scope import ScopeError, select_sites
    from amico.state import nouvelle_execution, state_dir, verrou

    parallelisme = getattr(args, "parallelisme", None)
    if parallelisme is not None and (parallelisme < 1 or not args.par_site):
        _err(
            f"erreur : --parallelisme {parallelisme} : un entier d'au moins 1, avec --par-site "
            "seulement (hôtes d'un site collectés en même temps)"
        )
        return 2
    chemin_ign = args.ignorer
    if chemin_ign is None and (state_dir("derive") / "ignorer.yml").exists():
        chemin_ign = state_dir("derive") / "ignorer.yml"
    try:
        ignores = ignorer.charger(chemin_ign)
    except ignorer.IgnorerInvalide as exc:
        _err(f"erreur : liste d'ignorés invalide :\n{exc}")
        return 2

    if args.fusionner:
        dossier = args.fusionner
        if not (dossier / "execution.json").exists():
            _err(f"erreur : {dossier} n'est pas un dossier d'exécution de dérive")
            return 2
    else:
        if args.referentiel is None:
            args.referentiel = projet.referentiel(args.projet)
        try:
            inventaires = _inventaires(args)
            projet.playbook("derive", args.projet)  # said before any run folder exists
        except projet.ProjetIncomplet as exc:
            _err(f"erreur : {exc}")
            return 2
        try:
            ref = load(args.referentiel)
            sites = select_sites(ref, args)
        except ReferentielInvalide as exc:
            _err(exc.report())
            return 2
        except ScopeError as exc:
            _err(f"erreur : {exc}")
            return 2
        # one folder per run, never shared: two runs started in the same second each
        # get their own (nouvelle_execution)
        if args.sortie:
            # absolute: ansible-playbook runs from the project directory
            dossier = args.sortie.resolve()
            dossier.mkdir(parents=True, exist_ok=True)
        else:
            dossier = nouvelle_execution("derive", "executions").resolve()
        cmd = execution.commande(
            dossier,
            inventaires,
            Path(args.referentiel).resolve(),
            [] if args.all else [s.uai for s in sites],
            [] if args.all or args.site else list(args.territoire),
            bool(args.all),
            chemin_ign.resolve() if chemin_ign else None,
            args.forks,
            projet_dir=args.projet,
            par_site=bool(getattr(args, "par_site", False)),
            parallelisme=getattr(args, "parallelisme", None),
        )
        if not args.silencieux:
            _err(f"[dérive] {len(sites)} collège(s) ; dossier de l'exécution : {dossier}")
        rc = execution.lancer(
            cmd,
            dossier,
            (lambda _m: None) if args.silencieux else _err,
            projet_dir=args.projet,
        )
        if not (dossier / "execution.json").exists():
            _err(
                f"erreur : la collecte n'a pas pu démarrer (ansible-playbook, code {rc}) ; "
                f"voir {dossier / 'ansible.log'}"
            )
            return 3
    # the history database is shared by every run: one writer at a time; the merge is
    # short, so a second run waits for it rather than failing at once
    with verrou("derive-historique", "L'historique de dérive", attente=ATTENTE_HISTORIQUE_S):
        historique = None if args.sans_historique else Historique()
        try:
            resultat = fusionner(dossier, ignores, historique=historique)
        finally:
            if historique is not None:
                historique.close()
    (dossier / "resultat.json").write_text(
        json.dumps(resultat, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    html.ecrire(resultat, dossier / "rapport.html")
    r = resultat["resume"]
    print(
        f"Conformité {r['taux_conformite']:.1f} % — {r['ecarts']} écart(s), "
        f"{r['ignorees']} ignoré(s), {r['hotes']} hôte(s) "
        f"({', '.join(f'{v} {k}' for k, v in r['hotes_par_statut'].items() if v)})"
    )
    for e in resultat["ecarts"][:20]:
        if not e.get("ignore"):
            print(
                f"  {e['uai']} {e['hote']} {e['regle']} {e['objet']} : {e['statut']} "
                f"(attendu {e['attendu']}, trouvé {e['trouve']})"
            )
    if r["ecarts"] > 20:
        print(f"  ... {r['ecarts'] - 20} autre(s) : voir le rapport")
    print(f"Résultat : {dossier / 'resultat.json'}")
    print(f"Rapport  : {dossier / 'rapport.html'}")
    return int(r["code_sortie"])
