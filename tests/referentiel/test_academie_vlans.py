"""The Académie's VLANs (issue 13.2, check side): the set comes from the whole addressing
plan (`proprietaire: academie`); a site may neither omit one nor move ports onto or off
it, as far as the référentiel expresses port membership (rooms, servers, uplinks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.referentiel.inventory import build
from amico.referentiel.loader import load

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"
ACADEMIE = 200  # proprietaire: academie in the shipped plan


def aruba_site(ref: Path) -> tuple[Path, dict]:
    path = ref / "sites" / "0679901Y.yml"
    return path, yaml.safe_load(path.read_text("utf-8"))


def write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_plan_says_200_is_the_academie_s():
    plan = yaml.safe_load((SHIPPED / "plan_adressage.yml").read_text("utf-8"))
    assert {v["id"] for v in plan["vlans"] if v["proprietaire"] == "academie"} == {ACADEMIE}


def test_site_dropping_the_academie_vlan_is_refused(ref, capsys):
    """The issue's case: VLAN 200 removed from the site's `vlans:` (and from everything
    that used it, so nothing else complains) used to pass the check."""
    path, data = aruba_site(ref)
    data["vlans"].remove(ACADEMIE)
    data["serveurs"] = [s for s in data["serveurs"] if s["vlan"] != ACADEMIE]
    for sw in data["commutateurs"]:
        for port in sw["ports"]:
            if ACADEMIE in port.get("vlans", []):
                port["vlans"] = [v for v in port["vlans"] if v != ACADEMIE]
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2, output
    assert f"{path.name}:" in output
    assert f"VLAN {ACADEMIE} (ADMINISTRATIF) de l'Académie absent" in output


def test_optional_academie_vlan_may_be_omitted(ref, capsys):
    """`obligatoire: false` in the plan lets sites without it pass (only that check)."""
    plan = ref / "plan_adressage.yml"
    pdata = yaml.safe_load(plan.read_text("utf-8"))
    extra = dict(next(v for v in pdata["vlans"] if v["id"] == ACADEMIE))
    extra.update(id=210, nom="ADMIN_OPTION", rang=5, obligatoire=False)
    pdata["vlans"].append(extra)
    write(plan, pdata)
    code, output = check(ref, capsys)
    assert code == 0, output
    del pdata["vlans"][-1]["obligatoire"]  # default for the Académie: required
    write(plan, pdata)
    code, output = check(ref, capsys)
    assert code == 2
    assert "VLAN 210 (ADMIN_OPTION) de l'Académie absent" in output


def test_ports_of_a_pedagogical_room_moved_onto_the_academie_vlan(ref, capsys):
    path, data = aruba_site(ref)
    port = data["commutateurs"][1]["ports"][0]  # 1-20, salle s101, VLAN 100
    assert port["salle"] == "s101" and port["vlan"] == 100
    port["vlan"] = ACADEMIE
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert f"commutateurs[1].ports[0].vlan « {ACADEMIE} »" in output
    assert "placés sur le VLAN 200 de l'Académie" in output


def test_ports_of_an_administrative_room_moved_off_the_academie_vlan(ref, capsys):
    path, data = aruba_site(ref)
    data["salles"].append({"id": "secretariat", "nom": "Secrétariat", "vlan": ACADEMIE})
    ports = data["commutateurs"][1]["ports"]
    ports[1].update(salle="secretariat", vlan=ACADEMIE)  # 21-22 on the Académie VLAN
    data["commutateurs"][0]["ports"][2]["vlans"].append(ACADEMIE)  # core -> acces1
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 0, output  # as the Académie set it: valid
    ports[1]["vlan"] = 100
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert "retirés du VLAN 200 de l'Académie" in output


def test_uplink_to_a_switch_serving_the_academie_vlan_must_carry_it(ref, capsys):
    path, data = aruba_site(ref)
    data["salles"].append({"id": "secretariat", "nom": "Secrétariat", "vlan": ACADEMIE})
    data["commutateurs"][1]["ports"][1].update(salle="secretariat", vlan=ACADEMIE)
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert "commutateurs[0].ports[2].vlans" in output
    assert "ne porte pas le VLAN 200 de l'Académie" in output


def test_core_uplink_dropping_the_academie_vlan_is_refused(ref, capsys):
    path, data = aruba_site(ref)
    uplink = data["commutateurs"][0]["ports"][0]
    assert "vers" not in uplink and ACADEMIE in uplink["vlans"]
    uplink["vlans"].remove(ACADEMIE)
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert "aucune liaison montante de sw-coeur-0679901y" in output


@pytest.mark.parametrize(("index", "vlan"), [(0, ACADEMIE), (2, 130)])
def test_servers_stay_on_their_side(ref, capsys, index, vlan):
    """A pedagogical server onto VLAN 200, or the administrative server off it."""
    path, data = aruba_site(ref)
    srv = data["serveurs"][index]
    srv["vlan"] = vlan
    srv["adresse"] = "10.64.4.20" if vlan == ACADEMIE else "10.64.3.20"
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert f"serveurs[{index}].vlan « {vlan} »" in output


def test_inventory_hands_the_academie_vlans_of_the_whole_plan():
    inv = build(load(SHIPPED))
    assert inv.groups["all"]["vars"]["amico_vlans_academie"] == [ACADEMIE]
