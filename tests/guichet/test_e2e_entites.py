"""Issue 14 "Done when": a full reporting run (callback on a real ansible-playbook, drift
findings, a wave, native inventories) against a GLPI whose API profile is NOT recursive
and covers two entities (default entity 12): every ticket lands in its entity, assigned
to its group, with no duplicate across reruns and replays; a refused inventory payload,
first in the spool, never delays a ticket."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from amico.guichet.config import GlpiConfig
from amico.guichet.spool import Spool
from amico_lab.glpi import GlpiTestServer

from .conftest import GROUPS, SECRETS

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATA = Path(__file__).parent / "data"
ENTITIES = {12: "Collège des Tilleuls", 13: "Collège du Rhin", 14: "Autre collège"}
PROFILE = {
    "amico-api": {
        "profile": "Technicien AMICo (non récursif)",
        "default_entity": 12,
        "entities": {12: False, 13: False},
    }
}
INVENTORY_AUTH = ("agent-amico", "mdp-inventaire-amico")
MODULE = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule

m = AnsibleModule(argument_spec={"constats": {"type": "list", "elements": "dict"}})
m.exit_json(changed=False, amico_constats=m.params["constats"])
"""
PLAYBOOK = """
- name: Serveurs et postes de deux collèges
  hosts: all
  gather_facts: true
  tasks:
    - name: Contrôler la dérive
      constat:
        constats:
          - {probleme: "derive-pare-feu", etat: "{{ 'derive' if echoue | bool else 'conforme' }}",
             detail: "règle <script>ouverte</script>"}
    - name: Installer l'antivirus
      ansible.builtin.assert:
        that: not (echoue | bool and inventory_hostname.startswith('p-'))
        fail_msg: "Service antivirus arrêté"
        quiet: true
"""
INVENTORY = """
all:
  vars:
    ansible_connection: local
    ansible_python_interpreter: {python}
    amico_service: postes_peda_mco
  hosts:
    p-tilleuls: {{amico_uai: "0670001X"}}
    p-rhin: {{amico_uai: "0680002Y"}}
"""
EXT = {
    12: "amico/0670001X/postes_peda_mco/echec-installer-l-antivirus",
    13: "amico/0680002Y/postes_peda_mco/echec-installer-l-antivirus",
}
DRIFT = {
    12: "amico/0670001X/postes_peda_mco/derive-pare-feu",
    13: "amico/0680002Y/postes_peda_mco/derive-pare-feu",
}


@pytest.fixture
def glpi():
    srv = GlpiTestServer(
        entities=ENTITIES,
        groups=GROUPS,
        profiles=PROFILE,
        inventory_auth="basic",
        inventory_basic=INVENTORY_AUTH,
    ).start()
    yield srv
    srv.stop()


@pytest.fixture
def project(tmp_path, glpi, api):
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "constat.py").write_text(MODULE)
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    (tmp_path / "inventaire.yml").write_text(INVENTORY.format(python=sys.executable))
    (tmp_path / "ansible.cfg").write_text(f"""[defaults]
collections_path = {REPO / "collections"}
callbacks_enabled = amico.colleges.glpi
inventory = inventaire.yml
library = library
host_key_checking = False
retry_files_enabled = False

[callback_glpi]
url = {glpi.url}
api = {api}
routage = {DATA / "routage.yml"}
matrice = {DATA / "services.yml"}
spool = {tmp_path / "spool"}
inventaire = true
inventory_auth = basic
timeout = 30
budget = 600
""")
    return tmp_path


def env_for(project):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AMICO_GLPI"))}
    env.update({f"AMICO_GLPI_{k.upper()}": v for k, v in SECRETS.items()})
    env.update(
        {
            "AMICO_GLPI_INVENTORY_LOGIN": INVENTORY_AUTH[0],
            "AMICO_GLPI_INVENTORY_PASSWORD": INVENTORY_AUTH[1],
            "ANSIBLE_CONFIG": str(project / "ansible.cfg"),
            "PATH": f"{BIN}:{env['PATH']}",
            "AMICO_STATE_DIR": str(project / "etat"),
            "ANSIBLE_NOCOLOR": "1",
        }
    )
    return env


def play(project, *extra, mode="execution"):
    env = env_for(project)
    env["AMICO_GLPI_MODE"] = mode
    cmd = [str(BIN / "ansible-playbook"), "site.yml", *extra]
    p = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    return p.stdout + p.stderr


def check_tickets(glpi, followups: int):
    for entity, ext in EXT.items():
        (t,) = glpi.tickets(ext)  # exactly one: no duplicate
        assert t["entities_id"] == entity
        assert glpi.assigned_groups(t["id"]) == [3, 5]  # R groups of the matrix
        assert len(glpi.followups(t["id"])) == followups
    for entity, ext in DRIFT.items():
        (t,) = glpi.tickets(ext)
        assert t["entities_id"] == entity and "<script>" not in t["content"]


@pytest.mark.slow
def test_e2e_profil_non_recursif_deux_entites(glpi, project, api):
    spool = Spool(project / "spool")
    # A refused payload first in the queue (left by an older version): GLPI answers 500.
    spool.add([{"op": "inventaire", "id": "ancien", "payload": {"deviceid": "x", "content": {}}}])

    out = play(project, "-e", "echoue=true")
    assert "GLPI : 4 ticket(s) ouvert(s)" in out, out
    check_tickets(glpi, followups=0)
    # gathered facts sent as native inventories (both local hosts share the machine's
    # hostname, hence one deviceid), through GLPI 11's basic agent authentication
    assert len(glpi.store.inventories) == 1
    assert spool.pending() == []
    ((_, rejected),) = spool.rejected()
    assert rejected["id"] == "ancien" and "JSON does not validate" in rejected["erreur"]

    # rerun: followups, never a second ticket
    out = play(project, "-e", "echoue=true")
    check_tickets(glpi, followups=1)

    # replay of a call whose answer was lost: GLPI down at the end of a run, then back
    glpi.faults.down = True
    out = play(project, "-e", "echoue=true")
    assert "mis en attente (spool)" in out, out
    glpi.faults.clear()
    pending = list((project / "spool").glob("*.json"))
    for path in pending:  # the same calls twice in the queue (a copied spool)
        shutil.copy(path, path.with_name("9" + path.name))
    r = subprocess.run(
        [str(BIN / "amico"), "guichet", "vider", "--api", api, "--spool", str(project / "spool"),
         "--delai", "30"],
        env={**env_for(project), "AMICO_GLPI_URL": glpi.url},
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert "Traceback" not in r.stdout + r.stderr, r.stdout + r.stderr
    check_tickets(glpi, followups=2)

    # a wave (new posts: native inventories) through the same spool and GLPI
    from amico.vague.moteur import executer

    ref = project / "referentiel"
    shutil.copytree(REPO / "referentiel", ref)
    cfg = GlpiConfig(
        url=glpi.url,
        api=api,
        timeout=30,  # a guard, not what is tested: on a loaded CI a call may wait seconds
        budget=600,
        inventory_auth="basic",
        inventory_login=INVENTORY_AUTH[0],
        inventory_password=INVENTORY_AUTH[1],
        **SECRETS,
    )
    manifeste = REPO / "tests" / "vague" / "data" / "livraison_exemple.csv"
    bilan = executer(ref, manifeste, glpi=cfg, spool=spool)
    assert bilan.glpi_spool() == 0 and not bilan.glpi_erreurs, bilan.glpi_erreurs
    assert len(glpi.store.inventories) == 1 + len(bilan.postes)

    # the drift clears: solved in both entities, still no duplicate
    out = play(project, "-e", "echoue=false")
    for ext in [*EXT.values(), *DRIFT.values()]:
        assert [t["status"] for t in glpi.tickets(ext)] == [5], ext
    for secret in [*SECRETS.values(), *INVENTORY_AUTH]:
        assert secret not in out
