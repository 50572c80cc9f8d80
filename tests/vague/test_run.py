"""`amico vague lancer`: référentiel records, GLPI, resume after a crash, no-op second run."""

import collections
import shutil

import pytest

from amico.cli import main
from amico.guichet.config import GlpiConfig
from amico.guichet.guichet import deliver
from amico.guichet.spool import Spool
from amico.referentiel.loader import load
from amico.vague import moteur
from amico.vague.moteur import executer, postes_de_la_vague

from .conftest import CORPUS, DATA, RACINE, manifeste_genere

EXEMPLE = DATA / "livraison_exemple.csv"


def site_text(ref_dir, uai):
    return (ref_dir / "sites" / f"{uai}.yml").read_text(encoding="utf-8")


def test_run_appends_reviewable_records(ref_copy, capsys):
    before = site_text(ref_copy, "0679901Y")
    assert main(["vague", "lancer", "--referentiel", str(ref_copy), str(EXEMPLE)]) == 0
    after = site_text(ref_copy, "0679901Y")
    # the file is only extended: header comments and every old line are kept, in order
    assert after.startswith(before.split("peripheriques:")[0])
    assert after.split("peripheriques:")[1] == before.split("peripheriques:")[1]
    assert after.splitlines()[0].startswith("# EXEMPLE")
    assert "  - nom: 0679901-s101-17\n    classe: PBASE\n" in after
    assert '    mac: "00:1a:2b:3c:4d:01"\n' in after and "    adresse: 10.64.0.250\n" in after
    # the result passes the référentiel check, with the new posts and their reservations
    ref = load(ref_copy)
    new = {p.nom: p for s in ref.sites for p in s.postes if p.serie and p.serie.startswith("LNV26")}
    assert len(new) == 5
    assert str(new["0679901-s101-18"].adresse) == "10.64.0.248"
    assert new["0679901-s101-18"].profil == "cfao"
    assert new["0689903-s101-09"].profil is None  # Chromebook: no Windows catalog
    assert main(["referentiel", "verifier", str(ref_copy)]) == 0
    out = capsys.readouterr().out
    assert "en attente : 4" in out and "spool" in out  # GLPI not configured: spooled


def test_second_run_is_a_noop(ref_copy, capsys):
    assert main(["vague", "lancer", "--referentiel", str(ref_copy), str(EXEMPLE)]) == 0
    files = {p.name: p.read_bytes() for p in (ref_copy / "sites").iterdir()}
    spooled = len(Spool().pending())
    capsys.readouterr()
    assert main(["vague", "lancer", "--referentiel", str(ref_copy), str(EXEMPLE)]) == 0
    out = capsys.readouterr().out
    assert "0 inscrit(s) au référentiel par cette exécution, 0 envoi(s) GLPI" in out
    assert "exécution sans effet" in out
    assert {p.name: p.read_bytes() for p in (ref_copy / "sites").iterdir()} == files
    assert len(Spool().pending()) == spooled
    # and the check now sees those lines as already registered, not as errors
    assert main(["vague", "verifier", "--referentiel", str(ref_copy), str(EXEMPLE)]) == 0
    assert "5 déjà enregistré(s)" in capsys.readouterr().out


def test_bad_line_means_nothing_is_done(ref_copy, capsys):
    before = {p.name: p.read_bytes() for p in (ref_copy / "sites").iterdir()}
    bad = CORPUS / "tout_faux_windows1252.csv"
    assert main(["vague", "lancer", "--referentiel", str(ref_copy), str(bad)]) == 2
    assert "rien n'a été fait" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (ref_copy / "sites").iterdir()} == before
    assert not Spool().pending()


def test_skip_invalid_runs_the_good_lines_only(ref_copy, tmp_path, capsys):
    path = tmp_path / "mixte.csv"
    good = EXEMPLE.read_text(encoding="utf-8")
    bad = (
        "MAUVAIS1,00:1a:2b:3c:4d:01,LENOVO ThinkCentre M700,0679901Y,s101,PBASE\n"
        "MAUVAIS2,00:1a:2b:3c:4d:99,HP Z230 Tower,0679901Y,s101,PBASE\n"
    )
    path.write_text(good + bad, encoding="utf-8")
    assert main(["vague", "lancer", "--referentiel", str(ref_copy), str(path)]) == 2
    args = ["vague", "lancer", "--ignorer-invalides", "--referentiel", str(ref_copy), str(path)]
    assert main(args) == 0
    cap = capsys.readouterr()
    assert "lignes écartées : 2, 7-8" in cap.err  # line 2 shares its MAC with line 7
    ref = load(ref_copy)
    series = {p.serie for s in ref.sites for p in s.postes}
    assert "MAUVAIS1" not in series and "MAUVAIS2" not in series and "LNV26A0001" not in series
    assert {"LNV26A0002", "LNV26A0003", "LNV26A0004", "LNV26A0005"} <= series


def test_glpi_registration_against_test_server(ref_copy, glpi, glpi_config):
    bilan = executer(ref_copy, EXEMPLE, glpi=glpi_config)
    inventories = glpi.dump()["inventories"]
    assert sorted(inventories) == sorted(f"{p.nom}-amico" for p in bilan.postes)
    payload = inventories["0679901-s101-17-amico"]
    assert payload["itemtype"] == "Computer"
    content = payload["content"]
    assert content["bios"]["ssn"] == "LNV26A0001"
    assert content["bios"]["smodel"] == "LENOVO ThinkCentre M700"
    assert content["networks"][0] == {
        "description": "ethernet",
        "mac": "00:1a:2b:3c:4d:01",
        "ipaddress": "10.64.0.250",
        "status": "up",
    }
    assert bilan.compte() == {"fait": 1, "en_attente": 4, "echec": 0}
    assert not Spool().pending()


def test_glpi_down_is_spooled_then_delivered(ref_copy, glpi, glpi_config):
    glpi.faults.down = True
    bilan = executer(ref_copy, EXEMPLE, glpi=glpi_config)
    assert bilan.glpi_spool() == 5 and len(Spool().pending()) == 5
    assert glpi.dump()["inventories"] == {}
    # a second run does not send them again: they wait in the spool
    bilan = executer(ref_copy, EXEMPLE, glpi=glpi_config)
    assert bilan.glpi_envoyes == 0 and len(Spool().pending()) == 5
    # GLPI is back: `amico guichet vider` replays them, the wave sees it on its next run
    glpi.faults.clear()
    deliver([], glpi_config, Spool())
    assert len(glpi.dump()["inventories"]) == 5
    bilan = executer(ref_copy, EXEMPLE, glpi=glpi_config)
    assert bilan.glpi_spool() == 0 and bilan.glpi_envoyes == 0
    assert {r["glpi"] for r in postes_de_la_vague(EXEMPLE)} == {"fait"}


class Panne(Exception):
    """A simulated crash (kill -9, power cut) of the controller."""


class FakeGlpi:
    """Counts native inventories; the 1,000-post tests use it (the lab server validates each
    payload against GLPI's schema, ~30 ms a request); the lab server is used above."""

    def __init__(self, crash_at=None):
        self.sent = collections.Counter()
        self.crash_at = crash_at

    def __call__(self):
        return self

    def send_inventory(self, payload):
        if self.crash_at is not None and sum(self.sent.values()) == self.crash_at:
            raise Panne("panne simulée pendant l'envoi GLPI")
        self.sent[payload["deviceid"]] += 1
        return {"status": "ok"}

    def close(self):
        pass


def test_resume_after_crash_at_line_600(gros_ref, tmp_path, monkeypatch):
    manifest = manifeste_genere(tmp_path / "mille.csv", gros_ref, 1000)
    real_append = moteur.append_posts
    calls = collections.Counter()

    def crash_after_600(path, records, comment=None):
        real_append(path, records, comment)
        calls["records"] += len(records)
        if calls["records"] >= 600:  # written to the site file, not yet journaled
            raise Panne("panne simulée au 600e poste")

    monkeypatch.setattr(moteur, "append_posts", crash_after_600)
    glpi = FakeGlpi()
    with pytest.raises(Panne):
        executer(gros_ref, manifest, glpi=GlpiConfig(url="x"), client_factory=glpi)
    # 12 batches of 50 written (manifest lines 2-601, spread over the 8 sites)
    assert sum(len(s.postes) for s in load(gros_ref).sites) == 88 + 600
    assert not glpi.sent  # GLPI step not reached

    calls.clear()

    def counting_append(path, records, comment=None):
        calls["records"] += len(records)
        real_append(path, records, comment)

    monkeypatch.setattr(moteur, "append_posts", counting_append)
    bilan = executer(gros_ref, manifest, glpi=GlpiConfig(url="x"), client_factory=glpi)
    assert calls["records"] == 400  # the 600 already written are not redone
    ref = load(gros_ref)  # valid: no duplicate name, MAC or address
    new = [p for s in ref.sites for p in s.postes if p.serie.startswith("GEN")]
    assert len(new) == 1000 and len({p.nom for p in new}) == 1000
    assert len({p.adresse for p in new}) == 1000
    assert len(glpi.sent) == 1000 and set(glpi.sent.values()) == {1}
    assert bilan.compte() == {"fait": 0, "en_attente": 1000, "echec": 0}

    # third run: nothing at all
    calls.clear()
    glpi.sent.clear()
    bilan = executer(gros_ref, manifest, glpi=GlpiConfig(url="x"), client_factory=glpi)
    assert calls["records"] == 0 and not glpi.sent and bilan.ajoutes == 0


def test_resume_after_crash_during_glpi(gros_ref, tmp_path):
    manifest = manifeste_genere(tmp_path / "mille.csv", gros_ref, 1000)
    glpi = FakeGlpi(crash_at=600)
    with pytest.raises(Panne):
        executer(gros_ref, manifest, glpi=GlpiConfig(url="x"), client_factory=glpi)
    assert sum(glpi.sent.values()) == 600
    glpi.crash_at = None
    executer(gros_ref, manifest, glpi=GlpiConfig(url="x"), client_factory=glpi)
    # chunks already journaled are not sent again (chunk size 100, crash on a boundary)
    assert len(glpi.sent) == 1000 and set(glpi.sent.values()) == {1}


def test_resume_with_lab_glpi_server(gros_ref, tmp_path, glpi, glpi_config, monkeypatch):
    """Same crash on a smaller wave, with the real HTTP client and the lab GLPI server."""
    manifest = manifeste_genere(tmp_path / "cent.csv", gros_ref, 120)
    real_append = moteur.append_posts

    def crash(path, records, comment=None):
        real_append(path, records, comment)
        raise Panne("panne simulée")

    monkeypatch.setattr(moteur, "append_posts", crash)
    with pytest.raises(Panne):
        executer(gros_ref, manifest, glpi=glpi_config)
    monkeypatch.setattr(moteur, "append_posts", real_append)
    bilan = executer(gros_ref, manifest, glpi=glpi_config)
    assert len(glpi.dump()["inventories"]) == 120 and bilan.glpi_envoyes == 120
    assert bilan.compte()["en_attente"] == 120 and not Spool().pending()


def test_run_on_real_referentiel_copy_does_not_touch_shipped_one(ref_copy):
    shipped = {p.name: p.read_bytes() for p in (RACINE / "referentiel" / "sites").iterdir()}
    executer(ref_copy, EXEMPLE)
    assert {p.name: p.read_bytes() for p in (RACINE / "referentiel" / "sites").iterdir()} == shipped
    shutil.rmtree(ref_copy)
