"""`amico referentiel importer glpi` against the GLPI test server seeded, through native
inventory payloads built by the project's own producers, with the mess real inventories
have: GLPI duplicates, duplicates across entities, missing serials and MACs, unknown
models, a post in the wrong entity, names off the convention, an entity without UAI."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from amico.cli import main
from amico.guichet.client import make_client
from amico.guichet.config import GlpiConfig
from amico.guichet.inventory import from_switch, from_windows_collector
from amico.onboarding.glpi_lecture import read_inventory
from amico.onboarding.import_glpi import AMBIGUOUS, NO_ID, NO_UAI, plan_import
from amico.referentiel.loader import load
from amico.referentiel.yamlio import load_file
from amico_lab.glpi import GlpiTestServer
from amico_lab.glpi.assets import add_entity, import_payload

REPO = Path(__file__).resolve().parents[2]


def post(nom, serie=None, mac=None, modele="OptiPlex 390", fabricant="Dell Inc.", os="Windows 10"):
    data = {"nom": nom, "serie": serie, "fabricant": fabricant, "modele": modele,
            "systeme": {"nom": os},
            "interfaces": [{"description": "Ethernet", "mac": mac}] if mac else []}  # fmt: skip
    return from_windows_collector(data)


def switch(nom, serie, mac, fabricant="aruba", modele="HPE Aruba 2530-24G"):
    return from_switch({"nom": nom, "fabricant": fabricant, "modele": modele, "serie": serie,
                        "mac": mac, "ports": [{"ifdescr": "1", "mac": mac}]})  # fmt: skip


def seed(server: GlpiTestServer) -> None:
    """Two collèges (one already in the référentiel, one new), a service entity."""
    add_entity(server, 1, "CEA", 0)
    add_entity(server, 2, "Collège d'exemple des Tilleuls (0679901Y)", 1, town="Strasbourg")
    add_entity(server, 3, "Collège Jean Test", 1, comment="UAI 0672345K", town="Obernai")
    add_entity(server, 4, "Service informatique", 1)
    e2 = [
        # already in the référentiel, complete: matched by serial, nothing proposed
        (post("0679901-s101-01", "PC0679901Y0000", "02:00:00:00:00:07"), "Salle 101"),
        # serial removed from the référentiel copy below: matched by MAC, serial proposed
        (
            post("0679901-s101-02", "PC0679901Y0001", "02:00:00:00:00:08", "6300 SFF", "HP"),
            "Salle 101",
        ),
        # matched by serial, GLPI's model differs: reported, the référentiel is kept
        (
            post("0679901-s101-03", "PC0679901Y0002", "02:00:00:00:00:09", "Latitude 5540"),
            "Salle 101",
        ),
        # new, name follows the convention: kept
        (post("0679901-s101-40", "NEW-A1", "00:1c:c0:00:00:01"), "Salle 101"),
        # new, name off the convention, new room: rename proposed, room created
        (post("PC-CDI-03", "NEW-A2", "00:1c:c0:00:00:02"), "CDI"),
        # the same machine twice in GLPI (re-inventoried): one kept
        (post("PC-CDI-04", "NEW-A3", "00:1c:c0:00:00:03"), "CDI"),
        (post("PC-CDI-04", "NEW-A3", "00:1c:c0:00:00:03"), "CDI"),
        # unknown model: reported for the catalogue
        (post("PC-ACME", "NEW-A4", "00:1c:c0:00:00:04", "Box 3000", "ACME"), "Salle 101"),
        # neither serial nor MAC: cannot be recognised, reported
        (post("PC-FANTOME"), "Salle 101"),
        # no MAC: imported, MAC to complete
        (post("0679901-s101-41", "NEW-A5"), "Salle 101"),
        # no location: imported in the technical room, room to complete
        (post("0679901-s101-42", "NEW-A6", "00:1c:c0:00:00:06"), None),
        # a post of 0679902Z filed under this entity
        (post("0679902-s101-01", "PC0679902Z0000", "02:00:00:01:00:06"), "Salle 101"),
        # serial also under entity 3: duplicate across entities, none imported
        (post("PC-DOUBLE", "DUP-1", "00:1c:c0:00:00:07"), "Salle 101"),
        (switch("sw-acces1-0679901y", "SW0679901Y01", "02:00:00:00:80:01"), None),
    ]
    e3 = [
        (post("0672345-s12-01", "NEW-B1", "00:1c:c0:00:01:01"), "Salle 12"),
        (post("0672345-s12-02", "NEW-B2", "00:1c:c0:00:01:02", "ThinkCentre M700", "LENOVO"),
         "Salle 12"),
        (post("PC-DOUBLE", "DUP-1", "00:1c:c0:00:01:03"), "Salle 12"),
        (switch("sw-acces1-0672345k", "CN-B-SW1", "00:1c:c0:00:01:10"), "Salle 12"),
        # the core switch nouveau-site names: its provisional record is completed
        (switch("sw-coeur-0672345k", "CN-B-SW0", "00:1c:c0:00:01:12", modele="HPE Aruba 2930F-24G"),
         None),
        (switch("gs108", "NG-1", "00:1c:c0:00:01:11", fabricant="Netgear", modele="GS108"),
         "Salle 12"),
    ]  # fmt: skip
    e4 = [(post("ADMIN-PC", "SRV-1", "00:1c:c0:00:02:01"), "Bureau")]
    for entity, items in ((2, e2), (3, e3), (4, e4)):
        for payload, room in items:
            import_payload(server, payload, entity, room)


@pytest.fixture
def glpi():
    server = GlpiTestServer().start()
    seed(server)
    yield server
    server.stop()


@pytest.fixture
def ref(tmp_path, monkeypatch, glpi) -> Path:
    monkeypatch.setenv("AMICO_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("AMICO_GLPI_URL", glpi.url)
    monkeypatch.setenv("AMICO_GLPI_APP_TOKEN", "app-token-amico")
    monkeypatch.setenv("AMICO_GLPI_USER_TOKEN", "user-token-amico")
    for var in ("AMICO_GLPI_LOGIN", "AMICO_GLPI_PASSWORD", "AMICO_GLPI_SECRETS_FILE",
                "AMICO_GLPI_API"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    dest = tmp_path / "referentiel"
    shutil.copytree(REPO / "referentiel", dest)
    site = dest / "sites" / "0679901Y.yml"
    data = yaml.safe_load(site.read_text("utf-8"))
    del data["postes"][1]["serie"]  # a value the human has not written yet
    site.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return dest


def run(ref: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["referentiel", "importer", "glpi", "--dossier", str(ref), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(ref: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ref / "sites").glob("*.yml"))}


def section(out: str, heading: str) -> list[str]:
    m = re.search(re.escape(heading) + r" \((\d+)\) :\n((?:  - .*\n)*)", out)
    assert m, f"section absente : {heading}\n{out}"
    lines = [line[4:] for line in m[2].splitlines()]
    assert len(lines) == int(m[1])
    return lines


def test_import_all_proposes_then_writes_then_nothing(ref, capsys, glpi):
    before = snapshot(ref)
    code, out, err = run(ref, capsys, "--tous")
    assert code == 0, err
    assert snapshot(ref) == before  # without --ecrire nothing is written
    assert "Rien n'a été écrit : relancer avec --ecrire" in out
    assert "--- /dev/null\n+++ b/referentiel/sites/0672345K.yml" in out
    assert "+++ b/referentiel/sites/0679901Y.yml" in out
    assert "0679902Z.yml" not in out.split("Import GLPI")[0]  # no change proposed there

    assert section(
        out, "Modèles inconnus du catalogue (à ajouter à catalogue/materiels.yml), non importés"
    ) == [  # fmt: skip
        "« ACME Box 3000 » (1) : poste GLPI n° 8 « PC-ACME » (0679901Y)"
    ]
    assert section(out, NO_ID) == ["poste GLPI n° 9 « PC-FANTOME » (entité 0679901Y)"]
    dup = section(out, "Numéros de série ou MAC en double entre entités (non importés)")
    assert dup == ["numéro de série DUP-1 : poste GLPI n° 13 « PC-DOUBLE » (entité 2), "
                   "poste GLPI n° 16 « PC-DOUBLE » (entité 3)"]  # fmt: skip
    assert section(out, "Doublons dans GLPI (même entité : un seul enregistrement retenu)") == [
        "numéro de série NEW-A3 : poste GLPI n° 6 « PC-CDI-04 » retenu ; "
        "poste GLPI n° 7 « PC-CDI-04 » ignoré(s)"
    ]
    wrong = section(out, "Matériels rangés dans GLPI sous une autre entité que leur collège du "
                    "référentiel")  # fmt: skip
    assert wrong == ["poste GLPI n° 12 « 0679902-s101-01 » : entité GLPI n° 2 (0679901Y), "
                     "mais postes[0] du site 0679902Z dans le référentiel"]  # fmt: skip
    renames = section(out, "Noms hors convention (renommage proposé dans le référentiel, "
                      "jamais appliqué dans GLPI)")  # fmt: skip
    assert renames == [
        "poste GLPI n° 5 « PC-CDI-03 » (0679901Y) : « PC-CDI-03 » -> « 0679901-cdi-01 »",
        "poste GLPI n° 6 « PC-CDI-04 » (0679901Y) : « PC-CDI-04 » -> « 0679901-cdi-02 »",
    ]
    assert section(out, NO_UAI) == [
        "entité n° 4 « Entité racine > CEA > Service informatique » : 1 matériel(s)"
    ]
    assert section(out, "Équipements réseau d'un fabricant non pris en charge (non importés)") == [
        "équipement réseau GLPI n° 4 « gs108 » (0672345K) : fabricant « Netgear »"
    ]
    assert section(out, "Matériels sans MAC (importés, MAC à compléter)") == [
        "poste GLPI n° 10 « 0679901-s101-41 » (0679901Y) -> 0679901-s101-41"
    ]
    differs = section(out, "Valeurs différentes entre GLPI et le référentiel (le référentiel est "
                      "conservé)")  # fmt: skip
    assert differs == [
        "poste GLPI n° 3 « 0679901-s101-03 » ~ 0679901-s101-03 (0679901Y) : modele "
        "GLPI « DELL Latitude 5540 », référentiel « DELL Optiplex 7010 »"
    ]
    # the catalogue lists OptiPlex 390 under two classes: one line per model, class to check
    assert section(out, AMBIGUOUS)[0].startswith(
        "« DELL OptiPlex 390 » : PBASE ou PBASE.petit_format ; PBASE retenue pour 6 poste(s) : "
    )
    assert "1 collège(s) nouveau(x), 7 poste(s) et 1 commutateur(s) ajouté(s), " in out
    # the serial of 0679901-s101-02; fabricant, model, serial, MAC of the new core switch
    assert "5 valeur(s) complétée(s)" in out

    # --ecrire: the same proposals are written and the référentiel passes check
    code, out, err = run(ref, capsys, "--tous", "--ecrire")
    assert code == 0, err
    loaded = load(ref)
    sites = {s.uai: s for s in loaded.sites}
    tilleuls = sites["0679901Y"]
    assert tilleuls.postes[1].serie == "PC0679901Y0001"  # completed
    assert tilleuls.postes[2].modele == "DELL Optiplex 7010"  # human value kept
    added = {p.nom: p for p in tilleuls.postes[21:]}
    assert sorted(added) == ["0679901-cdi-01", "0679901-cdi-02", "0679901-s101-40",
                             "0679901-s101-41", "0679901-s101-42"]  # fmt: skip
    assert added["0679901-cdi-01"].salle == "cdi"
    assert added["0679901-cdi-01"].classe == "PBASE"
    assert added["0679901-cdi-01"].modele == "DELL OptiPlex 390"  # the catalogue's spelling
    assert added["0679901-cdi-01"].systeme == "windows_10"
    assert added["0679901-s101-41"].mac is None
    assert "postes[22].mac" not in tilleuls.a_completer
    assert any(p.startswith("postes[") and p.endswith(".salle") for p in tilleuls.a_completer)
    new = sites["0672345K"]
    assert new.nom == "Collège Jean Test" and new.commune == "Obernai"
    assert [p.nom for p in new.postes] == ["0672345-s12-01", "0672345-s12-02"]
    assert [s.nom for s in new.commutateurs] == ["sw-coeur-0672345k", "sw-acces1-0672345k"]
    assert new.commutateurs[1].serie == "CN-B-SW1" and new.commutateurs[1].fabricant == "aruba"
    core = new.commutateurs[0]
    assert (core.serie, core.mac, core.modele) == ("CN-B-SW0", "00:1c:c0:00:01:12",
                                                   "HPE Aruba 2930F-24G")  # fmt: skip
    assert not {"commutateurs[0].serie", "commutateurs[0].mac", "commutateurs[0].modele",
                "commutateurs[0].fabricant"} & set(new.a_completer)  # fmt: skip
    assert "commutateurs[0].ports" in new.a_completer
    assert "postes" not in new.a_completer
    code, report = main(["referentiel", "verifier", str(ref)]), capsys.readouterr()
    assert code == 0, report.err

    # a second import with nothing changed in GLPI proposes nothing
    after = snapshot(ref)
    code, out, err = run(ref, capsys, "--tous", "--ecrire")
    assert code == 0, err
    assert "Rien à proposer : le référentiel est à jour avec GLPI." in out
    assert "+++" not in out
    assert snapshot(ref) == after


def test_import_one_entity_only_touches_its_collège(ref, capsys):
    code, out, err = run(ref, capsys, "--entite", "3", "--ecrire")
    assert code == 0, err
    assert "0672345K.yml" in out and "0679901Y.yml" not in out
    # the duplicate with entity 2 is invisible from entity 3 alone: imported
    assert "PC-DOUBLE" in out


def test_human_values_are_never_overwritten(ref, capsys):
    site = ref / "sites" / "0679901Y.yml"
    data = yaml.safe_load(site.read_text("utf-8"))
    data["postes"][0]["modele"] = "HP 6300 MT"  # a human's choice, unlike GLPI
    site.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    code, out, err = run(ref, capsys, "--entite", "2", "--ecrire")
    assert code == 0, err
    after = yaml.safe_load(site.read_text("utf-8"))
    assert after["postes"][0]["modele"] == "HP 6300 MT"
    for i, rec in enumerate(data["postes"]):
        for key, value in rec.items():
            assert after["postes"][i][key] == value


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (lambda g: setattr(g.faults, "down", True), ["--tous"], "GLPI injoignable"),
        (lambda g: None, ["--entite", "99"], "entité GLPI 99 inconnue"),
        (
            lambda g: g.profiles.update(
                {
                    "amico-api": {
                        "profile": "Technicien",
                        "default_entity": None,
                        "entities": {2: True},
                    }
                }  # fmt: skip
            ),
            ["--entite", "3"],
            "aucun droit sur l'entité GLPI 3 pour le profil de l'API",
        ),
    ],
)
def test_bad_input_french_error_nothing_written(ref, capsys, glpi, setup, args, expected):
    setup(glpi)
    before = snapshot(ref)
    code, out, err = run(ref, capsys, *args, "--ecrire")
    assert code == 2
    assert expected in err, err
    assert "Rien n'a été écrit." in err
    assert snapshot(ref) == before


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_all_means_the_entities_of_the_api_profile(ref, capsys, glpi, monkeypatch, api):
    # a non-recursive profile on the Tilleuls entity only: the rest of GLPI is invisible
    if api == "v2":
        use_v2(monkeypatch)
    glpi.profiles.update(
        {"amico-api": {"profile": "Technicien", "default_entity": 2, "entities": {2: False}}}
    )
    code, out, err = run(ref, capsys, "--tous")
    assert code == 0, err
    assert "+++ b/referentiel/sites/0679901Y.yml" in out
    assert "0672345K" not in out and "Service informatique" not in out
    assert "PC-DOUBLE" in out  # its twin under entity 3 is out of sight: no duplicate


def use_v2(monkeypatch) -> None:
    """The high-level API v2 (OAuth2 password grant) instead of v1."""
    monkeypatch.setenv("AMICO_GLPI_API", "v2")
    monkeypatch.setenv("AMICO_GLPI_CLIENT_ID", "amico-client")
    monkeypatch.setenv("AMICO_GLPI_CLIENT_SECRET", "amico-secret")
    monkeypatch.setenv("AMICO_GLPI_LOGIN", "amico-api")
    monkeypatch.setenv("AMICO_GLPI_PASSWORD", "motdepasse-amico")


def plan_of(ref: Path, glpi: GlpiTestServer, api: str, entite: int | None = None):
    config = GlpiConfig(url=glpi.url, app_token="app-token-amico", user_token="user-token-amico",
                        client_id="amico-client", client_secret="amico-secret",
                        login="amico-api", password="motdepasse-amico", api=api)  # fmt: skip
    inv = read_inventory(make_client(config), entite)
    return plan_import(load(ref), inv), inv


V2_GAPS = re.compile(r"^(commune|postes\[\d+\]\.systeme)$")


def without_v2_gaps(after: dict) -> dict:
    """A proposed site file without what GLPI's HL API does not publish: a computer's
    operating system and an entity's town (AssetController, AdministrationController)."""
    out = {k: v for k, v in after.items() if k not in ("commune", "a_completer")}
    out["postes"] = [{k: v for k, v in p.items() if k != "systeme"} for p in after["postes"]]
    out["a_completer"] = [e for e in after.get("a_completer", []) if not V2_GAPS.match(e)]
    return out


@pytest.mark.parametrize("entite", [None, 2, 3])
def test_v1_and_v2_give_the_same_proposals_and_report(ref, glpi, entite):
    p1, inv1 = plan_of(ref, glpi, "v1", entite)
    glpi.v2_max_limit = 4  # several pages per search: Content-Range must be followed
    p2, inv2 = plan_of(ref, glpi, "v2", entite)
    assert p2.report.lines() == p1.report.lines()
    assert p2.counts == p1.counts
    assert [c.path for c in p2.changes] == [c.path for c in p1.changes]
    assert p1.changes
    for c1, c2 in zip(p1.changes, p2.changes, strict=True):
        assert without_v2_gaps(c2.after) == without_v2_gaps(c1.after)
        # what v2 cannot read is left to complete, never guessed
        new = c2.after["postes"][len(c1.before["postes"]) if c1.before else 0 :]
        assert new and all("systeme" not in p for p in new)
        for i in range(len(c2.after["postes"]) - len(new), len(c2.after["postes"])):
            assert f"postes[{i}].systeme" in c2.after["a_completer"]
        if c1.before is None:
            assert c1.after["commune"] == "Obernai"
            assert c2.after["commune"] == "a_completer"
            assert "commune" in c2.after["a_completer"]
    # the computers came through pages of 4 rows
    pages = [p for m, p, _ in glpi.requests if p == "/api.php/v2/Assets/Computer"]
    computers = sum(a.itemtype == "Computer" for a in inv2.assets)
    assert len(pages) == -(-computers // 4) and (entite == 3 or len(pages) > 1)
    assert len(inv2.assets) == len(inv1.assets)


def test_import_through_v2_writes_checks_then_proposes_nothing(ref, capsys, glpi, monkeypatch):
    use_v2(monkeypatch)
    code, out, err = run(ref, capsys, "--tous", "--ecrire")
    assert code == 0, err
    assert "+++ b/referentiel/sites/0672345K.yml" in out
    assert section(out, NO_ID) == ["poste GLPI n° 9 « PC-FANTOME » (entité 0679901Y)"]
    new = {s.uai: s for s in load(ref).sites}["0672345K"]
    assert "commune" in new.a_completer and "postes[0].systeme" in new.a_completer
    code, report = main(["referentiel", "verifier", str(ref)]), capsys.readouterr()
    assert code == 0, report.err
    after = snapshot(ref)
    code, out, err = run(ref, capsys, "--tous", "--ecrire")
    assert code == 0, err
    assert "Rien à proposer : le référentiel est à jour avec GLPI." in out
    assert snapshot(ref) == after


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (lambda g: setattr(g.faults, "down", True), ["--tous"], "GLPI injoignable"),
        (lambda g: None, ["--entite", "99"], "entité GLPI 99 inconnue ou hors des droits"),
        (
            lambda g: g.profiles.update(
                {
                    "amico-api": {
                        "profile": "Technicien",
                        "default_entity": 2,
                        "entities": {2: True},
                    }
                }  # fmt: skip
            ),
            ["--entite", "3"],
            "entité GLPI 3 inconnue ou hors des droits du profil de l'API",
        ),
    ],
)
def test_v2_bad_input_french_error_nothing_written(
    ref, capsys, glpi, monkeypatch, setup, args, expected
):
    use_v2(monkeypatch)
    setup(glpi)
    before = snapshot(ref)
    code, out, err = run(ref, capsys, *args, "--ecrire")
    assert code == 2
    assert expected in err, err
    assert "Rien n'a été écrit." in err
    assert snapshot(ref) == before


def test_rewrite_keeps_what_a_human_wrote(ref, capsys):
    """Comments, key order and quoting of a site file survive an import that adds
    records and completes a value: every original line is still there, in order."""
    site = ref / "sites" / "0679901Y.yml"
    text = (REPO / "referentiel" / "sites" / "0679901Y.yml").read_text("utf-8")
    comments = [
        "# Postes : inventaire de la rentrée, vérifié le 2 septembre",
        "  # ce poste sert aussi au CDI le jeudi",
        "# fin du fichier, relu par le correspondant",
    ]
    text = text.replace("commune: Strasbourg\n", "commune: Strasbourg  # mairie annexe\n")
    text = text.replace("nom: Collège d'exemple des Tilleuls\n",
                        "nom: \"Collège d'exemple des Tilleuls\"\n")  # fmt: skip
    text = text.replace("\npostes:\n", f"\n{comments[0]}\npostes:\n")
    text = text.replace("  - nom: 0679901-s101-02\n", f"{comments[1]}\n  - nom: 0679901-s101-02\n")
    text = text.replace("    serie: PC0679901Y0001\n", "")  # to be completed from GLPI
    text += comments[2] + "\n"
    site.write_text(text, "utf-8")
    code, out, err = run(ref, capsys, "--entite", "2", "--ecrire")
    assert code == 0, err
    new = site.read_text("utf-8")
    lines = iter(new.splitlines())
    missing = [line for line in text.splitlines() if line not in lines]  # subsequence
    assert missing == [], missing
    assert "commune: Strasbourg  # mairie annexe" in new
    assert 'nom: "Collège d\'exemple des Tilleuls"' in new
    assert "territoire: '67'" in new
    data = load_file(site, use_cache=False)
    assert data["postes"][1]["serie"] == "PC0679901Y0001"
    assert [p["nom"] for p in data["postes"][21:]][:2] == ["0679901-s101-40", "0679901-cdi-01"]
    assert list(data)[:6] == ["uai", "nom", "commune", "territoire", "exemple", "bloc_adresses"]
    code, report = main(["referentiel", "verifier", str(ref)]), capsys.readouterr()
    assert code == 0, report.err
    # the diff shown before writing was exactly this change
    assert "-  - nom: 0679901-s101-02" not in out and "+# Postes" not in out


def test_v2_without_network_ports_route_says_so(ref, capsys, glpi, monkeypatch):
    # a GLPI 11.0 whose HL API predates NetworkController (API 2.3): route not found
    from amico_lab.glpi import assets

    monkeypatch.delitem(assets.V2_ROUTES, ("Network", "NetworkPort"))
    use_v2(monkeypatch)
    before = snapshot(ref)
    code, out, err = run(ref, capsys, "--tous", "--ecrire")
    assert code == 2
    assert "l'API v2 de ce GLPI ne publie pas les ports réseau (/Network/NetworkPort" in err
    assert "Rien n'a été écrit." in err and snapshot(ref) == before
