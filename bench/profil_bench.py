"""Profile: where the controller's time goes, summarized in a few lines.

Two controller-bound runs, profiled by sampling the main thread's stack every 5 ms (a
small stdlib sampler below: cProfile's per-call overhead inflated the JSON encoder's 92
million calls to 92 % of a run; a sampler does not distort that way):
  inventaire  `ansible-inventory --list` with the amico.colleges.referentiel plugin on a
              full-scale synthetic référentiel (`amico referentiel generer`)
  derive      the drift evaluation of a simulated fleet on the controller: expected state
              of every site (amico.derive.attendu), then per post the collector's answer
              decoded from JSON, evaluated against the catalogue and compared (the remote
              answers are prepared beforehand: only the controller's work is profiled)
For each: the top cumulative functions (wrappers covering the whole run left out), and
the self time by package (ansible-core, amico, yaml, jinja2, json, other), the time of C
functions being charged to their Python callers. Lines starting with "» " are the
summary run_all.py gathers.

    .venv/bin/python bench/profil_bench.py [--sites 148] [--postes 17000] [--rapide]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCH))

from amico.referentiel.generate import generate  # noqa: E402
from amico.referentiel.loader import load  # noqa: E402


def paquet(fichier: str) -> str:
    f = fichier.replace(os.sep, "/")
    for nom, motif in (
        ("ansible-core", "/site-packages/ansible/"),
        ("jinja2", "/site-packages/jinja2/"),
        ("yaml", "/site-packages/yaml/"),
        ("pydantic", "/site-packages/pydantic"),
        ("json (stdlib)", "/json/"),
    ):
        if motif in f:
            return nom
    if "/site-packages/" in f:
        return "autres paquets"
    if "/ansible_collections/amico/" in f or f.startswith(str(REPO / "src")):
        return "amico"
    if f.startswith(str(BENCH)):
        return "boucle du banc (json.loads, en_dict)"
    return "autres (stdlib...)"


class Echantillonneur:
    """A minimal sampling profiler (stdlib only): every `pas` seconds, the main thread's
    stack is read. Unlike cProfile it does not inflate code made of many small calls (the
    JSON encoder: 92 million calls). Time in a C function goes to its Python caller. Each
    sample weighs the time since the previous one: a C call that holds the GIL (pydantic's
    validation, the C YAML parser) delays the sampler, and the delay is charged to the
    stack seen right after it (the caller), instead of being lost."""

    def __init__(self, pas: float = 0.005) -> None:
        self.pas = pas
        self.cible = threading.main_thread().ident
        self.propre: Counter = Counter()
        self.cumule: Counter = Counter()
        self.responsable: Counter = Counter()  # first non-stdlib frame from the leaf
        self._paquets: dict[str, str] = {}
        self.n = 0.0  # seconds covered by the samples
        self.echantillons = 0
        self._dernier = 0.0
        self._fin = threading.Event()
        self._fil = threading.Thread(target=self._boucle, daemon=True)

    def _boucle(self) -> None:
        while not self._fin.wait(self.pas):
            frame = sys._current_frames().get(self.cible)
            if frame is None:
                continue
            maintenant = time.perf_counter()
            poids = min(maintenant - self._dernier, 1.0)
            self._dernier = maintenant
            self.n += poids
            self.echantillons += 1
            feuille = True
            responsable = None
            vus = set()
            while frame is not None:
                code = frame.f_code
                cle = (code.co_filename, code.co_firstlineno, code.co_name)
                if feuille:
                    self.propre[cle] += poids
                    feuille = False
                if responsable is None:
                    p = self._paquets.get(code.co_filename)
                    if p is None:
                        p = self._paquets[code.co_filename] = paquet(code.co_filename)
                    if p not in {"autres (stdlib...)", "json (stdlib)"}:
                        responsable = p
                if cle not in vus:
                    vus.add(cle)
                    self.cumule[cle] += poids
                frame = frame.f_back
            self.responsable[responsable or "autres (stdlib...)"] += poids

    def __enter__(self) -> Echantillonneur:
        self._intervalle = sys.getswitchinterval()
        sys.setswitchinterval(self.pas / 5)  # let the sampler take the GIL on time
        self._dernier = time.perf_counter()
        self._fil.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._fin.set()
        self._fil.join()
        sys.setswitchinterval(self._intervalle)

    def en_dict(self) -> dict:
        return {
            "n": self.n,
            "echantillons": self.echantillons,
            "propre": [[*k, v] for k, v in self.propre.items()],
            "cumule": [[*k, v] for k, v in self.cumule.items()],
            "responsable": dict(self.responsable),
        }


def nom_court(fichier: str, ligne: int, fonction: str) -> str:
    f = fichier.replace(os.sep, "/")
    for marque in ("/site-packages/", "/ansible_collections/", "/src/"):
        if marque in f:
            f = f.split(marque, 1)[1]
            break
    else:
        f = f[len(str(REPO)) + 1 :] if f.startswith(str(REPO)) else Path(f).name
    return f"{f}:{ligne}({fonction})"


# (label, end of the file name, function): cumulative share of known phases
PHASES = {
    "inventaire": [
        ("plugin amico : lecture du référentiel + ajout des hôtes (parse)",
         "plugins/inventory/referentiel.py", "parse"),
        ("  dont chargement et vérification du référentiel (amico)",
         "amico/referentiel/loader.py", "load"),
        ("ansible-inventory : variables par hôte (get_vars)", "ansible/vars/manager.py",
         "get_vars"),
        ("ansible-inventory : sérialisation JSON (dump)", "ansible/cli/inventory.py", "dump"),
    ],
    "derive": [
        ("état attendu par site (amico.derive.attendu)", "amico/derive/attendu.py", "attendus"),
        ("décodage JSON des réponses des collecteurs", "json/__init__.py", "loads"),
        ("évaluation du catalogue (amico.logiciels)", "amico/logiciels/evaluation.py", "evaluer"),
        ("comparaison (amico.derive.comparaison)", "amico/derive/comparaison.py",
         "comparer_poste"),
    ],
}  # fmt: skip


def resume(titre: str, ech: dict, duree: float, phases: str, n_top: int = 8) -> list[str]:
    n = max(ech["n"], 1e-9)
    paquets: Counter = Counter()
    for fichier, _l, _f, v in ech["propre"]:
        paquets[paquet(fichier)] += v
    lignes = [
        f"[{titre}] {duree:.1f} s, {ech['echantillons']} échantillons ({ech['n']:.1f} s couvertes)"
    ]
    lignes.append("  fonctions, temps cumulé (% du temps échantillonné) :")
    vus = 0
    for fichier, ligne, fonction, v in sorted(ech["cumule"], key=lambda x: -x[3]):
        if v > 0.97 * n or fonction in {"<module>", "main", "run", "cli_executor"}:
            continue  # wrappers around the whole run
        lignes.append(f"    {100 * v / n:5.1f} %  {nom_court(fichier, ligne, fonction)}")
        vus += 1
        if vus == n_top:
            break
    lignes.append("  phases (temps cumulé) :")
    court = []
    for libelle, suffixe, fonction in PHASES[phases]:
        v = max(
            (x[3] for x in ech["cumule"] if x[0].endswith(suffixe) and x[2] == fonction),
            default=0,
        )
        lignes.append(f"    {100 * v / n:5.1f} %  {libelle}")
        court.append(f"{libelle.strip()} {100 * v / n:.0f} %")
    lignes.append("  temps propre par paquet (% du temps échantillonné) :")
    for p, v in paquets.most_common():
        lignes.append(f"    {100 * v / n:5.1f} %  {p}")
    resp = Counter(ech["responsable"])
    part = ", ".join(f"{p} {100 * v / n:.0f} %" for p, v in resp.most_common() if v / n >= 0.01)
    lignes.append(f"» profil {titre}, phases : {' ; '.join(court)}")
    lignes.append(f"» profil {titre}, par paquet (stdlib compté à son appelant) : {part}")
    return lignes


def echantillonner_inventaire(sortie: str, cfg: str) -> int:
    """In a child process: ansible-inventory --list under the sampler."""
    from ansible.cli.inventory import main as inventaire  # noqa: PLC0415

    sys.argv = ["ansible-inventory", "-i", cfg, "--list"]
    with Echantillonneur() as ech, contextlib.suppress(SystemExit):
        inventaire()
    Path(sortie).write_text(json.dumps(ech.en_dict()))
    return 0


def profil_inventaire(ref_dir: Path, work: Path) -> tuple[dict, float]:
    cfg = work / "plugin.amico.yml"
    cfg.write_text(
        yaml.safe_dump({"plugin": "amico.colleges.referentiel", "referentiel": str(ref_dir)})
    )
    env = dict(os.environ)
    env["ANSIBLE_CONFIG"] = str(REPO / "ansible.cfg")
    env["ANSIBLE_INVENTORY_ENABLED"] = "amico.colleges.referentiel"
    sortie = work / "inventaire.echantillons.json"
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--_inventaire", str(sortie), str(cfg)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        check=True,
    )
    return json.loads(sortie.read_text()), time.perf_counter() - t0


def profil_derive(ref) -> tuple[dict, float, int]:
    import derive_bench  # noqa: PLC0415  (its stand-ins: a post's state, the collector)

    from amico.derive import comparaison  # noqa: PLC0415
    from amico.derive.attendu import attendus, sans_detection  # noqa: PLC0415
    from amico.logiciels import Catalogue, Evaluateur  # noqa: PLC0415

    cat = Catalogue(ref.logiciels.model_dump(mode="json", exclude_none=True))
    reponses: dict[tuple[str, str], str] = {}
    tous = attendus(ref, ref.sites)
    postes = [
        (h["poste"]["profil"], h["poste"]["systeme"])
        for s in tous.values()
        for h in s["hotes"].values()
        if "poste" in h
    ]
    for profil, systeme in set(postes):  # the remote answers: prepared, not profiled
        etat = derive_bench.etat_poste(cat, profil)
        reponses[profil, systeme] = json.dumps(
            derive_bench.PosteSimule.collecte(etat, cat.demande(profil, systeme))
        )

    def evaluer() -> int:
        tous = attendus(ref, ref.sites)
        ev = Evaluateur(cat)
        non_detect = set(sans_detection(ref))
        ecarts = 0
        for s in tous.values():
            for h in s["hotes"].values():
                if "poste" not in h:
                    continue
                profil, systeme = h["poste"]["profil"], h["poste"]["systeme"]
                collecte = json.loads(reponses[profil, systeme])
                res = ev.evaluer(collecte, profil, systeme)
                cs = comparaison.comparer_poste([r.en_dict() for r in res], non_detect)
                ecarts += sum(1 for c in cs if c["statut"] != "conforme")
        return ecarts

    t0 = time.perf_counter()
    with Echantillonneur(pas=0.002) as ech:
        evaluer()
    return ech.en_dict(), time.perf_counter() - t0, len(postes)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sites", type=int, default=148)
    p.add_argument("--postes", type=int, default=17000)
    p.add_argument("--rapide", action="store_true", help="30 sites, 3000 postes")
    p.add_argument("--work", type=Path, default=REPO / ".cache" / "bench-profil")
    p.add_argument("--_inventaire", nargs=2, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a._inventaire:
        return echantillonner_inventaire(*a._inventaire)
    if a.rapide:
        a.sites, a.postes = 30, 3000
    a.work.mkdir(parents=True, exist_ok=True)
    ref_dir = a.work / "referentiel"
    t0 = time.perf_counter()
    generate(REPO / "referentiel", ref_dir, a.sites, a.postes)
    ref = load(ref_dir)
    print(f"référentiel généré : {a.sites} sites, {a.postes} postes "
          f"({time.perf_counter() - t0:.1f} s) ; son chargement ici remplit le cache "
          f"d'analyse YAML : l'inventaire est profilé cache chaud (référentiel inchangé "
          f"d'une exécution à l'autre)")  # fmt: skip

    ech, duree = profil_inventaire(ref_dir, a.work)
    sortie = resume("inventaire (ansible-inventory --list, plugin)", ech, duree, "inventaire")
    ech_d, duree_d, n = profil_derive(ref)
    (a.work / "derive.echantillons.json").write_text(json.dumps(ech_d))
    titre = f"dérive (évaluation contrôleur, {n} postes)"
    sortie += ["", *resume(titre, ech_d, duree_d, "derive")]
    print("\n".join(sortie))
    print(
        "» lié au contrôleur : l'inventaire (aucun accès réseau) et l'évaluation de la dérive "
        "(Python, une passe) ; lié aux cibles : la collecte (un module par hôte, ~0,45 s sur "
        "la cible) ; échantillons complets : .cache/bench-profil/*.echantillons.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
