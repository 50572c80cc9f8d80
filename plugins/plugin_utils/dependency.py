# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""The one "import amico or fail in French" guard of the collection's plugins.

Plugins are thin faces over the `amico` Python package, installed beside Ansible on the
controller (pip in the execution environment, `make setup` in development). When it is
missing, or one of its own dependencies is, every plugin says so in the same French words.
"""

from __future__ import annotations

from contextlib import contextmanager

from ansible.errors import AnsibleActionFail
from ansible_collections.amico.colleges.plugins.module_utils.dependency import missing_message

__all__ = ["missing_message", "raise_if_missing", "require_amico"]


def raise_if_missing(exc: ImportError | None, error=AnsibleActionFail) -> None:
    """For plugins that import amico at module level and keep the ImportError for later."""
    if exc is not None:
        raise error(missing_message(exc)) from exc


@contextmanager
def require_amico(error=AnsibleActionFail):
    """`with require_amico(): from amico.x import y` inside a plugin method."""
    try:
        yield
    except ImportError as exc:
        raise error(missing_message(exc)) from exc
