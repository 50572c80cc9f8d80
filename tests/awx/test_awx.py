"""AWX readiness: the collection builds and installs, its inventory plugin works from the
installed collection (as an AWX inventory source), the execution environment's build
context is produced and pins what pyproject.toml pins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def run(*cmd: str, cwd: Path = REPO, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed_collection(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    run(str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(out))
    (tarball,) = out.glob("amico-colleges-*.tar.gz")
    with tarfile.open(tarball) as tar:
        names = set(tar.getnames())
    assert "plugins/inventory/referentiel.py" in names
    assert "meta/runtime.yml" in names
    assert not any(n.startswith((".venv", "tests/", "collections/")) for n in names)
    dest = tmp_path_factory.mktemp("collections")
    # --force: from the project, the collection is already "installed" through the
    # collections/ symlink, and ansible-galaxy would skip the install
    run(str(BIN / "ansible-galaxy"), "collection", "install", "--force", str(tarball),
        "-p", str(dest))  # fmt: skip
    return dest


def test_inventory_plugin_from_the_installed_collection(installed_collection, tmp_path):
    # as AWX does: a project checkout elsewhere, the collection from its install path
    config = tmp_path / "source.amico.yml"
    config.write_text(
        yaml.safe_dump(
            {"plugin": "amico.colleges.referentiel", "referentiel": str(REPO / "referentiel")}
        )
    )
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(installed_collection),
        ANSIBLE_INVENTORY_ENABLED="amico.colleges.referentiel",
        ANSIBLE_INVENTORY_UNPARSED_FAILED="true",
    )
    env.pop("ANSIBLE_CONFIG", None)
    result = run(str(BIN / "ansible-inventory"), "-i", str(config), "--list", cwd=tmp_path, env=env)
    inventory = json.loads(result.stdout)
    assert "postes_pedagogiques" in inventory
    assert len(inventory["_meta"]["hostvars"]) > 30
    doc = run(str(BIN / "ansible-doc"), "-t", "inventory", "amico.colleges.referentiel",
              cwd=tmp_path, env=env)  # fmt: skip
    assert "référentiel" in doc.stdout


def test_execution_environment_context(tmp_path):
    run(str(BIN / "ansible-builder"), "create", "--file", str(REPO / "execution-environment.yml"),
        "--context", str(tmp_path / "context"),
        # builder names the file after the runtime it finds; podman may not be installed yet
        "--output-filename", "Containerfile")  # fmt: skip
    containerfile = (tmp_path / "context" / "Containerfile").read_text()
    assert "ansible-core==2.19.14" in containerfile or "ansible-core==2.19.14" in " ".join(
        p.read_text() for p in (tmp_path / "context").rglob("*.txt")
    )
    assert (tmp_path / "context" / "_build" / "amico" / "src" / "amico" / "__init__.py").exists()
    assert (tmp_path / "context" / "_build" / "requirements.yml").exists()


def test_execution_environment_pins_match_pyproject():
    ee = yaml.safe_load((REPO / "execution-environment.yml").read_text())
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    pins = {d.split("==")[0].lower(): d for d in project["dependencies"]}
    assert ee["dependencies"]["ansible_core"]["package_pip"] == pins["ansible-core"]
    runtime = {k: v for k, v in pins.items() if k not in ("ansible", "ansible-core")}
    assert sorted(ee["dependencies"]["python"]) == sorted(runtime.values())
    dev = {d.split("==")[0]: d for d in project["optional-dependencies"]["dev"]}
    assert ee["dependencies"]["ansible_runner"]["package_pip"] == dev["ansible-runner"]


def test_collection_requirements_match_the_bundled_versions():
    wanted = yaml.safe_load((REPO / "collections/requirements.yml").read_text())["collections"]
    listed = run(str(BIN / "ansible-galaxy"), "collection", "list", "--format", "json").stdout
    bundled = {}
    for path_entries in json.loads(listed).values():
        for name, info in path_entries.items():
            bundled.setdefault(name, info["version"])
    for entry in wanted:
        assert bundled.get(entry["name"]) == entry["version"], entry
