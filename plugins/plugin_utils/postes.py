# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""A Windows post's remote call through its own Ansible connection (winrm or psrp): the
collector run by ansible.windows.win_powershell. Shared by the catalogue's action
(deployment) and the drift's collect (evaluation)."""

from __future__ import annotations

import json

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure


def distant_winrm(action, script: str, task_vars: dict, utilisateur=None, mot_de_passe=None):
    """`amico.logiciels.execution.traiter_poste`'s remote callable for this post: collector
    parameters in, the collector's JSON out. An unreachable post raises
    AnsibleConnectionFailure, a failed collector AnsibleActionFail (both in French)."""

    def distant(parametres):
        module_args = {"script": script, "parameters": parametres}
        if parametres.get("Mode") == "appliquer" and utilisateur:
            # a PSCredential through sensitive_parameters: win_powershell marks it
            # no_log, so it never comes back in the result's `invocation`
            module_args["sensitive_parameters"] = [
                {"name": "IdentifiantPartage", "username": utilisateur, "password": mot_de_passe}
            ]
        res = action._execute_module(
            module_name="ansible.windows.win_powershell",
            module_args=module_args,
            task_vars=task_vars,
        )
        res.pop("invocation", None)
        if res.get("unreachable"):
            raise AnsibleConnectionFailure(f"injoignable : {res.get('msg')}")
        if res.get("failed"):
            erreurs = res.get("error") or res.get("msg")
            raise AnsibleActionFail(f"le collecteur a échoué : {erreurs}")
        sortie = [o for o in res.get("output") or [] if isinstance(o, str)]
        if not sortie:
            raise AnsibleActionFail("le collecteur n'a rien renvoyé")
        return json.loads(sortie[-1])

    return distant
