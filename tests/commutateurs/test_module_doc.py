"""The module's documentation (ansible-doc) describes exactly the options its action plugin
accepts, with the same types and requirements."""

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load(path):
    spec = importlib.util.spec_from_file_location(path.stem + "_doc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_commutateur_documentation_matches_the_action_plugin():
    doc = yaml.safe_load(_load(ROOT / "plugins/modules/commutateur.py").DOCUMENTATION)
    args = _load(ROOT / "plugins/action/commutateur.py").ARGS
    options = doc["options"]
    assert set(options) == set(args)
    for name, spec in args.items():
        assert options[name]["type"] == spec["type"], name
        assert bool(options[name].get("required")) == bool(spec.get("required")), name
        assert options[name].get("default") == spec.get("default"), name
    returned = yaml.safe_load(_load(ROOT / "plugins/modules/commutateur.py").RETURN)
    assert {"statut", "commandes", "refus", "lignes_refusees"} <= set(returned)
