"""The product as an AWX execution environment installs it (issue 15).

Built here: the runtime wheel (`amico`) and the collection tarball (`amico.colleges`),
installed NON-editable into a fresh virtualenv (no system site-packages, no lab
distribution), as ansible-builder's EE would. Then, from a directory holding only a
référentiel, an inventory config, the playbooks and an ansible.cfg (an AWX project):
`amico referentiel verifier`, `ansible-inventory --graph`, and the drift — through
`amico derive` and through `ansible-playbook playbooks/derive.yml` as AWX runs it —
against the lab started from the DEVELOPMENT venv: the site's switches emulated over SSH
on 127.0.0.1, configured by AMICo's push, then a VLAN typed on one switch's CLI.

Left out: the Windows posts' stand-ins (their transport belongs to the lab distribution,
which an EE does not carry) and the servers' containers: the site's posts, server and NAS
point at a closed port of 127.0.0.1 (never the plan's addresses) and must be reported
unreachable, never silently dropped.

The dependency wheels are kept between runs in ~/.cache/amico-tests/roues (filled from the
index pip uses, like pip's own cache); the first run fills it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "derive"))
from labo import Commutateurs, ajouter_vlan_cli, surcouche  # noqa: E402

from amico.referentiel import load  # noqa: E402

pytestmark = pytest.mark.slow
UAI = "0679901Y"
INTERDITS = ("amico_lab", "fakenos", "pytest", "_pytest", "hypothesis", "molecule", "testinfra")
ROUES = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "amico-tests" / "roues"
DUREES: dict[str, float] = {}


def run(cmd, *, timeout=600, check=True, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    if check:
        assert r.returncode == 0, f"{cmd}\n{(r.stdout + r.stderr)[-4000:]}"
    return r


class chrono:
    def __init__(self, nom: str) -> None:
        self.nom = nom

    def __enter__(self):
        self.t = time.monotonic()

    def __exit__(self, *exc):
        DUREES[self.nom] = round(time.monotonic() - self.t, 1)


@pytest.fixture(scope="module")
def paquets(tmp_path_factory):
    """The runtime wheel and the collection tarball, built from this tree."""
    tmp = tmp_path_factory.mktemp("paquets")
    # a copy of what the wheel is built from: the build writes build/ and egg-info
    # next to its sources, never in the working tree
    source = tmp / "source"
    source.mkdir()
    for f in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / f, source / f)
    shutil.copytree(
        ROOT / "src", source / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__")
    )
    with chrono("roue"):
        run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, source])
    with chrono("collection"):
        run([Path(sys.executable).parent / "ansible-galaxy", "collection", "build", ROOT,
             "--output-path", tmp, "--force"])  # fmt: skip
    (roue,) = tmp.glob("amico-*.whl")
    (archive,) = tmp.glob("amico-colleges-*.tar.gz")
    return roue, archive


@pytest.fixture(scope="module")
def installe(paquets, tmp_path_factory):
    """A fresh venv with the wheel and the collection, installed as an EE does."""
    roue, archive = paquets
    tmp = tmp_path_factory.mktemp("ee")
    venv = tmp / "venv"
    with chrono("venv"):
        run([sys.executable, "-m", "venv", venv])
    pip = [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile"]
    with chrono("pip install"):
        ROUES.mkdir(parents=True, exist_ok=True)
        r = run([*pip, "--no-index", "--find-links", ROUES, roue], check=False, timeout=900)
        if r.returncode != 0:
            # first run (or new pins): the dependencies' wheels, from the index pip uses
            run([sys.executable, "-m", "pip", "wheel", "-q", "-w", ROUES, roue], timeout=900)
            for f in ROUES.glob("amico-*.whl"):
                f.unlink()
            run([*pip, "--no-index", "--find-links", ROUES, roue], timeout=900)
    collections = tmp / "collections"
    with chrono("collection install"):
        # from the EE's environment: run from this tree, ansible-galaxy would find the
        # development collection (ansible.cfg's collections_path) and install nothing;
        # its dependencies (ansible.windows...) come with the `ansible` package
        run([venv / "bin" / "ansible-galaxy", "collection", "install", "--no-deps",
             "-p", collections, archive], env=environnement(venv, collections, tmp),
            cwd=tmp)  # fmt: skip
    assert (collections / "ansible_collections" / "amico" / "colleges" / "MANIFEST.json").exists()
    return venv, collections


def environnement(venv: Path, collections: Path, tmp: Path) -> dict[str, str]:
    """The EE's environment: only the fresh venv on PATH, nothing of the dev tree."""
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    return {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "ANSIBLE_COLLECTIONS_PATH": str(collections),
        "ANSIBLE_NOCOLOR": "1",
        "AMICO_STATE_DIR": str(tmp / "etat"),
    }


def test_wheel_and_collection_carry_the_runtime_only(paquets):
    roue, archive = paquets
    noms = zipfile.ZipFile(roue).namelist()
    racines = {n.split("/")[0] for n in noms if not n.split("/")[0].endswith(".dist-info")}
    assert racines == {"amico"}, racines  # no amico_lab, no tests, no other package
    # every file the runtime reads beside its code (templates, schemas, TextFSM...) is
    # in the wheel: pyproject's package-data declares it
    donnees = {
        str(p.relative_to(ROOT / "src"))
        for p in (ROOT / "src" / "amico").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert donnees - set(noms) == set()
    with tarfile.open(archive) as tar:
        haut = {m.name.split("/")[0] for m in tar.getmembers()}
    assert haut & {"tests", "lab", "molecule", "src", ".hypothesis", "bench", ".venv"} == set()
    assert {"plugins", "roles", "playbooks", "MANIFEST.json"} <= haut


def test_runtime_imports_no_lab_nor_test_package(installe, tmp_path):
    venv, collections = installe
    script = (
        "import importlib, json, pkgutil, sys, amico\n"
        "mods = [m.name for m in pkgutil.walk_packages(amico.__path__, 'amico.')]\n"
        "for m in mods: importlib.import_module(m)\n"
        "import importlib.util as u\n"
        f"print(json.dumps({{'modules': mods, 'interdits': sorted(n for n in sys.modules "
        f"if n.split('.')[0] in {INTERDITS!r}), "
        "'lab': u.find_spec('amico_lab') is not None, "
        "'fichier': amico.__file__}))\n"
    )
    env = environnement(venv, collections, tmp_path)
    r = run([venv / "bin" / "python", "-c", script], env=env, cwd=tmp_path)
    res = json.loads(r.stdout)
    assert len(res["modules"]) > 50
    assert res["interdits"] == []
    assert res["lab"] is False
    assert "site-packages" in res["fichier"]  # non-editable: not this tree
    aide = run([venv / "bin" / "amico", "--help"], env=env, cwd=tmp_path).stdout
    assert "derive" in aide and "labo" not in aide


def projet_awx(dossier: Path, overlay: dict) -> Path:
    """What an AWX project holds: référentiel, inventory config, playbooks, ansible.cfg."""
    dossier.mkdir()
    shutil.copytree(ROOT / "referentiel", dossier / "referentiel")
    shutil.copytree(ROOT / "playbooks", dossier / "playbooks")
    shutil.copy2(ROOT / "ansible.cfg", dossier / "ansible.cfg")
    inv = dossier / "inventories" / "labo"
    inv.mkdir(parents=True)
    (inv / "colleges.amico.yml").write_text(
        f"plugin: amico.colleges.referentiel\nreferentiel: ../../referentiel\nsites: [{UAI}]\n",
        encoding="utf-8",
    )
    shutil.copy2(overlay, inv / "labo.yml")
    assert not (dossier / "roles").exists()  # the roles come from the installed collection
    return dossier


def constats(dossier: Path) -> set[tuple]:
    r = json.loads((dossier / "resultat.json").read_text(encoding="utf-8"))
    return {(e["hote"], e["regle"], e["objet"], e["statut"], e["attendu"], e["trouve"])
            for e in r["ecarts"]}  # fmt: skip


def test_awx_project_from_the_installed_collection(installe, tmp_path):
    venv, collections = installe
    bin_ = venv / "bin"
    env = environnement(venv, collections, tmp_path)
    ref = load(ROOT / "referentiel")
    site = next(s for s in ref.sites if s.uai == UAI)
    serveurs = [s.nom for s in site.serveurs if s.role in ("serveur_pedagogique", "nas")]
    # the Académie's administrative posts are never handed to the collectivité's runs
    postes = [p.nom for p in site.postes if p.usage == "pedagogique"]
    assert serveurs and postes

    sw = Commutateurs(ref, UAI, tmp_path / "commutateurs")  # the lab: development venv
    try:
        with chrono("labo"):
            sw.start()
        chemin = surcouche(tmp_path / "surcouche.yml", sw, {}, None)
        data = yaml.safe_load(chemin.read_text(encoding="utf-8"))
        for n in [*serveurs, *postes]:  # a closed port of 127.0.0.1
            data["all"]["hosts"][n] = {"ansible_host": "127.0.0.1", "ansible_port": 9}
        chemin.write_text(yaml.safe_dump(data), encoding="utf-8")
        projet = projet_awx(tmp_path / "projet", chemin)

        r = run([bin_ / "amico", "referentiel", "verifier", "referentiel"], env=env, cwd=projet)
        assert "Référentiel valide" in r.stdout
        g = run([bin_ / "ansible-inventory", "-i", "inventories/labo", "--graph"],
                env=env, cwd=projet).stdout  # fmt: skip
        assert f"@site_{UAI.lower()}:" in g
        for h in [*sw.intents, *serveurs, *postes]:
            assert h in g

        sw_nom = "sw-acces2-0679901y"
        ajouter_vlan_cli(sw.target(sw_nom), "aruba", 666, "BRICOLAGE")
        attendus = {
            (sw_nom, "commutateur.vlan", "VLAN 666", "non conforme",
             "absent (hors plan d'adressage du site)", "présent (BRICOLAGE)"),
        } | {
            (n, "hote.joignable", "collecte", "injoignable", "joignable", "injoignable")
            for n in [*serveurs, *postes]
        }  # fmt: skip

        # 1. the CLI, from the project directory (its default: the current directory)
        with chrono("amico derive"):
            d = run([bin_ / "amico", "derive", "--site", UAI, "-i", "inventories/labo",
                     "--sortie", tmp_path / "cli"], env=env, cwd=projet, check=False)  # fmt: skip
        assert d.returncode == 1, (d.stdout + d.stderr)[-4000:]
        assert constats(tmp_path / "cli") == attendus, (d.stdout + d.stderr)[-4000:]
        n_inj = len(serveurs) + len(postes)
        assert f"({len(sw.intents) - 1} conforme, 1 non conforme, {n_inj} injoignable)" in d.stdout

        # 2. as AWX runs it (the job template's extra vars, as playbooks/derive.yml says):
        # the project's playbook, then the merge as a separate step
        awx = tmp_path / "awx"
        extra = {"amico_derive_dossier": str(awx), "amico_derive_sites": [UAI]}
        with chrono("ansible-playbook derive.yml"):
            run([bin_ / "ansible-playbook", "playbooks/derive.yml", "-i", "inventories/labo",
                 "-e", json.dumps(extra)], env=env, cwd=projet)  # fmt: skip
        f = run([bin_ / "amico", "derive", "--fusionner", awx, "--sans-historique"],
                env=env, cwd=projet, check=False)  # fmt: skip
        assert f.returncode == 1, f.stdout + f.stderr
        assert constats(awx) == attendus
    finally:
        sw.stop()
        print(f"durées (s) : {DUREES}", file=sys.stderr)
