"""Run every benchmark of bench/ side by side and write bench/RESULTS.md.

Every ``bench/*_bench.py`` is run (in name order) with this interpreter; its output is
kept whole in the results file, and the lines that carry a ratio are gathered at the top.
The machine is noted (CPU model from /proc/cpuinfo, nproc, memory, Python, date).

    python bench/run_all.py                       # every benchmark, default sizes (~30 min)
    python bench/run_all.py --rapide              # small sizes, a few minutes
    python bench/run_all.py --seulement catalogue --args catalogue="--postes 2000"

Lines starting with "» " (controller-bound parts, profile) are gathered in their own
section. The load average is noted around each benchmark: the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# a line carries a ratio: "ratio", "x 12.3", "12.3x", "×", "fois"
RATIO = re.compile(
    r"ratio|\b[x×]\d|\d(?:\.\d+)?\s?[x×](?!\s*\d)|\bfois\b|plus rapide|speed-?up"
    r"|^\s*[\w-]+/[\w-]+\s+\d+(?:\.\d+)?\s*$",  # "plugin/static   1.30"
    re.IGNORECASE | re.MULTILINE,
)
# what the issue asks for, and which script answers it
ATTENDUS = {
    "inventory": "inventaire à pleine échelle vs inventaire statique",
    "catalogue": "conformité des postes vs une tâche par entrée",
    "derive": "dérive complète sur un parc simulé (150 sites) vs playbook naïf en check mode",
    "dossier": "dossiers d'intervention",
    "commutateurs": "dérive des commutateurs vs netmiko séquentiel",
    "mitogen": "effet de mitogen sur les rôles serveurs Linux",
    "profil": "parties liées au contrôleur et profil (inventaire, évaluation de la dérive)",
    "flotte": "dérive de toute la flotte par le vrai playbook vs playbook vide (plancher)",
    "import_glpi": "import de l'inventaire GLPI (148 entités) paginé vs un appel par matériel",
    "supervision": "synchronisation Zabbix (vrai Zabbix du labo) vs un appel par objet",
}
# --rapide: small sizes (what --args gives for a benchmark wins)
RAPIDE = {
    "inventory": ["--sites", "30", "--postes", "3000", "--runs", "1"],
    "catalogue": ["--postes", "2000", "--postes-allers-retours", "300"],
    "derive": ["--sites", "30", "--postes", "3000"],
    "dossier": ["--sites", "30", "--postes", "3000", "--runs", "1"],
    "commutateurs": ["--commutateurs", "30"],
    "mitogen": ["--rapide"],
    "profil": ["--rapide"],
    "flotte": ["--sites", "5"],
    "import_glpi": ["--sites", "30", "--postes", "3000"],
    "supervision": ["--sites", "5"],
}
# --fumee: the smallest sizes, only to prove every benchmark still runs (make test runs
# them through tests/bench/test_bench_smoke.py; no timing is asserted)
FUMEE = {
    "inventory": ["--sites", "2", "--postes", "20", "--runs", "1", "--work", "{tmp}"],
    "catalogue": ["--postes", "20", "--entrees", "5", "--postes-allers-retours", "5",
                  "--entrees-allers-retours", "5", "--latence-ms", "1"],
    "derive": ["--sites", "2", "--postes", "20"],
    "dossier": ["--sites", "2", "--postes", "20", "--runs", "1"],
    "commutateurs": ["--commutateurs", "2", "--processus", "1", "--parallele", "2"],
    "mitogen": ["--conteneurs", "1", "--runs", "1"],
    "profil": ["--sites", "2", "--postes", "20", "--work", "{tmp}"],
    "flotte": ["--sites", "1", "--processus", "1"],
    "awx_tranches": ["--sites", "2", "--processus", "1"],
    "import_glpi": ["--sites", "2", "--postes", "20"],
    "supervision": ["--sites", "1"],
}  # fmt: skip
RESUME = "» "
DRAPEAU = {"rapide": " --rapide", "fumée": " --fumee"}


def machine() -> dict[str, str]:
    modele = "inconnu"
    try:
        for ligne in Path("/proc/cpuinfo").read_text().splitlines():
            if ligne.startswith("model name"):
                modele = ligne.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memoire = "inconnue"
    try:
        for ligne in Path("/proc/meminfo").read_text().splitlines():
            if ligne.startswith("MemTotal"):
                memoire = f"{int(ligne.split()[1]) / 1024 / 1024:.1f} Gio"
                break
    except OSError:
        pass
    return {
        "processeur": modele,
        "nproc": str(os.cpu_count()),
        "memoire": memoire,
        "python": platform.python_version(),
        "systeme": platform.platform(),
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def scripts(seulement: list[str]) -> list[Path]:
    out = sorted(BENCH.glob("*_bench.py"))
    if seulement:
        out = [s for s in out if s.stem.removesuffix("_bench") in seulement]
    return out


def charge() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def lancer(script: Path, args: list[str], timeout: int) -> dict:
    charge_debut = charge()
    t0 = time.monotonic()
    try:
        r = subprocess.run(
            [sys.executable, str(script), *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        code, sortie = (
            r.returncode,
            r.stdout + (f"\n[stderr]\n{r.stderr[-3000:]}" if r.returncode else ""),
        )
    except subprocess.TimeoutExpired as exc:
        code, sortie = (
            -1,
            f"(arrêté après {timeout} s)\n{(exc.stdout or b'').decode(errors='replace')}",
        )
    return {
        "nom": script.stem.removesuffix("_bench"),
        "script": str(script.relative_to(REPO)),
        "args": args,
        "code": code,
        "duree_s": round(time.monotonic() - t0, 1),
        "sortie": sortie.strip(),
        "ratios": [
            ligne.strip()
            for ligne in sortie.splitlines()
            if RATIO.search(ligne) and not ligne.lstrip().startswith(RESUME)
        ],
        "resume": [
            ligne.strip().removeprefix(RESUME)
            for ligne in sortie.splitlines()
            if ligne.lstrip().startswith(RESUME)
        ],
        "charge": (charge_debut, charge()),
    }


def ecrire(resultats: list[dict], infos: dict[str, str], chemin: Path, mode: str) -> None:
    charges = [c for r in resultats for c in r["charge"]]
    lignes = [
        "# Mesures de performance AMICo",
        "",
        f"Écrit par `python bench/run_all.py{DRAPEAU.get(mode, '')}` le "
        f"{infos['date']} (tailles : {mode}). Ratios seulement : les temps absolus dépendent "
        "de la machine.",
        "",
        "## Machine",
        "",
        f"- processeur : {infos['processeur']} ; {infos['nproc']} cœur(s) (nproc)",
        f"- mémoire : {infos['memoire']} ; Python {infos['python']} ; {infos['systeme']}",
    ]
    if charges:
        lignes.append(
            f"- charge moyenne (1 min) autour des bancs : {min(charges):.1f} à "
            f"{max(charges):.1f} pour {infos['nproc']} cœur(s) ; machine partagée : une "
            "charge au-delà du nombre de cœurs signale du bruit (d'autres travaux), les "
            "ratios des bancs alternés (inventory, mitogen) y résistent mieux"
        )
    lignes += [
        "",
        "## Ratios",
        "",
        "| banc | code | durée (s) | charge début/fin | lignes de ratio |",
        "|---|---|---|---|---|",
    ]
    for r in resultats:
        ratios = (
            "<br>".join(x.replace("|", "\\|") for x in r["ratios"]) or "(aucune ligne de ratio)"
        )
        if "IGNORÉ" in r["sortie"]:
            ratios = "IGNORÉ : " + next(x for x in r["sortie"].splitlines() if "IGNORÉ" in x)
        debut, fin = r["charge"]
        lignes.append(
            f"| {r['nom']} | {r['code']} | {r['duree_s']} | {debut:.1f} / {fin:.1f} | {ratios} |"
        )
    resumes = [(r["nom"], x) for r in resultats for x in r["resume"]]
    if resumes:
        lignes += ["", "## Où va le temps : parties liées au contrôleur, profil", ""]
        lignes += [f"- {nom} : {x}" for nom, x in resumes]
    faits = {r["nom"] for r in resultats}
    manquants = [f"- {k} : {v}" for k, v in ATTENDUS.items() if k not in faits]
    if manquants:
        lignes += ["", "## Mesures demandées sans banc ici", "", *manquants]
    for r in resultats:
        args = " ".join(shlex.quote(a) for a in r["args"])
        lignes += [
            "",
            f"## {r['nom']} (`python {r['script']} {args}`".rstrip() + ")",
            "",
            "```",
            r["sortie"][-6000:],
            "```",
        ]
    chemin.write_text("\n".join(lignes) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seulement", action="append", default=[], metavar="NOM",
                   help="un banc par son nom (inventory, catalogue...) ; répétable")  # fmt: skip
    p.add_argument("--args", action="append", default=[], metavar='NOM="ARGS"',
                   help="arguments d'un banc, ex. catalogue=\"--postes 2000\"")  # fmt: skip
    p.add_argument("--rapide", action="store_true", help="petites tailles (quelques minutes)")
    p.add_argument("--fumee", action="store_true", help="tailles minimales : tout tourne")
    p.add_argument("--timeout", type=int, default=3600, help="délai par banc (s)")
    p.add_argument("--sortie", type=Path, default=BENCH / "RESULTS.md")
    args = p.parse_args(argv)
    par_banc = dict(RAPIDE) if args.rapide else {}
    if args.fumee:
        tmp = tempfile.mkdtemp(prefix="amico-bench-fumee-")
        par_banc = {k: [a.replace("{tmp}", tmp) for a in v] for k, v in FUMEE.items()}
    for a in args.args:
        nom, _, valeur = a.partition("=")
        par_banc[nom] = shlex.split(valeur)
    infos = machine()
    resultats = []
    for script in scripts(args.seulement):
        nom = script.stem.removesuffix("_bench")
        print(f"[bench] {nom} ...", flush=True)
        r = lancer(script, par_banc.get(nom, []), args.timeout)
        print(f"[bench] {nom} : code {r['code']}, {r['duree_s']} s, {len(r['ratios'])} ratio(s)")
        resultats.append(r)
    mode = "fumée" if args.fumee else "rapide" if args.rapide else "complètes"
    ecrire(resultats, infos, args.sortie, mode)
    print(f"Résultats : {args.sortie}")
    return 0 if all(r["code"] == 0 for r in resultats) else 1


if __name__ == "__main__":
    sys.exit(main())
