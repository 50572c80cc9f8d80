"""Switch drift check over emulated switches: AMICo's path (parallel) versus plain
sequential netmiko, side by side.

Lab: N emulated switches (half ProCurve-like, half IOS-like, ``amico_lab.commutateurs``),
spread over a few emulator subprocesses on 127.0.0.1, ended by PID. One switch in three
is already configured (VLANs and ports, no descriptions), the others are freshly staged:
both kinds of drift appear in the findings.

Both sides do the same work per switch: connect over SSH, read the running config (plus
``show vlan brief`` on IOS, where VLANs live outside the running config), parse it, and
compare it with the intent built from the référentiel (``comparer_commutateur``, what
``amico derive`` records). What differs is how the devices are driven:

- AMICo: exactly the calls of the drift collect task for a switch
  (``plugins/action/derive_collecte.py``: ``get_driver`` -> ``read`` -> ``parse`` ->
  ``comparer_commutateur``), over a pool of threads (Ansible runs them in forks);
- baseline: one ``netmiko.ConnectHandler`` after the other with default options,
  ``send_command``, ``disconnect``, then the same parse and comparison.

The findings of both sides are checked to be identical.

The gain is concurrency, not a faster session: with ``--parallele 1`` both sides run at
the same rate (measured 2.1 vs 2.3 hosts/s: napalm's open costs a little on IOS). Under
Ansible the collect task runs in forks (``forks = 10`` in ansible.cfg, so
``--parallele 10`` is the closer figure) and Ansible's own per-task cost on the
controller is not counted here (see bench/derive_bench.py for that projection).

    .venv/bin/python bench/commutateurs_bench.py [--commutateurs 150] [--processus 4]
        [--parallele 32]
"""

from __future__ import annotations

import argparse
import copy
import os
import secrets
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from amico.commutateurs.drivers import Target, get_driver  # noqa: E402
from amico.commutateurs.drivers.base import DriverError  # noqa: E402
from amico.commutateurs.intent import intent_from_site  # noqa: E402
from amico.commutateurs.parsing import parse  # noqa: E402
from amico.derive import comparaison  # noqa: E402
from amico.referentiel import load  # noqa: E402
from amico_lab.commutateurs.runner import SwitchLab  # noqa: E402
from amico_lab.demo import etat_livraison  # noqa: E402
from amico_lab.flotte import etat_configure  # noqa: E402

PLATFORM = {"aruba": "hp_procurve", "cisco": "cisco_ios"}
PAR_SITE = 8  # switches per collège (1200 switches over 150 sites in the synthetic fleet)


def modeles() -> tuple[list[dict], dict[str, tuple[dict, dict]]]:
    """The shipped référentiel's VLAN plan, and per vendor its first switch with its site."""
    ref = load(ROOT / "referentiel")
    plan = [v.model_dump(mode="json") for v in ref.plan.vlans]
    par_fabricant: dict[str, tuple[dict, dict]] = {}
    for s in ref.sites:
        brut = s.model_dump(mode="json", exclude_none=True)
        for c in brut["commutateurs"]:
            par_fabricant.setdefault(c["fabricant"], (brut, c))
    return plan, par_fabricant


def parc(n: int) -> list[dict]:
    """n switches over n/8 sites; each: attendu (as derive_preparer writes it), vendor."""
    plan, par_fabricant = modeles()
    out = []
    for k in range(n):
        uai = f"067{k // PAR_SITE:04d}X"
        vendor = "aruba" if k % 2 == 0 else "cisco"
        site_modele, modele = par_fabricant[vendor]
        sw = copy.deepcopy(modele)
        sw["nom"] = f"sw-{k:03d}-{uai.lower()}"
        brut = {**copy.deepcopy(site_modele), "uai": uai, "commutateurs": [sw]}
        attendu = {"site": brut, "plan_vlans": plan, "nom": sw["nom"]}
        out.append({"nom": sw["nom"], "fabricant": vendor, "attendu": attendu, "rang": k})
    return out


def initial(sw: dict) -> dict:
    """Staged state, or (one in three) VLANs and ports already set, descriptions missing."""
    a = sw["attendu"]
    intent = intent_from_site(a["site"], a["plan_vlans"], a["nom"])
    return etat_livraison(intent) if sw["rang"] % 3 else etat_configure(intent)


def empreinte(constats: list[dict]) -> tuple[str, ...]:
    return tuple(sorted(f"{c['regle']}|{c['objet']}|{c['statut']}|{c['trouve']}" for c in constats))


# -- AMICo: the drift collect task's calls for a switch, in parallel ------------------------
def derive_amico(sw: dict, target: Target) -> list[dict]:
    driver = get_driver(sw["fabricant"], target)
    try:
        with driver:
            snap = driver.read()
    except DriverError as exc:
        return comparaison.injoignable(str(exc))
    return comparaison.comparer_commutateur(
        sw["attendu"], parse(sw["fabricant"], snap.running, snap.vlan_brief)
    )


def amico(items: list[tuple[dict, Target]], parallele: int) -> list[list[dict]]:
    with ThreadPoolExecutor(max_workers=parallele) as pool:
        return list(pool.map(lambda it: derive_amico(*it), items))


# -- baseline: plain sequential netmiko ------------------------------------------------------
def netmiko_sequentiel(items: list[tuple[dict, Target]]) -> list[list[dict]]:
    from netmiko import ConnectHandler

    out = []
    for sw, t in items:
        conn = ConnectHandler(
            device_type=PLATFORM[sw["fabricant"]],
            host=t.host,
            port=t.port,
            username=t.username,
            password=t.password,
        )
        running = conn.send_command("show running-config")
        brief = conn.send_command("show vlan brief") if sw["fabricant"] == "cisco" else None
        conn.disconnect()
        out.append(
            comparaison.comparer_commutateur(sw["attendu"], parse(sw["fabricant"], running, brief))
        )
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--commutateurs", type=int, default=150)
    p.add_argument("--processus", type=int, default=4, help="processus d'émulation")
    p.add_argument("--parallele", type=int, default=32, help="sessions SSH simultanées (AMICo)")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="amico-bench-") as tmp:
        os.environ.setdefault("AMICO_STATE_DIR", str(Path(tmp) / "etat"))
        return banc(args, Path(tmp))


def banc(args: argparse.Namespace, tmp: Path) -> int:
    password = secrets.token_urlsafe(16)
    switches = parc(args.commutateurs)
    specs = [
        {
            "name": sw["nom"],
            "platform": PLATFORM[sw["fabricant"]],
            "username": "amico",
            "password": password,
            "initial": initial(sw),
        }
        for sw in switches
    ]
    n_ios = sum(1 for sw in switches if sw["fabricant"] == "cisco")
    with SwitchLab(specs, processes=args.processus, workdir=tmp / "labo") as lab:
        print(
            f"labo : {len(switches)} commutateurs émulés ({n_ios} IOS, "
            f"{len(switches) - n_ios} ProCurve) sur 127.0.0.1, {lab.processes} processus "
            f"d'émulation, démarrés en {lab.start_seconds:.1f} s ; machine : "
            f"{os.cpu_count()} cœur(s) partagés entre labo et contrôleur"
        )
        items = []
        for sw in switches:
            s = lab.switches[sw["nom"]]
            items.append((sw, Target(s.host, s.port, s.username, s.password, timeout=30)))

        t0 = time.monotonic()
        res_amico = amico(items, args.parallele)
        t_amico = time.monotonic() - t0

        t0 = time.monotonic()
        res_base = netmiko_sequentiel(items)
        t_base = time.monotonic() - t0

    injoignables = sum(
        1 for r in res_amico if any(c["regle"] == comparaison.REGLE_JOIGNABLE for c in r)
    )
    ecarts = sum(1 for r in res_amico for c in r if c["statut"] != "conforme")
    memes = [empreinte(a) for a in res_amico] == [empreinte(b) for b in res_base]
    hs_amico = len(items) / t_amico
    hs_base = len(items) / t_base
    print(
        f"AMICo (pilotes du projet, {args.parallele} sessions en parallèle) : "
        f"{t_amico:6.1f} s  {hs_amico:6.2f} hôtes/s"
    )
    print(f"netmiko séquentiel (référence)            : {t_base:6.1f} s  {hs_base:6.2f} hôtes/s")
    print(
        f"constats : {ecarts} écarts, {injoignables} injoignable(s) ; "
        f"identiques des deux côtés : {'oui' if memes else 'NON'}"
    )
    print(
        f"ratio AMICo / netmiko séquentiel : {hs_amico / hs_base:.1f}x "
        f"({hs_amico:.2f} contre {hs_base:.2f} hôtes/s, {len(items)} commutateurs)"
    )
    return 0 if memes and not injoignables else 1


if __name__ == "__main__":
    sys.exit(main())
