"""The `amico` command line: one sub-command per job, each registered by its module."""

import argparse
import importlib
import sys
from importlib.metadata import entry_points

# Each module exposes `register(subparsers)`; it adds its sub-command and sets `func`.
COMMAND_MODULES = [
    "amico.referentiel.cli",
    "amico.logiciels.cli",
    "amico.guichet.cli",
    "amico.derive.cli",
    "amico.vague.cli",
    "amico.dossier.cli",
    "amico.supervision.cli",
]
# Commands contributed by other distributions (the lab: `lab`, `demo`, `role`): the
# runtime names none of them, so an execution environment without the lab has none.
ENTRY_POINT_GROUP = "amico.commandes"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amico",
        description="AMICo : maintenance informatique des collèges pilotée par le référentiel.",
    )
    subparsers = parser.add_subparsers(dest="commande", metavar="COMMANDE")
    modules = [importlib.import_module(name) for name in COMMAND_MODULES]
    modules += [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
    for module in modules:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from amico.state import VerrouOccupe, message_erreur_fs

    try:
        return int(args.func(args) or 0)
    except VerrouOccupe as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # an unusable state directory, a full or read-only disk: said in French, no
        # traceback; any other OSError is a bug and keeps its traceback
        message = message_erreur_fs(exc)
        if message is None:
            raise
        print(f"erreur : {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
