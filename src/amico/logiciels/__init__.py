"""Software catalog on Windows posts: versions, profiles, rule evaluation, action plan.

Pure Python, no Ansible: plugins/action/logiciels_*.py are thin layers over this package.
"""

from .catalogue import Catalogue, CatalogueError
from .evaluation import LIBELLES, VERS_DERIVE, Evaluateur, Resultat, derive_poste
from .plan import Plan, dans_fenetre, planifier
from .versions import Version, comparer, parse_version, version_depuis_nom

__all__ = [
    "LIBELLES",
    "VERS_DERIVE",
    "Catalogue",
    "CatalogueError",
    "Evaluateur",
    "Plan",
    "Resultat",
    "Version",
    "comparer",
    "dans_fenetre",
    "derive_poste",
    "parse_version",
    "planifier",
    "version_depuis_nom",
]
