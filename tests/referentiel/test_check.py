"""`amico referentiel verifier`: the shipped référentiel passes; each kind of bad input fails
with a French message naming the file, the line, the faulty value and the fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from amico.cli import main

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


def first_site(ref: Path) -> Path:
    return sorted((ref / "sites").glob("*.yml"))[0]


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


def error_lines(output: str) -> list[tuple[str, int | None, str]]:
    """(file, line, text) of every error of the report."""
    found = []
    for match in re.finditer(r"^(\S+?\.yml)(?::(\d+))?: erreur: (.*)$", output, re.M):
        found.append((match[1], int(match[2]) if match[2] else None, match[3]))
    return found


def test_shipped_referentiel_is_valid(capsys):
    code, output = check(SHIPPED, capsys)
    assert code == 0, output
    assert "Référentiel valide" in output
    assert "collège(s)" in output


def assert_error(output: str, ref: Path, filename: str, message: str, value: str, line_holds=None):
    """The report has an error for `filename`, on a line that holds `value`, with the fix."""
    errors = [e for e in error_lines(output) if e[0].endswith(filename) and message in e[2]]
    assert errors, f"pas d'erreur « {message} » pour {filename} dans :\n{output}"
    name, line, text = errors[0]
    assert f"« {value} »" in text, text
    assert "->" in output  # the fix follows every error
    if line is not None:
        source = (ref.parent / name).read_text("utf-8").splitlines()
        assert (line_holds or value) in source[line - 1], (line, source[line - 1])
    return errors[0]


def test_yaml_syntax_error_names_the_line(ref, capsys):
    site = first_site(ref)
    lines = site.read_text("utf-8").splitlines()
    lines[3] = lines[3] + " : : ["
    site.write_text("\n".join(lines) + "\n", "utf-8")
    code, output = check(ref, capsys)
    assert code == 2
    errors = error_lines(output)
    assert any("syntaxe YAML invalide" in e[2] and e[1] in (4, 5) for e in errors), output
    assert "Aucun hôte n'a été modifié" in output


def test_unknown_key(ref, capsys):
    site = first_site(ref)
    edit(site, lambda d: d["postes"][0].update({"salle_info": "s101"}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "clé inconnue", "salle_info")


def test_wrong_type(ref, capsys):
    site = first_site(ref)
    edit(site, lambda d: d["serveurs"][0].update({"vlan": "cent trente"}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "nombre entier est attendu", "cent trente")


def test_bad_uai_key(ref, capsys):
    site = first_site(ref)
    uai = yaml.safe_load(site.read_text("utf-8"))["uai"]
    wrong = uai[:7] + ("A" if uai[7] != "A" else "B")
    edit(site, lambda d: d.update({"uai": wrong}))
    site.rename(site.with_name(f"{wrong}.yml"))
    code, output = check(ref, capsys)
    assert code == 2
    _, _, text = assert_error(output, ref, f"{wrong}.yml", "lettre clé", wrong)
    assert uai[7] in output  # the right key is given as the fix


def test_duplicate_uai(ref, capsys):
    site = first_site(ref)
    shutil.copyfile(site, site.with_name("copie.yml"))
    code, output = check(ref, capsys)
    assert code == 2
    assert "UAI en double" in output
    assert "nom d'hôte en double" in output  # every host of the copy collides too


@pytest.mark.parametrize(
    ("field", "message"),
    [("nom", "nom d'hôte en double"), ("mac", "adresse MAC en double")],
)
def test_duplicate_host_fields(ref, capsys, field, message):
    site = first_site(ref)
    data = yaml.safe_load(site.read_text("utf-8"))
    value = data["postes"][0][field]
    edit(site, lambda d: d["postes"][1].update({field: value}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, message, value)


def test_duplicate_ip(ref, capsys):
    site = first_site(ref)
    data = yaml.safe_load(site.read_text("utf-8"))
    value = data["serveurs"][0]["adresse"]
    edit(site, lambda d: d["serveurs"][1].update({"adresse": value}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "adresse IP en double", value)


def test_duplicate_vlan_id(ref, capsys):
    plan = ref / "plan_adressage.yml"
    edit(plan, lambda d: d["vlans"][1].update({"id": d["vlans"][0]["id"]}))
    code, output = check(ref, capsys)
    assert code == 2
    assert "identifiant de VLAN en double" in output


def test_overlapping_site_blocks(ref, capsys):
    sites = sorted((ref / "sites").glob("*.yml"))
    block = yaml.safe_load(sites[0].read_text("utf-8"))["bloc_adresses"]
    edit(sites[1], lambda d: d.update({"bloc_adresses": block}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, sites[1].name, "chevauche", block)


def test_overlapping_vlan_subnets(ref, capsys):
    plan = ref / "plan_adressage.yml"
    edit(plan, lambda d: d["vlans"][1].update({"rang": d["vlans"][0]["rang"]}))
    code, output = check(ref, capsys)
    assert code == 2
    assert "se chevauchent" in output


def test_address_outside_vlan_subnet(ref, capsys):
    site = first_site(ref)
    edit(site, lambda d: d["serveurs"][0].update({"adresse": "192.168.50.10"}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "hors du sous-réseau", "192.168.50.10")


def test_profile_with_unknown_software(ref, capsys):
    catalog = ref / "catalogue/logiciels.yml"
    edit(catalog, lambda d: d["profils"][0]["logiciels"].append("logiciel_fantome"))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, "logiciels.yml", "logiciel inconnu", "logiciel_fantome")


def test_switch_port_on_unknown_vlan(ref, capsys):
    site = first_site(ref)
    edit(site, lambda d: d["commutateurs"][0]["ports"][1].update({"vlan": 777}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "VLAN inconnu du site", "777")


def test_post_of_unknown_hardware_class(ref, capsys):
    site = first_site(ref)
    edit(site, lambda d: d["postes"][0].update({"classe": "PGAMER"}))
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, site.name, "classe de matériel inconnue", "PGAMER")


def _regular_service(data: dict) -> dict:
    """A service whose transitional row has exactly one A and no anomaly note."""
    for svc in data["services"]:
        cells = svc["raci"].get("transitoire", {})
        if sum("A" in c.split() for c in cells.values()) == 1 and "transitoire" not in svc.get(
            "anomalies", {}
        ):
            return svc
    raise AssertionError("aucun service régulier")


@pytest.mark.parametrize("kind", ["deux_a", "zero_a"])
def test_matrix_row_with_zero_or_two_authorities_must_be_annotated(ref, capsys, kind):
    matrix = ref / "matrice/services.yml"
    data = yaml.safe_load(matrix.read_text("utf-8"))
    svc = _regular_service(data)
    cells = svc["raci"]["transitoire"]
    holder = next(a for a, c in cells.items() if "A" in c.split())
    if kind == "deux_a":
        other = next(a for a in ("dsi", "dane", "etablissement", "externe") if a != holder)
        cells[other] = "A"
    else:
        cells[holder] = "C"
    matrix.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, output = check(ref, capsys)
    assert code == 2
    assert_error(output, ref, "services.yml", "ligne irrégulière", svc["id"], "transitoire:")
    assert "anomalies.transitoire" in output
    # annotated, the same row is accepted
    svc.setdefault("anomalies", {})["transitoire"] = "Ligne modifiée pour le test."
    matrix.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, output = check(ref, capsys)
    assert code == 0, output


def test_all_errors_reported_in_one_run(ref, capsys):
    site = first_site(ref)

    def several(d):
        d["postes"][0]["classe"] = "PGAMER"
        d["serveurs"][0]["adresse"] = "192.168.50.10"
        d["commutateurs"][0]["ports"][1]["vlan"] = 777

    edit(site, several)
    code, output = check(ref, capsys)
    assert code == 2
    assert len(error_lines(output)) >= 3
    assert "3 erreur(s)" in output


def test_missing_directory(tmp_path, capsys):
    code, output = check(tmp_path / "absent", capsys)
    assert code == 2
    assert "introuvable" in output
