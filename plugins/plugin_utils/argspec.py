# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""One source of truth for an action plugin's arguments: its docs-only module.

Each action plugin of the collection has a module of the same name in plugins/modules/
that holds DOCUMENTATION (with doc fragments), EXAMPLES and RETURN: what `ansible-doc`
shows. The action validates its task arguments against the argument spec derived here
from that DOCUMENTATION, the way ansible.utils' doc-format validator does, so the
documentation and the validation can never disagree.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
from types import SimpleNamespace

from ansible.module_utils.basic import PASSWORD_MATCH

COLLECTION = "amico.colleges"
_MODULES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "modules")

# Keys of a documented option that are also argument-spec keys.
_SPEC_KEYS = ("type", "elements", "required", "default", "choices", "aliases")

# Secrets are never logged. DOCUMENTATION has no `no_log` key (ansible-test's schema
# forbids it), so the rule is on the option's name: the French words of the project, or
# what ansible-core itself treats as a password.
_SECRET = re.compile(r"(?:^|_)(?:mot_de_passe|secret|jeton|token)(?:_|$)")


def is_secret(option: str) -> bool:
    return bool(_SECRET.search(option) or PASSWORD_MATCH.search(option))


class _Fragments:
    """The collection's own doc fragments, importable with or without Ansible's collection
    loader (unit tests import the collection as a plain package); any other fragment goes
    to Ansible's fragment loader."""

    def get(self, name):
        prefix = COLLECTION + "."
        if name.startswith(prefix):
            short = name[len(prefix) :]
            if "." in short:  # `amico.colleges.X.VAR`: add_fragments retries with the split
                return None
            try:
                mod = importlib.import_module(
                    f"ansible_collections.amico.colleges.plugins.doc_fragments.{short}"
                )
            except ImportError:
                return None
            frag = mod.ModuleDocFragment
            attrs = {k: v for k, v in vars(frag).items() if k.isupper()}
            return SimpleNamespace(ansible_name=name, **attrs)
        from ansible.plugins.loader import fragment_loader

        return fragment_loader.get(name)


def _to_spec(options: dict) -> dict:
    spec = {}
    for name, option in (options or {}).items():
        entry = {k: option[k] for k in _SPEC_KEYS if k in option}
        if "suboptions" in option:
            entry["options"] = _to_spec(option["suboptions"])
        if is_secret(name):
            entry["no_log"] = True
        spec[str(name)] = entry
    return spec


@functools.cache
def documentation(module: str) -> dict:
    """DOCUMENTATION of plugins/modules/<module>.py, its doc fragments merged (as
    ansible-doc shows it)."""
    from ansible.utils.plugin_docs import get_docstring

    path = os.path.join(_MODULES_DIR, f"{module}.py")
    doc, _examples, _returns, _meta = get_docstring(
        path, _Fragments(), collection_name=COLLECTION, is_module=True
    )
    if not doc:
        raise ValueError(f"{path} : DOCUMENTATION absente ou illisible")
    return doc


@functools.cache
def argument_spec(module: str) -> dict:
    """The argument spec documented by plugins/modules/<module>.py."""
    return _to_spec(documentation(module).get("options"))


def validate(action, module: str, **conditionals) -> dict:
    """Validate the task's arguments of `action` (an ActionBase) against the spec
    documented by its docs module; the normalised arguments (defaults applied).

    `conditionals` (required_one_of, mutually_exclusive...) are what DOCUMENTATION
    cannot express."""
    _result, args = action.validate_argument_spec(
        argument_spec=argument_spec(module), **conditionals
    )
    return args
