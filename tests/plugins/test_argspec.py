"""Each action plugin validates its task arguments against the spec documented by its
docs-only module (plugins/modules/<name>.py, doc fragments merged): what ansible-doc shows
is exactly what the action accepts, with the same types, defaults and requirements."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from ansible.errors import AnsibleActionFail
from ansible_collections.amico.colleges.plugins.plugin_utils import argspec
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = sorted(p.stem for p in (ROOT / "plugins/action").glob("*.py"))


def _action(name: str, args: dict):
    mod = importlib.import_module(f"ansible_collections.amico.colleges.plugins.action.{name}")
    action = mod.ActionModule.__new__(mod.ActionModule)
    action._task = SimpleNamespace(args=dict(args))
    return action


def _valid_value(option: dict):
    kind = option.get("type", "str")
    if "choices" in option:
        return option["choices"][0]
    return {
        "str": "x",
        "path": "/tmp/x",
        "int": 3,
        "bool": True,
        "dict": {"k": "v"},
        "list": [{"k": "v"}] if option.get("elements") == "dict" else ["x"],
        "float": 1.5,
        "raw": "x",
    }[kind]


def _required_args(name: str) -> dict:
    spec = argspec.argument_spec(name)
    return {k: _valid_value(o) for k, o in spec.items() if o.get("required")}


@pytest.mark.parametrize("name", ACTIONS)
def test_every_action_has_a_docs_module_and_no_second_spec(name):
    doc = argspec.documentation(name)
    assert doc["module"] == name
    assert doc["short_description"] and doc["description"]
    source = (ROOT / "plugins/action" / f"{name}.py").read_text(encoding="utf-8")
    assigned = {
        t.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign)
        for t in node.targets
        if isinstance(t, ast.Name)
    }
    # no second spec: no ARGS dict, no DOCUMENTATION beside the docs module's
    assert not assigned & {"ARGS", "DOCUMENTATION", "EXAMPLES", "RETURN"}
    assert "validate_argument_spec(" not in source
    assert f'validate(self, "{name}")' in source


@pytest.mark.parametrize("name", ACTIONS)
def test_documented_options_are_accepted_with_their_defaults(name):
    spec = argspec.argument_spec(name)
    args = {k: _valid_value(o) for k, o in spec.items()}
    got = argspec.validate(_action(name, args), name)
    assert set(got) >= set(spec)
    # an option left out takes its documented default
    required = _required_args(name)
    got = argspec.validate(_action(name, required), name)
    for option, entry in spec.items():
        if "default" in entry:
            assert got[option] == entry["default"], option


@pytest.mark.parametrize("name", ACTIONS)
def test_an_undocumented_option_is_refused(name):
    args = {**_required_args(name), "option_inconnue": 1}
    with pytest.raises(AnsibleActionFail, match="option_inconnue"):
        argspec.validate(_action(name, args), name)


WITH_REQUIRED = [
    n for n in ACTIONS if any(o.get("required") for o in argspec.argument_spec(n).values())
]


@pytest.mark.parametrize("name", WITH_REQUIRED)
def test_each_required_option_is_required(name):
    required = _required_args(name)
    for option in required:
        args = {k: v for k, v in required.items() if k != option}
        with pytest.raises(AnsibleActionFail, match=option):
            argspec.validate(_action(name, args), name)


def test_the_switch_credentials_come_from_the_doc_fragment_in_both_actions():
    fragment = {"hote", "port", "utilisateur", "mot_de_passe", "delai"}
    for name in ("commutateur", "derive_collecte"):
        spec = argspec.argument_spec(name)
        assert fragment <= set(spec), name
        assert spec["mot_de_passe"] == {"type": "str", "no_log": True}
        assert spec["delai"] == {"type": "int", "default": 20}


def test_types_are_coerced_as_documented():
    args = {**_required_args("commutateur"), "delai": "45", "force": "yes", "port": "2222"}
    got = argspec.validate(_action("commutateur", args), "commutateur")
    assert (got["delai"], got["force"], got["port"]) == (45, True, 2222)
    with pytest.raises(AnsibleActionFail, match="delai"):
        argspec.validate(_action("commutateur", {**args, "delai": "vingt"}), "commutateur")


@pytest.mark.parametrize(
    ("option", "secret"),
    [
        ("mot_de_passe", True),
        ("partage_mot_de_passe", True),
        ("client_secret", True),
        ("jeton", True),
        ("password", True),
        ("admin_pass", True),
        ("utilisateur", False),
        ("passerelle", False),
        ("partage", False),
        ("delai", False),
    ],
)
def test_secret_options_by_name(option, secret):
    assert argspec.is_secret(option) is secret


def test_every_documented_secret_is_no_log():
    """Every option of every action whose name says secret is masked: a new option
    `…_mot_de_passe` cannot be forgotten."""
    for name in ACTIONS:
        for option, entry in argspec.argument_spec(name).items():
            if "mot_de_passe" in option:
                assert entry.get("no_log") is True, (name, option)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), st.integers(), max_size=4))
def test_hostile_option_names_never_pass_silently(extra):
    spec = argspec.argument_spec("derive_preparer")
    base = _required_args("derive_preparer")
    args = {**base, **extra}
    unknown = set(extra) - set(spec)
    if unknown:
        with pytest.raises(AnsibleActionFail):
            argspec.validate(_action("derive_preparer", args), "derive_preparer")
    else:
        try:
            argspec.validate(_action("derive_preparer", args), "derive_preparer")
        except AnsibleActionFail as exc:  # a documented option with a wrong type
            assert any(k in str(exc) for k in extra)


def _literal_argument_spec(path: Path):
    """The `argument_spec={...}` literal a real module passes to AnsibleModule."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "AnsibleModule":
            for kw in node.keywords:
                if kw.arg == "argument_spec":
                    return ast.literal_eval(kw.value)
    return None


REAL_MODULES = sorted(
    p.stem for p in (ROOT / "plugins/modules").glob("*.py") if p.stem not in ACTIONS
)


@pytest.mark.parametrize("name", REAL_MODULES)
def test_a_real_module_accepts_exactly_what_it_documents(name):
    """What ansible-test's validate-modules checks: a module that runs on the host keeps
    its argument_spec literal (no collection import there), and it matches its doc."""
    spec = _literal_argument_spec(ROOT / "plugins/modules" / f"{name}.py")
    assert spec is not None, name
    documented = argspec.argument_spec(name)
    assert set(spec) == set(documented), name
    for option, entry in spec.items():
        for key in ("type", "elements", "required", "default", "choices"):
            assert entry.get(key) == documented[option].get(key), (name, option, key)
