"""Headless Chromium (Debian's package) for tests that open a generated HTML page.

`render()` loads a page and returns its DOM after scripts ran, the console messages
and errors; `screenshot()` writes a PNG. No network: the page is a local file or a
127.0.0.1 URL, and Chromium's background connections are switched off.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--enable-logging=stderr",
    "--v=0",
]
# Chromium logs every console message at INFO level; errors are told apart by their text.
_CONSOLE = re.compile(r':CONSOLE:\d+\] "(?P<msg>.*)", source: ')
_LEVEL_ERROR = re.compile(r"Uncaught|Error|Failed to load")


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Page:
    dom: str
    console: list[str]

    @property
    def errors(self) -> list[str]:
        return [m for m in self.console if _LEVEL_ERROR.search(m)]


def _url(target: str | Path) -> str:
    text = str(target)
    return text if "://" in text else Path(text).resolve().as_uri()


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    binary = chromium()
    if binary is None:
        raise RuntimeError("chromium introuvable : lancer lab/debian/install-packages.sh chromium")
    with tempfile.TemporaryDirectory(prefix="amico-chromium-") as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def render(target: str | Path, timeout: float = 60, wait_ms: int = 2000) -> Page:
    """DOM after scripts ran (virtual time budget) and console messages."""
    result = _run([f"--virtual-time-budget={wait_ms}", "--dump-dom", _url(target)], timeout)
    console = []
    for match in _CONSOLE.finditer(result.stderr):
        console.append(match["msg"])
    return Page(result.stdout, console)


def screenshot(target: str | Path, out: Path, size: str = "1280,2000", timeout: float = 60) -> Path:
    _run([f"--screenshot={out}", f"--window-size={size}", "--virtual-time-budget=2000",
          _url(target)], timeout)  # fmt: skip
    if not out.exists():
        raise RuntimeError(f"chromium n'a pas produit de capture : {out}")
    return out
