# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""The run-time perimeter re-check every acting plugin does before touching a host."""

from __future__ import annotations

from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico


def refusal(task_vars: dict, templar) -> str | None:
    """French reason why the configured operator may not act on this host, from ITS OWN
    référentiel record (not its inventory groups); None when it may."""
    with require_amico():
        from amico.referentiel.perimetre import VARIABLES, refus_execution
    # host vars reach action plugins untemplated
    return refus_execution(templar.template({k: (task_vars or {}).get(k) for k in VARIABLES}))
