"""End to end on the lab's emulated switches (as ``amico labo demarrer`` starts them, cabled as
the référentiel says): ``amico dossier --collecter --surcouche OVERLAY`` fills the patch
table's port states and MACs and confirms the uplinks by LLDP, on ArubaOS-Switch (0679901Y) and
Cisco IOS (0679902Z) sites."""

import json
from types import SimpleNamespace

import pytest
import yaml

from amico.cli import main
from amico.dossier.cli import PASSWORD_ENV
from amico.dossier.synoptique import uplinks
from amico_lab.demo import Labo, _terminer


@pytest.mark.slow
@pytest.mark.parametrize("uai", ["0679901Y", "0679902Z"])
def test_dossier_collecter_on_the_lab(uai, demo_ref, tmp_path, state_dir, capsys, monkeypatch):
    site = next(s for s in demo_ref.sites if s.uai == uai)
    lab = Labo()
    lab.dossier.mkdir(parents=True, exist_ok=True)
    inv = SimpleNamespace(hosts={sw.nom for sw in site.commutateurs})
    switches = lab._commutateurs(demo_ref, [site], inv)
    try:
        lab._ecrire({"commutateurs": switches})
        # the switch part of the overlay `amico labo demarrer` writes; the password, as the
        # lab hands it to Ansible, in the environment
        surcouche = tmp_path / "labo.yml"
        hotes = {n: {"ansible_host": s["hote"], "ansible_port": s["port"]}
                 for n, s in switches.items()}  # fmt: skip
        surcouche.write_text(yaml.safe_dump({"all": {"hosts": hotes}}), encoding="utf-8")
        monkeypatch.setenv(PASSWORD_ENV, lab.secrets()["commutateurs_mot_de_passe"])
        out = tmp_path / "dossiers"
        code = main(["dossier", "--site", uai, "--collecter", "--surcouche", str(surcouche),
                     "--sortie", str(out)])  # fmt: skip
        printed = capsys.readouterr().out
        assert code == 0, printed
        for sw in site.commutateurs:
            assert f"{uai} {sw.nom} : collecte ok\n" in printed
        data = json.loads((out / uai / "dossier.json").read_text(encoding="utf-8"))
        # every switch collected: no "non collecté" left for switches
        assert data["brassage"] and all(r["collecte"] for r in data["brassage"])
        names = {sw.nom for sw in site.commutateurs}
        gaps = [str(m) for m in data.get("manquants", []) if str(m).split(" :")[0] in names]
        assert not [m for m in gaps if "non collect" in m or "illisible" in m]
        # each post cabled in its room: its port is up and shows its MAC and host name
        rows = data["brassage"]
        placed = 0
        for poste in site.postes:
            row = next(
                (r for r in rows if any(m["mac"] == str(poste.mac) for m in r["macs"])), None
            )
            if row is not None:
                placed += 1
                assert row["etat"] == "up"
                assert any(m["hote"] == poste.nom for m in row["macs"])
        assert placed >= 1
        # access ports with nothing behind them are down, without MAC
        assert any(r["etat"] == "down" and not r["macs"] for r in rows)
        # every uplink of the référentiel confirmed by LLDP on the diagram
        svg = (out / uai / "synoptique.svg").read_text(encoding="utf-8")
        assert svg.count("confirmée par LLDP") == len(uplinks(site)[0]) > 0
    finally:
        for s in switches.values():
            _terminer(s["pid"])
