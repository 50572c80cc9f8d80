"""Référentiel strings that reach a device, a template, a report or a ticket (issue 13.1):
control characters, quotes where the CLI forbids them, over-long values and port lists
outside the grammar are refused by `amico referentiel verifier` with file:line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from amico.cli import main

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


def site_with(ref: Path, vendor: str) -> tuple[Path, dict, int]:
    """A site file, its data and the index of a switch of `vendor`."""
    for path in sorted((ref / "sites").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for i, sw in enumerate(data.get("commutateurs") or []):
            if sw["fabricant"] == vendor and sw.get("ports"):
                return path, data, i
    raise AssertionError(f"aucun commutateur {vendor} dans le référentiel livré")


def write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


def line_of_key(path: Path, needle: str) -> int:
    lines = path.read_text("utf-8").splitlines()
    return next(i for i, t in enumerate(lines, 1) if needle in t)


def test_issue_description_with_newline_and_quote_is_refused(ref, capsys):
    """The issue's example: `Telephones"` + newline + `hostname "PWNED"`."""
    path, data, i = site_with(ref, "aruba")
    data["commutateurs"][i]["ports"][0]["description"] = 'Telephones"\nhostname "PWNED"'
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    line = line_of_key(path, "Telephones")
    assert f"{path.name}:{line}: erreur: commutateurs[{i}].ports[0].description" in output, output
    # the value is shown with its line break made visible: it cannot forge a report line
    assert '« Telephones"\\nhostname "PWNED" »' in output
    assert not any(t.startswith("hostname") for t in output.splitlines())
    assert "Aucun hôte n'a été modifié" in output


@pytest.mark.parametrize(
    "value", ['21,"x";reload', "21;reload", "21 reload", "1-4\nreload", "A1-A4,", "", "1--4"]
)
def test_interfaces_outside_the_port_list_grammar_are_refused(ref, capsys, value):
    path, data, i = site_with(ref, "aruba")
    data["commutateurs"][i]["ports"][0]["interfaces"] = value
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2, output
    assert f"commutateurs[{i}].ports[0].interfaces" in output
    assert "liste d'interfaces" in output


@pytest.mark.parametrize(
    ("vendor", "value"),
    [
        ("aruba", "1-20,24"),
        ("aruba", "A1-A4"),
        ("aruba", "1/A1-1/A4"),
        ("aruba", "Trk1"),
        ("aruba", "C1i-C3i"),
        ("aruba", "1, 3"),
        ("cisco", "Gi1/0/1-24"),
        ("cisco", "TenGigabitEthernet1/1/1"),
        ("cisco", "1-20,24"),
    ],
)
def test_port_lists_of_both_vendors_still_pass(ref, capsys, vendor, value):
    path, data, i = site_with(ref, vendor)
    ports = data["commutateurs"][i]["ports"]
    ports[:] = [dict(ports[0], interfaces=value)]
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 0, output


@pytest.mark.parametrize(
    ("vendor", "value"),
    [
        ("aruba", "Gi1/0/1"),
        ("aruba", "1/0/1"),
        ("aruba", "Po1"),
        ("aruba", "9999"),
        ("cisco", "Trk1"),
        ("cisco", "1/A1"),
        ("cisco", "A0"),
        ("cisco", "Vlan1"),
    ],
)
def test_port_names_the_vendor_does_not_have_are_refused(ref, capsys, vendor, value):
    """What the switch renderer's grammar would refuse at run time is refused at check."""
    path, data, i = site_with(ref, vendor)
    ports = data["commutateurs"][i]["ports"]
    ports[:] = [dict(ports[0], interfaces=value)]
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2, output
    assert f"inconnue des commutateurs {vendor}" in output


@pytest.mark.parametrize(("vendor", "limit"), [("aruba", 64), ("cisco", 240)])
def test_port_description_vendor_length_limit(ref, capsys, vendor, limit):
    path, data, i = site_with(ref, vendor)
    port = data["commutateurs"][i]["ports"][0]
    port["description"] = "x" * limit
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 0, output
    port["description"] = "x" * (limit + 1)
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert f"commutateurs[{i}].ports[0].description" in output
    assert f"raccourcir à {limit} caractères" in output


@pytest.mark.parametrize(
    "value",
    [
        'Salle"101',
        "Salle?101",
        "Salle\\101",
        "Salle\t101",
        "Salle\x1b101",
        "Salle\u2028101",
        "Salle\u200b101",
        " Salle 101",  # IOS drops edge spaces: the drift would never converge
        "Salle 101 ",
        "Salle 101\u00a0",
    ],
)
def test_port_description_refuses_cli_meaningful_characters(ref, capsys, value):
    path, data, i = site_with(ref, "cisco")
    data["commutateurs"][i]["ports"][0]["description"] = value
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2, output
    assert f"commutateurs[{i}].ports[0].description" in output


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("nom",), "Collège\nPWNED"),
        (("commune",), "Sélestat\x1b[2J"),
        (("salles", 0, "nom"), "Salle\r101"),
        (("postes", 0, "modele"), "OptiPlex\x7f"),
        (("postes", 0, "serie"), "S" * 65),
        (("contacts", "correspondant_en", "courriel"), "a@b.fr\nBcc: x@y.fr"),
        (("contacts", "correspondant_en", "nom"), "x" * 201),
        (("serveurs", 0, "systeme"), "debian12;reboot"),
        (("territoire",), "67\n"),
    ],
)
def test_text_reaching_templates_reports_and_tickets_is_one_bounded_line(ref, capsys, where, value):
    path, data, _ = site_with(ref, "aruba")
    node = data
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    write(path, data)
    code, output = check(ref, capsys)
    assert code == 2, output
    loc = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where).lstrip(".")
    assert f"{path.name}:" in output and loc in output, output
    assert "\x1b" not in output and "\r" not in output


def test_catalogue_and_plan_text_is_one_line_too(ref, capsys):
    plan = ref / "plan_adressage.yml"
    data = yaml.safe_load(plan.read_text("utf-8"))
    data["vlans"][0]["description"] = "ligne 1\nligne 2"
    write(plan, data)
    cat = ref / "catalogue" / "logiciels.yml"
    data = yaml.safe_load(cat.read_text("utf-8"))
    data["logiciels"][0]["nom"] = "Firefox\x00"
    write(cat, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert "plan_adressage.yml" in output and "vlans[0].description" in output
    assert "logiciels.yml" in output and "logiciels[0].nom" in output


def test_vlan_name_keeps_the_vendor_limit(ref, capsys):
    plan = ref / "plan_adressage.yml"
    data = yaml.safe_load(plan.read_text("utf-8"))
    data["vlans"][0]["nom"] = "<!--<script>"
    write(plan, data)
    code, output = check(ref, capsys)
    assert code == 2
    assert "vlans[0].nom" in output
