"""Action amico.colleges.perimetre: fail this host, in French, when the configured operator
may not act on it according to ITS OWN référentiel record (amico.referentiel.perimetre)."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.perimetre import refusal


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # decided on the controller: the host is never contacted

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        validate(self, "perimetre")
        refus = refusal(task_vars, self._templar)
        if refus:
            return {**result, "failed": True, "msg": refus}
        return {
            **result,
            "changed": False,
            "msg": f"{task_vars['inventory_hostname']} : dans le périmètre",
        }
