"""`amico logiciels ...`: cache sync, offline evaluation, Wake-on-LAN, campaign progress.

Register with `register(subparsers)` (add "amico.logiciels.cli" to amico.cli.COMMAND_MODULES).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _charger_catalogue(chemin: str) -> dict:
    # one reader for catalogue files: the référentiel's hardened YAML (CatalogueError)
    from .preparation import lire

    return lire(chemin)


def _cache(args: argparse.Namespace) -> int:
    from .cache import CacheError, manifeste, synchroniser
    from .catalogue import CatalogueError

    try:
        entrees = manifeste(_charger_catalogue(args.catalogue))
    except (CatalogueError, OSError) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    debit = int(args.debit_max * 1024) if args.debit_max else None
    try:
        b = synchroniser(
            entrees,
            args.source,
            args.destination,
            debit_max_octets=debit,
            accepter_sans_empreinte=args.accepter_sans_empreinte,
        )
    except CacheError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(
        f"copiés : {len(b.copies)} ; déjà présents : {len(b.deja_presents)} ; "
        f"repris : {len(b.repris)} ; octets : {b.octets}"
    )
    for f, e in b.erreurs.items():
        print(f"  {f} : {e}", file=sys.stderr)
    return 1 if b.erreurs else 0


def _evaluer(args: argparse.Namespace) -> int:
    from .analyse import analyser_poste, charger_politique
    from .catalogue import Catalogue, CatalogueError
    from .evaluation import LIBELLES, Evaluateur, derive_poste
    from .plan import planifier

    try:
        cat = Catalogue(_charger_catalogue(args.catalogue))
        collecte = json.loads(Path(args.collecte).read_text(encoding="utf-8"))
        ev = Evaluateur(cat)
        res = ev.evaluer(collecte, args.profil, args.systeme)
        # licences, antivirus, unlisted software: with the policy next to the catalogue
        politique = charger_politique(args.catalogue)
    except (CatalogueError, OSError, ValueError) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    analyse = (
        analyser_poste(collecte, ev, politique, args.uai or "", args.territoire or "")
        if politique is not None
        else None
    )
    plan = planifier(cat, res, collecte)
    if args.json:
        print(
            json.dumps(
                {"statuts": [r.en_dict() for r in res], "plan": plan.en_dict(), "analyse": analyse},
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        for r in res:
            v = f" {r.version}" if r.version else ""
            att = f" (attendu {r.attendu})" if r.attendu else ""
            rem = f" — {r.remarque}" if r.remarque else ""
            print(f"{r.id:24} {LIBELLES[r.statut]:12}{v}{att}{rem}")
        print(f"dérive du poste : {derive_poste([r.statut for r in res])}")
        for a in plan.actions:
            print(f"action prévue : {a.action} {a.id}")
        if analyse:
            act, av = analyse["activation"], analyse["antivirus"]
            print(f"licences : {act['statut']}" + (f" — {act['detail']}" if act["detail"] else ""))
            for p in act["produits"]:
                print(f"  {p['nom']} : {p['etat']} ({p['canal']})")
            print(f"antivirus : {av['statut']}" + (f" — {av['detail']}" if av["detail"] else ""))
            for lg in analyse["non_references"]:
                print(f"non référencé : {lg['nom']} ({lg.get('version') or '?'})")
            for lg in analyse["autorises"]:
                a = lg["autorisation"]
                print(f"autorisé : {lg['nom']} — {a['raison']} (jusqu'au {a['expire']})")
    return 0


def _reveil(args: argparse.Namespace) -> int:
    from .wol import reveiller

    try:
        n = reveiller(args.mac, args.adresse, args.port)
    except ValueError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    print(f"{n} paquet(s) magique(s) envoyé(s) à {args.adresse}:{args.port}")
    return 0


def _campagne(args: argparse.Namespace) -> int:
    from .campagne import charger

    etat = charger(args.etat)
    if not etat:
        print(f"aucune campagne dans {args.etat}", file=sys.stderr)
        return 2
    prog = etat.get("progression") or {}
    for site, s in sorted((prog.get("sites") or {}).items()):
        print(
            f"{site} : {s['conforme']}/{s['total']} conformes ({s['pourcentage_conforme']} %), "
            f"{s['non conforme']} non conformes, {s['injoignable']} injoignables"
        )
    relancer = prog.get("a_relancer") or []
    print("à relancer : " + (",".join(relancer) if relancer else "aucun"))
    return 0


def _licences(args: argparse.Namespace) -> int:
    from .campagne import charger, rapport_sites

    etat = charger(args.etat)
    if not etat:
        print(f"aucune campagne dans {args.etat}", file=sys.stderr)
        return 2
    rapport = rapport_sites(etat)
    if args.site:
        if args.site not in rapport:
            print(
                f"erreur : site {args.site} absent de la campagne {args.etat} "
                f"(sites : {', '.join(sorted(rapport)) or 'aucun'})",
                file=sys.stderr,
            )
            return 2
        rapport = {args.site: rapport[args.site]}
    if args.json:
        print(json.dumps(rapport, ensure_ascii=False, indent=1))
        return 0
    for site, r in rapport.items():
        print(f"site {site} — licences :")
        for c in r["licences"]["comptes"]:
            print(f"  {c['produit']} | {c['canal']} | {c['etat']} : {c['postes']} poste(s)")
        for p in r["licences"]["a_traiter"]:
            print(f"  à traiter : {p['poste']} — {p['detail']}")
        if r["licences"]["sans_donnees"]:
            print("  sans donnée de licence : " + ", ".join(r["licences"]["sans_donnees"]))
        for p in r["antivirus_a_traiter"]:
            print(f"  antivirus : {p['poste']} — {p['detail']}")
        for nom, postes in r["non_references"].items():
            print(f"  non référencé : {nom} ({len(postes)} poste(s) : {', '.join(postes)})")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("logiciels", help="catalogue logiciel des postes Windows")
    sp = p.add_subparsers(dest="action_logiciels", metavar="ACTION")

    c = sp.add_parser(
        "cache", help="alimenter le partage logiciels d'un site (sha256, débit, reprise)"
    )
    c.add_argument("--catalogue", required=True, help="referentiel/catalogue/logiciels.yml")
    c.add_argument("--source", required=True, help="dossier ou URL http(s) des installeurs")
    c.add_argument("--destination", required=True, help="partage logiciels du site (monté)")
    c.add_argument("--debit-max", type=float, default=None, help="débit maximal en Kio/s")
    c.add_argument(
        "--accepter-sans-empreinte",
        action="store_true",
        help="copier aussi les installeurs sans sha256 au catalogue",
    )
    c.set_defaults(func=_cache)

    e = sp.add_parser("evaluer", help="évaluer une sortie enregistrée du collecteur")
    e.add_argument("--catalogue", required=True)
    e.add_argument("--collecte", required=True, help="JSON renvoyé par collecteur.ps1")
    e.add_argument("--profil", required=True)
    e.add_argument("--systeme", default=None)
    e.add_argument("--uai", default=None, help="site du poste (autorisations de postes.yml)")
    e.add_argument("--territoire", default=None, help="territoire du site (autorisations)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_evaluer)

    r = sp.add_parser("reveil", help="Wake-on-LAN avant une campagne")
    r.add_argument("--mac", action="append", required=True)
    r.add_argument("--adresse", default="255.255.255.255", help="diffusion dirigée du site")
    r.add_argument("--port", type=int, default=9)
    r.set_defaults(func=_reveil)

    k = sp.add_parser("campagne", help="progression d'une campagne par site, postes à relancer")
    k.add_argument("--etat", required=True, help="dossier de la campagne (postes/<poste>.json)")
    k.set_defaults(func=_campagne)

    li = sp.add_parser(
        "licences",
        help="rapport par site : licences (produit, canal, état), antivirus, non référencés",
    )
    li.add_argument("--etat", required=True, help="dossier de la campagne (postes/<poste>.json)")
    li.add_argument("--site", default=None, help="UAI d'un seul site")
    li.add_argument("--json", action="store_true")
    li.set_defaults(func=_licences)

    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
