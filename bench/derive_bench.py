"""Drift evaluation of a simulated fleet: collect once per host + comparison in Python,
versus a naive per-rule approach (one remote call and one evaluation per rule).

Fleet: 150 sites from `amico referentiel generer` (posts, switches, servers of the
synthetic référentiel). Remote side: the project's stand-ins in memory (the Windows
post's collector output rebuilt from a state and passed through JSON, as a round trip
does). What is timed is the controller's Python work and the number of remote calls;
the end-to-end cost through Ansible is measured by bench/flotte_bench.py (no projection).

    .venv/bin/python bench/derive_bench.py [--sites 150] [--postes 17000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from amico.derive import comparaison  # noqa: E402
from amico.derive.attendu import attendus, sans_detection  # noqa: E402
from amico.logiciels import Catalogue, Evaluateur  # noqa: E402
from amico.referentiel import load  # noqa: E402
from amico.referentiel.generate import generate  # noqa: E402
from amico_lab.postes.poste import PosteSimule  # noqa: E402
from amico_lab.postes.referentiel import etat_conforme  # noqa: E402


def etat_poste(catalogue: Catalogue, profil: str) -> dict:
    """A stand-in post conforme for its profile, built by the lab from the catalogue's own
    detection rules (amico_lab.postes.referentiel)."""
    return etat_conforme(catalogue, "p", profil)


def distant(etat: dict, demande: dict) -> dict:
    """One remote call: the stand-in's collector output, through JSON."""
    return json.loads(json.dumps(PosteSimule.collecte(etat, demande)))


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--sites", type=int, default=150)
    p.add_argument("--postes", type=int, default=17000)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        generate(ROOT / "referentiel", Path(tmp) / "ref", a.sites, a.postes)
        ref = load(Path(tmp) / "ref")
        t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    tous = attendus(ref, ref.sites)
    t_att = time.perf_counter() - t0
    brut = ref.logiciels.model_dump(mode="json", exclude_none=True)
    cat = Catalogue(brut)
    ev = Evaluateur(cat)
    non_detect = set(sans_detection(ref))
    postes = [
        (h["poste"]["profil"], h["poste"]["systeme"])
        for s in tous.values()
        for h in s["hotes"].values()
        if "poste" in h
    ]
    etats = {pr: etat_poste(cat, pr) for pr in {pr for pr, _ in postes}}
    n_sw = sum(1 for s in tous.values() for h in s["hotes"].values() if "commutateur" in h)
    n_srv = sum(1 for s in tous.values() for h in s["hotes"].values() if "serveur" in h)

    # collect once per post, compare everything in Python
    t0 = time.perf_counter()
    appels_1 = ecarts_1 = 0
    for profil, systeme in postes:
        collecte = distant(etats[profil], cat.demande(profil, systeme))
        appels_1 += 1
        res = ev.evaluer(collecte, profil, systeme)
        cs = comparaison.comparer_poste([r.en_dict() for r in res], non_detect)
        ecarts_1 += sum(1 for c in cs if c["statut"] != "conforme")
    t_once = time.perf_counter() - t0

    # naive: one remote call and one evaluation per rule (catalogue entry)
    t0 = time.perf_counter()
    appels_n = ecarts_n = 0
    mono = {}
    for profil, systeme in postes:
        for e in cat.entrees_poste(profil, systeme):
            if e.id not in mono:
                mono[e.id] = Catalogue(
                    {
                        "logiciels": [e.brut],
                        "profils": [
                            {"id": "x", "logiciels": [] if e.statut == "interdit" else [e.id]}
                        ],
                    }
                )
            c1 = mono[e.id]
            sys_ = systeme if e.id == systeme else None
            collecte = distant(etats[profil], c1.demande("x", sys_))
            appels_n += 1
            res = Evaluateur(c1).evaluer(collecte, "x", sys_)
            cs = comparaison.comparer_poste([r.en_dict() for r in res], non_detect)
            ecarts_n += sum(1 for c in cs if c["statut"] != "conforme")
    t_naive = time.perf_counter() - t0
    assert ecarts_1 == ecarts_n, (ecarts_1, ecarts_n)  # same answer, different cost

    hotes = len(postes) + n_sw + n_srv
    print(f"flotte simulée : {len(ref.sites)} sites, {len(postes)} postes, {n_sw} commutateurs, "
          f"{n_srv} serveurs ({hotes} hôtes) ; génération+chargement {t_gen:.1f} s, "
          f"état attendu {t_att:.2f} s")  # fmt: skip
    print(f"collecte unique + comparaison Python : {t_once:.2f} s contrôleur, "
          f"{appels_1} appels distants, {ecarts_1} écarts")  # fmt: skip
    print(f"naïf, une vérification par règle      : {t_naive:.2f} s contrôleur, "
          f"{appels_n} appels distants, {ecarts_n} écarts")  # fmt: skip
    print(f"ratio (temps contrôleur Python)       : {t_naive / t_once:.1f}x")
    print(f"ratio (appels distants)               : {appels_n / appels_1:.1f}x")
    print("de bout en bout par le vrai playbook (mesuré, pas projeté) : bench/flotte_bench.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
