"""Issue 13 item 6: one bad spool file neither blocks nor hides the queue."""

import argparse
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amico.guichet import cli
from amico.guichet.routing import Finding, RunInfo, plan
from amico.guichet.spool import Spool

BAD = {
    "tronque.json": b'{"op": "signaler", "id": "x", "external_id": "amico/06',
    "liste.json": b"[1, 2]",
    "null.json": b"null",
    "inconnue.json": b'{"op": "effacer_tout", "id": "y"}',
    "sans-ticket.json": b'{"op": "signaler", "id": "z", "external_id": "e", "suivi": "s"}',
    "binaire.json": b"\xff\xfe\x00garbage",
}


def parse(argv):
    parser = argparse.ArgumentParser(prog="amico")
    cli.register(parser.add_subparsers(dest="commande"))
    return parser.parse_args(argv)


def good_op(matrix, routing):
    return plan(
        [Finding("0670001X", "postes_peda_mco", "x", "echec", "p1")],
        matrix,
        routing,
        RunInfo("r1"),
    )


def test_13_6_fichiers_malformes_en_quarantaine(
    glpi, matrix, routing, tmp_path, monkeypatch, capsys, secrets
):
    spool = Spool(tmp_path / "spool")
    for i, (name, raw) in enumerate(BAD.items()):
        # named to sort before the good one: the first files of the queue
        (spool.dir / f"0000000000000000000{i}-{name}").write_bytes(raw)
    spool.add(good_op(matrix, routing))
    args = parse(["guichet", "etat", "--spool", str(spool.dir)])
    assert args.func(args) == 1
    out = capsys.readouterr().out
    assert "1 appel(s) en attente" in out
    assert f"{len(BAD)} fichier(s) illisible(s) mis en quarantaine" in out
    for name in BAD:
        assert name in out  # each one named
    assert "opération inconnue « effacer_tout »" in out and "JSON illisible" in out
    monkeypatch.setenv("AMICO_GLPI_URL", glpi.url)
    for k, v in secrets.items():
        monkeypatch.setenv(f"AMICO_GLPI_{k.upper()}", v)
    args = parse(["guichet", "vider", "--spool", str(spool.dir)])
    code = args.func(args)
    out = capsys.readouterr().out
    assert "1 appel(s) rejoué(s)" in out and "Traceback" not in out
    assert code == 1  # delivered, but the quarantine still wants a look
    assert len(glpi.tickets()) == 1
    assert len(spool.quarantined()) == len(BAD) and spool.pending() == []


def test_13_6_fichier_malforme_dans_les_rejets(tmp_path):
    spool = Spool(tmp_path / "spool")
    spool.rejects.mkdir()
    (spool.rejects / "1-x.json").write_bytes(b"[")
    assert spool.rejected() == [] and len(spool.quarantined()) == 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.from_type(type(None)).map(lambda _: b"{}"),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=8),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
            max_leaves=8,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_13_6_tout_contenu_hostile_est_lu_ou_mis_de_cote(tmp_path_factory, raw):
    """Whatever bytes a spool file holds: listing never raises, and the file is either a
    valid operation or moved to the quarantine."""
    spool = Spool(tmp_path_factory.mktemp("s"))
    (spool.dir / "1-hostile.json").write_bytes(raw)
    pending = spool.pending()
    assert len(pending) + len(spool.quarantined()) == 1


@pytest.mark.parametrize("name", sorted(BAD))
def test_13_6_chaque_forme_malformee(tmp_path, name):
    spool = Spool(tmp_path / "s")
    (spool.dir / f"1-{name}").write_bytes(BAD[name])
    assert spool.pending() == []
    ((path, reason),) = spool.quarantined()
    assert path.name == f"1-{name}" and reason
