"""Where the project is, and where the Ansible content comes from: one place for both.

An AMICo run reads two kinds of files that live in different places once installed:

- the **project** (what the collectivité versions in git, what an AWX project syncs):
  ``referentiel/``, ``inventories/``, ``ansible.cfg`` and, in an AWX project, ``playbooks/``;
- the **Ansible content** shipped by the collection ``amico.colleges``: roles (whose
  defaults the drift reads as the expected state) and playbooks.

Rules (never the parents of a module's ``__file__``: under a non-editable install the package
sits in site-packages, far from any repository; a test greps ``src/amico`` for it):

1. Project directory: the command's ``--projet DOSSIER`` when it has one, else the
   environment variable ``AMICO_PROJET``, else the current directory (AWX runs its jobs
   from the synced project). Relative paths stay relative, so messages keep naming
   ``referentiel/sites/...`` as the user typed it.
2. Default référentiel: ``<projet>/referentiel``. Default inventory:
   ``<projet>/inventories/demo`` only if it exists, else a French error asking for ``-i``.
3. ``ansible.cfg``: the project's if present; otherwise Ansible's own search applies.
4. Playbooks and roles: the project's ``playbooks/<nom>.yml`` / ``roles/<nom>`` if present
   (an AWX project carries its playbooks; the development tree carries both), else the
   installed collection's. The collection is located the way Ansible does it: inside an
   Ansible process (action plugins), the collection loader's search paths; outside, the
   ``COLLECTIONS_PATHS`` of the project's Ansible configuration (ansible.cfg, then
   ``ANSIBLE_COLLECTIONS_PATH``) followed by ``sys.path`` when Ansible would scan it.
   In the development tree ``collections/ansible_collections/amico/colleges`` is a
   symlink to the repository root.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "AMICO_PROJET"
NAMESPACE, NAME = "amico", "colleges"
INVENTAIRE_DEMO = Path("inventories") / "demo"


class ProjetIncomplet(Exception):
    """A file the command needs is neither in the project nor in the collection."""


def racine(dossier: str | os.PathLike | None = None) -> Path:
    """The project directory: ``dossier`` (``--projet``), else $AMICO_PROJET, else '.'."""
    if dossier:
        return Path(dossier)
    return Path(os.environ.get(ENV_VAR) or ".")


def referentiel(dossier: str | os.PathLike | None = None) -> Path:
    """The default référentiel: ``<projet>/referentiel``."""
    return racine(dossier) / "referentiel"


def inventaire_defaut(dossier: str | os.PathLike | None = None) -> Path:
    """``<projet>/inventories/demo`` if the project has it; a French error otherwise."""
    chemin = racine(dossier) / INVENTAIRE_DEMO
    if not chemin.exists():
        raise ProjetIncomplet(
            f"pas d'inventaire par défaut : {chemin} n'existe pas dans le projet "
            f"{racine(dossier).resolve()} ; indiquer l'inventaire avec -i "
            "(par exemple -i inventories/production)"
        )
    return chemin


def ansible_cfg(dossier: str | os.PathLike | None = None) -> Path | None:
    """The project's ansible.cfg, or None (Ansible then applies its own search)."""
    chemin = racine(dossier) / "ansible.cfg"
    return chemin if chemin.is_file() else None


def _chemins_collections(dossier: str | os.PathLike | None) -> list[Path]:
    """The roots Ansible searches for collections, in Ansible's order."""
    from ansible.utils.collection_loader import AnsibleCollectionConfig

    if AnsibleCollectionConfig.collection_finder is not None:
        # inside Ansible (action plugin, inventory plugin): the loader's own paths
        return [Path(p) for p in AnsibleCollectionConfig.collection_paths]
    from ansible.config.manager import ConfigManager

    cfg = ansible_cfg(dossier)
    config = ConfigManager(conf_file=str(cfg.resolve()) if cfg else None)
    chemins = [Path(p).expanduser() for p in config.get_config_value("COLLECTIONS_PATHS") or []]
    if config.get_config_value("COLLECTIONS_SCAN_SYS_PATH"):
        chemins += [Path(p) for p in sys.path if p]
    return chemins


def collection_dir(dossier: str | os.PathLike | None = None) -> Path:
    """The installed collection ``amico.colleges`` (first found in Ansible's order)."""
    cherches = []
    for chemin in _chemins_collections(dossier):
        base = chemin if chemin.name == "ansible_collections" else chemin / "ansible_collections"
        candidat = base / NAMESPACE / NAME
        cherches.append(str(chemin))
        if candidat.is_dir():
            return candidat
    raise ProjetIncomplet(
        f"collection {NAMESPACE}.{NAME} introuvable (cherchée dans : "
        f"{', '.join(cherches) or 'aucun chemin configuré'}) ; l'installer "
        f"(ansible-galaxy collection install) ou indiquer son dossier par "
        "ANSIBLE_COLLECTIONS_PATH"
    )


def playbook(nom: str, dossier: str | os.PathLike | None = None) -> Path:
    """``<projet>/playbooks/<nom>.yml`` if the project carries it, else the collection's."""
    local = racine(dossier) / "playbooks" / f"{nom}.yml"
    if local.is_file():
        return local
    chemin = collection_dir(dossier) / "playbooks" / f"{nom}.yml"
    if not chemin.is_file():
        raise ProjetIncomplet(
            f"playbook {nom}.yml absent du projet ({local}) et de la collection ({chemin})"
        )
    return chemin


def role_dir(nom: str, dossier: str | os.PathLike | None = None) -> Path:
    """``<projet>/roles/<nom>`` if the project carries the role, else the collection's."""
    local = racine(dossier) / "roles" / nom
    if local.is_dir():
        return local
    chemin = collection_dir(dossier) / "roles" / nom
    if not chemin.is_dir():
        raise ProjetIncomplet(
            f"rôle {nom} absent du projet ({local}) et de la collection ({chemin})"
        )
    return chemin
