#!/usr/bin/python
# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Documentation of amico.colleges.derive_collecte; the work is done by its action plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: derive_collecte
short_description: Collecte en lecture seule l'état d'un hôte et le compare au référentiel
description:
  - UNE collecte par hôte - commutateur (configuration en service lue en SSH par le pilote
    AMICo), serveur Debian (module M(amico.colleges.serveur_etat)), poste Windows
    (collecteur du catalogue logiciel, un aller-retour, sans rien installer).
  - La comparaison avec l'état attendu (C(attendu/<UAI>.json), écrit par
    M(amico.colleges.derive_preparer)) se fait sur le contrôleur ; le résultat de l'hôte est
    écrit dans C(hotes/<hôte>.json) du dossier de l'exécution et rendu en C(amico_constats)
    pour le rappel M(amico.colleges.glpi#callback).
  - Ne modifie jamais l'hôte (mode vérification ou non).
  - Un hôte hors de l'exécution (site ou hôte absent de l'état attendu) est sauté ; un hôte
    injoignable est constaté C(non vérifiable), sans arrêter les autres.
version_added: "1.0.0"
author: Équipe AMICo
extends_documentation_fragment:
  - amico.colleges.commutateur
  - amico.colleges.commutateur.identifiants
options:
  dossier:
    description:
      - Dossier de l'exécution (sur le contrôleur), préparé par M(amico.colleges.derive_preparer).
      - Par défaut, la variable C(amico_derive_dossier) (ce que passe C(amico derive)) ; lue
        telle quelle, elle évite à chaque hôte de compiler le modèle C({{ amico_derive_dossier }}).
    type: path
notes:
  - Les options de connexion ne servent qu'aux commutateurs ; les serveurs et les postes
    utilisent la connexion Ansible de l'hôte.
seealso:
  - module: amico.colleges.derive_preparer
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Collecter l'état (lecture seule) et le comparer au référentiel
  amico.colleges.derive_collecte:
    dossier: /var/lib/amico/derive/2026-12-06
  ignore_unreachable: true

# le dossier de C(amico derive) (variable amico_derive_dossier)
- name: Collecter l'état (lecture seule) et le comparer au référentiel
  amico.colleges.derive_collecte:
  ignore_unreachable: true
"""

RETURN = r"""
derive:
  description: Statut de dérive de l'hôte (conforme, non conforme, non vérifiable).
  returned: success
  type: str
ecarts:
  description: Nombre d'écarts constatés et non ignorés.
  returned: success
  type: int
controles:
  description: Nombre de contrôles faits.
  returned: success
  type: int
amico_constats:
  description: Un constat par contrôle (C(probleme), C(etat) derive, ignoree ou conforme,
    C(detail)), que le rappel GLPI route en tickets.
  returned: success
  type: list
  elements: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
