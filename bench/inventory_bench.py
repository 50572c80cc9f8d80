"""Benchmark: `ansible-inventory --list` on a full-scale référentiel.

Side by side, on the same hosts, groups and vars:
  plugin  amico.colleges.referentiel reading and checking the référentiel
  static  the same inventory as a static YAML file
  floor   a do-nothing plugin adding the same data from a pickle (ansible-core's own cost)
Reports wall time (best of N runs) and peak memory of each, and the ratios.
Usage: python bench/inventory_bench.py [--sites 148] [--postes 17000] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amico.referentiel.generate import generate  # noqa: E402
from amico.referentiel.inventory import build  # noqa: E402
from amico.referentiel.loader import load  # noqa: E402

MEASURE = (
    "import resource, subprocess, sys, time;"
    "t = time.perf_counter();"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE);"
    "d = time.perf_counter() - t;"
    "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
    "print(r.returncode, d, m); sys.stderr.write(r.stderr.decode()[-2000:])"
)


def run(cmd: list[str], env: dict) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True, check=True
    )
    code, seconds, peak_kb = out.stdout.split()
    if code != "0":
        raise SystemExit(f"échec de {' '.join(cmd)} :\n{out.stderr}")
    return float(seconds), int(peak_kb) // 1024


def static_inventory(data: dict) -> dict:
    groups: dict[str, dict] = {
        name: {"vars": dict(e["vars"]), "children": {c: {} for c in e["children"]}, "hosts": {}}
        for name, e in data["groups"].items()
    }
    for host, vars_ in data["hosts"].items():
        first, *others = data["memberships"][host]
        groups[first]["hosts"][host] = vars_
        for group in others:
            groups[group]["hosts"].setdefault(host, None)
    out = {}
    for name, entry in groups.items():
        body = {key: value for key, value in entry.items() if value}
        out[name] = body or None
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=148)
    parser.add_argument("--postes", type=int, default=17000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--work", type=Path, default=REPO / ".cache" / "bench")
    args = parser.parse_args()

    work = args.work
    ref_dir = work / "referentiel"
    t0 = time.perf_counter()
    generate(REPO / "referentiel", ref_dir, args.sites, args.postes)
    print(f"référentiel généré : {args.sites} sites, {args.postes} postes "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    t0 = time.perf_counter()
    ref = load(ref_dir)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    inv = build(ref)
    t_build = time.perf_counter() - t0
    data = {"groups": inv.groups, "hosts": inv.hosts, "memberships": inv.memberships}
    n_vars = sum(len(v) for v in inv.hosts.values())
    print(
        f"en mémoire : {len(inv.hosts)} hôtes, {len(inv.groups)} groupes, {n_vars} variables "
        f"d'hôte ; chargement + vérification {t_load:.2f} s, construction {t_build:.2f} s"
    )

    (work / "plugin.amico.yml").write_text(
        yaml.safe_dump({"plugin": "amico.colleges.referentiel", "referentiel": str(ref_dir)})
    )
    with open(work / "data.pickle", "wb") as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    (work / "bench.floor.yml").write_text(
        yaml.safe_dump({"plugin": "floor", "data": str(work / "data.pickle")})
    )
    with open(work / "static.yml", "w") as handle:
        yaml.dump(static_inventory(data), handle, Dumper=yaml.CSafeDumper, sort_keys=False)

    env = dict(os.environ)
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["ANSIBLE_INVENTORY_PLUGINS"] = str(REPO / "bench" / "plugins" / "inventory")
    env["ANSIBLE_INVENTORY_ENABLED"] = "amico.colleges.referentiel,floor,ansible.builtin.yaml"
    binary = str(Path(sys.executable).parent / "ansible-inventory")
    # plugin (froid): an empty state dir, so the YAML parse cache is cold, as on a fresh
    # AWX container; plugin (chaud): the parse cache of the previous run is reused.
    cases = {
        "plugin_froid": work / "plugin.amico.yml",
        "plugin_chaud": work / "plugin.amico.yml",
        "static": work / "static.yml",
        "floor": work / "bench.floor.yml",
    }
    warm_state = work / "etat-chaud"
    results: dict[str, tuple[float, int]] = {}
    for _ in range(args.runs):
        for name, path in cases.items():  # interleaved: machine load hits all alike
            if name == "plugin_froid":
                env["AMICO_STATE_DIR"] = tempfile.mkdtemp(prefix="amico-bench-etat-")
            else:
                env["AMICO_STATE_DIR"] = str(warm_state)
            seconds, peak = run([binary, "-i", str(path), "--list"], env)
            if name == "plugin_froid":
                shutil.rmtree(env["AMICO_STATE_DIR"], ignore_errors=True)
            best = results.get(name)
            results[name] = (min(seconds, best[0]) if best else seconds, peak)
    print(f"\n{'cas':13} {'durée (s)':>10} {'mémoire max (Mo)':>18}")
    for name, (seconds, peak) in results.items():
        print(f"{name:13} {seconds:10.1f} {peak:18d}")
    ratios = {
        "plugin_froid/floor": results["plugin_froid"][0] / results["floor"][0],
        "plugin_chaud/floor": results["plugin_chaud"][0] / results["floor"][0],
        "plugin_froid/static": results["plugin_froid"][0] / results["static"][0],
    }
    for key, value in ratios.items():
        print(f"{key:20} {value:.2f}")
    (work / "resultats.json").write_text(
        json.dumps({"resultats": results, "ratios": ratios, "hotes": len(inv.hosts)}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
