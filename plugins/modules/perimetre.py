"""Module amico.colleges.perimetre (runs as an action plugin on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: perimetre
short_description: Refuse un hôte que l'opérateur n'a pas le droit de toucher (référentiel)
description:
  - Relit, dans le référentiel, l'enregistrement de l'hôte lui-même (pas ses groupes
    d'inventaire) et vérifie que l'opérateur configuré tient R ou A, dans la phase
    configurée, pour le service qui le couvre (C(perimetre.yml), matrice des services),
    et que l'hôte ne relève pas de l'Académie. Sinon l'hôte échoue, en français, avant
    toute modification ; les autres hôtes continuent.
  - Un hôte absent du référentiel est refusé.
  - Variables lues - C(amico_referentiel) (posée par le plugin d'inventaire ; défaut
    C(playbook_dir/../referentiel)), C(amico_operateur), C(amico_phase) (défaut
    C(AMICO_OPERATEUR), C(AMICO_PHASE), puis C(perimetre.yml)).
  - Ne contacte jamais l'hôte.
version_added: 1.0.0
options: {}
author: Équipe AMICo
"""

EXAMPLES = r"""
- name: Vérifier le périmètre avant toute modification
  amico.colleges.perimetre:
"""

RETURN = r"""
msg:
  description: L'hôte est dans le périmètre, ou la raison du refus.
  returned: always
  type: str
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
