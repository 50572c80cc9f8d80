"""Every benchmark of bench/ still runs: a smoke run at its smallest size (run_all.FUMEE).

No timing is asserted (figures belong to bench/RESULTS.md); what is checked is that the
script exits 0 and prints what run_all gathers (a ratio or summary line), or says IGNORÉ and why
when the machine cannot run it (podman or the lab image missing).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
# benchmarks that start emulators or containers (supervision: a real Zabbix)
LENTS = {"commutateurs", "mitogen", "flotte", "supervision", "awx_tranches"}


def _run_all():
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


RUN_ALL = _run_all()
BANCS = sorted(p.stem.removesuffix("_bench") for p in BENCH.glob("*_bench.py"))


def test_chaque_banc_a_une_taille_de_fumee():
    # a new benchmark without a smoke size would escape make test
    assert sorted(RUN_ALL.FUMEE) == BANCS


@pytest.mark.parametrize("nom", BANCS)
def test_aucun_banc_ne_depend_de_tests(nom):
    """A benchmark must not reach into tests/ (sys.path or file paths): tests get renamed
    without the benchmarks being run, which is how `make bench-rapide` broke."""
    arbre = ast.parse((BENCH / f"{nom}_bench.py").read_text(encoding="utf-8"))
    chaines = [
        n.value for n in ast.walk(arbre) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    assert not [c for c in chaines if c == "tests" or c.startswith(("tests/", "tests\\"))]
    modules = set()
    for n in ast.walk(arbre):
        if isinstance(n, ast.Import):
            modules |= {a.name.split(".")[0] for a in n.names}
        elif isinstance(n, ast.ImportFrom) and n.module:
            modules.add(n.module.split(".")[0])
    assert not modules & {"tests", "labo", "data", "conftest"}


@pytest.mark.parametrize(
    "nom", [pytest.param(n, marks=pytest.mark.slow) if n in LENTS else n for n in BANCS]
)
def test_banc_tourne_a_la_plus_petite_taille(nom, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path)) for a in RUN_ALL.FUMEE[nom]]
    env = dict(os.environ, AMICO_STATE_DIR=str(tmp_path / "etat"))
    r = subprocess.run(
        [sys.executable, str(BENCH / f"{nom}_bench.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    sortie = r.stdout + r.stderr
    assert r.returncode == 0, sortie[-3000:]
    # what run_all gathers: a ratio line, or a "» " summary line (the profile)
    recueilli = RUN_ALL.RATIO.search(r.stdout) or any(
        ligne.startswith(RUN_ALL.RESUME) for ligne in r.stdout.splitlines()
    )
    assert "IGNORÉ" in r.stdout or recueilli, sortie[-3000:]
