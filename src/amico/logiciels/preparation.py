"""The software catalogue prepared once per run, for every post of the run.

A post's collect task used to parse `referentiel/catalogue/logiciels.yml` (and the post
policy `postes.yml` next to it) again for every post: Ansible forks one worker per
host-task, so a module-level cache is always empty. `amico derive` now prepares them once,
in its first play (`derive_preparer`): `preparer()` writes both, as they are read today,
into one JSON file of the run folder; `charger()` rebuilds the compiled catalogue, its
evaluator and the policy from it (json.load and compiling: about a millisecond, against
tens for the YAML). Same data in, same verdicts out.

`lire()` reads a catalogue file, JSON or YAML; YAML through the référentiel's hardened
reader (`amico.referentiel.yamlio`: libyaml, duplicate keys and alias bombs refused, YAML
1.2 scalars, parse cache); a refusal is a CatalogueError naming the file and the line.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

import yaml

from amico.referentiel import yamlio

from .analyse import Politique, lire_politique, politique_depuis
from .catalogue import Catalogue, CatalogueError
from .evaluation import Evaluateur

FORMAT = 1


def lire(chemin: str | os.PathLike) -> Any:
    """A raw catalogue {logiciels, profils}: JSON if the file name ends in .json, else YAML."""
    p = Path(chemin)
    if p.suffix == ".json":
        with open(p, encoding="utf-8") as fh:
            return json.load(fh)
    try:
        return yamlio.load_file(p)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        ligne = f", ligne {mark.line + 1}" if mark else ""
        raise CatalogueError(
            f"{p}{ligne} : YAML refusé : {getattr(exc, 'problem', None) or exc} ; "
            f"{getattr(exc, 'fix', None) or 'corriger la syntaxe YAML à cette ligne'}"
        ) from None


def _iso(valeur: Any) -> str:
    # YAML 1.1 timestamps (end-of-life dates): the catalogue reads ISO text the same way
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    raise TypeError(f"valeur {valeur!r} ({type(valeur).__name__}) non représentable en JSON")


def preparer(catalogue_fichier: str | os.PathLike, destination: str | os.PathLike) -> Path:
    """Write the catalogue of `catalogue_fichier` and the policy next to it, as JSON, at
    `destination` (atomically); return `destination`."""
    source = Path(catalogue_fichier)
    politique = lire_politique(source)
    donnees = {
        "format": FORMAT,
        "source": str(source),
        "catalogue": lire(source),
        "politique": None
        if politique is None
        else {"source": str(politique[0]), "brut": politique[1]},
    }
    destination = Path(destination)
    tmp = destination.with_suffix(destination.suffix + ".tmp")
    try:
        tmp.write_text(json.dumps(donnees, ensure_ascii=False, default=_iso), encoding="utf-8")
    except TypeError as exc:
        raise CatalogueError(f"{source} : {exc}") from exc
    tmp.replace(destination)
    return destination


def est_prepare(chemin: str | os.PathLike) -> bool:
    return str(chemin).endswith(".json")


def charger(chemin: str | os.PathLike) -> tuple[Catalogue, Evaluateur, Politique | None]:
    """(catalogue, evaluator, policy or None) from a file written by `preparer`."""
    with open(chemin, encoding="utf-8") as fh:
        donnees = json.load(fh)
    if not isinstance(donnees, dict) or donnees.get("format") != FORMAT:
        raise CatalogueError(f"{chemin} : catalogue préparé d'un format inconnu (relancer)")
    catalogue = Catalogue(donnees["catalogue"])
    pol = donnees.get("politique")
    politique = None if pol is None else politique_depuis(pol["brut"], pol["source"])
    return catalogue, Evaluateur(catalogue), politique


_EN_CACHE: dict[tuple[str, int], tuple[Catalogue, Evaluateur, Politique | None]] = {}
_VERROU = threading.Lock()


def charger_en_cache(chemin: str | os.PathLike) -> tuple[Catalogue, Evaluateur, Politique | None]:
    """`charger`, once per process and file version (path, mtime): every post of a site in
    the batched mode's threads, and every drift worker when the main ansible-playbook
    process loaded it before forking (`plugins/action/derive_collecte.py`)."""
    cle = (str(chemin), os.stat(chemin).st_mtime_ns)
    with _VERROU:
        if cle not in _EN_CACHE:
            _EN_CACHE.clear()
            _EN_CACHE[cle] = charger(chemin)
        return _EN_CACHE[cle]
