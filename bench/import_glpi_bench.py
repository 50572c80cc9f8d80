"""Benchmark: `amico referentiel importer glpi` on a full-size GLPI inventory.

The GLPI test server is seeded (not measured) with 148 collège entities, ~17,000 computers
and ~1,200 network equipments, imported from the native inventory payloads the project
produces (synthetic référentiel of `amico referentiel generer`). Then, side by side, the
whole onboarding (read GLPI, map, propose the 148 site files, nothing written):
  pages     the import as shipped over API v1: a few paged list calls per itemtype
            (range, 206)
  v2        the import as shipped over the high-level API v2 (start/limit, Content-Range;
            pages of 1000 rows as v1's Accept-Range)
  naive     the same mapping fed by one call per asset (GET Computer/N?with_networkports)
Reports wall time and API calls of each, and the ratios; all must propose the same files
(v2 less what GLPI's HL API does not publish: operating systems and towns, left to complete).
Usage: python bench/import_glpi_bench.py [--sites 148] [--postes 17000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amico.guichet.client import GlpiV1, GlpiV2  # noqa: E402
from amico.guichet.config import GlpiConfig  # noqa: E402
from amico.onboarding.glpi_lecture import LISTS, GlpiReader, assemble, read_inventory  # noqa: E402
from amico.onboarding.import_glpi import plan_import  # noqa: E402
from amico.referentiel.generate import SHARED_FILES, generate  # noqa: E402
from amico.referentiel.loader import load  # noqa: E402
from amico_lab.glpi import GlpiTestServer  # noqa: E402
from amico_lab.glpi.assets import seed_sites  # noqa: E402

PER_ITEM = ("Computer", "NetworkEquipment")


def naive_inventory(client):
    """One call per asset: ids from the lists, then each asset with its network ports."""
    reader = GlpiReader(client)
    mine = reader.my_entities()
    reader.activate(None)
    data = {name: reader.all(name) for name in LISTS if name not in (*PER_ITEM, "NetworkPort")}
    data["NetworkPort"] = []
    for itemtype in PER_ITEM:
        rows = []
        for row in reader.all(itemtype):  # stands for the id list a naive tool starts from
            item = reader._call(
                "GET", f"{itemtype}/{row['id']}", params={"with_networkports": "true"}
            ).data
            for ports in (item.pop("_networkports", None) or {}).values():
                data["NetworkPort"].extend(ports)
            rows.append(item)
        data[itemtype] = rows
    inv = assemble(data, mine, None)
    inv.calls = reader.calls
    return inv


def _no_gaps(after: dict) -> dict:
    """A proposal without the values GLPI's HL API does not publish (OS, town)."""
    out = {k: v for k, v in after.items() if k not in ("commune", "a_completer")}
    out["postes"] = [{k: v for k, v in p.items() if k != "systeme"} for p in after["postes"]]
    out["a_completer"] = [
        e for e in after.get("a_completer", []) if e != "commune" and not e.endswith(".systeme")
    ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=148)
    parser.add_argument("--postes", type=int, default=17000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="amico-bench-import-"))
    os.environ.setdefault("AMICO_STATE_DIR", str(work / "etat"))
    try:
        full = work / "complet"
        generate(REPO / "referentiel", full, args.sites, args.postes)
        sites = [
            yaml.load(p.read_text("utf-8"), yaml.CSafeLoader)
            for p in sorted((full / "sites").glob("*.yml"))
        ]
        empty = work / "referentiel"  # shared files only: every collège is to onboard
        for name in SHARED_FILES:
            (empty / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(full / name, empty / name)
        (empty / "sites").mkdir()
        server = GlpiTestServer(page_size=15).start()
        try:
            t = time.perf_counter()
            seed_sites(server, sites)
            seeding = time.perf_counter() - t
            n_posts = sum(len(s["postes"]) for s in sites)
            n_switches = sum(len(s["commutateurs"]) for s in sites)
            print(
                f"inventaire GLPI de test : {len(sites)} entités de collège, {n_posts} "
                f"ordinateurs, {n_switches} équipements réseau (chargé en {seeding:.1f} s)"
            )
            ref = load(empty)
            config = GlpiConfig(
                url=server.url, app_token="app-token-amico", user_token="user-token-amico",
                client_id="amico-client", client_secret="amico-secret", login="amico-api",
                password="motdepasse-amico",
            )  # fmt: skip
            server.v2_max_limit = 1000
            results = {}
            for label, read, api in (
                ("pages", lambda c: read_inventory(c, None), GlpiV1),
                ("v2", lambda c: read_inventory(c, None), GlpiV2),
                ("naive", naive_inventory, GlpiV1),
            ):
                client = api(config)
                t = time.perf_counter()
                inv = read(client)
                plan = plan_import(ref, inv)
                results[label] = (time.perf_counter() - t, inv.calls, plan)
                client.close()
        finally:
            server.stop()
        (tp, cp, pp), (tn, cn, pn) = results["pages"], results["naive"]
        t2, c2, p2 = results["v2"]
        same = [c.after for c in pp.changes] == [c.after for c in pn.changes]
        same_v2 = [_no_gaps(c.after) for c in pp.changes] == [_no_gaps(c.after) for c in p2.changes]
        print(
            f"import paginé : {tp:.2f} s, {cp} appels API ; {len(pp.changes)} fichiers de "
            f"site proposés, {pp.counts['postes']} postes, {pp.counts['commutateurs']} "
            "commutateurs"
        )
        print(f"import paginé par l'API v2 : {t2:.2f} s, {c2} appels API")
        print(f"import naïf (un appel par matériel) : {tn:.2f} s, {cn} appels API")
        print(f"ratio temps naïf/paginé : {tn / tp:.1f}x ; ratio appels : {cn / cp:.0f}x")
        print(f"ratio temps v2/v1 : {t2 / tp:.1f}x ; ratio appels v2/v1 : {c2 / cp:.1f}x")
        print(
            f"mêmes propositions paginé/naïf : {'oui' if same else 'NON'} ; v1/v2 (hors "
            f"système et commune, absents de l'API v2) : {'oui' if same_v2 else 'NON'}"
        )
        return 0 if same and same_v2 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
