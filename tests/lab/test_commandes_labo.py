"""The lab's commands come from the lab distribution's entry point, under `amico labo`;
the runtime's own command modules register none of them."""

from __future__ import annotations

import argparse
import importlib
import json

import pytest

from amico.cli import COMMAND_MODULES, main


def test_le_runtime_seul_n_a_aucune_commande_du_labo():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    for nom in COMMAND_MODULES:
        importlib.import_module(nom).register(sub)
    assert not {"labo", "demo", "role", "commutateurs"} & set(sub.choices)


def test_commutateurs_emules_sous_amico_labo(capsys):
    assert main(["labo", "commutateurs"]) == 2
    aide = capsys.readouterr().out
    assert "demarrer" in aide and "mesurer" in aide


@pytest.mark.slow
def test_mesurer_envoie_puis_trouve_conforme(tmp_path, monkeypatch, capsys):
    """Two emulated switches (one ProCurve, one IOS): check, full push, second run."""
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path))
    code = main(["labo", "commutateurs", "mesurer", "--nombre", "2", "--processus", "1",
                 "--parallele", "2"])  # fmt: skip
    assert code == 0
    chiffres = json.loads(capsys.readouterr().out)
    assert chiffres["verification"]["statuts"] == {"a_modifier": 2}
    assert chiffres["envoi_complet"]["statuts"] == {"modifie": 2}
    assert chiffres["seconde_execution"]["statuts"] == {"conforme": 2}
