"""Benchmark of the Windows software catalog evaluation (amico.logiciels).

1. Controller time of ONE evaluation of 17,000 posts x ~40 catalog entries (realistic
   synthetic collector outputs, ~130 uninstall lines per post), optimised evaluator
   (compiled catalog, DisplayName memo) vs a naive baseline in this script (regex and
   version parsing redone for every post x entry x line). Ratio reported.
2. Issue #5's comparison, 2,000 posts x 80 entries, on the same stand-in answers
   (amico_lab.postes.PosteSimule.collecte, in memory): one collector call per post vs
   one win_package-style check call per catalog entry per post. Remote calls per post are
   counted; controller time is measured; wall time over WinRM is only PROJECTED with an
   assumed per-call latency (--latence-ms, an assumption, not a measurement).

Usage: python bench/catalogue_bench.py [--postes 17000] [--entrees 40] [--graine 1]
"""

from __future__ import annotations

import argparse
import random
import re
import time

from amico.logiciels import Catalogue, Evaluateur
from amico_lab.postes.poste import PosteSimule

EDITEURS = [
    "Mozilla",
    "The Document Foundation",
    "Igor Pavlov",
    "VideoLAN",
    "Adobe",
    "Oracle Corporation",
    "GeoGebra",
    "Audacity Team",
    "GIMP Team",
    "Inkscape",
    "Notepad++ Team",
    "Python Software Foundation",
]


def catalogue_synthetique(n: int, rnd: random.Random) -> dict:
    logiciels = []
    for i in range(n):
        statut = "interdit" if i % 17 == 5 else ("fin_de_vie" if i % 13 == 7 else "supporte")
        logiciels.append(
            {
                "id": f"logiciel_{i:03d}",
                "nom": f"Logiciel {i}",
                "cycle_de_vie": {"statut": statut},
                "version_min": f"{rnd.randint(1, 30)}.{rnd.randint(0, 9)}",
                "detection": [
                    {
                        "type": "desinstallation",
                        "nom": rf"^Logiciel {i:03d}\b( \(x64\))?",
                        "editeur": rnd.choice(EDITEURS),
                    }
                ],
                "installation": {"fichier": f"setup_{i:03d}.exe", "arguments": "/S"},
            }
        )
    return {
        "logiciels": logiciels,
        "profils": [{"id": "base", "logiciels": [e["id"] for e in logiciels]}],
    }


def poste_synthetique(cat: dict, rnd: random.Random, bruit: list[dict]) -> dict:
    lignes = list(bruit)
    for e in cat["logiciels"]:
        if rnd.random() < 0.8:
            i = int(e["id"].split("_")[1])
            editeur = e["detection"][0]["editeur"]
            v = f"{rnd.randint(1, 30)}.{rnd.randint(0, 9)}.{rnd.randint(0, 99)}.{rnd.randint(0, 9999)}"  # noqa: E501
            for vue in ("64", "32") if rnd.random() < 0.2 else ("64",):
                lignes.append(
                    {
                        "vue": vue,
                        "cle": f"L{i}",
                        "DisplayName": f"Logiciel {i:03d} (x64)",
                        "DisplayVersion": rnd.choice([v, v, v, f"{v} (x64)", "", "N/A"]),
                        "Publisher": editeur,
                    }
                )
    return {
        "desinstallation": lignes,
        "systeme": {"version": "10.0.19045.5247"},
        "redemarrage": {"en_attente": False},
        "fichiers": {},
        "registre": {},
        "services": {},
    }


def bruit_windows(n: int) -> list[dict]:
    """Lines every post has and no rule matches: updates, drivers, runtimes."""
    return [
        {
            "vue": "64" if k % 2 else "32",
            "cle": f"{{{k:08X}-0000-0000-0000-000000000000}}",
            "DisplayName": f"Microsoft Visual C++ 2015-2022 Redistributable - 14.{k}.33810",
            "DisplayVersion": f"14.{k}.33810.0",
            "Publisher": "Microsoft Corporation",
        }
        for k in range(n)
    ]


# -- naive baseline: what a straightforward implementation does --------------------------------
def _version_naive(texte):
    if not isinstance(texte, str):
        return None
    m = re.search(r"\d+(?:[._]\d+)*", texte)
    if not m:
        return None
    nums = [int(x) for x in re.split(r"[._]", m.group(0))]
    while len(nums) > 1 and nums[-1] == 0:
        nums.pop()
    return tuple(nums)


def evaluer_naif(cat: dict, collecte: dict) -> dict[str, str]:
    statuts = {}
    for e in cat["logiciels"]:
        versions = []
        for r in e["detection"]:
            for ligne in collecte["desinstallation"]:
                if re.search(r["nom"], ligne["DisplayName"], re.IGNORECASE) and re.search(
                    r["editeur"], ligne.get("Publisher") or "", re.IGNORECASE
                ):
                    versions.append(
                        _version_naive(ligne.get("DisplayVersion"))
                        or _version_naive(ligne["DisplayName"])
                    )
        statut = e["cycle_de_vie"]["statut"]
        if not versions:
            statuts[e["id"]] = "absent" if statut == "supporte" else "conforme"
        elif statut != "supporte":
            statuts[e["id"]] = statut
        else:
            vmin = _version_naive(e["version_min"])
            best = max((v for v in versions if v), default=None)
            statuts[e["id"]] = (
                "indetermine" if best is None else ("conforme" if best >= vmin else "obsolete")
            )
    return statuts


def mesurer_evaluation(n_postes: int, n_entrees: int, graine: int) -> None:
    rnd = random.Random(graine)
    brut = catalogue_synthetique(n_entrees, rnd)
    bruit = bruit_windows(100)
    modeles = [poste_synthetique(brut, rnd, bruit) for _ in range(200)]  # 200 distinct images
    postes = [modeles[i % len(modeles)] for i in range(n_postes)]
    lignes = sum(len(p["desinstallation"]) for p in postes) / len(postes)

    t0 = time.perf_counter()
    cat = Catalogue(brut)
    ev = Evaluateur(cat)
    compte = 0
    for p in postes:
        compte += len(ev.evaluer(p, "base"))
    t_opt = time.perf_counter() - t0

    echantillon = postes[: max(1, n_postes // 20)]  # the naive one is slow: time 5 % and scale
    t0 = time.perf_counter()
    for p in echantillon:
        evaluer_naif(brut, p)
    t_naif = (time.perf_counter() - t0) * n_postes / len(echantillon)

    # Same verdicts (sanity).
    ref = {r.id: r.statut for r in ev.evaluer(postes[0], "base")}
    naif = evaluer_naif(brut, postes[0])
    ecarts = sum(1 for k in naif if naif[k] != ref[k])
    print(
        f"[1] {n_postes} postes x {n_entrees} entrées ({lignes:.0f} lignes de désinstallation / poste)"  # noqa: E501
    )
    print(
        f"    évaluateur AMICo : {t_opt:.2f} s ({compte} statuts, {1e6 * t_opt / n_postes:.0f} µs / poste)"  # noqa: E501
    )
    print(f"    référence naïve  : {t_naif:.2f} s (extrapolé de {len(echantillon)} postes)")
    print(
        f"    rapport          : x{t_naif / t_opt:.1f} ; verdicts différents sur un poste : {ecarts}"  # noqa: E501
        " (la référence naïve lit « 000 » dans « Logiciel 000 (x64) » comme une version)"
    )


def mesurer_allers_retours(n_postes: int, n_entrees: int, graine: int, latence_ms: float) -> None:
    rnd = random.Random(graine)
    brut = catalogue_synthetique(n_entrees, rnd)
    bruit = bruit_windows(100)
    etats = [poste_synthetique(brut, rnd, bruit) for _ in range(n_postes)]
    for e in etats:
        e["redemarrage"] = {"indicateurs": []}
    cat = Catalogue(brut)
    ev = Evaluateur(cat)

    t0 = time.perf_counter()
    appels_a = 0
    for e in etats:
        sortie = PosteSimule.collecte(e, cat.demande("base"))
        appels_a += 1
        ev.evaluer(sortie, "base")
    t_a = time.perf_counter() - t0

    # win_package style: one remote check per catalog entry (product present? which version?).
    t0 = time.perf_counter()
    appels_b = 0
    for e in etats:
        for entree in cat.entrees_poste("base"):
            motif = entree.regles[0].nom
            sortie = PosteSimule.collecte(
                {
                    **e,
                    "desinstallation": [
                        ligne
                        for ligne in e["desinstallation"]
                        if motif.search(ligne["DisplayName"])
                    ],
                },
                {},
            )
            appels_b += 1
            ev.evaluer(sortie, "base")  # the controller still has to decide each entry
    t_b = time.perf_counter() - t0
    par_a, par_b = appels_a / n_postes, appels_b / n_postes
    print(f"[2] {n_postes} postes x {n_entrees} entrées, même poste simulé")
    print(f"    un collecteur          : {par_a:.0f} appel distant / poste, contrôleur {t_a:.2f} s")
    print(
        f"    une tâche par entrée   : {par_b:.0f} appels distants / poste, contrôleur {t_b:.2f} s"
    )
    print(
        f"    projection WinRM (HYPOTHÈSE {latence_ms:.0f} ms par appel, 10 forks) : "
        f"{appels_a * latence_ms / 1000 / 10 / 60:.1f} min contre "
        f"{appels_b * latence_ms / 1000 / 10 / 60:.1f} min"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--postes", type=int, default=17_000)
    p.add_argument("--entrees", type=int, default=40)
    p.add_argument("--postes-allers-retours", type=int, default=2_000)
    p.add_argument("--entrees-allers-retours", type=int, default=80)
    p.add_argument("--latence-ms", type=float, default=500.0)
    p.add_argument("--graine", type=int, default=1)
    a = p.parse_args()
    mesurer_evaluation(a.postes, a.entrees, a.graine)
    mesurer_allers_retours(
        a.postes_allers_retours, a.entrees_allers_retours, a.graine, a.latence_ms
    )


if __name__ == "__main__":
    main()
