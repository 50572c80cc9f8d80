"""Firewalls and proxies in the model (issue 13, "Also"): the convention gives them to the
Académie during the transitional phase; they are described in each site so that the
perimeter covers them, and never handed to a run, by the inventory or at run time."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import yaml
from test_inventory import ansible_inventory, plain

from amico.cli import main
from amico.referentiel.inventory import build
from amico.referentiel.loader import load
from amico.referentiel.perimetre import HorsPerimetre, verifier_hote

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


@pytest.fixture(scope="module")
def shipped():
    return load(SHIPPED)


def security_names(ref) -> set[str]:
    return {d.nom for s in ref.sites for d in (*s.pare_feux, *s.proxys)}


def test_every_demo_site_describes_its_firewall_and_proxy(shipped):
    for site in shipped.sites:
        assert site.pare_feux and site.proxys, site.uai
    assert shipped.perimetre.types_hote["pare_feu"].perimetre == "academie"


def test_no_actor_in_any_phase_gets_them_from_the_inventory(shipped):
    names = security_names(shipped)
    actors = [a.id for a in shipped.organisation.acteurs]
    phases = [p.id for p in shipped.matrice.phases]
    for operateur, phase in itertools.product(actors, phases):
        inv = build(shipped, operateur=operateur, phase=phase)
        assert not names & set(inv.hosts), (operateur, phase)
        assert inv.excluded.get(f"pare_feu (périmètre {operateur}/{phase})") == len(names)


def test_real_ansible_inventory_never_lists_them(shipped):
    result = ansible_inventory(REPO / "inventories/demo/colleges.amico.yml", "--list")
    assert result.returncode == 0, result.stderr
    hostvars = plain(json.loads(result.stdout))["_meta"]["hostvars"]
    assert hostvars and not security_names(shipped) & set(hostvars)


def test_run_time_check_refuses_them_whatever_the_inventory_says(shipped):
    for name in security_names(shipped):
        with pytest.raises(HorsPerimetre) as exc:
            verifier_hote(shipped, name)
        assert "pare_feu" in str(exc.value) and "Académie" in str(exc.value)


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["pare_feux"][0].update(nom=d["commutateurs"][0]["nom"]), "en double"),
        (lambda d: d["proxys"][0].update(adresse="192.168.1.1"), "hors du sous-réseau du VLAN 200"),
        (lambda d: d["proxys"][0].update(vlan=777), "VLAN non déclaré pour ce site"),
        (lambda d: d["pare_feux"][0].update(salle="cave"), "salle inconnue"),
        (lambda d: d["pare_feux"][0].update(modele="Pare-feu\nhostname x"), "une seule ligne"),
    ],
)
def test_records_are_checked_like_any_host(ref, capsys, change, message):
    path = ref / "sites" / "0679901Y.yml"
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, output = check(ref, capsys)
    assert code == 2
    assert message in output, output
