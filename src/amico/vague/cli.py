"""`amico vague verifier|run|etat|resultats|renouvellement` — the annual equipment wave."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from amico import projet
from amico.referentiel.findings import ReferentielInvalide
from amico.referentiel.loader import load
from amico.scope import ScopeError, add_scope_arguments, select_sites

EXIT_INVALID = 2


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "vague",
        help="vague annuelle d'équipement (manifeste du fournisseur), vue de renouvellement",
        description="Vague d'équipement : vérifier le manifeste CSV du fournisseur, inscrire "
        "les nouveaux postes (référentiel, adresse réservée, GLPI), suivre la reprise ; "
        "vue des postes à renouveler.",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ref_arg = argparse.ArgumentParser(add_help=False)
    ref_arg.add_argument(
        "--referentiel",
        type=Path,
        default=projet.referentiel(),
        help="dossier du référentiel (défaut : referentiel)",
    )

    check = sub.add_parser(
        "verifier", parents=[ref_arg], help="vérifier toutes les lignes du manifeste"
    )
    check.add_argument("manifeste", type=Path, help="CSV du fournisseur")
    check.add_argument("--systeme", help="système à inscrire (id de catégorie systeme)")
    check.set_defaults(func=run_check)

    run = sub.add_parser(
        "lancer", parents=[ref_arg], help="inscrire les postes (reprend où il s'est arrêté)"
    )
    run.add_argument("manifeste", type=Path)
    run.add_argument(
        "--ignorer-invalides",
        dest="skip_invalid",
        action="store_true",
        help="traiter seulement les lignes valides (les autres sont listées)",
    )
    run.add_argument("--systeme", help="système à inscrire (id de catégorie systeme)")
    run.add_argument("--glpi-url", default=None, help="URL de GLPI (défaut : AMICO_GLPI_URL)")
    run.add_argument(
        "--glpi-api", choices=["v1", "v2"], default=os.environ.get("AMICO_GLPI_API", "v1")
    )
    run.add_argument(
        "--spool",
        default=os.environ.get("AMICO_GLPI_SPOOL"),
        help="spool GLPI (défaut : état AMICo guichet/spool)",
    )
    run.set_defaults(func=run_run)

    st = sub.add_parser("etat", help="bilan d'une vague (ou de toutes) ; postes en attente")
    st.add_argument("manifeste", type=Path, nargs="?")
    st.add_argument(
        "--en-attente", action="store_true", help="seulement les postes en attente du catalogue"
    )
    st.add_argument("--format", choices=["texte", "json", "noms"], default="texte")
    st.set_defaults(func=run_etat)

    res = sub.add_parser(
        "resultats", help="enregistrer le passage du catalogue (playbooks/vague.yml)"
    )
    res.add_argument("fichier", type=Path, help="JSON hôte -> {joignable, echecs}")
    res.set_defaults(func=run_resultats)

    ren = sub.add_parser(
        "renouvellement",
        parents=[ref_arg],
        help="postes dont le matériel ne peut pas faire tourner un Windows supporté",
    )
    add_scope_arguments(ren)
    ren.add_argument("--detail", action="store_true", help="lister les postes")
    ren.add_argument("--format", choices=["texte", "json"], default="texte")
    ren.set_defaults(func=run_renouvellement)


def _load(path: Path):
    try:
        return load(path)
    except ReferentielInvalide as exc:
        print(exc.report(), file=sys.stderr)
        return None


def _systeme_ok(ref, systeme: str | None) -> bool:
    if systeme is None:
        return True
    ids = {s.id for s in ref.logiciels.logiciels if s.categorie == "systeme"}
    if systeme not in ids:
        print(
            f"erreur : --systeme « {systeme} » inconnu (systèmes du catalogue : "
            f"{', '.join(sorted(ids))})",
            file=sys.stderr,
        )
        return False
    return True


def _print_findings(ctl) -> None:
    for f in ctl.erreurs:
        print(f.format(), file=sys.stderr)


def run_check(args) -> int:
    from amico.vague.controle import controler
    from amico.vague.manifeste import lire

    started = time.perf_counter()
    ref = _load(args.referentiel)
    if ref is None or not _systeme_ok(ref, args.systeme):
        return EXIT_INVALID
    try:
        man = lire(args.manifeste)
    except OSError as exc:
        print(f"erreur : manifeste illisible ({exc})", file=sys.stderr)
        return EXIT_INVALID
    ctl = controler(ref, man, systeme=args.systeme)
    elapsed = time.perf_counter() - started
    _print_findings(ctl)
    bad = ctl.lignes_en_erreur
    new = [p for p in ctl.postes if not p.deja]
    head = (
        f"Manifeste {args.manifeste} ({man.encodage}, séparateur « {man.separateur} ») : "
        f"{len(man.lignes)} ligne(s)"
    )
    if bad:
        print(
            f"{head}, {len(bad)} ligne(s) en erreur ({len(ctl.erreurs)} erreur(s)) : "
            f"{_ranges(bad)}. Rien n'a été fait.",
            file=sys.stderr,
        )
    print(
        f"{head} ; {len(new)} poste(s) à inscrire, "
        f"{len(ctl.postes) - len(new)} déjà enregistré(s) ; vérifié en {elapsed:.2f} s."
    )
    return EXIT_INVALID if bad or ctl.erreurs else 0


def _ranges(numbers: list[int]) -> str:
    out, start, prev = [], None, None
    for n in numbers + [None]:
        if start is None:
            start = prev = n
        elif n is not None and n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = n
    return ", ".join(out)


def run_run(args) -> int:
    from amico.guichet.config import ConfigError, GlpiConfig, load_config
    from amico.guichet.spool import Spool
    from amico.vague.etat import VerrouOccupe
    from amico.vague.moteur import executer

    ref = _load(args.referentiel)
    if ref is None or not _systeme_ok(ref, args.systeme):
        return EXIT_INVALID
    try:
        glpi = load_config({"url": args.glpi_url, "api": args.glpi_api})
    except ConfigError as exc:
        print(
            f"avertissement : GLPI : {exc} ; les inscriptions GLPI sont mises en attente (spool)",
            file=sys.stderr,
        )
        glpi = GlpiConfig()
    try:
        bilan = executer(
            args.referentiel,
            args.manifeste,
            ignorer_invalides=args.skip_invalid,
            glpi=glpi,
            spool=Spool(args.spool),
            systeme=args.systeme,
            ref=ref,
        )
    except OSError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_INVALID
    except VerrouOccupe as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_INVALID
    ctl = bilan.controle
    if ctl.erreurs:
        _print_findings(ctl)
        if not args.skip_invalid:
            print(
                f"{len(ctl.lignes_en_erreur)} ligne(s) en erreur : rien n'a été fait. Corriger le "
                "manifeste, ou relancer avec --ignorer-invalides pour ne traiter que les lignes "
                "valides.",
                file=sys.stderr,
            )
            return EXIT_INVALID
        print(
            f"--ignorer-invalides : lignes écartées : {_ranges(ctl.lignes_en_erreur)}",
            file=sys.stderr,
        )
    _print_bilan(bilan)
    if bilan.referentiel_apres is not None:
        print(bilan.referentiel_apres.report(), file=sys.stderr)
        return 1
    counts = bilan.compte()
    return 1 if counts["echec"] else 0


def _print_bilan(bilan) -> None:
    counts = bilan.compte()
    print(
        f"Vague {bilan.vague} : {len(bilan.postes)} poste(s) ; {bilan.ajoutes} inscrit(s) au "
        f"référentiel par cette exécution, {bilan.glpi_envoyes} envoi(s) GLPI."
    )
    if not bilan.ajoutes and not bilan.glpi_envoyes:
        print("Rien à faire : tout est déjà inscrit (exécution sans effet).")
    print(
        f"  fait : {counts['fait']}   en attente : {counts['en_attente']}   "
        f"échec : {counts['echec']}"
    )
    spooled = bilan.glpi_spool()
    if spooled:
        print(
            f"  GLPI : {spooled} inscription(s) en attente dans le spool (GLPI injoignable) ; "
            "rejouer avec `amico guichet vider`"
        )
    for err in bilan.glpi_erreurs[:3]:
        print(f"  GLPI : {err}")
    for p in bilan.postes:
        status, why = bilan.statut(p)
        if status == "echec":
            print(f"  échec ligne {p.ligne} {p.nom} : {why}")
    if counts["en_attente"]:
        print(
            "  Postes en attente : catalogue poussé par `ansible-playbook playbooks/vague.yml` "
            "quand ils répondent (`amico vague etat --en-attente` les liste)."
        )
    if bilan.ajoutes:
        print(
            "  Référentiel modifié : relire `git diff referentiel/sites/` puis commit ; la "
            "prochaine exécution du rôle dhcp pousse les réservations DHCP."
        )


def run_etat(args) -> int:
    from amico.vague.moteur import postes_de_la_vague

    rows = postes_de_la_vague(args.manifeste)
    if args.en_attente:
        rows = [r for r in rows if r["catalogue"] == "en_attente"]
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if args.format == "noms":
        print("\n".join(r["nom"] for r in rows if r["nom"]))
        return 0
    for r in rows:
        print(
            f"{r['nom'] or '?':32} {r['uai'] or '':9} {r['adresse'] or '':15} "
            f"référentiel={r['referentiel']} glpi={r['glpi']} catalogue={r['catalogue']}"
        )
    print(f"{len(rows)} poste(s)")
    return 0


def run_resultats(args) -> int:
    from amico.vague.moteur import enregistrer_resultats

    try:
        data = json.loads(args.fichier.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_INVALID
    counts = enregistrer_resultats(data)
    print(
        f"Catalogue : {counts['fait']} fait, {counts['echec']} en échec, "
        f"{counts['en_attente']} toujours en attente (injoignables), "
        f"{counts['inconnu']} hôte(s) hors vague."
    )
    return 1 if counts["echec"] else 0


def run_renouvellement(args) -> int:
    from amico.vague.renouvellement import FIRST_YEAR_COMPATIBLE, LAST_YEAR_INCOMPATIBLE, analyser

    ref = _load(args.referentiel)
    if ref is None:
        return EXIT_INVALID
    try:
        sites = select_sites(ref, args)
    except ScopeError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_INVALID
    rows = analyser(ref, sites)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {
                        "uai": r.uai,
                        "nom": r.nom,
                        "postes_windows": r.postes_windows,
                        "chromebooks_clients_legers": r.autres_postes,
                        "a_renouveler": dict(r.a_renouveler),
                        "a_verifier": dict(r.a_verifier),
                        **({"postes": r.postes} if args.detail else {}),
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return 0
    print(
        f"Règle : modèle de {LAST_YEAR_INCOMPATIBLE} ou avant (année du catalogue matériels) "
        f"= à renouveler (Windows 10 hors support, processeur hors liste Windows 11) ; "
        f"{LAST_YEAR_INCOMPATIBLE + 1}-{FIRST_YEAR_COMPATIBLE - 1} ou modèle inconnu = à "
        "vérifier ; Chromebooks et clients légers : date de fin de support du modèle passée "
        "= à renouveler, inconnue = à vérifier. Détail et sources : src/amico/vague/README.md."
    )
    total_r = total_v = 0
    for r in rows:
        total_r += r.total_a_renouveler
        total_v += r.total_a_verifier
        detail = ", ".join(f"{c} {n}" for c, n in sorted(r.a_renouveler.items())) or "-"
        check = ", ".join(f"{c} {n}" for c, n in sorted(r.a_verifier.items()))
        autres = f" + {r.autres_postes} Chromebook/client léger" if r.autres_postes else ""
        line = (
            f"{r.uai} {r.nom} : {r.total_a_renouveler}/{r.postes_windows} poste(s) Windows"
            f"{autres} à renouveler ({detail})"
        )
        if check:
            line += f" ; à vérifier : {r.total_a_verifier} ({check})"
        print(line)
        if args.detail:
            for p in r.postes:
                print(
                    f"    {p['nom']} {p['classe']} {p['modele']} ({p['annee'] or 'année inconnue'})"
                    f" : {p['verdict']}"
                )
    print(
        f"Total : {total_r} poste(s) à renouveler, {total_v} à vérifier, "
        f"sur {len(rows)} collège(s)."
    )
    return 0
