"""Module amico.colleges.logiciels_rapport (runs as an action plugin on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: logiciels_rapport
short_description: Rapport de campagne logicielle (progression par site, postes à relancer)
description:
  - Lit le résultat enregistré de amico.colleges.logiciels_conformite pour chaque hôte ; un hôte
    sans résultat ou injoignable est C(injoignable). Écrit C(rapport-<horodatage>.json) et,
    hors mode vérification, fusionne dans C(campagne.json) (campagnes sur plusieurs jours).
version_added: 1.0.0
options:
  hotes:
    description: Les hôtes de la campagne (en général C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  variable:
    description: Nom de la variable enregistrée par logiciels_conformite.
    type: str
    default: postes_windows_resultat
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
- name: Rapport de campagne
  amico.colleges.logiciels_rapport:
    hotes: "{{ ansible_play_hosts_all }}"
  run_once: true
  delegate_to: localhost
"""

RETURN = r"""
progression:
  description: Par site - total, conforme, non conforme, non vérifiable, injoignable ; a_relancer.
  returned: success
  type: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
