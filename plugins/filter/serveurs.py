# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Filters of the pedagogical server roles: thin faces over amico.serveurs.parametres.

Documented one by one in the .yml files beside this one (ansible-doc -t filter
amico.colleges.<nom>).
"""

from __future__ import annotations

from functools import wraps

from ansible.errors import AnsibleFilterError
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import raise_if_missing

try:
    from amico.serveurs import parametres
except ImportError as exc:  # reported when a filter is used, in French
    parametres = None
    _IMPORT_ERROR: ImportError | None = exc
else:
    _IMPORT_ERROR = None


def _filtre(nom):
    def appel(*args, **kwargs):
        raise_if_missing(_IMPORT_ERROR, AnsibleFilterError)
        try:
            return getattr(parametres, nom)(*args, **kwargs)
        except (ValueError, KeyError, TypeError) as exc:
            raise AnsibleFilterError(f"amico.colleges.{nom} : {exc}") from exc

    return wraps(appel)(appel)


class FilterModule:
    def filters(self):
        return {
            nom: _filtre(nom)
            for nom in (
                "domaine_pedago",
                "dn_domaine",
                "vlans_dhcp",
                "kea_dhcp4",
                "etendues_windows",
                "unites_ad",
                "partages_windows",
            )
        }
