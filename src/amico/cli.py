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


# Names of release 1.0, before the naming rule (CONTRIBUTING.md). Still accepted, with a
# notice, so that the admins' scripts and AWX job templates keep working while they are
# updated; nothing in the project uses them any more.
ANCIENNES_COMMANDES = {"drift": "derive", "helpdesk": "guichet", "lab": "labo"}
ANCIENNES_ACTIONS = {
    "labo": {"up": "demarrer", "status": "etat", "down": "arreter"},
    "guichet": {"status": "etat", "flush": "vider"},
    "referentiel": {"check": "verifier", "generate": "generer"},
    "vague": {"check": "verifier", "run": "lancer"},
    "supervision": {"sync": "synchroniser"},
    "role": {"new": "nouveau", "test": "tester"},
}
ANCIENNES_OPTIONS = {
    "--all": "--tout",
    "--out": "--sortie",
    "--skip-invalid": "--ignorer-invalides",
    "--kind": "--genre",
}


def noms_actuels(argv: list[str]) -> tuple[list[str], list[str]]:
    """argv with the 1.0 names replaced by today's, and one French notice per old name."""
    argv = list(argv)
    avis = []

    def remplacer(i: int, nouveau: str) -> None:
        avis.append(
            f"avis : « {argv[i]} » s'appelle désormais « {nouveau} » "
            "(l'ancien nom sera retiré dans la prochaine version)"
        )
        argv[i] = nouveau

    if argv and argv[0] in ANCIENNES_COMMANDES:
        remplacer(0, ANCIENNES_COMMANDES[argv[0]])
    if len(argv) > 1 and argv[1] in ANCIENNES_ACTIONS.get(argv[0], {}):
        remplacer(1, ANCIENNES_ACTIONS[argv[0]][argv[1]])
    for i, mot in enumerate(argv):
        if mot in ANCIENNES_OPTIONS:
            remplacer(i, ANCIENNES_OPTIONS[mot])
    return argv, avis


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
    argv, avis = noms_actuels(sys.argv[1:] if argv is None else argv)
    for ligne in avis:
        print(ligne, file=sys.stderr)
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
