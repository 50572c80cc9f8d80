"""The spool: helpdesk operations not yet delivered, one JSON file each, written
atomically (temporary file + fsync + rename), replayed in order, never lost.

Layout under the spool directory (default state_dir("guichet", "spool"); on AWX it must
be a persistent volume, since a job's container is thrown away):
    <ns>-<seq>-<op id>.json   pending operations, replayed in name order
    rejets/                   operations GLPI refused as invalid (4xx): kept, reported,
                              not blocking the queue; `amico guichet vider --rejets` retries
    quarantaine/              files that are not a valid operation (truncated, not an
                              object, unknown op): moved aside on sight, counted and named
                              by `amico guichet etat`, never blocking the others
    .verrou                   lock file (fcntl) serialising runs on one controller
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from amico.guichet.ops import check_op
from amico.state import state_dir

_SEQ = itertools.count()


def default_spool_dir() -> Path:
    return state_dir("guichet", "spool")


class LockTimeout(TimeoutError):
    pass


class Spool:
    def __init__(self, directory: str | Path | None = None):
        self.dir = Path(directory) if directory else default_spool_dir()
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.rejects = self.dir / "rejets"
        self.quarantine_dir = self.dir / "quarantaine"

    # ---- writing ------------------------------------------------------------------
    def _write(self, folder: Path, op: dict) -> Path:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        name = f"{time.time_ns():020d}-{os.getpid():07d}-{next(_SEQ):06d}-{op['id']}.json"
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(op, fh, ensure_ascii=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, folder / name)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        return folder / name

    def add(self, ops: list[dict]) -> list[Path]:
        return [self._write(self.dir, op) for op in ops]

    def reject(self, path: Path, op: dict, error: str) -> None:
        self._write(self.rejects, {**op, "erreur": error})
        path.unlink(missing_ok=True)

    # ---- reading ------------------------------------------------------------------
    def _list(self, folder: Path) -> list[tuple[Path, dict]]:
        if not folder.is_dir():
            return []
        out = []
        for p in sorted(folder.glob("*.json")):
            try:
                raw = p.read_bytes()
            except FileNotFoundError:
                continue  # delivered or moved by another reader meanwhile
            try:
                op = json.loads(raw.decode("utf-8"))
                reason = check_op(op)
            except (UnicodeDecodeError, ValueError, RecursionError) as e:
                op, reason = None, f"JSON illisible ({type(e).__name__} : {str(e)[:120]})"
            if reason is not None:
                # Files only appear by rename once complete: a bad one is damage, not a
                # write in progress. Move it aside so it neither blocks nor hides the rest.
                self._quarantine(p, reason)
                continue
            out.append((p, op))
        return out

    def _quarantine(self, path: Path, reason: str) -> None:
        self.quarantine_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self.quarantine_dir / path.name
        with contextlib.suppress(FileNotFoundError):
            os.replace(path, target)
            (self.quarantine_dir / (path.name + ".raison")).write_text(
                reason + "\n", encoding="utf-8"
            )

    def quarantined(self) -> list[tuple[Path, str]]:
        """Malformed files moved aside, with the reason (French)."""
        if not self.quarantine_dir.is_dir():
            return []
        out = []
        for p in sorted(self.quarantine_dir.glob("*.json")):
            why = p.with_name(p.name + ".raison")
            try:
                reason = why.read_text(encoding="utf-8").strip()
            except OSError:
                reason = "raison inconnue"
            out.append((p, reason))
        return out

    def pending(self) -> list[tuple[Path, dict]]:
        return self._list(self.dir)

    def rejected(self) -> list[tuple[Path, dict]]:
        return self._list(self.rejects)

    def requeue_rejects(self) -> int:
        n = 0
        for p, op in self.rejected():
            op.pop("erreur", None)
            self._write(self.dir, op)
            p.unlink(missing_ok=True)
            n += 1
        return n

    # ---- lock ---------------------------------------------------------------------
    @contextlib.contextmanager
    def locked(self, timeout: float = 60.0) -> Iterator[None]:
        fh = open(self.dir / ".verrou", "a+")  # noqa: SIM115
        try:
            end = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= end:
                        raise LockTimeout(f"Spool GLPI verrouillé ({self.dir})") from None
                    time.sleep(0.05)
            yield
        finally:
            fh.close()
