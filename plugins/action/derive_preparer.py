# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action amico.colleges.derive_preparer: a thin face over amico.derive.attendu.preparer
(documented and validated by plugins/modules/derive_preparer.py)."""

from __future__ import annotations

import json
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = validate(self, "derive_preparer")
        with require_amico():
            from amico.derive import ignorer
            from amico.derive.attendu import preparer
            from amico.referentiel import ReferentielInvalide, load
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
            lots=[{"uai": s["uai"], "territoire": s["territoire"]} for s in execution["sites"]],
            hotes=sum(len(s["hotes"]) for s in execution["sites"]),
        )
        return result
