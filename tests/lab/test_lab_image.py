"""The lab image recipe: its tag follows the recipe, and the project config is used."""

import shutil
import subprocess
from pathlib import Path

from amico_lab import podman

ROOT = Path(__file__).resolve().parents[2]


def test_image_ref_is_a_hash_of_the_recipe(tmp_path):
    ref = podman.image_ref()
    assert ref.startswith("localhost/amico-debian12-systemd:")
    tag = ref.rsplit(":", 1)[1]
    assert len(tag) == 12 and all(c in "0123456789abcdef" for c in tag)
    # Same recipe in another place, one package more: another tag (hence a rebuild).
    copie = tmp_path / "podman"
    shutil.copytree(ROOT / "lab/podman", copie)
    same = subprocess.run(
        ["bash", str(copie / "build-image.sh"), "--print-ref"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert same == ref
    with (copie / "packages.txt").open("a") as f:
        f.write("htop\n")
    other = subprocess.run(
        ["bash", str(copie / "build-image.sh"), "--print-ref"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert other != ref


def test_lab_env_points_at_the_project_containers_conf():
    env = podman.lab_env({"PATH": "/usr/bin"})
    assert env["CONTAINERS_CONF"] == str(ROOT / "lab/podman/containers.conf")
    conf = (ROOT / "lab/podman/containers.conf").read_text()
    assert 'runtime = "runc"' in conf and "nofile=1024:1024" in conf


def test_role_packages_are_baked_into_the_image():
    """Every package the server roles install is pre-installed: converge stays fast and
    offline."""
    from amico.derive.attendu import roles_serveur

    paquets = roles_serveur()["paquets"]
    lab = {
        line.split("#")[0].strip()
        for line in (ROOT / "lab/podman/packages.txt").read_text().splitlines()
    } - {""}
    assert paquets and set(paquets) <= lab
