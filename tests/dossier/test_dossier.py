import csv
import filecmp
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from dossier_state import populate

from amico.cli import main
from amico.dossier.build import NON_VERSIONNE, Options, generate
from amico.dossier.synoptique import node_id, uplinks
from amico.referentiel import load
from amico.referentiel.ports import expand_interfaces

SVG = "{http://www.w3.org/2000/svg}"


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def demo_out(demo_ref, tmp_path):
    out = tmp_path / "dossiers"
    generate(demo_ref, demo_ref.sites, out)
    return out


def test_every_demo_site_gets_a_complete_folder(demo_ref, demo_out):
    for site in demo_ref.sites:
        names = set(_tree(demo_out / site.uai))
        assert {"index.html", "synoptique.svg", "synoptique.dot", "brassage.csv",
                "materiels.csv", "dossier.json"} <= names  # fmt: skip


def test_svg_has_every_switch_and_uplink(demo_ref, demo_out):
    for site in demo_ref.sites:
        root = ET.parse(demo_out / site.uai / "synoptique.svg").getroot()
        ids = {g.get("id") for g in root.iter(f"{SVG}g")}
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        for sw in site.commutateurs:
            assert node_id("sw", sw.nom) in ids, sw.nom
            assert sw.nom in texts
        links, foreign = uplinks(site)
        assert not foreign
        # every port with `vers` is on one drawn edge, and both ends are named on it
        described = {
            tuple(sorted((sw.nom, p.vers))) for sw in site.commutateurs for p in sw.ports if p.vers
        }
        assert {tuple(sorted((link.a, link.b))) for link in links} == described
        for link in links:
            assert link.edge_id in ids
            assert link.consistent
        assert "lien_pare_feu" in ids and "internet" in ids
        for srv in site.serveurs:
            assert node_id("srv", srv.nom) in ids
        for salle in site.salles:
            assert node_id("salle", salle.id) in ids


def test_patch_table_matches_the_referentiel(demo_ref, demo_out):
    for site in demo_ref.sites:
        with open(demo_out / site.uai / "brassage.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=";"))
        salles = {s.id: s.nom for s in site.salles}
        expected = []
        for sw in site.commutateurs:
            for port in sw.ports:
                for iface in expand_interfaces(port.interfaces):
                    vlans = (
                        str(port.vlan)
                        if port.mode == "acces"
                        else ",".join(map(str, sorted(port.vlans)))
                    )
                    expected.append((sw.nom, iface, salles.get(port.salle, ""),
                                     {"acces": "accès", "trunk": "trunk"}[port.mode],
                                     port.vers or "", port.description or "", vlans))  # fmt: skip
        got = []
        for r in rows:
            assert r["decrit_au_referentiel"] == "oui"
            assert r["etat"] == "non collecté"
            vl = r["vlans"].split(" ")[0] if r["mode"] == "accès" else None
            if r["mode"] == "trunk":  # "étiquetés 100,110,130-..." -> explicit list
                from amico.commutateurs.ranges import expand_ints

                vl = ",".join(map(str, sorted(expand_ints(r["vlans"].split(" ")[1]))))
            got.append((r["commutateur"], r["port"], r["salle"], r["mode"], r["vers"],
                        r["description"], vl))  # fmt: skip
        assert got == expected


def test_regeneration_is_byte_identical(demo_ref, tmp_path, state_dir):
    populate(state_dir)
    a, b = tmp_path / "a", tmp_path / "b"
    generate(demo_ref, demo_ref.sites, a)
    generate(demo_ref, demo_ref.sites, b, Options(cache=False))  # cold, no cache
    assert _tree(a) == _tree(b)
    again = generate(demo_ref, demo_ref.sites, a)  # same folder: nothing rewritten
    assert all(r.written == [] for r in again)
    cmp = filecmp.dircmp(a, b)
    assert not cmp.diff_files


def test_footer_names_commit_and_data_date(demo_ref, demo_out, ref_copy, tmp_path, state_dir):
    html = (demo_out / "0679901Y" / "index.html").read_text(encoding="utf-8")
    data = json.loads((demo_out / "0679901Y" / "dossier.json").read_text(encoding="utf-8"))
    commit = data["provenance"]["commit"]
    assert len(commit) == 40 and commit in html
    assert "aucune (référentiel seul)" in html
    # a référentiel outside git
    ref = load(ref_copy)
    out = tmp_path / "nv"
    populate(state_dir)
    generate(ref, ref.sites[:1], out)
    html = (out / "0679901Y" / "index.html").read_text(encoding="utf-8")
    assert NON_VERSIONNE in html


def test_site_never_gathered_has_missing_parts_marked(demo_ref, demo_out):
    html = (demo_out / "0689903V" / "index.html").read_text(encoding="utf-8")
    data = json.loads((demo_out / "0689903V" / "dossier.json").read_text(encoding="utf-8"))
    assert "Données manquantes" in html
    assert "aucune sauvegarde de configuration" in html
    assert "non collectés" in html
    assert any("se-0689903v" in m for m in data["manquants"])
    assert data["provenance"]["date_faits"] is None


def test_gathered_data_shows_in_the_dossier(demo_ref, tmp_path, state_dir):
    populate(state_dir)
    out = tmp_path / "out"
    generate(demo_ref, demo_ref.sites, out)
    site = out / "0679901Y"
    data = json.loads((site / "dossier.json").read_text(encoding="utf-8"))
    rows = {(r["commutateur"], r["port"]): r for r in data["brassage"]}
    port1 = rows[("sw-acces1-0679901y", "1")]
    assert port1["etat"] == "up"
    assert port1["macs"] == [{"mac": "02:00:00:00:00:07", "vlan": 100, "hote": "0679901-s101-01"}]
    assert rows[("sw-acces1-0679901y", "3")]["etat"] == "down"
    assert rows[("sw-acces2-0679901y", "1")]["collecte"] is False
    # switch config: backup dated, diff from the intended config (port 22 in the wrong VLAN)
    conf = next(c for c in data["commutateurs"] if c["nom"] == "sw-acces1-0679901y")["config"]
    assert conf["conforme"] is False and conf["date"]
    diff = (site / "configurations" / "sw-acces1-0679901y.diff").read_text(encoding="utf-8")
    assert " interface 22\n-   ; untagged 100\n" in diff and "+   ; untagged 300" in diff
    assert (site / "configurations" / "sw-acces1-0679901y.cfg").read_text().startswith("; J9776A")
    # servers
    srv = next(s for s in data["serveurs"] if s["nom"] == "se-0679901y")
    assert srv["sauvegarde"]["statut"] == "ok"
    assert srv["restauration"]["date"] == "2025-02-15"
    assert [s["nom"] for s in srv["partages"]] == ["classes", "public"]
    assert next(s for s in data["serveurs"] if s["nom"] == "nas-0679901y")["services"] is None
    # IOS backup matching the référentiel: compliant (VLANs read from "show vlan brief")
    data2 = json.loads((out / "0679902Z" / "dossier.json").read_text(encoding="utf-8"))
    conf2 = next(c for c in data2["commutateurs"] if c["nom"] == "sw-acces1-0679902z")["config"]
    assert conf2["probleme"] is None
    assert conf2["conforme"] is True, conf2["diff"]


def test_materials_age_and_flags(ref_copy, tmp_path):
    path = ref_copy / "sites" / "0679901Y.yml"
    path.write_text(path.read_text().replace("DELL 2350dn", "DELL 9999zz"), encoding="utf-8")
    ref = load(ref_copy, strict=False)
    out = tmp_path / "out"
    generate(ref, ref.sites[:1], out, Options(date_reference="2025-09-01", age_limite=10))
    data = json.loads((out / "0679901Y" / "dossier.json").read_text(encoding="utf-8"))
    postes = {(r["classe"], r["modele"]): r for r in data["materiels"]["postes"]}
    dell = postes[("PBASE", "DELL OptiPlex 390")]
    assert (dell["annee"], dell["age"], dell["nombre"]) == (2012, 13, 4)
    assert any("au-delà de 10 ans" in f for f in dell["signalements"])
    assert sum(r["nombre"] for r in data["materiels"]["postes"]) == 21
    assert postes[("PBASE", "HP 6300 MT")]["annee"] == 2013
    periph = {(r["classe"], r["modele"]): r for r in data["materiels"]["peripheriques"]}
    flags = periph[("I3", "DELL 9999zz")]["signalements"]
    assert flags == ["modèle absent de l'annexe 6 (matériel non supporté)"]
    assert periph[("I3", "DELL 9999zz")]["annee"] is None
    systems = {r["id"]: r for r in data["materiels"]["systemes"]}
    assert systems["windows_10"]["signalements"] == ["fin de support 2025-10-14"]


def test_matrix_rows_for_the_site_equipment(demo_ref, demo_out):
    data = json.loads((demo_out / "0679901Y" / "dossier.json").read_text(encoding="utf-8"))
    rows = {r["id"]: r for r in data["matrice"]}
    assert "dossiers_exploitation_reseau" in rows
    assert "reseau_equipements_actifs_maintenance" in rows
    assert "postes_peda_mco" in rows and "postes_admin_mco" in rows
    assert all(r["roles"]["A"] or r["anomalie"] for r in rows.values())
    assert data["provenance"]["phase"] == "transitoire"
    roles = {c["role"] for c in data["contacts"]}
    assert roles == {"Correspondant Éducation nationale", "AMICo"}


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli"
    code = main(["dossier", "--referentiel", str(Path(__file__).parents[2] / "referentiel"),
                 "--site", "0679901y", "--sortie", str(out)])  # fmt: skip
    assert code == 0
    assert (out / "0679901Y" / "index.html").is_file()
    assert "1 dossier(s)" in capsys.readouterr().out
    assert main(["dossier", "--referentiel", "referentiel"]) == 2  # no scope


@pytest.mark.slow
def test_html_renders_in_chromium_without_console_error(demo_ref, tmp_path, state_dir):
    from amico_lab.navigateur import chromium, render, screenshot

    if chromium() is None:
        pytest.fail("chromium absent : make system-packages")
    populate(state_dir)
    out = tmp_path / "out"
    generate(demo_ref, demo_ref.sites, out)
    for site in demo_ref.sites:
        page = render(out / site.uai / "index.html", timeout=600)  # a guard: loaded CI
        assert page.errors == [] and page.console == [], page.console
        assert "Tableau de brassage" in page.dom
        assert 'id="synoptique"' in page.dom
    shot = screenshot(out / "0679901Y" / "index.html", tmp_path / "dossier.png", timeout=600)
    assert shot.stat().st_size > 20_000


def test_batched_layout_equals_one_process_per_graph(demo_ref, tmp_path):
    from amico.dossier.synoptique import _run_dot, build_dot

    sources = [build_dot(s, {x.id: x.nom for x in s.salles}, s.nom) for s in demo_ref.sites]
    assert _run_dot(sources) == [_run_dot([src])[0] for src in sources]


def test_referentiel_commit_or_edit_rebuilds_every_dossier(ref_git, git_commit, tmp_path):
    # why demo_ref is a frozen copy: the live repository's commits and edits rebuild all
    ref = load(ref_git)
    out = tmp_path / "out"
    generate(ref, ref.sites, out)
    assert all(r.written == [] for r in generate(ref, ref.sites, out))
    (ref_git / "NOTES.txt").write_text("brouillon\n", encoding="utf-8")  # uncommitted edit
    assert all(r.written for r in generate(ref, ref.sites, out))
    html = (out / "0679901Y" / "index.html").read_text(encoding="utf-8")
    assert "modifications non commitées" in html
    git_commit(ref_git, "notes")
    assert all(r.written for r in generate(ref, ref.sites, out))
    html = (out / "0679901Y" / "index.html").read_text(encoding="utf-8")
    head = subprocess.run(["git", "-C", str(ref_git), "rev-parse", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    assert head in html and "modifications non commitées" not in html


def test_incremental_rebuilds_only_what_changed(demo_ref, tmp_path, state_dir):
    out = tmp_path / "inc"
    generate(demo_ref, demo_ref.sites, out)
    populate(state_dir)  # new gathered data for 0679901Y and 0679902Z only
    results = {r.uai: r for r in generate(demo_ref, demo_ref.sites, out)}
    assert results["0679901Y"].written and results["0679902Z"].written
    assert results["0689903V"].written == []
    fresh = tmp_path / "fresh"
    generate(demo_ref, demo_ref.sites, fresh, Options(cache=False))
    assert _tree(out) == _tree(fresh)
