"""`ansible-doc amico.colleges.X` works for EVERY plugin of the collection, discovered from
the tree (a new plugin is covered without touching this test): modules (an action plugin
through its docs-only module), callback, inventory, filters and tests one by one, any
other plugin type by its file. Run with the project's ansible.cfg, as a user would."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
BIN = Path(sys.executable).parent
# Not plugins: shared code and documentation fragments.
NOT_PLUGINS = {"module_utils", "plugin_utils", "doc_fragments", "__pycache__"}
# Directory name -> ansible-doc type (action plugins are documented by their module).
TYPES = {"modules": "module", "filter": "filter", "test": "test"}


def _files(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__")


def _jinja_names(folder: str, kind: str) -> list[str]:
    names = []
    for stem in _files(PLUGINS / folder):
        mod = importlib.import_module(f"ansible_collections.amico.colleges.plugins.{folder}.{stem}")
        holder = getattr(mod, "FilterModule" if kind == "filter" else "TestModule")()
        names += list(holder.filters() if kind == "filter" else holder.tests())
    return sorted(names)


def discovered() -> dict[str, list[str]]:
    """ansible-doc type -> plugin names, from the tree."""
    out: dict[str, list[str]] = {}
    for folder in sorted(p for p in PLUGINS.iterdir() if p.is_dir()):
        if folder.name in NOT_PLUGINS or folder.name == "action":
            continue
        kind = TYPES.get(folder.name, folder.name)
        names = _jinja_names(folder.name, kind) if kind in ("filter", "test") else _files(folder)
        if names:
            out[kind] = names
    return out


def _ansible_doc(*args: str) -> dict:
    env = {**os.environ, "ANSIBLE_CONFIG": str(ROOT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1"}
    r = subprocess.run(
        [str(BIN / "ansible-doc"), "--json", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


PLUGIN_TYPES = discovered()


def test_the_tree_holds_the_expected_kinds_of_plugins():
    assert {"module", "callback", "inventory"} <= set(PLUGIN_TYPES)


def test_every_action_plugin_has_its_docs_module():
    assert set(_files(PLUGINS / "action")) <= set(PLUGIN_TYPES["module"])


@pytest.mark.parametrize("kind", sorted(PLUGIN_TYPES))
def test_every_plugin_renders_in_ansible_doc(kind):
    names = [f"amico.colleges.{n}" for n in PLUGIN_TYPES[kind]]
    docs = _ansible_doc("-t", kind, *names)
    assert sorted(docs) == sorted(names)
    for name, entry in docs.items():
        doc = entry["doc"]
        assert doc.get("short_description"), name
        assert doc.get("description"), name
        assert "collection" in doc and doc["collection"] == "amico.colleges", name
        if kind == "module":
            # what a user copies: examples and the values it gets back
            assert entry.get("examples"), name
            assert entry.get("return") is not None, name


@pytest.mark.parametrize("kind", sorted(PLUGIN_TYPES))
def test_ansible_doc_lists_every_plugin_of_the_collection(kind):
    listed = _ansible_doc("-t", kind, "-l", "amico.colleges")
    assert {f"amico.colleges.{n}" for n in PLUGIN_TYPES[kind]} <= set(listed)


def test_the_doc_fragment_reaches_ansible_doc():
    """The switch credentials are written once (doc fragment) and shown in both modules."""
    names = ("amico.colleges.commutateur", "amico.colleges.derive_collecte")
    for entry in _ansible_doc("-t", "module", *names).values():
        options = entry["doc"]["options"]
        assert {"hote", "port", "utilisateur", "mot_de_passe", "delai"} <= set(options)
        secret = " ".join(options["mot_de_passe"]["description"])
        assert "amico_commutateurs__mot_de_passe" in secret
