"""The stand-in posts as the runtime's Windows transport `simule`.

Registered in lab/pyproject.toml under the entry-point group `amico.transports_postes`
(see amico.logiciels.transports): a host whose inventory says
`amico_postes_transport: simule` and `amico_lab_windows_etat: <state file>` is answered by
`PosteSimule` instead of WinRM. Every inventory the lab writes takes both variables from
`variables_poste`, so the pair is spelled in one place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from amico.logiciels.transports import VARIABLE, TransportInvalide

from .poste import PosteSimule

NOM = "simule"
ETAT = "amico_lab_windows_etat"


def variables_poste(etat: str | os.PathLike[str]) -> dict[str, str]:
    """The host variables that put a post on the stand-in whose state file is `etat`."""
    return {VARIABLE: NOM, ETAT: str(etat)}


def transport_simule(variables: Mapping[str, Any]) -> PosteSimule:
    chemin = variables.get(ETAT)
    if not chemin:
        hote = variables.get("inventory_hostname") or "?"
        raise TransportInvalide(
            f"poste {hote} : {VARIABLE}: {NOM} demande {ETAT} (le fichier d'état du poste "
            "simulé, écrit par le labo) ; relancer `amico labo demarrer`"
        )
    return PosteSimule(chemin)


# what amico.logiciels.transports.variables_lues reports for `simule`
transport_simule.variables = (ETAT,)
