"""Benchmark: `amico supervision synchroniser` into a real Zabbix 6.0 (the lab's container).

A synthetic référentiel (`amico referentiel generer`) of N collèges gives one Zabbix
host per server, switch and site link. Side by side, from an empty Zabbix each time:
  amico     the sync as shipped: each kind of object read once, writes only the difference
            (creations in one call);
  naive     one call per object, as a module-per-object sync does: a `.get` filtered on
            the object, then a `.create` when it is absent (nothing when present).
For each: API calls (reads, writes) and wall time of a first sync and of a second,
idempotent one; then the ratios. Every interface points at 127.0.0.1 inside the Zabbix
container (the plan's addresses are never contacted).
Usage: python bench/supervision_bench.py [--sites 20]   (--sites 148: the whole fleet)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from amico.referentiel.generate import generate  # noqa: E402
from amico.referentiel.loader import load  # noqa: E402
from amico.supervision import modeles  # noqa: E402
from amico.supervision.attendu import TAG_GERE, etat_attendu  # noqa: E402
from amico.supervision.sync import _interface, import_templates, synchroniser  # noqa: E402
from amico.supervision.zabbix import ZabbixClient  # noqa: E402
from amico_lab import supervision as lab  # noqa: E402


def client(srv) -> ZabbixClient:
    c = ZabbixClient(srv.url, timeout=600)
    c.login(user=srv.user, password=srv.password)
    return c


def wipe(c: ZabbixClient) -> None:
    hosts = c.call("host.get", {"output": ["hostid"], "tags": [{"tag": TAG_GERE, "operator": 4}]})
    if hosts:
        c.call("host.delete", [h["hostid"] for h in hosts])
    groups = c.call(
        "hostgroup.get", {"output": ["groupid"], "search": {"name": "AMICo/"}, "startSearch": True}
    )
    if groups:
        c.call("hostgroup.delete", [g["groupid"] for g in groups])


def naive(c: ZabbixClient, etat) -> None:
    import_templates(c)
    tpl = {
        t["host"]: t["templateid"]
        for t in c.call(
            "template.get", {"output": ["host"], "filter": {"host": list(modeles.NAMES.values())}}
        )
    }
    gid = {}
    for g in etat.groups:
        found = c.call("hostgroup.get", {"output": ["groupid"], "filter": {"name": [g]}})
        gid[g] = (
            found[0]["groupid"] if found else c.call("hostgroup.create", {"name": g})["groupids"][0]
        )
    for h in etat.hosts:
        if c.call("host.get", {"output": ["hostid"], "filter": {"host": [h.host]}}):
            continue
        c.call(
            "host.create",
            {
                "host": h.host,
                "name": h.name,
                "groups": [{"groupid": gid[g]} for g in h.groups],
                "templates": [{"templateid": tpl[modeles.NAMES[h.kind]]}],
                "macros": [{"macro": m, "value": v} for m, v in h.macros],
                "tags": [{"tag": k, "value": v} for k, v in sorted(h.tags.items())],
                "interfaces": [_interface(h)],
            },
        )


def measure(label: str, c: ZabbixClient, run) -> tuple[float, int, int]:
    r0, w0 = c.compteur.lectures, c.compteur.ecritures
    t0 = time.perf_counter()
    run()
    wall = time.perf_counter() - t0
    reads, writes = c.compteur.lectures - r0, c.compteur.ecritures - w0
    print(f"  {label:<28} {wall:8.1f} s   {reads:6d} lecture(s)   {writes:6d} écriture(s)")
    return wall, reads, writes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sites", type=int, default=20)
    ap.add_argument("--postes", type=int, default=0, help="postes (ignorés par Zabbix)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="amico-bench-supervision-"))
    srv = None
    try:
        generate(REPO / "referentiel", work / "ref", args.sites, max(args.postes, args.sites))
        ref = load(work / "ref")
        draft = etat_attendu(ref)
        etat = etat_attendu(ref, adresses={h.host: "127.0.0.1" for h in draft.hosts})
        kinds = {k: sum(h.kind == k for h in etat.hosts) for k in modeles.NAMES}
        print(
            f"{args.sites} collège(s) : {len(etat.hosts)} hôte(s) Zabbix {kinds}, "
            f"{len(etat.groups)} groupe(s) ; serveur Zabbix 6.0 du labo (conteneur)"
        )
        srv = lab.start("amico-zabbix-banc")
        c = client(srv)
        import_templates(c)  # the same starting point for both (templates are not measured)
        print("amico supervision synchroniser :")
        a1 = measure(
            "première synchronisation", c, lambda: synchroniser(c, etat, snmp_community="banc")
        )
        a2 = measure(
            "deuxième (rien à changer)", c, lambda: synchroniser(c, etat, snmp_community="banc")
        )
        wipe(c)
        print("naïve (un appel par objet) :")
        n1 = measure("première synchronisation", c, lambda: naive(c, etat))
        n2 = measure("deuxième (rien à changer)", c, lambda: naive(c, etat))
        calls = lambda m: m[1] + m[2]  # noqa: E731
        print(f"ratio appels première synchronisation naïve/amico : {calls(n1) / calls(a1):.1f}x")
        print(f"ratio appels deuxième synchronisation naïve/amico : {calls(n2) / calls(a2):.1f}x")
        print(f"ratio temps première synchronisation naïve/amico : {n1[0] / a1[0]:.1f}x")
        print(f"ratio temps deuxième synchronisation naïve/amico : {n2[0] / a2[0]:.1f}x")
        print(
            f"deuxième synchronisation amico : {a2[2]} écriture(s), {a2[1]} lecture(s) "
            f"({a2[1] / args.sites:.2f} lecture(s) par collège)"
        )
    finally:
        if srv is not None:
            srv.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
