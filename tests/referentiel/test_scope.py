import argparse
from pathlib import Path

import pytest

from amico.referentiel import load
from amico.scope import ScopeError, add_scope_arguments, select_sites

REPO = Path(__file__).resolve().parents[2]


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_scope_arguments(parser)
    return parser.parse_args(argv)


def test_scope_flags():
    ref = load(REPO / "referentiel")
    first = ref.sites[0]
    assert [s.uai for s in select_sites(ref, parse("--site", first.uai.lower()))] == [first.uai]
    assert all(s.territoire == "68" for s in select_sites(ref, parse("--territoire", "68")))
    assert len(select_sites(ref, parse("--tout"))) == len(ref.sites)
    with pytest.raises(ScopeError, match="aucun collège"):
        select_sites(ref, parse())
    with pytest.raises(ScopeError, match="0000000A"):
        select_sites(ref, parse("--site", "0000000A"))
    with pytest.raises(ScopeError, match="territoire"):
        select_sites(ref, parse("--territoire", "99"))
