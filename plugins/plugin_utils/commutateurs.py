# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""How an action plugin reaches a switch: the SSH target of amico.commutateurs.drivers,
from the options of the doc fragment amico.colleges.commutateur, each falling back to the
host's own variables."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico

USER_VAR = "amico_commutateurs__utilisateur"
PASSWORD_VAR = "amico_commutateurs__mot_de_passe"
DEFAULT_PORT = 22


def _host_var(templar, task_vars: dict, name: str) -> str:
    """A host variable, templated here and only for the switch that needs it: a vault
    value or an environment lookup is never resolved for another host."""
    value = task_vars.get(name)
    if value is None:
        return ""
    return str(templar.template(value) or "")


def target(args: dict, task_vars: dict, templar):
    """The switch's SSH Target: the task's options first, then the host variables."""
    with require_amico():
        from amico.commutateurs.drivers import Target
    name = task_vars.get("inventory_hostname") or "?"
    host = args.get("hote") or _host_var(templar, task_vars, "ansible_host") or str(name)
    port = args.get("port") or _host_var(templar, task_vars, "ansible_port") or DEFAULT_PORT
    try:
        port = int(port)
    except ValueError:
        raise AnsibleActionFail(
            f"{name} : port SSH « {port} » invalide : un entier attendu "
            "(option port ou variable ansible_port)"
        ) from None
    user = args.get("utilisateur") or _host_var(templar, task_vars, USER_VAR)
    password = args.get("mot_de_passe") or _host_var(templar, task_vars, PASSWORD_VAR)
    missing = [
        f"{option} (option) ou {var} (variable, dans le coffre)"
        for option, var, value in (
            ("utilisateur", USER_VAR, user),
            ("mot_de_passe", PASSWORD_VAR, password),
        )
        if not value
    ]
    if missing:
        raise AnsibleActionFail(
            f"{name} : identifiant SSH du commutateur absent : définir " + " et ".join(missing)
        )
    return Target(host, port, user, password, float(args.get("delai", 20)))
