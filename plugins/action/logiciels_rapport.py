"""Action amico.colleges.logiciels_rapport: one post's campaign record, on the controller."""

from __future__ import annotations

from pathlib import Path

from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico


class ActionModule(ActionBase):
    """Per host (no run_once, slicing-safe): records the host's result in its own file."""

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = validate(self, "logiciels_rapport")
        with require_amico():
            from amico.logiciels import campagne
            from amico.state import state_dir
        hote = task_vars["inventory_hostname"]
        resultat = task_vars.get(args["variable"])
        # host vars reach action plugins untemplated (a group var may be a template)
        site = (self._templar.template(task_vars.get("amico_site")) or {}).get("uai") or "?"
        poste = campagne.statut_hote(resultat)
        poste["site"] = site
        if not args["simulation"]:
            from amico.state import message_erreur_fs

            try:
                dossier = Path(args["dossier"]) if args["dossier"] else state_dir("logiciels")
                poste = campagne.enregistrer_poste(dossier, hote, resultat, site)
            except OSError as exc:  # read-only or full state directory: said, never lost
                msg = message_erreur_fs(exc)
                if msg is None:
                    raise
                return {**result, "failed": True, "msg": f"rapport de campagne non écrit : {msg}"}
            result["campagne"] = str(dossier)
        result.update(changed=False, poste=poste)
        return result
