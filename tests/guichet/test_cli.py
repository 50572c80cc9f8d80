"""`amico guichet etat|vider` (aliases helpdesk status|flush)."""

import argparse

from amico.guichet import cli
from amico.guichet.routing import Finding, RunInfo, plan
from amico.guichet.spool import Spool


def parse(argv):
    parser = argparse.ArgumentParser(prog="amico")
    cli.register(parser.add_subparsers(dest="commande"))
    return parser.parse_args(argv)


def test_etat_and_vider(glpi, matrix, routing, tmp_path, monkeypatch, capsys, secrets):
    spool = Spool(tmp_path / "spool")
    spool.add(
        plan(
            [Finding("0670001X", "postes_peda_mco", "x", "echec", "p1")],
            matrix,
            routing,
            RunInfo("r1"),
        )
    )
    args = parse(["guichet", "etat", "--spool", str(spool.dir)])
    assert args.func(args) == 1
    assert "1 appel(s) en attente" in capsys.readouterr().out
    monkeypatch.setenv("AMICO_GLPI_URL", glpi.url)
    for k, v in secrets.items():
        monkeypatch.setenv(f"AMICO_GLPI_{k.upper()}", v)
    args = parse(["guichet", "vider", "--spool", str(spool.dir)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "1 appel(s) rejoué(s)" in out and secrets["user_token"] not in out
    assert len(glpi.tickets()) == 1
    args = parse(["guichet", "etat", "--spool", str(spool.dir)])
    assert args.func(args) == 0


def test_vider_without_url_is_a_french_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("AMICO_GLPI_URL", raising=False)
    args = parse(["guichet", "vider", "--spool", str(tmp_path)])
    assert args.func(args) == 2
    assert "URL de GLPI absente" in capsys.readouterr().out
