"""Windows Server variant of the server roles: what can be proven without a Windows host.

- the role's input checks accept Windows Server 2022/2025 and refuse 2012 R2 (end of life)
  with a French message, before any change;
- the parameters handed to microsoft.ad / ansible.windows (OUs, groups, DHCP scopes and
  reservations, shares and their rights, wbadmin command) are rendered from the SAME
  inputs as the Debian target, and checked here value by value;
- the Windows task files (roles/*/tasks/windows.yml) parse (ansible-playbook
  --syntax-check of playbooks/serveurs.yml' roles) and call the modules of
  microsoft.ad / ansible.windows / community.windows with the rendered parameters.

The target is simulated by its facts (`ansible_facts` as an extra var, as gathered from a
Windows host: os_family Windows, distribution_version = kernel build). Nothing runs on a
Windows host: see the roles' READMEs, "Non testé".
"""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv/bin"
ROLES = ["socle", "annuaire", "comptes", "partages", "dhcp", "sauvegarde"]

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
            "id": 200,
            "nom": "ADMINISTRATIF",
            "usage": "pedagogique",
            "proprietaire": "academie",
            "reseau": "10.64.2.0/24",
            "passerelle": "10.64.2.1",
            "dhcp": True,
            "dhcp_debut": "10.64.2.100",
            "dhcp_fin": "10.64.2.250",
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
WINDOWS_2022 = {"os_family": "Windows", "distribution_version": "10.0.20348.0"}
WINDOWS_2025 = {"os_family": "Windows", "distribution_version": "10.0.26100.0"}
WINDOWS_2012_R2 = {"os_family": "Windows", "distribution_version": "6.3.9600.0"}
WINDOWS_2019 = {"os_family": "Windows", "distribution_version": "10.0.17763.0"}
WINDOWS_2016 = {"os_family": "Windows", "distribution_version": "10.0.14393.0"}
ADMIN_SECRET = "Lab-secret-123"
INPUTS = {
    "amico_site": SITE,
    "amico_adresse": "10.64.3.10",
    "sauvegarde__windows_cible": "E:",
    "dhcp__reservations": [
        {"nom": "imp-s101", "mac": "00:23:24:AA:BB:20", "adresse": "10.64.0.20"}
    ],
    "annuaire__dns_redirecteurs": ["10.64.3.1"],
}
# What the role renders for the Windows modules (written by the play below).
RENDERED = [
    "_socle__windows",
    "_comptes__windows_ous",
    "_comptes__windows_groupes",
    "_comptes__windows_groupes_ou",
    "_dhcp__windows_etendues",
    "_partages__windows_partages",
    "_sauvegarde__windows_wbadmin",
    "annuaire__domaine_dns",
    "annuaire__netbios_domaine",
    "partages__netbios_domaine",
]


def run_play(tmp_path, variables, facts, env_extra=None, check=False):
    """validate entry point on a simulated host, then the rendered parameters to JSON."""
    out = tmp_path / "rendu.json"
    play = [
        {
            "name": "windows",
            "hosts": "se1-0670001x",
            "gather_facts": False,
            "tasks": [
                *(
                    {
                        "name": f"validate {role}",
                        "ansible.builtin.include_role": {
                            "name": role,
                            "tasks_from": "validate",
                            "public": True,
                        },
                    }
                    for role in ROLES
                ),
                {
                    "name": "write the rendered parameters",
                    "delegate_to": "localhost",
                    "ansible.builtin.copy": {
                        "dest": str(out),
                        "mode": "0600",
                        "content": "{{ {"
                        + ", ".join(f"'{v}': {v}" for v in RENDERED)
                        + "} | to_nice_json }}",
                    },
                },
            ],
        }
    ]
    (tmp_path / "play.yml").write_text(json.dumps(play))
    (tmp_path / "vars.json").write_text(json.dumps({**variables, "ansible_facts": facts}))
    (tmp_path / "hosts.ini").write_text(
        f"se1-0670001x ansible_connection=local ansible_python_interpreter={sys.executable}\n"
        f"localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n"
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
    cmd = [
        str(BIN / "ansible-playbook"),
        "-i",
        str(tmp_path / "hosts.ini"),
        str(tmp_path / "play.yml"),
        "-e",
        f"@{tmp_path / 'vars.json'}",
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    rendu = json.loads(out.read_text()) if out.exists() else None
    return r, rendu


SECRET_ENV = {"AMICO_SAMBA_ADMIN_PASSWORD": ADMIN_SECRET}


@pytest.fixture(scope="module")
def rendu(tmp_path_factory):
    r, rendu = run_play(tmp_path_factory.mktemp("win"), INPUTS, WINDOWS_2022, SECRET_ENV)
    assert r.returncode == 0, r.stdout + r.stderr
    assert ADMIN_SECRET not in r.stdout + r.stderr
    return rendu


def test_windows_is_chosen_by_the_facts(rendu):
    assert rendu["_socle__windows"] is True


def test_windows_2025_is_accepted(tmp_path):
    r, rendu = run_play(tmp_path, INPUTS, WINDOWS_2025, SECRET_ENV)
    assert r.returncode == 0, r.stdout + r.stderr


def test_windows_2012_r2_is_refused_as_end_of_life(tmp_path):
    r, rendu = run_play(tmp_path, INPUTS, WINDOWS_2012_R2, SECRET_ENV)
    assert r.returncode != 0
    assert "Windows Server 2012 R2" in r.stdout
    assert "fin de vie depuis le 10/10/2023" in r.stdout
    assert "windows_server_2012_r2" in r.stdout
    assert rendu is None  # stopped before anything else


def test_end_of_life_date_matches_the_referentiel():
    catalogue = yaml.safe_load((ROOT / "referentiel/catalogue/logiciels.yml").read_text())
    entrees = catalogue["logiciels"] if isinstance(catalogue, dict) else catalogue
    ws = next(e for e in entrees if e["id"] == "windows_server_2012_r2")
    assert ws["cycle_de_vie"]["statut"] == "fin_de_vie"
    assert str(ws["cycle_de_vie"]["fin_de_vie"]) == "2023-10-10"
    message = (ROOT / "roles/socle/tasks/validate.yml").read_text()
    assert "10/10/2023" in message


def test_windows_older_than_2019_is_refused(tmp_path):
    r, _ = run_play(tmp_path, INPUTS, WINDOWS_2016, SECRET_ENV)
    assert r.returncode != 0
    assert "Windows Server 2019 (10.0.17763" in r.stdout
    assert "2022 (10.0.20348) ou 2025 (10.0.26100) requis" in r.stdout


def test_windows_2019_is_accepted_until_its_end_of_support(tmp_path):
    """Supported by Microsoft until 2029-01-09 (référentiel: windows_server_2019)."""
    r, rendu = run_play(tmp_path, INPUTS, WINDOWS_2019, SECRET_ENV)
    assert r.returncode == 0, r.stdout[-2000:]
    assert rendu is not None


def test_missing_admin_secret_is_refused_on_windows_too(tmp_path):
    r, _ = run_play(tmp_path, INPUTS, WINDOWS_2022, {})
    assert r.returncode != 0
    assert "AMICO_SAMBA_ADMIN_PASSWORD" in r.stdout


def test_restic_secret_is_not_required_on_windows(rendu):
    # the module fixture ran without AMICO_RESTIC_PASSWORD and passed
    assert rendu is not None


def test_backup_target_is_required_on_windows(tmp_path):
    inputs = {k: v for k, v in INPUTS.items() if k != "sauvegarde__windows_cible"}
    r, _ = run_play(tmp_path, inputs, WINDOWS_2022, SECRET_ENV)
    assert r.returncode != 0
    assert "sauvegarde__windows_cible" in r.stdout


def test_accounts_export_is_refused_on_windows(tmp_path):
    inputs = {
        **INPUTS,
        "comptes__export": str(ROOT / "roles/comptes/files/exemple-export-ent.csv"),
    }
    r, _ = run_play(tmp_path, inputs, WINDOWS_2022, SECRET_ENV)
    assert r.returncode != 0
    assert "pas encore gérés sur" in r.stdout


def test_vlan_without_subnet_is_refused_on_windows(tmp_path):
    site = copy.deepcopy(SITE)
    del site["vlans"][0]["reseau"]
    r, _ = run_play(tmp_path, {**INPUTS, "amico_site": site}, WINDOWS_2022, SECRET_ENV)
    assert r.returncode != 0
    assert "Corrigez le référentiel" in r.stdout


def test_domain_names_are_the_debian_ones(rendu):
    assert rendu["annuaire__domaine_dns"] == "peda0670001x.amico.internal"
    assert rendu["annuaire__netbios_domaine"] == "PEDA0670001X"
    # the shares' rights name the groups in the annuaire's domain
    assert rendu["partages__netbios_domaine"] == "PEDA0670001X"


def test_ous_and_groups(rendu):
    dn = "DC=peda0670001x,DC=amico,DC=internal"
    assert rendu["_comptes__windows_ous"][0] == {"name": "College", "path": dn}
    assert sorted(rendu["_comptes__windows_ous"][1:], key=lambda o: o["name"]) == [
        {"name": n, "path": f"OU=College,{dn}"}
        for n in ["Administration", "Eleves", "Groupes", "Profs"]
    ]
    assert rendu["_comptes__windows_groupes_ou"] == f"OU=Groupes,OU=College,{dn}"
    assert [g["name"] for g in rendu["_comptes__windows_groupes"]] == [
        "eleves",
        "profs",
        "admins-college",
    ]


def test_dhcp_scopes_serve_the_collectivite_pedagogical_vlans_only(rendu):
    assert rendu["_dhcp__windows_etendues"] == [
        {
            "id": 100,
            "nom": "VLAN 100 PEDAGOGIE",
            "reseau": "10.64.0.0",
            "masque": "255.255.255.0",
            "debut": "10.64.0.100",
            "fin": "10.64.0.250",
            "passerelle": "10.64.0.1",
            "bail": 28800,
            "reservations": [
                {"nom": "imp-s101", "adresse": "10.64.0.20", "mac": "00-23-24-aa-bb-20"}
            ],
        }
    ]


def test_shares_and_rights(rendu):
    partages = {p["nom"]: p for p in rendu["_partages__windows_partages"]}
    assert sorted(partages) == ["classes", "devoirs", "logiciels", "profils", "public"]
    logiciels = partages["logiciels"]
    assert logiciels["chemin"] == "D:\\AMICo\\Partages\\logiciels"
    assert logiciels["full"] == ["PEDA0670001X\\Domain Admins"]
    assert logiciels["change"] == ["PEDA0670001X\\admins-college"]
    assert sorted(logiciels["read"]) == [
        "PEDA0670001X\\Domain Computers",
        "PEDA0670001X\\eleves",
        "PEDA0670001X\\profs",
    ]
    ntfs = {a["groupe"]: a["droits"] for a in logiciels["ntfs"]}
    assert ntfs == {
        "PEDA0670001X\\Domain Admins": "FullControl",
        "PEDA0670001X\\admins-college": "Modify",
        "PEDA0670001X\\profs": "ReadAndExecute",
        "PEDA0670001X\\eleves": "ReadAndExecute",
        "PEDA0670001X\\Domain Computers": "ReadAndExecute",
    }
    # pupils read, never write, the devoirs
    assert "PEDA0670001X\\eleves" in partages["devoirs"]["read"]
    assert "PEDA0670001X\\eleves" not in partages["devoirs"]["change"]


def test_features_and_backup_command(rendu):
    fonctionnalites = set()
    for _, t in _windows_tasks():
        if "ansible.windows.win_feature" in t:
            nom = t["ansible.windows.win_feature"]["name"]
            if nom.startswith("{{"):  # the annuaire's list, from its vars
                vars_ = yaml.safe_load((ROOT / "roles/annuaire/vars/main.yml").read_text())
                fonctionnalites |= set(vars_["_annuaire__windows_fonctionnalites"])
            else:
                fonctionnalites.add(nom)
    assert fonctionnalites == {
        "AD-Domain-Services",
        "DNS",
        "DHCP",
        "FS-FileServer",
        "Windows-Server-Backup",
    }
    assert rendu["_sauvegarde__windows_wbadmin"] == (
        "start backup -backupTarget:E: -include:D:\\AMICo\\Partages -allCritical -vssFull -quiet"
    )


def _windows_tasks():
    taches = []
    for role in ROLES:
        f = ROOT / "roles" / role / "tasks/windows.yml"
        for t in yaml.safe_load(f.read_text()) or []:
            taches.append((role, t))
    return taches


def test_windows_tasks_use_the_rendered_parameters():
    taches = {r: [t for g, t in _windows_tasks() if g == r] for r in ROLES}
    domaine = next(t for t in taches["annuaire"] if "microsoft.ad.domain" in t)
    assert domaine["microsoft.ad.domain"]["dns_domain_name"] == "{{ annuaire__domaine_dns }}"
    assert domaine["no_log"] is True
    assert (
        next(t for t in taches["comptes"] if "microsoft.ad.ou" in t)["loop"]
        == "{{ _comptes__windows_ous }}"
    )
    dhcp = next(t for t in taches["dhcp"] if "ansible.windows.win_powershell" in t)
    assert (
        dhcp["ansible.windows.win_powershell"]["parameters"]["Etendues"]
        == "{{ _dhcp__windows_etendues }}"
    )
    share = next(t for t in taches["partages"] if "ansible.windows.win_share" in t)
    assert share["loop"] == "{{ _partages__windows_partages }}"


def test_windows_tasks_use_fqcn_of_the_windows_collections():
    modules = set()
    for _, t in _windows_tasks():
        action = next(k for k in t if "." in k and k not in {"loop_control"})
        modules.add(action)
    permis = ("microsoft.ad.", "ansible.windows.", "community.windows.", "ansible.builtin.")
    assert all(m.startswith(permis) for m in modules), modules
    assert {"microsoft.ad.domain", "ansible.windows.win_feature"} <= modules


def test_syntax_check_with_a_windows_host(tmp_path):
    play = tmp_path / "play.yml"
    play.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "serveur pedagogique Windows",
                    "hosts": "serveurs_windows",
                    "roles": [{"role": role} for role in ROLES],
                }
            ]
        )
    )
    (tmp_path / "hosts.ini").write_text(
        "[serveurs_windows]\nse1-0670001x ansible_connection=winrm\n"
    )
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_ROLES_PATH=str(ROOT / "roles"),
        ANSIBLE_INVENTORY_ENABLED="ansible.builtin.ini",
        ANSIBLE_NOCOLOR="1",
    )
    r = subprocess.run(
        [
            str(BIN / "ansible-playbook"),
            "--syntax-check",
            "-i",
            str(tmp_path / "hosts.ini"),
            str(play),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
