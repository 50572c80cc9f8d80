"""Shared plugin code (plugins/plugin_utils/): the switch SSH target and the import guard."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleActionFail, AnsibleParserError
from ansible_collections.amico.colleges.plugins.plugin_utils.commutateurs import target
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import (
    missing_message,
    raise_if_missing,
    require_amico,
)

from amico.commutateurs.drivers import Target


class _Templar:
    """Records what gets templated: a vault value must be resolved only when needed."""

    def __init__(self, values):
        self.values = values
        self.seen = []

    def template(self, value):
        self.seen.append(value)
        return self.values.get(value, value)


HOST = {"inventory_hostname": "sw-0670001x-01"}


def test_options_win_over_host_variables():
    templar = _Templar({})
    task_vars = {
        **HOST,
        "ansible_host": "10.0.0.1",
        "amico_commutateurs__utilisateur": "{{ vault_user }}",
        "amico_commutateurs__mot_de_passe": "{{ vault_pw }}",
    }
    args = {"hote": "127.0.0.1", "port": 2022, "utilisateur": "u", "mot_de_passe": "p", "delai": 7}
    assert target(args, task_vars, templar) == Target("127.0.0.1", 2022, "u", "p", 7.0)
    # the vault variables were never templated: the options were given
    assert "{{ vault_pw }}" not in templar.seen


def test_host_variables_are_templated_when_options_are_absent():
    templar = _Templar({"{{ vault_user }}": "admin", "{{ vault_pw }}": "s3cret", "{{ h }}": "sw1"})
    task_vars = {
        **HOST,
        "ansible_host": "{{ h }}",
        "ansible_port": "2222",
        "amico_commutateurs__utilisateur": "{{ vault_user }}",
        "amico_commutateurs__mot_de_passe": "{{ vault_pw }}",
    }
    got = target({"delai": 20}, task_vars, templar)
    assert got == Target("sw1", 2222, "admin", "s3cret", 20.0)


def test_defaults_inventory_hostname_and_port_22():
    task_vars = {
        **HOST,
        "amico_commutateurs__utilisateur": "a",
        "amico_commutateurs__mot_de_passe": "b",
    }
    got = target({"delai": 20}, task_vars, _Templar({}))
    assert (got.host, got.port) == ("sw-0670001x-01", 22)


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ({"amico_commutateurs__mot_de_passe": "b"}, "amico_commutateurs__utilisateur"),
        ({"amico_commutateurs__utilisateur": "a"}, "amico_commutateurs__mot_de_passe"),
        ({}, "amico_commutateurs__utilisateur"),
    ],
)
def test_missing_credentials_fail_in_french_naming_the_variable(present, missing):
    """Before, the collect tried an SSH login with an empty account and reported the switch
    "injoignable"; the cause (a variable not set) is said instead."""
    with pytest.raises(AnsibleActionFail) as err:
        target({"delai": 20}, {**HOST, **present}, _Templar({}))
    msg = str(err.value)
    assert "sw-0670001x-01" in msg and "identifiant SSH du commutateur absent" in msg
    assert missing in msg


def test_a_non_numeric_port_is_named():
    task_vars = {
        **HOST,
        "ansible_port": "ssh",
        "amico_commutateurs__utilisateur": "a",
        "amico_commutateurs__mot_de_passe": "b",
    }
    with pytest.raises(AnsibleActionFail, match="port SSH « ssh » invalide"):
        target({"delai": 20}, task_vars, _Templar({}))


def test_the_password_never_shows_in_the_target_repr():
    task_vars = {**HOST, "amico_commutateurs__utilisateur": "a"}
    got = target({"mot_de_passe": "Tres-Secret-9", "delai": 20}, task_vars, _Templar({}))
    assert "Tres-Secret-9" not in repr(got)


def test_missing_amico_and_missing_dependency_are_told_apart():
    assert "paquet Python « amico » introuvable" in missing_message(
        ModuleNotFoundError("No module named 'amico'", name="amico")
    )
    msg = missing_message(ModuleNotFoundError("No module named 'netmiko'", name="netmiko"))
    assert "dépendance Python « netmiko » du paquet amico" in msg


def test_require_amico_turns_an_import_error_into_the_plugin_error():
    expected = "paquet Python « amico » introuvable"
    with pytest.raises(AnsibleActionFail, match=expected), require_amico():
        raise ModuleNotFoundError("No module named 'amico.derive'", name="amico.derive")
    with pytest.raises(AnsibleParserError, match="introuvable"):
        raise_if_missing(ImportError("x", name="amico"), AnsibleParserError)
    raise_if_missing(None)  # nothing missing: nothing raised
