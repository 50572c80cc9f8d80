"""`amico guichet etat|vider`: state and replay of the GLPI spool."""

from __future__ import annotations

import argparse
import datetime as dt
import os

from amico.guichet.config import ConfigError, load_config
from amico.guichet.guichet import deliver
from amico.guichet.spool import Spool


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "guichet",
        help="guichet GLPI : appels en attente (spool), rejeu",
        description="Appels GLPI en attente (spool) : état et rejeu. Les jetons viennent "
        "des variables d'environnement AMICO_GLPI_* ou d'un fichier chiffré "
        "(AMICO_GLPI_SECRETS_FILE), jamais de la ligne de commande.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--spool",
        default=os.environ.get("AMICO_GLPI_SPOOL"),
        help="répertoire du spool (défaut : état AMICo guichet/spool)",
    )
    e = sub.add_parser("etat", parents=[common], help="nombre d'appels en attente et refusés")
    e.set_defaults(func=cmd_etat)
    v = sub.add_parser(
        "vider",
        parents=[common],
        help="rejouer les appels en attente, dans l'ordre",
    )
    v.add_argument("--url", help="URL de GLPI (défaut : AMICO_GLPI_URL)")
    v.add_argument("--api", choices=["v1", "v2"], default=os.environ.get("AMICO_GLPI_API", "v1"))
    v.add_argument("--delai", type=float, default=10.0, help="délai par requête (s)")
    v.add_argument("--budget", type=float, default=300.0, help="durée maximale totale (s)")
    v.add_argument(
        "--rejets", action="store_true", help="remettre aussi en file les appels refusés par GLPI"
    )
    v.set_defaults(func=cmd_vider)
    p.set_defaults(func=lambda args: p.print_help() or 2)


def _age(path) -> str:
    try:
        ns = int(path.name.split("-", 1)[0])
    except ValueError:
        return "?"
    return dt.datetime.fromtimestamp(ns / 1e9).strftime("%Y-%m-%d %H:%M:%S")


def cmd_etat(args: argparse.Namespace) -> int:
    spool = Spool(args.spool)
    pending, rejected = spool.pending(), spool.rejected()
    quarantined = spool.quarantined()
    print(f"Spool GLPI : {spool.dir}")
    print(f"  {len(pending)} appel(s) en attente")
    if pending:
        print(f"  plus ancien : {_age(pending[0][0])}")
    print(f"  {len(rejected)} appel(s) refusé(s) par GLPI")
    for _path, op in rejected:
        print(f"    - {op.get('op')} {op.get('external_id', '')} : {op.get('erreur', '')}")
    if quarantined:
        print(
            f"  {len(quarantined)} fichier(s) illisible(s) mis en quarantaine "
            f"({spool.quarantine_dir}) : à examiner puis supprimer"
        )
        for path, reason in quarantined:
            print(f"    - {path.name} : {reason}")
    return 0 if not pending and not rejected and not quarantined else 1


def cmd_vider(args: argparse.Namespace) -> int:
    spool = Spool(args.spool)
    if args.rejets:
        n = spool.requeue_rejects()
        print(f"{n} appel(s) refusé(s) remis en file")
    try:
        config = load_config(
            {"url": args.url, "api": args.api, "timeout": args.delai, "budget": args.budget}
        )
    except ConfigError as e:
        print(f"Erreur : {e}")
        return 2
    before = len(spool.pending())
    outcome = deliver([], config, spool)
    after = len(spool.pending())
    print(
        f"{outcome.replayed} appel(s) rejoué(s) sur {before} ; {after} encore en attente ; "
        f"{outcome.rejected} refusé(s)"
    )
    for err in outcome.errors:
        print(f"  {err}")
    for warning in outcome.warnings:
        print(f"  avertissement : {warning}")
    quarantined = spool.quarantined()
    if quarantined:
        print(f"  {len(quarantined)} fichier(s) illisible(s) en quarantaine (amico guichet etat)")
    if outcome.entity_error:
        return 2
    return 0 if after == 0 and outcome.rejected == 0 and not quarantined else 1
