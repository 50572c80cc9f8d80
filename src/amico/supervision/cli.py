"""`amico supervision synchroniser|remonter`: feed Zabbix from the référentiel, route its problems.

Secrets come from the environment (as AWX injects credentials) or Ansible Vault, never
from the command line: AMICO_ZABBIX_JETON (API token), or AMICO_ZABBIX_UTILISATEUR and
AMICO_ZABBIX_MOT_DE_PASSE; AMICO_ZABBIX_SNMP_COMMUNAUTE for the switches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import uuid
from pathlib import Path

from amico import projet

EXIT_INVALID = 2
# roles/supervision gives the frontend fastcgi_read_timeout 600s
DELAI_API_S = 600.0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "supervision",
        help="supervision Zabbix : hôtes du référentiel, problèmes vers le guichet GLPI",
        description="Alimente Zabbix depuis le référentiel et remonte ses problèmes au guichet "
        "GLPI. Identifiants : AMICO_ZABBIX_JETON, ou AMICO_ZABBIX_UTILISATEUR et "
        "AMICO_ZABBIX_MOT_DE_PASSE ; communauté SNMP : AMICO_ZABBIX_SNMP_COMMUNAUTE.",
    )
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--referentiel", type=Path, default=projet.referentiel())
    common.add_argument(
        "--url",
        default=os.environ.get("AMICO_ZABBIX_URL"),
        help="URL du frontal Zabbix (défaut : AMICO_ZABBIX_URL)",
    )
    common.add_argument(
        "--ca",
        default=os.environ.get("AMICO_ZABBIX_CA"),
        help="autorité de certification du frontal (HTTPS)",
    )
    s = sub.add_parser(
        "synchroniser", parents=[common], help="créer ou mettre à jour les hôtes Zabbix"
    )
    scope = s.add_mutually_exclusive_group(required=True)
    scope.add_argument("--site", action="append", metavar="UAI")
    scope.add_argument("--territoire", action="append")
    scope.add_argument("--tout", dest="all", action="store_true", help="toute la flotte")
    s.add_argument(
        "--renouveler-secrets", action="store_true", help="réécrire la communauté SNMP dans Zabbix"
    )
    s.set_defaults(func=cmd_sync)
    r = sub.add_parser(
        "remonter",
        parents=[common],
        help="problèmes Zabbix ouverts -> tickets GLPI routés par la matrice",
    )
    r.add_argument(
        "--routage",
        default=os.environ.get("AMICO_GLPI_ROUTAGE"),
        help="configuration de routage GLPI (défaut : AMICO_GLPI_ROUTAGE)",
    )
    r.add_argument("--glpi-url", default=None, help="URL de GLPI (défaut : AMICO_GLPI_URL)")
    r.add_argument("--spool", default=os.environ.get("AMICO_GLPI_SPOOL"))
    r.set_defaults(func=cmd_remonter)
    p.set_defaults(func=lambda args: p.print_help() or EXIT_INVALID)


def _client(args):
    from amico.supervision.zabbix import ZabbixClient

    if not args.url:
        raise ValueError("URL de Zabbix absente : --url ou AMICO_ZABBIX_URL")
    # a fleet's first sync sends 100 hosts per host.create, each linked to templates: one
    # call can take minutes (bench/RESULTS.md); wait as long as the frontend lets PHP run
    client = ZabbixClient(args.url, ca_file=args.ca, timeout=DELAI_API_S)
    client.login(
        token=os.environ.get("AMICO_ZABBIX_JETON"),
        user=os.environ.get("AMICO_ZABBIX_UTILISATEUR"),
        password=os.environ.get("AMICO_ZABBIX_MOT_DE_PASSE"),
    )
    return client


def _referentiel(path: Path):
    from amico.referentiel.findings import ReferentielInvalide
    from amico.referentiel.loader import load

    try:
        return load(path)
    except ReferentielInvalide as exc:
        print(exc.report(), file=sys.stderr)
        return None


def cmd_sync(args) -> int:
    from amico.referentiel.inventory import InventaireInvalide
    from amico.supervision.attendu import SupervisionConfigError, etat_attendu
    from amico.supervision.sync import SyncInterrompue, synchroniser
    from amico.supervision.zabbix import ZabbixError

    ref = _referentiel(args.referentiel)
    if ref is None:
        return EXIT_INVALID
    inconnus = sorted({u.upper() for u in args.site or ()} - {s.uai for s in ref.sites})
    if inconnus:
        print(
            f"erreur : collège(s) {', '.join(inconnus)} absent(s) du référentiel "
            f"{args.referentiel} ; donner l'UAI d'un collège de sites/",
            file=sys.stderr,
        )
        return EXIT_INVALID
    try:
        etat = etat_attendu(ref, sites=args.site, territoires=args.territoire)
    except (SupervisionConfigError, InventaireInvalide) as e:
        print(f"erreur : {e}", file=sys.stderr)
        return EXIT_INVALID
    for avertissement in etat.avertissements:
        print(f"avertissement : {avertissement}", file=sys.stderr)
    try:
        client = _client(args)
        bilan = synchroniser(
            client,
            etat,
            snmp_community=os.environ.get("AMICO_ZABBIX_SNMP_COMMUNAUTE"),
            renouveler_secrets=args.renouveler_secrets,
            perimetre_complet=bool(args.all),
        )
    except SyncInterrompue as e:
        _afficher_bilan(e.bilan)
        print(
            f"erreur : {e}\nsynchronisation interrompue : seul ce qui est listé ci-dessus a été "
            "écrit dans Zabbix (chaque appel est atomique) ; corriger puis relancer, la "
            "synchronisation suivante termine le travail",
            file=sys.stderr,
        )
        client.logout()
        return 1
    except (ZabbixError, ValueError) as e:
        print(f"erreur : {e}", file=sys.stderr)
        return EXIT_INVALID
    _afficher_bilan(bilan)
    client.logout()
    return 0


def _afficher_bilan(bilan) -> None:
    print(bilan.resume())
    for label, names in (
        ("créé", bilan.crees),
        ("mis à jour", bilan.mis_a_jour),
        ("désactivé (retiré du référentiel)", bilan.desactives),
        ("réactivé", bilan.reactives),
    ):
        for name in names:
            print(f"  {label} : {name}")


def cmd_remonter(args) -> int:
    import yaml

    from amico.guichet.config import ConfigError, GlpiConfig, load_config, load_routing
    from amico.guichet.guichet import deliver
    from amico.guichet.routing import RunInfo, plan
    from amico.guichet.spool import Spool
    from amico.state import state_dir
    from amico.supervision.remontee import (
        charger_precedents,
        constater,
        enregistrer,
        problemes_ouverts,
    )
    from amico.supervision.zabbix import ZabbixError

    try:
        if not args.routage:
            raise ConfigError("configuration de routage absente : --routage ou AMICO_GLPI_ROUTAGE")
        routing = load_routing(args.routage)
        matrix_path = args.referentiel / "matrice" / "services.yml"
        matrix = yaml.safe_load(matrix_path.read_text(encoding="utf-8")) or {}
    except (ConfigError, OSError, yaml.YAMLError) as e:
        print(f"erreur : {e}", file=sys.stderr)
        return EXIT_INVALID
    try:
        glpi = load_config({"url": args.glpi_url})
    except ConfigError as e:
        print(f"avertissement : GLPI : {e} ; tickets mis en attente (spool)", file=sys.stderr)
        glpi = GlpiConfig()
    memo = state_dir("supervision") / "problemes_ouverts.json"
    try:
        client = _client(args)
        ouverts = problemes_ouverts(client)
        constat = constater(ouverts, charger_precedents(memo))
    except (ZabbixError, ValueError) as e:
        print(f"erreur : {e}", file=sys.stderr)
        return EXIT_INVALID
    run = RunInfo(
        run_id=os.environ.get("JOB_ID") or uuid.uuid4().hex[:12],
        playbook="amico supervision remonter",
        date=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    ops = plan(constat.findings, matrix, routing, run)
    spool = Spool(args.spool)
    if glpi.url:
        outcome = deliver(ops, glpi, spool)
        print(outcome.summary())
        errors = outcome.errors
    else:
        spool.add([op for op in ops if op["op"] != "erreur_routage"])
        errors = ["GLPI non configuré (AMICO_GLPI_URL) : appels mis en attente (spool)"]
    # the memo follows Zabbix, whatever GLPI did: undelivered calls wait in the spool
    enregistrer(memo, constat.ouverts)
    print(f"Supervision : {len(constat.ouverts)} problème(s) ouvert(s) sur les hôtes AMICo")
    for e in errors:
        print(f"  {e}", file=sys.stderr)
    client.logout()
    return 0 if not errors else 1
