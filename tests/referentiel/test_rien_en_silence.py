"""Silent nothing (issue 13.8): a site file the loader would skip, a missing `sites/`
folder, a typo in the inventory's `operateur` / `phase` / filters are errors naming the
value and the allowed ones, never "valide : 0 collège(s)" or an empty inventory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from test_inventory import ansible_inventory

from amico.cli import main
from amico.referentiel.inventory import InventaireInvalide, build
from amico.referentiel.loader import load

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "referentiel"


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("suffix", [".yaml", ".YML", ".Yaml"])
def test_site_under_another_extension_is_an_error(ref, capsys, suffix):
    site = ref / "sites" / "0679901Y.yml"
    site.rename(site.with_suffix(suffix))
    code, output = check(ref, capsys)
    assert code == 2, output
    assert f"0679901Y{suffix}:1: erreur:" in output
    assert f"extension « {suffix} »" in output and "renommer en 0679901Y.yml" in output


def test_missing_sites_folder_is_an_error(ref, capsys):
    shutil.rmtree(ref / "sites")
    code, output = check(ref, capsys)
    assert code == 2, output
    assert "dossier des sites absent" in output
    assert "0 collège(s)" not in output


def test_empty_sites_folder_is_said(ref, capsys):
    """Kept valid (a new référentiel starts there) but never silent."""
    for path in (ref / "sites").glob("*.yml"):
        path.unlink()
    code, output = check(ref, capsys)
    assert code == 0
    assert "avertissement" in output and "aucun fichier de site" in output


def test_other_files_in_sites_are_left_alone(ref, capsys):
    (ref / "sites" / "LISEZMOI.md").write_text("notes", "utf-8")
    code, output = check(ref, capsys)
    assert code == 0, output


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("operateur", "CD", "cd, dane"),
        ("phase", "transitoir", "actuelle, transitoire"),
        ("sites", ["0679901X"], "0679901Y"),
        ("territoires", ["676"], "67, 68"),
    ],
)
def test_inventory_option_typo_names_value_and_allowed_ones(option, value, allowed):
    loaded = load(SHIPPED)
    with pytest.raises(InventaireInvalide) as exc:
        build(loaded, **{option: value})
    message = str(exc.value)
    shown = value if isinstance(value, str) else value[0]
    assert f"{option} : « {shown} » inconnu" in message
    assert allowed in message


def test_inventory_plugin_refuses_an_operator_typo(tmp_path):
    """Through the real ansible-inventory: an error, not an empty inventory."""
    config = tmp_path / "cfg.amico.yml"
    config.write_text(
        yaml.safe_dump(
            {"plugin": "amico.colleges.referentiel", "referentiel": str(SHIPPED), "operateur": "CD"}
        )
    )
    result = ansible_inventory(config, "--list")
    assert result.returncode != 0, result.stdout[:500]
    assert "operateur : « CD » inconnu" in result.stderr
    assert "valeurs admises" in result.stderr


def test_dossier_refuses_an_unknown_phase(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))
    code = main(
        ["dossier", "--referentiel", str(SHIPPED), "--tout", "--phase", "transitoir",
         "--sortie", str(tmp_path / "out")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "phase : « transitoir » inconnu" in err
    assert not (tmp_path / "out").exists()


def test_cached_inventory_is_not_reused_over_a_site_saved_as_yaml(ref, tmp_path):
    """The inventory cache is keyed on the référentiel's files: a site added as `.yaml`
    after a cached run must give the error, not the cached inventory."""
    config = tmp_path / "cfg.amico.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "plugin": "amico.colleges.referentiel",
                "referentiel": str(ref),
                "cache": True,
                "cache_plugin": "ansible.builtin.jsonfile",
                "cache_connection": str(tmp_path / "cache"),
            }
        )
    )
    assert ansible_inventory(config, "--list").returncode == 0
    # a new site saved as .yaml: no .yml file changed
    shutil.copyfile(ref / "sites" / "0679901Y.yml", ref / "sites" / "0679999Z.yaml")
    second = ansible_inventory(config, "--list")
    assert second.returncode != 0
    assert "extension « .yaml »" in second.stderr
