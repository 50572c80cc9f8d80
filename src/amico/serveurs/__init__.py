"""Parameters of the pedagogical server roles, computed from the référentiel's site.

The roles socle, annuaire, comptes, partages, dhcp and sauvegarde (playbooks/serveurs.yml)
call these functions through the filter plugins of plugins/filter/serveurs.py: what used to
be Jinja programs in the role's vars is plain Python here, unit-tested without Ansible
(tests/serveurs/test_parametres.py). Every function takes the site's VLAN dicts as the
inventory gives them (`amico_site.vlans`) and returns plain lists/dicts.
"""

from amico.serveurs.parametres import (
    dn_domaine,
    domaine_pedago,
    etendues_windows,
    kea_dhcp4,
    partages_windows,
    unites_ad,
    vlans_dhcp,
)

__all__ = [
    "dn_domaine",
    "domaine_pedago",
    "etendues_windows",
    "kea_dhcp4",
    "partages_windows",
    "unites_ad",
    "vlans_dhcp",
]
