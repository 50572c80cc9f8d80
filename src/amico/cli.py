"""The `amico` command line: one sub-command per job, each registered by its module."""

import argparse
import importlib
import sys

# Each module exposes `register(subparsers)`; it adds its sub-command and sets `func`.
COMMAND_MODULES = [
    "amico.referentiel.cli",
    "amico.catalogue.cli",
    "amico.glpi.cli",
    "amico.derive.cli",
    "amico.vague.cli",
    "amico.switches.cli",
    "amico.dossier.cli",
    "amico.supervision.cli",
    "amico.lab.cli",
    "amico.roles.cli",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amico",
        description="AMICo : maintenance informatique des collèges pilotée par le référentiel.",
    )
    subparsers = parser.add_subparsers(dest="commande", metavar="COMMANDE")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
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
