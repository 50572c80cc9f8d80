"""Catalogue files are read by the référentiel's hardened YAML reader everywhere (CLI,
lab, Ansible action): a duplicate key, which PyYAML's safe_load silently resolves to the
last value, is refused with the file and the line, and nothing is done."""

from __future__ import annotations

from pathlib import Path

from amico.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_duplicate_key_in_catalogue_refused_by_the_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "etat"))
    text = (REPO / "referentiel" / "catalogue" / "logiciels.yml").read_text("utf-8")
    lines = text.splitlines(keepends=True)
    # the first `id:` of a software repeated just below: a reader keeping the last value
    # would silently rename it
    n = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- id:"))
    indent = " " * (len(lines[n]) - len(lines[n].lstrip()) + 2)
    lines.insert(n + 1, f"{indent}id: doublon_silencieux\n")
    catalogue = tmp_path / "logiciels.yml"
    catalogue.write_text("".join(lines), "utf-8")
    destination = tmp_path / "partage"
    code = main(["logiciels", "cache", "--catalogue", str(catalogue), "--source",
                 str(tmp_path), "--destination", str(destination)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert f"{catalogue}, ligne {n + 2} : YAML refusé : clé « id » en double" in err, err
    assert not destination.exists()
