"""The scope flags shared by every `amico` command that takes sites.

--site UAI (repeatable)   --territoire 67 (repeatable)   --tout
"""

from __future__ import annotations

import argparse

from amico.referentiel.loader import Referentiel
from amico.referentiel.model import Site


class ScopeError(ValueError):
    """The flags name nothing, or something unknown; the message is for the user (French)."""


def add_scope_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("périmètre (au moins une option)")
    group.add_argument("--site", action="append", default=[], metavar="UAI",
                       help="un collège par son UAI (répétable)")  # fmt: skip
    group.add_argument("--territoire", action="append", default=[], metavar="CODE",
                       help="tous les collèges d'un territoire, ex. 67 (répétable)")  # fmt: skip
    group.add_argument("--tout", dest="all", action="store_true",
                       help="tous les collèges du référentiel")  # fmt: skip


def select_sites(ref: Referentiel, args: argparse.Namespace) -> list[Site]:
    """The sites the flags designate, in référentiel order; ScopeError when none or unknown."""
    if not (args.all or args.site or args.territoire):
        raise ScopeError("aucun collège désigné : préciser --site UAI, --territoire CODE ou --tout")
    known = {s.uai for s in ref.sites}
    wanted = {u.upper() for u in args.site}
    unknown = sorted(wanted - known)
    if unknown:
        raise ScopeError(
            f"UAI inconnu(s) du référentiel : {', '.join(unknown)} "
            "(vérifier le numéro ; `amico referentiel verifier` liste les collèges)"
        )
    territories = {t.code for c in ref.organisation.collectivites for t in c.territoires}
    bad = sorted(set(args.territoire) - territories)
    if bad:
        raise ScopeError(
            f"territoire(s) inconnu(s) : {', '.join(bad)} "
            f"(territoires du référentiel : {', '.join(sorted(territories))})"
        )
    return [
        s for s in ref.sites
        if args.all or s.uai in wanted or s.territoire in args.territoire
    ]  # fmt: skip
