"""The catalogue's own checks, run by `amico referentiel verifier` (issues 13.8 and 19).

- an invalid detection regex is a check error naming the entry, the regex and the `re`
  error, with the file line (it used to pass the check and fail at run time);
- end of life moves with the date: past its date an entry is `fin de vie` without anyone
  editing its status, and the check warns six months ahead.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.logiciels import Catalogue, CatalogueError, Evaluateur
from amico.logiciels.validation import PREAVIS_FIN_DE_VIE_JOURS, problemes_catalogue

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "referentiel"
BRUT = yaml.safe_load((SHIPPED / "catalogue/logiciels.yml").read_text("utf-8"))


@pytest.fixture
def ref(tmp_path) -> Path:
    dest = tmp_path / "referentiel"
    shutil.copytree(SHIPPED, dest)
    return dest


def _modifier_ligne(fichier: Path, ancien: str, nouveau: str) -> int:
    """Replace one exact line fragment in place (keeps the other lines); its 1-based line."""
    lignes = fichier.read_text("utf-8").splitlines(keepends=True)
    for n, ligne in enumerate(lignes):
        if ancien in ligne:
            lignes[n] = ligne.replace(ancien, nouveau)
            fichier.write_text("".join(lignes), "utf-8")
            return n + 1
    raise AssertionError(f"{ancien!r} absent de {fichier}")


def check(ref: Path, capsys) -> tuple[int, str]:
    code = main(["referentiel", "verifier", str(ref)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_invalid_detection_regex_is_a_check_error_with_line(ref, capsys):
    logiciels = ref / "catalogue/logiciels.yml"
    ligne = _modifier_ligne(logiciels, "nom: '^VLC media player'", "nom: '^VLC media (player'")
    # the run-time compiler does refuse it: without the check, the error came at run time
    with pytest.raises(CatalogueError):
        Catalogue(yaml.safe_load(logiciels.read_text("utf-8")))
    code, sortie = check(ref, capsys)
    assert code == 2, sortie
    erreur = re.search(r"^(\S*logiciels\.yml):(\d+): erreur: (.*)$", sortie, re.M)
    assert erreur, sortie
    assert int(erreur[2]) == ligne
    assert "« ^VLC media (player »" in erreur[3]  # the faulty regex
    assert "logiciel vlc" in erreur[3]  # the entry
    assert "missing ), unterminated subpattern" in erreur[3]  # the re error
    assert "-> corriger l'expression" in sortie


def test_invalid_key_regex_and_rule_without_target():
    brut = copy.deepcopy(BRUT)
    vlc = next(e for e in brut["logiciels"] if e["id"] == "vlc")
    vlc["detection"] = [{"type": "desinstallation", "cle": "[VLC"}, {"type": "desinstallation"}]
    p = problemes_catalogue(brut, dt.date(2026, 12, 6))
    assert [(x.chemin[-1], x.gravite) for x in p] == [("cle", "erreur"), (1, "erreur")]
    assert p[0].valeur == "[VLC" and "unterminated character set" in p[0].message


def test_shipped_catalogue_has_no_error():
    assert [p for p in problemes_catalogue(BRUT) if p.gravite == "erreur"] == []


def _avec_fin(brut, ident, fin):
    brut = copy.deepcopy(brut)
    e = next(x for x in brut["logiciels"] if x["id"] == ident)
    e["cycle_de_vie"] = {"statut": "supporte", "fin_de_vie": fin, "source": "essai"}
    return brut


def test_end_of_life_warning_six_months_ahead():
    jour = dt.date(2026, 12, 6)
    proche = _avec_fin(BRUT, "vlc", jour + dt.timedelta(days=90))
    p = [x for x in problemes_catalogue(proche, jour) if x.gravite == "avertissement"]
    assert [(x.valeur, x.chemin) for x in p if x.valeur == "vlc"] == [
        (
            "vlc",
            (
                "logiciels",
                next(i for i, e in enumerate(BRUT["logiciels"]) if e["id"] == "vlc"),
                "cycle_de_vie",
                "fin_de_vie",
            ),
        )  # noqa: E501
    ]
    assert "dans 90 jours" in next(x.message for x in p if x.valeur == "vlc")
    loin = _avec_fin(BRUT, "vlc", jour + dt.timedelta(days=PREAVIS_FIN_DE_VIE_JOURS + 1))
    assert not [x for x in problemes_catalogue(loin, jour) if x.valeur == "vlc"]
    passee = _avec_fin(BRUT, "vlc", jour - dt.timedelta(days=1))
    assert not [x for x in problemes_catalogue(passee, jour) if x.valeur == "vlc"]


def test_check_prints_the_end_of_life_warning_and_stays_valid(ref, capsys):
    logiciels = ref / "catalogue/logiciels.yml"
    fin = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    brut = yaml.safe_load(logiciels.read_text("utf-8"))
    vlc = next(e for e in brut["logiciels"] if e["id"] == "vlc")
    vlc["cycle_de_vie"]["fin_de_vie"] = fin
    logiciels.write_text(yaml.safe_dump(brut, sort_keys=False, allow_unicode=True), "utf-8")
    code, sortie = check(ref, capsys)
    assert code == 0, sortie
    assert re.search(
        rf"logiciels\.yml:\d+: avertissement: .*logiciel vlc : fin de vie le {fin}", sortie
    )


def test_status_follows_the_date_without_editing():
    jour = dt.date(2026, 12, 6)
    passee = _avec_fin(BRUT, "vlc", "2026-12-01")
    avant = Catalogue(passee, aujourdhui=dt.date(2026, 11, 30))
    apres = Catalogue(passee, aujourdhui=jour)
    assert avant.entrees["vlc"].statut == "supporte"
    assert apres.entrees["vlc"].statut == "fin_de_vie"
    assert apres.entrees["vlc"].fin_de_vie == "2026-12-01"
    vlc = {
        "vue": "64",
        "cle": "VLC media player",
        "DisplayName": "VLC media player",
        "DisplayVersion": "3.0.21",
        "Publisher": "VideoLAN",
    }
    collecte = {"desinstallation": [vlc], "fichiers": {}, "registre": {}, "services": {}}
    r = {x.id: x for x in Evaluateur(apres).evaluer(collecte, "base", None)}
    assert r["vlc"].statut == "fin_de_vie"
    assert "depuis le 2026-12-01" in r["vlc"].remarque
    r = {x.id: x for x in Evaluateur(avant).evaluer(collecte, "base", None)}
    assert r["vlc"].statut == "conforme"


# -- référentiel data: systems (issue 19), each value sourced or marked ------------------
SYSTEMES = {
    # id: (fin_de_vie, version_min)
    "windows_11_23h2": ("2026-11-10", "10.0.22631"),
    "windows_11_24h2": ("2027-10-12", "10.0.26100"),
    "windows_11_25h2": ("2028-10-10", "10.0.26200"),
    "windows_server_2019": ("2029-01-09", "10.0.17763"),
    "windows_server_2022": ("2031-10-14", "10.0.20348"),
    "windows_server_2025": ("2034-10-10", "10.0.26100"),
    "debian12": ("2028-06-30", None),
    "debian13": ("2030-06-30", None),
}


@pytest.mark.parametrize("ident", sorted(SYSTEMES))
def test_system_entries_dates_and_sources(ident):
    e = next(x for x in BRUT["logiciels"] if x["id"] == ident)
    fin, vmin = SYSTEMES[ident]
    assert e["categorie"] == "systeme"
    assert str(e["cycle_de_vie"]["fin_de_vie"]) == fin
    assert e.get("version_min") == vmin
    assert e["cycle_de_vie"].get("source") or e.get("a_verifier")


def test_windows_11_build_and_date_decide_the_status():
    cat = Catalogue(BRUT, aujourdhui=dt.date(2026, 12, 6))
    ev = Evaluateur(cat)

    def statut(systeme, build):
        collecte = {"systeme": {"version": build}, "desinstallation": []}
        return {r.id: r.statut for r in ev.evaluer(collecte, "base", systeme)}[systeme]

    assert statut("windows_11_24h2", "10.0.26100.2605") == "conforme"
    assert statut("windows_11_24h2", "10.0.22631.4602") == "obsolete"  # left on 23H2's build
    assert statut("windows_11_23h2", "10.0.22631.4602") == "fin_de_vie"  # ended 2026-11-10
    assert statut("windows_10", "10.0.19045.5247") == "fin_de_vie"
    assert cat.entrees["windows_10"].remplace_par == "windows_11_25h2"


def test_server_role_accepts_every_supported_windows_server():
    """The role's minimal build is the oldest Windows Server the catalogue still supports
    (2019 until 2029-01-09): the role no longer refuses a supported system."""
    role = yaml.safe_load((ROOT / "roles/socle/vars/main.yml").read_text("utf-8"))
    cat = Catalogue(BRUT, aujourdhui=dt.date(2026, 12, 6))
    serveurs = [
        e
        for e in cat.entrees.values()
        if e.id.startswith("windows_server_") and e.statut == "supporte"
    ]
    plus_ancien = min(e.version_min for e in serveurs)
    assert role["_socle__windows_build_minimal"] == str(plus_ancien)
    assert {e.id for e in serveurs} == {
        "windows_server_2019",
        "windows_server_2022",
        "windows_server_2025",
    }


def test_server_past_its_security_support_is_flagged_by_drift():
    """Debian 12: regular support ended 2026-06-10, LTS until 2028-06-30 (catalogue)."""
    from amico.derive.attendu import supports_debian
    from amico.derive.comparaison import comparer_serveur
    from amico.referentiel import load

    supports = supports_debian(load(ROOT / "referentiel"))
    assert supports["debian12"]["fin_de_vie"] == "2028-06-30"
    assert "2026-06-10" in supports["debian12"]["note"]

    def constat(jour):
        cat = Catalogue(BRUT, aujourdhui=jour)
        attendu = {"systeme": "debian12", "supports": {"debian12": cat.support("debian12")}}
        c = comparer_serveur(attendu, {"debian_version": "12.8"})
        return next(x for x in c if x["regle"] == "serveur.support")

    en_lts = constat(dt.date(2026, 12, 6))
    assert (en_lts["statut"], en_lts["trouve"]) == ("conforme", "support jusqu'au 2028-06-30")
    assert "LTS" in en_lts["detail"]
    fini = constat(dt.date(2028, 7, 1))
    assert (fini["statut"], fini["trouve"]) == ("non conforme", "fin de support le 2028-06-30")


def test_posts_policy_errors_are_check_errors_with_line(ref, capsys):
    """postes.yml (licences, antivirus, unlisted software) is checked like the catalogue:
    a bad regex or a missing expiry is refused by `check`, not at run time."""
    postes = ref / "catalogue/postes.yml"
    ligne = _modifier_ligne(postes, "nom: '^Scratch \\d'", "nom: '^Scratch (\\d'")
    _modifier_ligne(postes, "expire: 2027-08-31", "expire: bientot")
    code, sortie = check(ref, capsys)
    assert code == 2, sortie
    erreurs = re.findall(r"^(\S*postes\.yml):(\d+): erreur: (.*)$", sortie, re.M)
    assert any(
        int(n) == ligne and "expression régulière invalide" in t and "« ^Scratch (\\d »" in t
        for _, n, t in erreurs
    ), sortie
    assert any("date AAAA-MM-JJ obligatoire" in t and "« bientot »" in t for _, _, t in erreurs)
