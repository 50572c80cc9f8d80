"""Through the real ansible-playbook (collection loader, doc fragment loaded at run time):
an action refuses an undocumented option, and the switch action, given no credentials,
fails in French naming the variable to set, before any connection is tried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SWITCH = "sw-acces1-0679901y"

PLAYBOOK = """
- name: Actions AMICo
  hosts: {switch}
  gather_facts: false
  tasks:
    - name: Option non documentée
      amico.colleges.derive_preparer:
        referentiel: "{{{{ amico_referentiel }}}}"
        dossier: "{dossier}"
        option_inconnue: 1
      delegate_to: localhost
      ignore_errors: true
      register: inconnue

    - name: Commutateur sans identifiants
      amico.colleges.commutateur:
        site: "{{{{ amico_site }}}}"
        nom: "{{{{ inventory_hostname }}}}"
        fabricant: "{{{{ amico_pilote }}}}"
        adresse: "{{{{ amico_adresse }}}}"
        ports: "{{{{ amico_ports }}}}"
        referentiel: "{{{{ amico_referentiel }}}}"
        delai: 1
      ignore_errors: true
      register: sans_identifiants

    - name: Résultats
      ansible.builtin.copy:
        content: "{{{{ {{'inconnue': inconnue, 'sans': sans_identifiants}} | to_json }}}}"
        dest: "{out}"
        mode: "0600"
      delegate_to: localhost
"""


def test_actions_validate_and_fail_in_french_under_ansible_playbook(tmp_path):
    out = tmp_path / "resultats.json"
    playbook = tmp_path / "actions.yml"
    playbook.write_text(PLAYBOOK.format(switch=SWITCH, dossier=tmp_path / "run", out=out))
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "AMICO_COMMUTATEURS"))
    }
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    r = subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(ROOT / "inventories/demo/colleges.amico.yml"),
         str(playbook)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(out.read_text(encoding="utf-8"))
    assert res["inconnue"]["failed"] and "option_inconnue" in res["inconnue"]["msg"]
    sans = res["sans"]
    assert sans["failed"]
    assert "identifiant SSH du commutateur absent" in sans["msg"], sans["msg"]
    assert "amico_commutateurs__utilisateur" in sans["msg"]
    assert "amico_commutateurs__mot_de_passe" in sans["msg"]
    assert "statut" not in sans  # refused before any connection
