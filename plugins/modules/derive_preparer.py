#!/usr/bin/python
# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Documentation of amico.colleges.derive_preparer; the work is done by its action plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: derive_preparer
short_description: Calcule une fois, sur le contrôleur, l'état attendu de chaque hôte (dérive)
description:
  - Charge le référentiel une seule fois et écrit dans O(dossier) un fichier par site
    (C(attendu/<UAI>.json)) que la tâche de collecte de chaque hôte relit, ainsi que le
    périmètre de l'exécution (C(execution.json)) et la liste d'ignorés validée.
  - S'exécute sur localhost, avant la collecte ; ne lit aucun autre hôte (découpage en
    tranches AWX possible).
  - Un référentiel ou une liste d'ignorés invalide arrête l'exécution avec les erreurs en
    français (fichier, ligne, valeur, correction), avant qu'un hôte soit contacté.
version_added: "1.0.0"
author: Équipe AMICo
options:
  referentiel:
    description: Dossier du référentiel.
    type: path
    required: true
  dossier:
    description: Dossier de l'exécution (sur le contrôleur).
    type: path
    required: true
  sites:
    description: UAI à couvrir ; vide - tous les sites du référentiel (ou des territoires).
    type: list
    elements: str
    default: []
  territoires:
    description: Territoires à couvrir (ex. "67").
    type: list
    elements: str
    default: []
  operateur:
    description: Acteur de la matrice qui exécute (défaut - perimetre.yml).
    type: str
  phase:
    description: Phase de la matrice (défaut - perimetre.yml).
    type: str
  ignorer:
    description: Liste d'ignorés (YAML) ; absente - aucune.
    type: path
seealso:
  - module: amico.colleges.derive_collecte
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Préparer l'état attendu de chaque hôte
  amico.colleges.derive_preparer:
    referentiel: "{{ amico_referentiel | default(playbook_dir ~ '/../referentiel') }}"
    dossier: "{{ amico_derive_dossier }}"
    territoires: ["67"]
    ignorer: "{{ amico_derive_ignorer | default(omit) }}"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
sites:
  description: Nombre de sites de l'exécution.
  returned: success
  type: int
lots:
  description: Sites de l'exécution (C(uai), C(territoire)) - un lot de collecte par site en
    mode par site.
  returned: success
  type: list
  elements: dict
hotes:
  description: Nombre d'hôtes attendus dans l'exécution.
  returned: success
  type: int
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
