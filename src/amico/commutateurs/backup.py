"""Backups of running configurations: one git repository per site (Oxidized-style).

``state_dir("commutateurs", <UAI>)`` holds ``<switch>.cfg`` files; every save that changes
a file (noise filtered, see :mod:`amico.commutateurs.noise`) is one commit. Writers of the same
site (threads, Ansible forks) are serialised by an exclusive lock file.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

from amico.commutateurs.noise import filter_noise
from amico.state import state_dir

_GIT = [
    "git",
    "-c",
    "user.name=AMICo",
    "-c",
    "user.email=amico@localhost",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
]
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class BackupError(RuntimeError):
    pass


class BackupRepo:
    def __init__(self, uai: str, root: Path | None = None) -> None:
        if not re.fullmatch(r"[0-9A-Za-z_-]+", uai or ""):
            raise BackupError(f"UAI invalide pour le dépôt de sauvegardes : {uai!r}")
        self.path = root if root is not None else state_dir("commutateurs", uai)
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(
            [*_GIT, "-C", str(self.path), *args], capture_output=True, text=True, check=False
        )
        if check and proc.returncode != 0:
            raise BackupError(f"git {' '.join(args)} : {proc.stderr.strip()}")
        return proc.stdout

    @contextmanager
    def _locked(self):
        with _LOCKS_GUARD:
            tlock = _LOCKS.setdefault(str(self.path), threading.Lock())
        with tlock:
            fd = os.open(self.path / ".amico.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

    def _ensure_repo(self) -> None:
        if not (self.path / ".git").is_dir():
            self._git("init", "-q")
            (self.path / ".gitignore").write_text(".amico.lock\n", encoding="utf-8")

    def save(self, switch: str, text: str, message: str) -> str | None:
        """Write ``<switch>.cfg`` (noise filtered) and commit it; return the commit id, or
        None when the filtered configuration did not change."""
        if not re.fullmatch(r"[0-9A-Za-z_.-]+", switch):
            raise BackupError(f"nom de commutateur invalide : {switch!r}")
        content = filter_noise(text)
        with self._locked():
            self._ensure_repo()
            target = self.path / f"{switch}.cfg"
            if (
                target.exists()
                and target.read_text(encoding="utf-8") == content
                # written but never committed (e.g. disk full at commit time) is NOT saved
                and not self._git("status", "--porcelain", "--", target.name).strip()
            ):
                return None
            target.write_text(content, encoding="utf-8")
            os.chmod(target, 0o600)
            self._git("add", "--", target.name, ".gitignore")
            self._git("commit", "-q", "-m", message, "--", target.name, ".gitignore")
            return self._git("rev-parse", "HEAD").strip()

    def read(self, switch: str, revision: str = "HEAD") -> str:
        return self._git("show", f"{revision}:{switch}.cfg")

    def history(self, switch: str) -> list[str]:
        out = self._git("log", "--format=%H %s", "--", f"{switch}.cfg", check=False)
        return [line for line in out.splitlines() if line]
