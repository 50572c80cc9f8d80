"""Module amico.colleges.referentiel_verifier: check the référentiel before any host is touched."""

from __future__ import annotations

DOCUMENTATION = r"""
module: referentiel_verifier
short_description: Vérifie le référentiel AMICo (schéma et cohérence) avant toute action
description:
  - Le même contrôle que C(amico referentiel verifier). Échoue avec toutes les erreurs, en
    français, avec fichier, ligne, valeur fautive et correction.
  - "Chaque playbook l'exécute en premier, sur le contrôleur (C(hosts: localhost)), et
    s'arrête avant de toucher un hôte."
version_added: 1.0.0
options:
  referentiel:
    description: Dossier du référentiel.
    type: path
    required: true
author: Équipe AMICo
"""

EXAMPLES = r"""
- name: Vérifier le référentiel
  amico.colleges.referentiel_verifier:
    referentiel: "{{ playbook_dir }}/../referentiel"
"""

RETURN = r"""
sites:
  description: Nombre de collèges du référentiel.
  returned: success
  type: int
avertissements:
  description: Avertissements (non bloquants).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.amico.colleges.plugins.module_utils.dependency import missing_message


def main():
    module = AnsibleModule(
        argument_spec={"referentiel": {"type": "path", "required": True}},
        supports_check_mode=True,
    )
    try:
        from amico.referentiel import ReferentielInvalide, load
    except ImportError as exc:
        module.fail_json(msg=missing_message(exc))
    try:
        ref = load(module.params["referentiel"])
    except ReferentielInvalide as exc:
        module.fail_json(msg=exc.report(), erreurs=len(exc.findings))
    module.exit_json(
        changed=False,
        sites=len(ref.sites),
        avertissements=[w.with_line().format(ref.root) for w in ref.warnings],
    )


if __name__ == "__main__":
    main()
