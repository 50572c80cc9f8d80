"""Bad inputs stop the server roles before any change, with a message saying what to fix.

Runs only the roles' `validate` entry points (read-only asserts + argument specs), in the
order of playbooks/serveurs.yml, against localhost: no container needed, nothing on the
machine is modified.
"""

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAYBOOK = ROOT / ".venv/bin/ansible-playbook"

SITE = {
    "uai": "0670001X",
    "nom": "Collège Exemple",
    "commune": "Strasbourg",
    "territoire": "67",
    "bloc_adresses": "10.64.0.0/20",
    "vlans": [
        {
            "id": 100,
            "nom": "PEDAGOGIE",
            "usage": "pedagogique",
            "proprietaire": "collectivite",
            "reseau": "10.64.0.0/24",
            "passerelle": "10.64.0.1",
            "dhcp": True,
            "dhcp_debut": "10.64.0.100",
            "dhcp_fin": "10.64.0.250",
        },
        {
            "id": 900,
            "nom": "SERVEURS",
            "usage": "serveurs",
            "proprietaire": "collectivite",
            "reseau": "10.64.3.0/24",
            "passerelle": "10.64.3.1",
            "dhcp": False,
        },
    ],
}


# The roles of playbooks/serveurs.yml, in its order.
ROLES = ["socle", "annuaire", "comptes", "partages", "dhcp", "sauvegarde"]


def test_the_playbook_composes_these_roles_in_this_order():
    import yaml

    jeu = yaml.safe_load((ROOT / "playbooks/serveurs.yml").read_text(encoding="utf-8"))[-1]
    assert [r["role"].rsplit(".", 1)[-1] for r in jeu["roles"]] == ROLES
    # the perimeter is checked before any role (and by each role again)
    assert "amico.colleges.perimetre" in jeu["pre_tasks"][0]


def run_validate(tmp_path, variables, env_extra=None, roles=ROLES):
    play = [
        {
            "name": "validate",
            "hosts": "se1-0670001x",
            "gather_facts": False,
            "tasks": [
                {
                    "name": f"validate {role}",
                    "ansible.builtin.include_role": {"name": role, "tasks_from": "validate"},
                }
                for role in roles
            ],
        }
    ]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    (tmp_path / "vars.json").write_text(json.dumps(variables))
    (tmp_path / "hosts.ini").write_text(
        f"se1-0670001x ansible_connection=local ansible_python_interpreter={sys.executable}\n"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"AMICO_SAMBA_ADMIN_PASSWORD", "AMICO_RESTIC_PASSWORD"}
    }
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(ROOT / "roles"),
        ANSIBLE_INVENTORY_ENABLED="ansible.builtin.ini",
        ANSIBLE_NOCOLOR="1",
        **(env_extra or {}),
    )
    return subprocess.run(
        [
            str(PLAYBOOK),
            "-i",
            str(tmp_path / "hosts.ini"),
            str(tmp_path / "play.yml"),
            "-e",
            f"@{tmp_path / 'vars.json'}",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


SECRETS = {
    "AMICO_SAMBA_ADMIN_PASSWORD": "Lab-secret-123",
    "AMICO_RESTIC_PASSWORD": "Lab-restic-123",
}


def test_valid_inputs_pass(tmp_path):
    r = run_validate(tmp_path, {"amico_site": SITE, "amico_adresse": "10.64.3.10"}, SECRETS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "changed=0" in r.stdout


def test_missing_site_is_refused(tmp_path):
    r = run_validate(tmp_path, {"amico_adresse": "10.64.3.10"}, SECRETS)
    assert r.returncode != 0
    assert "amico_site" in r.stdout


def test_vlan_without_subnet_is_refused(tmp_path):
    site = copy.deepcopy(SITE)
    del site["vlans"][0]["reseau"]
    r = run_validate(tmp_path, {"amico_site": site, "amico_adresse": "10.64.3.10"}, SECRETS)
    assert r.returncode != 0
    # the French message, not a template error about a missing attribute
    assert "VLAN 100 (PEDAGOGIE)" in r.stdout and "reseau doit être un sous-réseau" in r.stdout
    assert "(lu : absent)" in r.stdout and "Corrigez le référentiel" in r.stdout


@pytest.mark.parametrize("reseau", ["10.64.0.0/33", "pas-un-reseau"])
def test_vlan_with_bad_subnet_is_refused_in_french(tmp_path, reseau):
    site = copy.deepcopy(SITE)
    site["vlans"][0]["reseau"] = reseau
    r = run_validate(tmp_path, {"amico_site": site, "amico_adresse": "10.64.3.10"}, SECRETS)
    assert r.returncode != 0
    assert "VLAN 100 (PEDAGOGIE)" in r.stdout and "Corrigez le référentiel" in r.stdout


def test_missing_secret_is_refused_and_not_printed(tmp_path):
    r = run_validate(
        tmp_path,
        {"amico_site": SITE, "amico_adresse": "10.64.3.10"},
        {"AMICO_RESTIC_PASSWORD": "Lab-restic-123"},
    )
    assert r.returncode != 0
    assert "AMICO_SAMBA_ADMIN_PASSWORD" in r.stdout
    assert "Lab-restic-123" not in r.stdout + r.stderr


def test_reservation_outside_served_vlans_is_refused(tmp_path):
    r = run_validate(
        tmp_path,
        {
            "amico_site": SITE,
            "amico_adresse": "10.64.3.10",
            "dhcp__reservations": [
                {"nom": "imp", "mac": "00:11:22:33:44:55", "adresse": "10.64.3.20"}
            ],
        },
        SECRETS,
    )
    assert r.returncode != 0
    assert "Réservation DHCP imp" in r.stdout


# Hostile values for every role input written verbatim into a configuration file or a
# script (issue 13, item 1: the roles' sinks). All of one task's items fail together, so
# one run per role shows every refusal of that role, each naming its variable.
HOSTILES_SCALAIRES = {
    "partages": {
        "partages__racine": "/srv/samba'; reboot #",
        "partages__admins": 'Domain Admins"\n[evil]',
    },
    "sauvegarde": {
        "sauvegarde__depot": "/var/backups/x'$(reboot)'",
        "sauvegarde__horaire": "*-*-* 02:30:00\nExecStartPre=/bin/reboot",
    },
    "comptes": {"comptes__dossier": "/root/comptes\n"},
    "annuaire": {"annuaire__netbios_domaine": "PEDA\n[x]"},
}


def _base(**extra):
    return {"amico_site": SITE, "amico_adresse": "10.64.3.10", **extra}


@pytest.mark.parametrize("role", sorted(HOSTILES_SCALAIRES))
def test_hostile_values_for_configs_and_scripts_are_refused_each_named(tmp_path, role):
    hostiles = HOSTILES_SCALAIRES[role]
    r = run_validate(tmp_path, _base(**hostiles), SECRETS, roles=[role])
    assert r.returncode != 0
    for nom, valeur in hostiles.items():
        assert f"{nom} : valeur refusée {json.dumps(valeur)}" in r.stdout, nom
    assert "annuaire__realm : valeur refusée" not in r.stdout  # the fine ones pass


def test_hostile_backup_paths_are_refused(tmp_path):
    chemins = ["/srv/samba", "/etc/samba; reboot"]
    r = run_validate(tmp_path, _base(sauvegarde__chemins=chemins), SECRETS, roles=["sauvegarde"])
    assert r.returncode != 0
    assert 'sauvegarde__chemins : valeur refusée "/etc/samba; reboot"' in r.stdout
    assert '"/srv/samba"' not in r.stdout


def test_hostile_share_names_and_comments_are_refused(tmp_path):
    partages = [
        {"nom": "public]\n[evil", "commentaire": "x", "acl": {}},
        {"nom": "devoirs", "commentaire": "Devoirs\n\tpath = /etc", "acl": {}},
        {"nom": "classes", "commentaire": "Classes", "acl": {}},
    ]
    r = run_validate(tmp_path, _base(partages__liste=partages), SECRETS, roles=["partages"])
    assert r.returncode != 0
    assert 'partage "public]\\n[evil"' in r.stdout
    assert '"Devoirs\\n\\tpath = /etc"' in r.stdout
    assert 'partage "classes"' not in r.stdout


HOSTILES_LISTES = {
    "socle": (
        {"socle__ntp_serveurs": ["0.debian.pool.ntp.org", "pool.ntp.org\nallow all"]},
        'socle__ntp_serveurs : valeur refusée "pool.ntp.org\\nallow all"',
        '"0.debian.pool.ntp.org"',
    ),
    "annuaire": (
        {"annuaire__dns_redirecteurs": ["9.9.9.9", "8.8.8.8\n\tinclude = /tmp/x"]},
        'annuaire__dns_redirecteurs : valeur refusée "8.8.8.8\\n\\tinclude = /tmp/x"',
        '"9.9.9.9"',
    ),
    "dhcp": (
        {
            "dhcp__reservations": [
                {"nom": 'imp"}],"x":{', "mac": "00:11:22:33:44:55", "adresse": "10.64.0.20"},
                {"nom": "imp-ok", "mac": "00:11:22:33:44:56", "adresse": "10.64.0.21"},
            ]
        },
        "dhcp__reservations[].nom : valeur refusée",
        '"imp-ok"',
    ),
}


@pytest.mark.parametrize("role", sorted(HOSTILES_LISTES))
def test_hostile_ntp_dns_and_reservation_names_are_refused(tmp_path, role):
    valeurs, refus, accepte = HOSTILES_LISTES[role]
    r = run_validate(tmp_path, _base(**valeurs), SECRETS, roles=[role])
    assert r.returncode != 0
    assert refus in r.stdout
    assert accepte not in r.stdout


def test_shell_scripts_quote_every_value():
    # defence in depth: even a value that got through is one shell word
    for nom in ("amico-sauvegarde.j2", "amico-restauration.j2", "amico-restauration-annuaire.j2"):
        texte = (ROOT / "roles/sauvegarde/templates" / nom).read_text(encoding="utf-8")
        for expr in re.findall(r"\{\{(.*?)\}\}", texte):
            if "ansible_managed" in expr or "retention" in expr:
                continue
            assert "| quote" in expr, f"{nom} : {{{{{expr}}}}} sans | quote"


def _taches(noeud):
    if isinstance(noeud, list):
        for t in noeud:
            yield from _taches(t)
    elif isinstance(noeud, dict):
        yield noeud
        for cle in ("block", "rescue", "always"):
            yield from _taches(noeud.get(cle))


def test_powershell_scripts_take_values_as_parameters_never_inline():
    # a value templated into the script text is code; as a parameter it is data
    import yaml

    scripts = 0
    for chemin in sorted((ROOT / "roles").rglob("tasks/**/*.yml")):
        for tache in _taches(yaml.safe_load(chemin.read_text(encoding="utf-8"))):
            module = tache.get("ansible.windows.win_powershell")
            if module is None:
                continue
            scripts += 1
            assert "{{" not in module["script"] and "{%" not in module["script"], chemin
    assert scripts >= 2  # the DHCP and DNS forwarder scripts of the Windows variant
