"""Action amico.colleges.perimetre: fail this host, in French, when the configured operator
may not act on it according to ITS OWN référentiel record (amico.referentiel.perimetre)."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False  # decided on the controller: the host is never contacted

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        self.validate_argument_spec(argument_spec={})
        try:
            from amico.referentiel.perimetre import VARIABLES, refus_execution
        except ImportError as exc:
            raise AnsibleActionFail(
                f"paquet Python « amico » introuvable ({exc}) : lancer `make setup`"
            ) from exc
        refus = refus_execution(
            self._templar.template({k: (task_vars or {}).get(k) for k in VARIABLES})
        )
        if refus:
            return {**result, "failed": True, "msg": refus}
        return {
            **result,
            "changed": False,
            "msg": f"{task_vars['inventory_hostname']} : dans le périmètre",
        }
