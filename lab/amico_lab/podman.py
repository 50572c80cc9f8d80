"""Helpers for the podman test lab (image reference, presence, environment)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "lab" / "podman"
BUILD = LAB / "build-image.sh"
CONTAINERS_CONF = LAB / "containers.conf"


def lab_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for podman/molecule: the project's containers.conf, never /etc's."""
    env = dict(os.environ if base is None else base)
    env["CONTAINERS_CONF"] = str(CONTAINERS_CONF)
    return env


def image_ref() -> str:
    """Reference the current recipe gives (localhost/amico-debian12-systemd:<hash>)."""
    out = subprocess.run(
        ["bash", str(BUILD), "--print-ref"], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def image_present(ref: str | None = None) -> bool:
    """True when podman has the image of the current recipe (False without podman)."""
    if shutil.which("podman") is None:
        return False
    ref = ref or image_ref()
    return (
        subprocess.run(["podman", "image", "exists", ref], env=lab_env(), check=False).returncode
        == 0
    )
