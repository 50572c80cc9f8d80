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
    assert main(["vague", "renouvellement", "--referentiel", str(REF), "--tout", "--detail"]) == 0
    out = capsys.readouterr().out
    assert "0679901Y" in out and "Total :" in out and "(2012) : a_renouveler" in out


def test_chromebooks_and_thin_clients_follow_their_end_of_support(tmp_path):
    """Issue 19: a Chromebook past its Auto Update Expiration, a thin client past its
    embedded system's support, are to renew; an unknown model is to check."""
    import shutil

    import yaml

    shutil.copytree(REF, tmp_path / "ref")
    path = tmp_path / "ref" / "sites" / "0689903V.yml"
    site = yaml.safe_load(path.read_text(encoding="utf-8"))
    salle = site["postes"][0]["salle"]
    site["postes"] += [
        {"nom": "0689903-cb-01", "classe": "PCHROMEOS", "modele": "LENOVO TP11e Chromeb. 20DU",
         "salle": salle},
        {"nom": "0689903-cl-01", "classe": "PCLIENTLEGER", "modele": "Wyse Z90SW", "salle": salle},
        {"nom": "0689903-cb-02", "classe": "PCHROMEOS", "modele": "Chromebook inconnu",
         "salle": salle},
    ]  # fmt: skip
    path.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ref = load(tmp_path / "ref")

    def row(day):
        return next(r for r in analyser(ref, ref.sites, day) if r.uai == "0689903V")

    before = row(dt.date(2019, 1, 1))
    assert before.autres_postes == 3
    assert before.a_renouveler.get("PCHROMEOS", 0) == 0 and before.a_verifier["PCHROMEOS"] == 1
    after = row(dt.date(2026, 11, 29))
    assert after.a_renouveler["PCHROMEOS"] == 1 and after.a_renouveler["PCLIENTLEGER"] == 1
    assert after.a_verifier["PCHROMEOS"] == 1
    detail = {p["nom"]: p for p in after.postes}
    assert detail["0689903-cl-01"]["fin_de_support"] == "2020-10-13"
