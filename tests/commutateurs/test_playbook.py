"""The playbook over the emulated lab: check mode + diff, apply, idempotent second run."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from data import PLAN_VLANS, site, staged

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def run_playbook(inventory, secrets_file, *extra):
    env = dict(
        os.environ,
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        ANSIBLE_INVENTORY_ENABLED="ansible.builtin.yaml",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default",
    )
    cmd = [
        str(Path(sys.executable).parent / "ansible-playbook"),
        "-i",
        str(inventory),
        "-e",
        f"@{secrets_file}",
        str(ROOT / "playbooks" / "commutateurs.yml"),
        *extra,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


# Every action plugin re-checks the perimeter from the host's own référentiel record: the
# lab switches answer under the names of switches the project's référentiel describes
# (their intent, vendor and ports stay the test's, as the inventory vars give them).
AS = {"sw-coeur-0670001x": "sw-coeur-0679901y", "sw-acces-0670001x": "sw-acces1-0679901y"}


def write_inventory(tmp_path, targets, intents, site_vars, ports=None):
    hosts = {
        AS[n]: {
            "ansible_host": t.host,
            "ansible_port": t.port,
            "amico_pilote": intents[n].vendor,
            "amico_adresse": intents[n].mgmt_address.split("/")[0],
            "amico_ports": (ports or {}).get(n, intents[n].ports),
        }
        for n, t in targets.items()
    }
    inventory = tmp_path / "inventaire.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "children": {
                        "commutateurs": {"hosts": hosts, "vars": {"amico_site": site_vars}}
                    },
                }
            }
        )
    )
    return inventory


def write_secrets(tmp_path, password):
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text(
        json.dumps(
            {
                "amico_commutateurs__utilisateur": "amico",
                "amico_commutateurs__mot_de_passe": password,
            }
        )
    )
    secrets_file.chmod(0o600)
    return secrets_file


def recap(output):
    """PLAY RECAP per switch (localhost runs the référentiel check first)."""
    return {
        m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
        for m in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M)
        if m.group(1) != "localhost"
    }


def test_playbook_check_diff_apply_idempotent(make_lab, intents, lab_password, tmp_path):
    lab, targets = make_lab(
        [(n, i.vendor, staged(i), None) for n, i in intents.items()], processes=2
    )
    # the host vars the inventory plugin gives a switch, the lab's address on top
    site_vars = {
        "uai": site()["uai"],
        "vlans": [v for v in PLAN_VLANS if v["id"] in site()["vlans"]],
    }
    inventory = write_inventory(tmp_path, targets, intents, site_vars)
    secrets_file = write_secrets(tmp_path, lab_password)

    check = run_playbook(inventory, secrets_file, "--check", "--diff")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "+vlan 100" in check.stdout and "(configuration voulue)" in check.stdout
    assert all(r["changed"] == 1 for r in recap(check.stdout).values())

    applied = run_playbook(inventory, secrets_file)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert all(r["changed"] == 1 for r in recap(applied.stdout).values())

    again = run_playbook(inventory, secrets_file, "--diff")
    assert again.returncode == 0, again.stdout + again.stderr
    assert all(r["changed"] == 0 and r["failed"] == 0 for r in recap(again.stdout).values())
    assert lab_password not in check.stdout + applied.stdout + again.stdout


def test_academie_vlan_dropped_from_the_inventory_is_still_protected(
    make_lab, intents, lab_password, tmp_path
):
    """Issue 13.2 through `commutateurs.yml --check --diff`: the inventory's site no longer
    lists VLAN 200 and its ports leave it; the plugin takes the Académie's VLANs from the
    whole addressing plan and refuses (failed, nothing pushed), with or without force."""
    core = "sw-coeur-0670001x"
    lab, targets = make_lab([(core, "aruba", staged(intents[core]), None)])
    site_vars = {"uai": site()["uai"], "vlans": [v for v in PLAN_VLANS if v["id"] != 200]}
    ports = [dict(p) for p in intents[core].ports if p.get("vlan") != 200]
    ports[-1]["vlans"] = [100, 110, 900]
    inventory = write_inventory(
        tmp_path, {core: targets[core]}, intents, site_vars, ports={core: ports}
    )
    secrets_file = write_secrets(tmp_path, lab_password)
    for extra in ([], ["-e", "amico_commutateurs__force=true"]):
        out = run_playbook(inventory, secrets_file, "--check", "--diff", *extra)
        assert out.returncode != 0, out.stdout
        assert "VLAN 200 de l'Académie : suppression refusée" in out.stdout
        assert "port 24 : serait retiré du VLAN 200 de l'Académie" in out.stdout
        assert recap(out.stdout)[AS[core]]["failed"] == 1
    applied = run_playbook(inventory, secrets_file, "-e", "amico_commutateurs__force=true")
    assert recap(applied.stdout)[AS[core]]["failed"] == 1
    from test_e2e import read_state

    assert read_state("aruba", targets[core]).vlans.get(100) is None  # nothing pushed
