"""Extract of the demo site the role scenarios run with (molecule/commun/donnees/demo-0679901y.yml).

    python -m amico_lab.kit_roles.demo > molecule/commun/donnees/demo-0679901y.yml

Reads the demo inventory through the référentiel inventory plugin (ansible-inventory), so
the scenarios get the site exactly as a playbook would; tests/kit_roles check the stored file
still matches.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

SITE = "0679901Y"
COMMUTATEUR = "sw-acces2-0679901y"
CLES_SITE = ("uai", "nom", "commune", "territoire", "bloc_adresses", "vlans")
CLES_COMMUTATEUR = ("amico_pilote", "amico_adresse", "amico_ports")
ENTETE = """---
# Demo site 0679901Y as the référentiel inventory gives it (amico.colleges.referentiel on
# inventories/demo), reduced to what the role scenarios use: the site (group var
# amico_site) and one access switch (host vars). Addresses are the site's IP plan: they are
# data for the roles, never targets (lab hosts are containers and 127.0.0.1 only).
# tests/kit_roles/test_socles.py checks this file against the inventory; to refresh it:
#   .venv/bin/python -m amico_lab.kit_roles.demo > molecule/commun/donnees/demo-0679901y.yml
"""


def extrait(racine: str | Path) -> dict:
    racine = Path(racine)
    env = dict(os.environ, ANSIBLE_CONFIG=str(racine / "ansible.cfg"))
    binaire = Path(sys.executable).parent / "ansible-inventory"
    sortie = subprocess.run(
        [str(binaire), "-i", str(racine / "inventories" / "demo"), "--host", COMMUTATEUR],
        capture_output=True, text=True, check=True, cwd=racine, env=env,
    ).stdout  # fmt: skip
    hote = json.loads(sortie)
    return {
        "amico_site": {k: hote["amico_site"][k] for k in CLES_SITE},
        "commutateurs": {COMMUTATEUR: {k: hote[k] for k in CLES_COMMUTATEUR}},
    }


class _Indente(yaml.SafeDumper):
    """Sequences indented under their key, as yamllint (ansible-lint) wants them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def texte(donnees: dict) -> str:
    corps = yaml.dump(donnees, Dumper=_Indente, allow_unicode=True, sort_keys=False, width=100)
    return ENTETE + corps


if __name__ == "__main__":
    sys.stdout.write(texte(extrait(Path(__file__).resolve().parents[3])))
