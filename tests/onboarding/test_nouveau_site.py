"""`amico referentiel nouveau-site`: a new collège in a copy of the shipped référentiel
passes `amico referentiel verifier`, with one warning per value left to complete; bad input
is refused in French and nothing is written."""

from __future__ import annotations

import re
import shutil
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.referentiel.loader import load

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


@pytest.fixture
def ref(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "state"))
    dest = tmp_path / "referentiel"
    shutil.copytree(SHIPPED, dest)
    return dest


def new_site(ref: Path, capsys, *extra: str, uai="0672345K", territoire="67"):
    code = main(
        ["referentiel", "nouveau-site", "--uai", uai, "--nom", "Collège Jean Test",
         "--commune", "Obernai", "--territoire", territoire, "--dossier", str(ref), *extra]
    )  # fmt: skip
    out = capsys.readouterr()
    return code, out.out, out.err


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


def sites(ref: Path) -> list[str]:
    return sorted(p.name for p in (ref / "sites").glob("*.yml"))


def test_new_site_passes_check_with_warnings_for_what_is_left(ref, capsys):
    before = sites(ref)
    code, out, err = new_site(ref, capsys, "--commutateurs-acces", "2")
    assert code == 0, err
    path = ref / "sites" / "0672345K.yml"
    assert sites(ref) == sorted([*before, "0672345K.yml"])
    data = yaml.safe_load(path.read_text("utf-8"))

    code, report = check(ref, capsys)
    assert code == 0, report
    warned = set(
        re.findall(r"0672345K\.yml:\d+: avertissement: (\S+) : valeur à compléter", report)
    )
    # every entry left to complete is warned about, and nothing else of the new file
    assert warned == set(data["a_completer"])
    assert {"postes", "commutateurs[0].mac", "commutateurs[2].serie", "serveurs[0].mac",
            "contacts.correspondant_en.nom"} <= warned  # fmt: skip
    assert "erreur" not in report

    # the plan, read independently of the code under test
    plan = yaml.safe_load((ref / "plan_adressage.yml").read_text("utf-8"))
    block = IPv4Network(data["bloc_adresses"])
    assert data["vlans"] == [v["id"] for v in plan["vlans"]]
    loaded = load(ref)
    others = [s.bloc_adresses for s in loaded.sites if s.uai != "0672345K"]
    assert not any(block.overlaps(o) for o in others)
    rank = {v["id"]: (v["rang"], v["prefixe"]) for v in plan["vlans"]}
    mgmt = next(v["id"] for v in plan["vlans"] if v["usage"] == "management")
    first_switch = plan["regle"]["reservations"]["commutateurs"][0]
    first_server = plan["regle"]["reservations"]["serveurs"][0]

    def subnet(vlan):
        r, p = rank[vlan]
        return IPv4Network((int(block.network_address) + r * (1 << (32 - p)), p))

    assert [s["nom"] for s in data["commutateurs"]] == [
        "sw-coeur-0672345k", "sw-acces1-0672345k", "sw-acces2-0672345k"]  # fmt: skip
    for n, sw in enumerate(data["commutateurs"]):
        assert IPv4Address(sw["adresse"]) == subnet(mgmt).network_address + first_switch + n
    se = data["serveurs"][0]
    assert se["nom"] == "se-0672345k"
    assert IPv4Address(se["adresse"]) == subnet(se["vlan"]).network_address + first_server
    assert [s["nom"] for s in data["serveurs"]] == ["se-0672345k", "nas-0672345k", "sa-0672345k"]


def test_two_new_sites_get_distinct_free_blocks(ref, capsys):
    assert new_site(ref, capsys)[0] == 0
    assert new_site(ref, capsys, uai="0682345E", territoire="68")[0] == 0
    loaded = load(ref)
    blocks = [s.bloc_adresses for s in loaded.sites]
    assert all(not a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_filled_value_and_removed_entry_is_no_longer_warned(ref, capsys):
    assert new_site(ref, capsys)[0] == 0
    path = ref / "sites" / "0672345K.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["commutateurs"][0]["mac"] = "00:1a:1e:00:00:01"
    data["a_completer"].remove("commutateurs[0].mac")
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, report = check(ref, capsys)
    assert code == 0, report
    assert "commutateurs[0].mac : valeur à compléter" not in report
    assert "commutateurs[0].serie : valeur à compléter" in report


def test_unknown_path_in_a_completer_is_an_error(ref, capsys):
    assert new_site(ref, capsys)[0] == 0
    path = ref / "sites" / "0672345K.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["a_completer"] += ["commutateurs[7].mac", "serveurs[0].adrese", "pas un chemin!"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, report = check(ref, capsys)
    assert code == 2
    for bad in ("commutateurs[7].mac", "serveurs[0].adrese", "pas un chemin!"):
        assert f"« {bad} » : chemin inconnu dans ce fichier de site" in report


@pytest.mark.parametrize(
    ("args", "uai", "expected"),
    [
        ([], "0672345X", "lettre clé fausse, la clé de 0672345 est « K »"),
        ([], "672345K", "7 chiffres suivis de la lettre clé"),
        ([], "0682345E", "appartient au département 68, pas au territoire 67"),
        ([], "0679901Y", "le collège 0679901Y existe déjà"),
        (["--bloc", "10.64.0.0/20"], "0672345K", "il chevauche celui de 0679901Y.yml"),
        (["--bloc", "10.64.8.0/21"], "0672345K", "bloc déjà pris"),
        (["--bloc", "10.80.0.1/20"], "0672345K", "réseau IPv4 invalide"),
        (["--bloc", "10.80.0.0/22"], "0672345K", "sort du bloc 10.80.0.0/22"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_french_and_nothing_is_written(ref, capsys, args, uai, expected):
    before = {p.name: p.read_bytes() for p in (ref / "sites").glob("*.yml")}
    code, out, err = new_site(ref, capsys, *args, uai=uai)
    assert code == 2
    assert expected in err, err
    assert err.startswith("erreur : ")
    assert {p.name: p.read_bytes() for p in (ref / "sites").glob("*.yml")} == before


def test_unknown_territory_is_refused(ref, capsys):
    code, _, err = new_site(ref, capsys, territoire="57", uai="0572345" + "A")
    assert code == 2
    assert "--territoire « 57 » inconnu : choisir parmi 67, 68" in err


def test_uai_key_matches_real_uais():
    # Real UAIs of two Paris lycées (public annuaire de l'Éducation nationale): the key
    # letter rule is checked against data we did not produce.
    from amico.onboarding.nouveau_site import check_uai

    assert check_uai("0750655E", "75") == "0750655E"
    assert check_uai("0750654d", "75") == "0750654D"
