"""End to end: the venv's real ansible-playbook with the amico.colleges.glpi callback
against the GLPI test server: tickets, followups, solving, spool and replay."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATA = Path(__file__).parent / "data"
EXT = "amico/0670001X/postes_peda_mco/echec-installer-l-antivirus"
# GLPI's delays here guard against a hang, they are not what is tested: on a loaded
# machine (CI, 2 cores) a child process may wait seconds for the CPU, and a short delay
# would spool calls to a GLPI that answers. The test that needs short ones sets them.
TIMEOUT, BUDGET, HANG_GUARD = 30, 600, 900

PLAYBOOK = """
- name: Postes et serveurs du collège
  hosts: all
  gather_facts: false
  tasks:
    - name: Vérifier la connexion
      ansible.builtin.ping:
    - name: Installer l'antivirus
      ansible.builtin.assert:
        that: not (echoue | bool and inventory_hostname == 'p-s101-01')
        fail_msg: "Service antivirus arrêté"
        quiet: true
    - name: Mettre à jour la configuration
      ansible.builtin.command: "true"
      changed_when: inventory_hostname == 'se1-0670001x'
"""

INVENTORY = """
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: {python}
    amico_uai: "0670001X"
  hosts:
    p-s101-01: {{amico_service: postes_peda_mco}}
    p-s101-02: {{amico_service: postes_peda_mco}}
    se1-0670001x: {{amico_service: serveurs_peda}}
"""


@pytest.fixture
def project(tmp_path, glpi):
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    (tmp_path / "inventaire.yml").write_text(INVENTORY.format(python=sys.executable))
    (tmp_path / "ansible.cfg").write_text(f"""[defaults]
collections_path = {REPO / "collections"}
callbacks_enabled = amico.colleges.glpi
inventory = inventaire.yml
host_key_checking = False
retry_files_enabled = False

[callback_glpi]
url = {glpi.url}
routage = {DATA / "routage.yml"}
matrice = {DATA / "services.yml"}
spool = {tmp_path / "spool"}
timeout = {TIMEOUT}
budget = {BUDGET}
""")
    return tmp_path


def play(project, secrets, *extra, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AMICO_GLPI"))}
    env.update({f"AMICO_GLPI_{k.upper()}": v for k, v in secrets.items()})
    env.update(
        {
            "ANSIBLE_CONFIG": str(project / "ansible.cfg"),
            "PATH": f"{BIN}:{env['PATH']}",
            "AMICO_STATE_DIR": str(project / "etat"),
            "ANSIBLE_NOCOLOR": "1",
        }
    )
    env.update(env_extra or {})
    cmd = [str(BIN / "ansible-playbook"), "site.yml", *extra]
    p = subprocess.run(
        cmd, cwd=project, env=env, capture_output=True, text=True, timeout=HANG_GUARD
    )
    return p, env


@pytest.mark.slow
def test_runs_report_to_glpi(glpi, project, secrets):
    p, _ = play(project, secrets, "-e", "echoue=true")
    out = p.stdout + p.stderr
    assert p.returncode == 2, out
    assert "GLPI : 2 ticket(s) ouvert(s)" in out, out  # the failure + interventions
    (t,) = glpi.tickets(EXT)
    assert t["entities_id"] == 12 and glpi.assigned_groups(t["id"]) == [3, 5]
    assert "p-s101-01 : Service antivirus arrêté" in t["content"]
    assert "Anomalie de la matrice" in t["content"]
    # changes traced: a standing "interventions" ticket for the server service
    (inter,) = glpi.tickets("amico/0670001X/serveurs_peda/interventions")
    assert "se1-0670001x" in inter["content"] and glpi.assigned_groups(inter["id"]) == [4]
    for s in secrets.values():
        assert s not in out

    p, _ = play(project, secrets, "-e", "echoue=true")  # persists: followup, no duplicate
    assert len(glpi.tickets(EXT)) == 1 and len(glpi.followups(t["id"])) == 1
    assert len(glpi.followups(inter["id"])) == 1

    p, _ = play(project, secrets, "-e", "echoue=false")  # cleared: solved
    assert p.returncode == 0
    assert glpi.tickets(EXT)[0]["status"] == 5


@pytest.mark.slow
def test_glpi_down_then_flush(glpi, project, secrets):
    glpi.faults.down = True
    p, env = play(project, secrets, "-e", "echoue=true")
    out = p.stdout + p.stderr
    assert "mis en attente (spool)" in out, out
    # failure, interventions, and one "solve what cleared" per (site, service)
    assert glpi.tickets() == [] and len(list((project / "spool").glob("*.json"))) == 4
    glpi.faults.clear()
    # the admin's command, as a user runs it
    r = subprocess.run(
        [
            str(Path(sys.executable).parent / "amico"),
            "guichet",
            "vider",
            "--url",
            glpi.url,
            "--spool",
            str(project / "spool"),
            "--delai",
            str(TIMEOUT),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    (t,) = glpi.tickets(EXT)
    assert glpi.followups(t["id"]) == []
    # a rerun after the replay adds a followup, never a second ticket
    p, _ = play(project, secrets, "-e", "echoue=true")
    out = p.stdout + p.stderr
    assert "mis en attente" not in out and not list((project / "spool").glob("*.json")), out
    assert len(glpi.tickets(EXT)) == 1 and len(glpi.followups(t["id"])) == 1


@pytest.mark.slow
def test_glpi_that_never_answers_cannot_hang_the_run(glpi, project, secrets):
    glpi.faults.hang = True
    short = {"AMICO_GLPI_TIMEOUT": "1", "AMICO_GLPI_BUDGET": "5"}
    # the run ends while GLPI still holds every request (released only afterwards)
    p, _ = play(project, secrets, "-e", "echoue=true", env_extra=short)
    held = list(glpi.requests)
    glpi.release_hang()
    out = " ".join((p.stdout + p.stderr).split())  # Ansible wraps its warnings
    assert "mis en attente (spool)" in out and "timed out" in out, out
    assert len(list((project / "spool").glob("*.json"))) == 4
    # the first call that times out stops the delivery: no other call waits in turn
    assert len(held) == 1, held
