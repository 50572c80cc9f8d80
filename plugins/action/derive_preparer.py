# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action amico.colleges.derive_preparer: a thin face over amico.derive.attendu.preparer."""

from __future__ import annotations

DOCUMENTATION = r"""
module: derive_preparer
short_description: Calcule une fois, sur le contrôleur, l'état attendu de chaque hôte (dérive)
description:
  - Charge le référentiel une seule fois et écrit dans O(dossier) un fichier par site
    (C(attendu/<UAI>.json)) que la tâche de collecte de chaque hôte relit, ainsi que le
    périmètre de l'exécution (C(execution.json)) et la liste d'ignorés validée.
  - S'exécute sur localhost, avant la collecte ; ne lit aucun autre hôte (découpage en
    tranches AWX possible).
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
    description: UAI à couvrir ; vide - tous les sites du référentiel.
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
author: Équipe AMICo
"""

import json
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGS = {
    "referentiel": {"type": "path", "required": True},
    "dossier": {"type": "path", "required": True},
    "sites": {"type": "list", "elements": "str", "default": []},
    "territoires": {"type": "list", "elements": "str", "default": []},
    "operateur": {"type": "str"},
    "phase": {"type": "str"},
    "ignorer": {"type": "path"},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        try:
            from amico.derive import ignorer
            from amico.derive.attendu import preparer
            from amico.referentiel import ReferentielInvalide, load
        except ImportError as exc:
            raise AnsibleActionFail(f"paquet Python « amico » introuvable ({exc})") from exc
        try:
            return self._preparer(result, args, ignorer, preparer, load)
        except ReferentielInvalide as exc:
            raise AnsibleActionFail(exc.report()) from None
        except OSError as exc:  # unusable state directory or run folder: French, no traceback
            from amico.state import message_erreur_fs

            raise AnsibleActionFail(message_erreur_fs(exc) or str(exc)) from None

    def _preparer(self, result, args, ignorer, preparer, load):
        ref = load(args["referentiel"])
        wanted = {s.upper() for s in args["sites"]}
        terr = set(args["territoires"])
        sites = [
            s
            for s in ref.sites
            if (not wanted and not terr) or s.uai in wanted or s.territoire in terr
        ]
        try:
            ignores = ignorer.charger(args.get("ignorer"))
        except ignorer.IgnorerInvalide as exc:
            raise AnsibleActionFail(str(exc)) from None
        execution = preparer(ref, sites, args["dossier"], args.get("operateur"), args.get("phase"))
        with open(os.path.join(args["dossier"], "ignorer.json"), "w", encoding="utf-8") as fh:
            json.dump([i.en_dict() for i in ignores], fh, ensure_ascii=False)
        result.update(
            changed=False,
            sites=len(execution["sites"]),
            hotes=sum(len(s["hotes"]) for s in execution["sites"]),
        )
        return result
