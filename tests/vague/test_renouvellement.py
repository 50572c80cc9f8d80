"""Renewal view: posts whose catalog year means no supported Windows, per site and class."""

import datetime as dt
import json

from amico.cli import main
from amico.referentiel.loader import load
from amico.vague.renouvellement import analyser, verdict

from .conftest import RACINE

REF = RACINE / "referentiel"


def test_rule():
    assert [verdict(y) for y in (2012, 2016, 2017, 2018, 2019, None)] == [
        "a_renouveler",
        "a_renouveler",
        "a_verifier",
        "a_verifier",
        "compatible",
        "a_verifier",
    ]


def test_counts_per_site_and_class():
    ref = load(REF)
    rows = {r.uai: r for r in analyser(ref, ref.sites, today=dt.date(2026, 11, 29))}
    tilleuls = rows["0679901Y"]
    # 20 pedagogical Windows posts (the secretariat post is the académie's), all 2012-2016
    assert tilleuls.postes_windows == 20
    assert dict(tilleuls.a_renouveler) == {
        "PBASE": 8,
        "PBASE.petit_format": 4,
        "PCFAO": 4,
        "PPORTABLE": 4,
    }
    assert not tilleuls.a_verifier


def test_before_windows_10_end_nothing_to_renew():
    ref = load(REF)
    rows = analyser(ref, ref.sites, today=dt.date(2025, 1, 1))
    assert all(r.total_a_renouveler == 0 for r in rows)


def test_unknown_model_is_a_verifier(tmp_path):
    import shutil

    shutil.copytree(REF, tmp_path / "ref")
    path = tmp_path / "ref" / "sites" / "0689903V.yml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    modele: ", text.index("postes:"))
    end = text.index("\n", first)
    path.write_text(text[:first] + "    modele: Modèle inconnu" + text[end:], encoding="utf-8")
    ref = load(tmp_path / "ref")
    row = next(r for r in analyser(ref, ref.sites, dt.date(2026, 11, 29)) if r.uai == "0689903V")
    assert row.total_a_verifier == 1


def test_command_with_scope_flags(capsys):
    assert (
        main(
            [
                "vague",
                "renouvellement",
                "--referentiel",
                str(REF),
                "--territoire",
                "68",
                "--format",
                "json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert [d["uai"] for d in data] == ["0689903V"]
    assert main(["vague", "renouvellement", "--referentiel", str(REF)]) == 2  # no scope
    assert main(["vague", "renouvellement", "--referentiel", str(REF), "--all", "--detail"]) == 0
    out = capsys.readouterr().out
    assert "0679901Y" in out and "Total :" in out and "(2012) : a_renouveler" in out
