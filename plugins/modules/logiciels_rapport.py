"""Module amico.colleges.logiciels_rapport (runs as an action plugin on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: logiciels_rapport
short_description: Fiche de campagne logicielle d'un poste (campagnes sur plusieurs jours)
description:
  - Lit le résultat enregistré de amico.colleges.logiciels_conformite pour l'hôte ; un hôte
    sans résultat ou injoignable est C(injoignable). Hors mode vérification, met à jour la
    fiche du poste C(postes/<poste>.json) dans le dossier de la campagne.
  - Chaque hôte n'écrit que sa propre fiche (pas de run_once) ; le playbook reste sûr pour
    le découpage de tâches d'AWX. C(amico logiciels campagne --etat DOSSIER) fusionne la vue
    par site et la liste des postes à relancer.
version_added: 1.0.0
options:
  variable:
    description: Nom de la variable enregistrée par logiciels_conformite.
    type: str
    default: postes_windows__resultat
  dossier:
    description: Dossier du rapport ; vide = C($AMICO_STATE_DIR/logiciels).
    type: str
    default: ""
  simulation:
    description: Vrai en mode vérification (la campagne n'est pas mise à jour).
    type: bool
    default: false
author: Équipe AMICo
"""

EXAMPLES = r"""
- name: Fiche de campagne du poste
  amico.colleges.logiciels_rapport:
    variable: postes_windows__resultat
  delegate_to: localhost
"""

RETURN = r"""
poste:
  description: La fiche du poste (statut de dérive, résumé, échecs, tentatives, site).
  returned: success
  type: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
