"""Benchmark: the dossiers d'exploitation of every site of a full-scale référentiel.

Side by side, same référentiel, same output, one core:
  baseline     one `dot` process per site, no cache (the obvious way)
  cold         AMICo's way from an empty cache: all graphs laid out by ONE dot process
  incremental  AMICo's way again, nothing changed: SVGs from the cache, no file rewritten
  one_change   one site's référentiel changed: only that graph laid out again
Checks that every run gives byte-identical dossiers. Reports wall time of each, the
ratios, and the per-site time.
Usage: python bench/dossier_bench.py [--sites 148] [--postes 17000] [--runs 2]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amico.referentiel.generate import generate as generate_ref  # noqa: E402
from amico.referentiel.loader import load  # noqa: E402


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=148)
    parser.add_argument("--postes", type=int, default=17000)
    parser.add_argument("--runs", type=int, default=2, help="best of N for each mode")
    args = parser.parse_args()
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, dot included

    work = Path(tempfile.mkdtemp(prefix="amico-dossier-bench-"))
    try:
        os.environ["AMICO_STATE_DIR"] = str(work / "state")
        from amico.dossier.build import Options, generate
        from amico.state import state_dir

        ref_dir = work / "ref"
        generate_ref(REPO / "referentiel", ref_dir, args.sites, args.postes)
        t_load = timed(lambda: load(ref_dir))
        ref = load(ref_dir)
        sites = ref.sites
        cache = state_dir("cache", "dossier")
        figures: dict[str, float] = {}
        hashes: dict[str, str] = {}

        def run(name: str, out: Path, opts: Options, fresh_out: bool, fresh_cache: bool):
            best = None
            for _ in range(args.runs):
                if fresh_out:
                    shutil.rmtree(out, ignore_errors=True)
                if fresh_cache:
                    shutil.rmtree(cache, ignore_errors=True)
                elapsed = timed(lambda: generate(ref, sites, out, opts))  # noqa: B023
                best = elapsed if best is None else min(best, elapsed)
            figures[name] = best
            hashes[name] = tree_hash(out)

        run("baseline", work / "base", Options(cache=False, batch=False), True, True)
        run("cold", work / "amico", Options(), True, True)
        run("incremental", work / "amico", Options(), False, False)
        # one site changes: its dot source changes, the others come from the cache
        site0 = sites[0]
        site0.commutateurs[-1].ports[0].description = "Prises modifiées"
        figures["one_change"] = timed(lambda: generate(ref, sites, work / "amico", Options()))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    same = len(set(hashes.values())) == 1
    n = len(sites)
    print(f"Dossiers d'exploitation : {n} collèges, {args.postes} postes "
          f"(chargement du référentiel : {t_load:.2f} s, non compté), un cœur")  # fmt: skip
    for name, label in (
        ("baseline", "référence : un processus dot par site, sans cache"),
        ("cold", "AMICo à froid : un seul processus dot pour tous les sites"),
        ("incremental", "AMICo, rien n'a changé (cache, aucun fichier réécrit)"),
        ("one_change", "AMICo, un site modifié"),
    ):
        secs = figures[name]
        print(f"  {label:<60} {secs:7.2f} s  ({1000 * secs / n:6.1f} ms/site)")
    print(f"  ratio référence / à froid      : {figures['baseline'] / figures['cold']:.2f}")
    print(f"  ratio référence / incrémental  : {figures['baseline'] / figures['incremental']:.2f}")
    print(f"  dossiers identiques octet pour octet entre les modes : {'oui' if same else 'NON'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
