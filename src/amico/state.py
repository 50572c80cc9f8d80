"""The state directory: everything runs keep between runs lives under one root.

Layout (documented in README.md, "Répertoire d'état"):
    commutateurs/<UAI>/      git repository of switch running-config backups (one per site)
    derive/historique.sqlite drift history
    guichet/spool/           helpdesk (GLPI) calls not yet delivered
    vagues/                  equipment wave state
    cache/                   inventory plugin cache
"""

import os
from pathlib import Path

ENV_VAR = "AMICO_STATE_DIR"
DEFAULT = Path.home() / ".local" / "state" / "amico"


def state_dir(*parts: str, create: bool = True) -> Path:
    """Return a folder under the state root (AMICO_STATE_DIR, else ~/.local/state/amico)."""
    root = Path(os.environ.get(ENV_VAR) or DEFAULT)
    path = root.joinpath(*parts)
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
