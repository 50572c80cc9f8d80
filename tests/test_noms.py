"""The naming rule (CONTRIBUTING.md): one French name per command, the 1.0 names accepted
with a notice only, and nowhere in the project any more."""

import re
import subprocess
from pathlib import Path

import pytest

from amico.cli import ANCIENNES_ACTIONS, ANCIENNES_COMMANDES, ANCIENNES_OPTIONS, main, noms_actuels

REPO = Path(__file__).resolve().parents[1]


def test_old_names_are_rewritten_with_one_notice_each():
    argv, avis = noms_actuels(["drift", "--all", "--site", "0679901Y"])
    assert argv == ["derive", "--tout", "--site", "0679901Y"]
    assert len(avis) == 2
    assert "« drift » s'appelle désormais « derive »" in avis[0]


def test_old_action_of_a_renamed_command_is_rewritten_too():
    assert noms_actuels(["lab", "up"])[0] == ["labo", "demarrer"]
    assert noms_actuels(["helpdesk", "flush"])[0] == ["guichet", "vider"]
    # an action word is only an old name under its own command
    assert noms_actuels(["logiciels", "check"]) == (["logiciels", "check"], [])


def test_old_command_still_runs_and_says_so(capsys):
    assert main(["referentiel", "check", str(REPO / "referentiel")]) == 0
    out = capsys.readouterr()
    assert "Référentiel valide" in out.out
    assert "« check » s'appelle désormais « verifier »" in out.err


def test_new_names_exist_in_the_parser(capsys):
    for nouveau in ANCIENNES_COMMANDES.values():
        with pytest.raises(SystemExit) as e:
            main([nouveau, "--help"])
        assert e.value.code == 0
    for commande, actions in ANCIENNES_ACTIONS.items():
        for action in actions.values():
            with pytest.raises(SystemExit) as e:
                main([commande, action, "--help"])
            assert e.value.code == 0, (commande, action)


def _old_usages() -> list[str]:
    """Lines of the project that still use a 1.0 name as a command."""
    anciens = [rf"amico {re.escape(c)}\b" for c in ANCIENNES_COMMANDES]
    anciens += [
        rf"amico {re.escape(c)} {re.escape(a)}\b"
        for c, actions in ANCIENNES_ACTIONS.items()
        for a in actions
    ]
    anciens += [
        rf"\"{re.escape(c)}\", \"{re.escape(a)}\"" for c, v in ANCIENNES_ACTIONS.items() for a in v
    ]
    anciens += [rf"amico [a-z]+ .*{re.escape(o)}\b" for o in ANCIENNES_OPTIONS]
    fichiers = subprocess.run(
        ["git", "ls-files", "*.py", "*.md", "*.yml", "*.j2", "Makefile"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    motif = re.compile("|".join(anciens))
    ici = Path(__file__).name
    trouves = []
    for nom in fichiers:
        if nom.endswith(ici) or nom == "CHANGELOG.md" or nom == "src/amico/cli.py":
            continue
        chemin = REPO / nom
        if not chemin.is_file():
            continue
        for n, ligne in enumerate(chemin.read_text(encoding="utf-8").splitlines(), 1):
            if motif.search(ligne):
                trouves.append(f"{nom}:{n}: {ligne.strip()}")
    return trouves


def test_the_project_itself_uses_only_the_new_names():
    assert _old_usages() == []
