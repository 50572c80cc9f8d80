"""End to end on the lab's emulated switches (as ``amico lab up`` starts them, cabled as
the référentiel says): ``amico dossier --collecter --labo`` fills the patch table's port
states and MACs and confirms the uplinks by LLDP."""

import json
from types import SimpleNamespace

import pytest

from amico.cli import main
from amico.lab.demo import Labo, _terminer

UAI = "0679901Y"


@pytest.mark.slow
def test_dossier_collecter_on_the_lab(demo_ref, tmp_path, state_dir, capsys):
    site = next(s for s in demo_ref.sites if s.uai == UAI)
    lab = Labo()
    lab.dossier.mkdir(parents=True, exist_ok=True)
    inv = SimpleNamespace(hosts={sw.nom for sw in site.commutateurs})
    switches = lab._commutateurs(demo_ref, [site], inv)
    try:
        lab._ecrire({"commutateurs": switches})
        out = tmp_path / "dossiers"
        code = main(["dossier", "--site", UAI, "--collecter", "--labo", "--out", str(out)])
        printed = capsys.readouterr().out
        assert code == 0, printed
        for sw in site.commutateurs:
            assert f"{UAI} {sw.nom} : collecte ok\n" in printed
        data = json.loads((out / UAI / "dossier.json").read_text(encoding="utf-8"))
        rows = {(r["commutateur"], r["port"]): r for r in data["brassage"]}
        # every switch collected: no "non collecté" left for switches
        assert all(r["collecte"] for r in data["brassage"])
        names = {sw.nom for sw in site.commutateurs}
        gaps = [str(m) for m in data.get("manquants", []) if str(m).split(" :")[0] in names]
        assert not [m for m in gaps if "non collect" in m or "illisible" in m]
        # a post of room s101 on its access port: up, with its MAC and host name
        poste = next(p for p in site.postes if p.salle == "s101")
        row = next(r for r in rows.values() if any(m["mac"] == str(poste.mac) for m in r["macs"]))
        assert row["commutateur"] == "sw-acces1-0679901y" and row["etat"] == "up"
        assert row["macs"][0]["hote"] == poste.nom
        # an access port with nothing behind it: down, no MAC
        assert rows[("sw-acces2-0679901y", "20")]["etat"] == "down"
        assert rows[("sw-acces2-0679901y", "20")]["macs"] == []
        # both uplinks confirmed by LLDP on the diagram
        svg = (out / UAI / "synoptique.svg").read_text(encoding="utf-8")
        assert svg.count("confirmée par LLDP") == 2
    finally:
        for s in switches.values():
            _terminer(s["pid"])
