"""AWX job slicing of the whole-fleet drift: two slices aligned with site groups, each run
through ansible-runner (as an AWX execution node runs a job), then the separate merge
step, against ONE run over all the sites; same findings required.

On the fleet lab of flotte_bench (`amico_lab.flotte`: one emulated switch per switch, one
stand-in per Windows post; servers left out), for N sites:

- one run: `ansible-runner run` of playbooks/derive.yml over the whole inventory, then
  `amico derive --fusionner`;
- N/2 + N/2: the same job twice, each limited to the site groups of its half (`--limit
  localhost:site_<uai>:...`, AWX's slice of a job aligned on sites), both writing into the
  run folder they share (AWX: a shared volume), each preparing the expectations of every
  site (the same files, what a slice of the job does: the localhost play runs in every
  slice); then `amico derive --fusionner` once.

The slices run one after the other here (2 shared cores); on AWX they run side by side on
two nodes: their wall time there is the slower slice's, plus the merge. Measured: wall,
CPU of the tree per host, peak memory (flotte_bench.mesurer), findings compared host by
host (timings left out) and the merged summary.

    .venv/bin/python bench/awx_tranches_bench.py [--sites 50] [--processus 4]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from flotte_bench import amico, constats, mesurer  # noqa: E402

from amico.derive import execution  # noqa: E402
from amico_lab.flotte import LaboFlotte  # noqa: E402


def ansible_runner() -> str:
    p = Path(sys.executable).parent / "ansible-runner"
    return str(p) if p.exists() else "ansible-runner"


def job(labo: LaboFlotte, env: dict, dossier: Path, travail: Path, limite: str | None) -> dict:
    """One job (or slice) through ansible-runner's command line, like an AWX node."""
    cmd = execution.commande(
        dossier, [str(labo.inventaire)], labo.referentiel.resolve(), [], [], True, None, None
    )
    extravars = json.loads(cmd[cmd.index("-e") + 1])
    livre = cmd[1]
    pdd = travail / "runner"
    (pdd / "env").mkdir(parents=True, exist_ok=True)
    (pdd / "env" / "extravars").write_text(json.dumps(extravars), encoding="utf-8")
    run = [ansible_runner(), "run", str(pdd), "-p", livre, "--inventory", str(labo.inventaire)]
    if limite:
        run += ["--limit", limite]
    # the execution environment's PATH: this venv's ansible-playbook first
    env = {**env, "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}"}
    return mesurer([*run, "-q"], env, travail / "runner.log")


def fusion(env: dict, dossier: Path, journal: Path) -> dict:
    return mesurer(
        [*amico(), "derive", "--fusionner", str(dossier), "--sans-historique", "--silencieux"],
        env,
        journal,
    )


def resume(dossier: Path) -> dict:
    f = dossier / "resultat.json"
    return json.loads(f.read_text(encoding="utf-8"))["resume"] if f.exists() else {}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=50, help="sites en tout (défaut : 50)")
    p.add_argument("--processus", type=int, default=4, help="processus d'émulation")
    p.add_argument("--garder", type=Path, help="garder dossiers et journaux ici")
    args = p.parse_args(argv)
    if args.sites < 2:
        print("il faut au moins 2 sites (une tranche par moitié)")
        return 2
    print(
        f"machine : {os.cpu_count()} cœur(s), charge {os.getloadavg()[0]:.1f} au départ ; "
        "tranches lancées l'une après l'autre (sur AWX : côte à côte, deux nœuds)"
    )
    with tempfile.TemporaryDirectory(prefix="amico-bench-awx-") as t:
        tmp = args.garder or Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        labo = LaboFlotte(tmp / "labo", args.sites, processus=args.processus)
        t0 = time.monotonic()
        labo.demarrer()
        try:
            env = labo.environnement()
            env["AMICO_STATE_DIR"] = str(tmp / "etat")
            # bytecode written once outside the tree, as in flotte_bench
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
            from amico.referentiel import load

            uais = [s.uai for s in load(labo.referentiel).sites]
            hotes = len(labo.hotes)
            moities = [uais[: len(uais) // 2], uais[len(uais) // 2 :]]
            print(
                f"labo : {args.sites} sites, {hotes} hôtes, prêt en "
                f"{time.monotonic() - t0:.0f} s ; tranches de {len(moities[0])} et "
                f"{len(moities[1])} sites (groupes site_<uai>)"
            )
            # one run over every site
            un = tmp / "un"
            un_job = job(labo, env, un / "derive", un, None)
            un_fusion = fusion(env, un / "derive", un / "fusion.log")
            # two slices sharing one run folder, then one merge
            deux = tmp / "tranches"
            tranches = []
            for i, moitie in enumerate(moities):
                limite = ":".join(["localhost", *(f"site_{u.lower()}" for u in moitie)])
                tranches.append(job(labo, env, deux / "derive", deux / f"tranche{i}", limite))
            deux_fusion = fusion(env, deux / "derive", deux / "fusion.log")
            memes = constats(un / "derive") == constats(deux / "derive")
            r_un, r_deux = resume(un / "derive"), resume(deux / "derive")
        finally:
            labo.arreter()
        if args.garder is None:
            shutil.rmtree(tmp / "labo", ignore_errors=True)

    def ligne(nom: str, m: dict) -> None:
        print(
            f"  {nom:<28} code {m['code']}, {m['mur_s']:7.1f} s, "
            f"{1000 * m['cpu_s'] / hotes:5.0f} ms CPU par hôte de la flotte, "
            f"pic {m['pic_principal_mo']:.0f} Mo (processus principal) / "
            f"{m['pic_arbre_mo']:.0f} Mo (arbre)"
        )

    print(f"un seul job, {args.sites} sites :")
    ligne("job (ansible-runner)", un_job)
    ligne("fusion", un_fusion)
    print(f"deux tranches de {len(moities[0])} sites :")
    for i, m in enumerate(tranches):
        ligne(f"tranche {i + 1} (ansible-runner)", m)
    ligne("fusion", deux_fusion)
    mur_un = un_job["mur_s"] + un_fusion["mur_s"]
    cpu_un = un_job["cpu_s"] + un_fusion["cpu_s"]
    mur_awx = max(m["mur_s"] for m in tranches) + deux_fusion["mur_s"]
    mur_suite = sum(m["mur_s"] for m in tranches) + deux_fusion["mur_s"]
    cpu_deux = sum(m["cpu_s"] for m in tranches) + deux_fusion["cpu_s"]
    print(
        f"constats identiques hôte par hôte : {'oui' if memes else 'NON'} ; résumé fusionné "
        f"identique : {'oui' if r_un == r_deux else 'NON'} ({r_deux.get('hotes', '?')} hôtes)"
    )
    print(
        f"ratio deux tranches / un job : CPU {cpu_deux / cpu_un:.2f}x ; mur l'une après "
        f"l'autre {mur_suite / mur_un:.2f}x ; mur sur deux nœuds (la plus lente + fusion) "
        f"{mur_awx / mur_un:.2f}x"
    )
    codes_ok = all(m["code"] == 0 for m in [un_job, *tranches]) and all(
        m["code"] in (0, 1) for m in (un_fusion, deux_fusion)
    )
    if not (codes_ok and memes and r_un == r_deux):
        print("ÉCHEC : voir les journaux (--garder DOSSIER)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
