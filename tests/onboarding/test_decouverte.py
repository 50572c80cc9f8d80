"""`amico referentiel decouvrir`: posts placed from the switches' MAC tables and LLDP.

The facts are gathered the way the dossier gathers them (`gather_switch`, ntc-templates
parsing) from the lab's ArubaOS-Switch emulators' own `show` outputs, not written by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.dossier.collecte import gather_switch, save_facts
from amico.referentiel.loader import load
from amico_lab.commutateurs.devices import ProcurveSwitch

REPO = Path(__file__).resolve().parents[2]
UAI = "0679901Y"
UNKNOWN_MAC = "00:1c:c0:99:99:99"


class _Driver:
    """What `gather_switch` needs of a driver: run a command, get the switch's text."""

    def __init__(self, device: ProcurveSwitch):
        self.commands = {
            "show mac-address": device.show_mac_address,
            "show interfaces brief": device.show_interfaces_brief,
            "show lldp info remote-device": device.show_lldp_remote,
        }

    def run(self, command: str) -> str:
        return self.commands[command]()


def collect(name: str, macs: dict, voisins: dict) -> None:
    device = ProcurveSwitch(name, initial={"macs": macs, "voisins": voisins})
    save_facts(UAI, name, gather_switch(_Driver(device), "aruba"))


@pytest.fixture
def ref(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "state"))
    dest = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", dest)
    path = dest / "sites" / f"{UAI}.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["postes"][0]["salle"] = "local_technique"  # as the GLPI import leaves it
    data["a_completer"] = ["postes[0].salle"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    posts = data["postes"]
    uplink = {"24": {"nom": "sw-coeur-0679901y", "port": "10", "chassis": "02:00:00:00:80:03"}}
    collect(
        "sw-acces1-0679901y",
        {"2": [[posts[0]["mac"], 100]], "5": [[UNKNOWN_MAC, 100]],
         "24": [[posts[5]["mac"], 100]]},  # learnt through the uplink: ignored
        uplink,
    )  # fmt: skip
    # posts[1] is declared in s101 but plugged in s102
    collect("sw-acces2-0679901y", {"3": [[posts[1]["mac"], 100]]}, uplink)
    collect("sw-coeur-0679901y", {"10": [[posts[0]["mac"], 100]]}, {})  # a trunk: ignored
    return dest


def run(ref: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["referentiel", "decouvrir", "--site", UAI, "--dossier", str(ref), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_room_proposed_then_written_others_reported(ref, capsys):
    path = ref / "sites" / f"{UAI}.yml"
    before = path.read_bytes()
    code, out, err = run(ref, capsys)
    assert code == 0, err
    assert path.read_bytes() == before
    # the file is edited where it changes, in its own style (PyYAML's, here)
    assert "-  salle: local_technique\n+  salle: s101\n" in out
    assert "-a_completer:\n-- postes[0].salle\n" in out
    assert out.count("\n@@ ") == 2, out  # two hunks: the rest of the file is untouched
    assert "Postes placés par le réseau (salle proposée) (1) :\n  - 0679901-s101-01" in out
    assert "-> salle s101" in out
    assert f"  - {UNKNOWN_MAC} sur sw-acces1-0679901y port 5 (VLAN 100)" in out
    assert "0679901-s101-02 (02:00:00:00:00:08) : déclaré en salle s101, vu sur " in out
    assert "sw-acces2-0679901y port 3 (VLAN 100) (salle s102)" in out
    assert "0679901-s101-06" not in out  # seen only through an uplink

    code, out, err = run(ref, capsys, "--ecrire")
    assert code == 0, err
    site = next(s for s in load(ref).sites if s.uai == UAI)
    assert site.postes[0].salle == "s101"
    assert site.a_completer == []
    assert site.postes[1].salle == "s101"  # reported, never moved
    code, out, err = run(ref, capsys)
    assert "Postes placés" not in out and "+++" not in out


def test_switch_not_collected_is_reported(ref, capsys, tmp_path):
    (tmp_path / "state" / "faits" / UAI / "sw-acces2-0679901y.json").unlink()
    code, out, err = run(ref, capsys)
    assert code == 0, err
    assert "Commutateurs sans faits collectés" in out and "sw-acces2-0679901y" in out


def test_unknown_site_is_refused(ref, capsys):
    code = main(["referentiel", "decouvrir", "--site", "0672345K", "--dossier", str(ref)])
    err = capsys.readouterr().err
    assert code == 2 and "collège 0672345K absent du référentiel" in err
