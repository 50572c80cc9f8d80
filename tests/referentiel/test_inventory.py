"""The inventory plugin, through the real `ansible-inventory` of the venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from amico.referentiel import load
from amico.referentiel.inventory import build

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def ansible_inventory(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    return subprocess.run(
        [str(BIN / "ansible-inventory"), "-i", str(config), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )


def plain(value):
    """ansible-core 2.19 marks inventory strings untrusted in --list: {"__ansible_unsafe": v}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


@pytest.fixture(scope="module")
def demo() -> dict:
    result = ansible_inventory(REPO / "inventories/demo/colleges.amico.yml", "--list")
    assert result.returncode == 0, result.stderr
    return plain(json.loads(result.stdout))


def hosts_of(inv: dict, group: str) -> set[str]:
    """Hosts of a group and of its children."""
    out = set(inv.get(group, {}).get("hosts", []))
    for child in inv.get(group, {}).get("children", []):
        out |= hosts_of(inv, child)
    return out


def test_groups_per_territory_site_role_and_class(demo):
    ref = load(REPO / "referentiel")
    site = ref.sites[0]
    group = f"site_{site.uai.lower()}"
    assert group in demo["territoire_" + site.territoire]["children"]
    assert "territoire_67" in demo["collectivite_cea"]["children"]
    site_hosts = hosts_of(demo, group)
    pedagogical = {p.nom for p in site.postes if p.usage == "pedagogique"}
    assert pedagogical <= site_hosts
    assert pedagogical <= hosts_of(demo, "postes_pedagogiques")
    assert pedagogical <= hosts_of(demo, "windows")
    pbase = {p.nom for p in site.postes if p.classe == "PBASE" and p.usage == "pedagogique"}
    assert pbase <= hosts_of(demo, "classe_pbase")
    switches = {s.nom for s in site.commutateurs}
    assert switches <= hosts_of(demo, "commutateurs")
    vendor_group = f"commutateurs_{site.commutateurs[0].fabricant}"
    assert switches <= hosts_of(demo, vendor_group)
    assert f"se-{site.uai.lower()}" in hosts_of(demo, "serveurs_pedagogiques")


def test_academie_perimeter_is_not_handed_to_the_collectivite(demo):
    ref = load(REPO / "referentiel")
    every_host = set(demo["_meta"]["hostvars"])
    for site in ref.sites:
        admin = {s.nom for s in site.serveurs if s.role == "serveur_administratif"}
        admin |= {p.nom for p in site.postes if p.usage == "administratif"}
        assert admin, "les sites d'exemple ont des hôtes administratifs"
        assert not admin & every_host


def test_host_vars_come_from_the_ip_plan(demo):
    ref = load(REPO / "referentiel")
    site = ref.sites[0]
    hostvars = demo["_meta"]["hostvars"]
    server = site.serveurs[0]
    assert hostvars[server.nom]["ansible_host"] == str(server.adresse)
    assert hostvars[server.nom]["ansible_connection"] == "ssh"
    post = site.postes[0]
    assert hostvars[post.nom]["amico_mac"] == post.mac
    assert hostvars[post.nom]["ansible_winrm_scheme"] == "https"
    assert hostvars[post.nom]["ansible_winrm_server_cert_validation"] == "validate"
    assert hostvars[post.nom]["amico_type_hote"] == "poste_pedagogique"
    assert "cd" in hostvars[post.nom]["amico_acteurs_autorises"]
    # site-wide data are group vars, computed from the block and the VLAN catalog
    vlans = {v["id"]: v for v in hostvars[post.nom]["amico_site"]["vlans"]}
    peda = vlans[100]
    block = site.bloc_adresses
    assert peda["reseau"] == str(next(block.subnets(new_prefix=24)))
    assert peda["passerelle"].endswith(".1")
    assert vlans[200]["proprietaire"] == "academie"
    assert hostvars[post.nom]["amico_site"]["uai"] == site.uai


def test_switch_tasks_use_the_controller_python(demo):
    """Switches are driven from the controller: its Python (with amico) runs their tasks."""
    switch = next(iter(hosts_of(demo, "commutateurs")))
    interpreter = demo["_meta"]["hostvars"][switch]["ansible_python_interpreter"]
    assert Path(interpreter).samefile(BIN / "python")


def test_site_data_are_not_repeated_per_host():
    ref = load(REPO / "referentiel")
    inv = build(ref)
    assert all("amico_site" not in v for v in inv.hosts.values())
    assert all(len(v) <= 8 for v in inv.hosts.values())


def test_operator_without_rights_gets_no_host():
    ref = load(REPO / "referentiel")
    inv = build(ref, operateur="dane")  # the Dane holds neither R nor A on these services
    assert not inv.hosts
    assert inv.excluded


def test_site_and_territory_filters():
    ref = load(REPO / "referentiel")
    inv = build(ref, territoires=["68"])
    assert "territoire_68" in inv.groups and "territoire_67" not in inv.groups
    uai = ref.sites[0].uai
    inv = build(ref, sites=[uai], inclure_postes=False)
    assert set(inv.groups["territoire_" + ref.sites[0].territoire]["children"]) == {
        f"site_{uai.lower()}"
    }
    assert not any(h.startswith(f"{uai.lower()}-s") for h in inv.hosts)


def test_keyed_groups_and_cache(tmp_path):
    config = tmp_path / "cfg.amico.yml"
    cache = tmp_path / "cache"
    config.write_text(
        yaml.safe_dump(
            {
                "plugin": "amico.colleges.referentiel",
                "referentiel": str(REPO / "referentiel"),
                "keyed_groups": [{"key": "amico_salle", "prefix": "salle"}],
                "cache": True,
                "cache_plugin": "ansible.builtin.jsonfile",
                "cache_connection": str(cache),
            }
        )
    )
    first = ansible_inventory(config, "--list")
    assert first.returncode == 0, first.stderr
    inv = plain(json.loads(first.stdout))
    assert hosts_of(inv, "salle_s101")
    assert list(cache.iterdir()), "le cache est écrit"
    second = ansible_inventory(config, "--list")
    assert plain(json.loads(second.stdout)) == inv


def test_invalid_referentiel_stops_the_inventory(tmp_path):
    ref = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", ref)
    site = sorted((ref / "sites").glob("*.yml"))[0]
    data = yaml.safe_load(site.read_text("utf-8"))
    data["postes"][0]["classe"] = "PGAMER"
    site.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    config = tmp_path / "cfg.amico.yml"
    config.write_text(
        yaml.safe_dump({"plugin": "amico.colleges.referentiel", "referentiel": str(ref)})
    )
    result = ansible_inventory(config, "--list")
    assert result.returncode != 0
    assert "classe de matériel inconnue" in result.stderr
    assert "PGAMER" in result.stderr
