"""The state directory: everything runs keep between runs lives under one root.

Layout (documented in README.md, "Répertoire d'état"):
    commutateurs/<UAI>/      git repository of switch running-config backups (one per site)
    derive/historique.sqlite drift history
    derive/executions/<id>/  one folder per drift run (unique id, see nouvelle_execution)
    guichet/spool/           helpdesk (GLPI) calls not yet delivered
    vagues/                  equipment wave state
    verrous/                 run locks (see verrou)
    cache/                   inventory plugin cache

This module is the one place that resolves the root, creates run folders, takes run locks
and turns an unusable state directory into a French message. Other modules that need a
lock on shared state call `verrou(...)` (e.g. the GLPI spool may use
``verrou("guichet-spool", attente=60)``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ENV_VAR = "AMICO_STATE_DIR"
DEFAULT = Path.home() / ".local" / "state" / "amico"

# errno -> why, in the words of the user; these are the faults of the place, not of AMICo
RAISONS = {
    errno.EROFS: "système de fichiers en lecture seule",
    errno.EACCES: "droits insuffisants",
    errno.EPERM: "opération non permise",
    errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota de disque dépassé",
    errno.ENOTDIR: "un fichier occupe la place d'un dossier",
    errno.EEXIST: "un fichier occupe la place d'un dossier",
    errno.EIO: "erreur d'entrée/sortie du disque",
}


class EtatInutilisable(OSError):
    """The state directory (or a file under it) cannot be written; message in French."""

    def __str__(self) -> str:
        return str(self.strerror)


class VerrouOccupe(RuntimeError):
    """Another run holds the lock of a shared state; message in French (who, since when)."""


def racine() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT)


def raison(exc: OSError) -> str:
    return RAISONS.get(exc.errno, exc.strerror or type(exc).__name__)


def message_erreur_fs(exc: OSError) -> str | None:
    """French message for a file-system fault of the environment, None for other errors."""
    if isinstance(exc, EtatInutilisable):
        return str(exc)
    if exc.errno not in RAISONS:
        return None
    chemin = exc.filename or "?"
    try:
        sous_etat = Path(chemin).resolve().is_relative_to(racine().resolve())
    except (OSError, ValueError):
        sous_etat = False
    if sous_etat:
        return _message_etat(Path(chemin), raison(exc))
    return (
        f"impossible d'écrire {chemin} : {raison(exc)} ; "
        "libérer de la place ou choisir un emplacement accessible en écriture"
    )


def _message_etat(chemin: Path, pourquoi: str) -> str:
    return (
        f"répertoire d'état AMICo inutilisable : {chemin} ({pourquoi}) ; "
        f"racine : {racine()} (variable {ENV_VAR}, défaut {DEFAULT}). "
        "Libérer de la place, rendre ce répertoire accessible en écriture ou pointer "
        f"{ENV_VAR} vers un répertoire qui l'est."
    )


def state_dir(*parts: str, create: bool = True) -> Path:
    """Return a folder under the state root (AMICO_STATE_DIR, else ~/.local/state/amico).

    With create: the folder exists and is writable afterwards, else EtatInutilisable.
    """
    path = racine().joinpath(*parts)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise EtatInutilisable(
                exc.errno or errno.EIO, _message_etat(path, raison(exc)), str(path)
            ) from None
        # mkdir of an existing folder succeeds on a read-only file system: ask the kernel
        # (access(2) reports EROFS even to root; a chmod'ed folder stays writable for root)
        if not os.access(path, os.W_OK | os.X_OK):
            pourquoi = RAISONS[errno.EROFS] if _lecture_seule(path) else RAISONS[errno.EACCES]
            raise EtatInutilisable(errno.EACCES, _message_etat(path, pourquoi), str(path))
    return path


def diagnostic_lieu(chemin: Path) -> str | None:
    """Why nothing can be written at `chemin` (nearest existing folder): full, read-only,
    or None when the place itself looks fine. For errors that come back as text (git)."""
    p = Path(chemin)
    while not p.exists() and p != p.parent:
        p = p.parent
    try:
        st = os.statvfs(p)
    except OSError:
        return None
    if st.f_flag & os.ST_RDONLY:
        return RAISONS[errno.EROFS]
    if st.f_bavail == 0 or (st.f_files and st.f_favail == 0):
        return RAISONS[errno.ENOSPC]
    return None


def _lecture_seule(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def nouvelle_execution(*parts: str) -> Path:
    """A new run folder under state_dir(*parts), unique even for runs started in the same
    second (time, PID and a random part; created atomically: never shared)."""
    parent = state_dir(*parts)
    horodatage = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for _ in range(20):
        ident = f"{horodatage}-{os.getpid()}-{secrets.token_hex(3)}"
        try:
            (parent / ident).mkdir(mode=0o700)
        except FileExistsError:
            continue
        except OSError as exc:
            raise EtatInutilisable(
                exc.errno or errno.EIO, _message_etat(parent / ident, raison(exc)), str(parent)
            ) from None
        return parent / ident
    raise EtatInutilisable(errno.EEXIST, _message_etat(parent, "identifiants épuisés"))


def _commande() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv else ["?"]
    return " ".join(argv)[:200]


@contextlib.contextmanager
def verrou(nom: str, quoi: str, attente: float = 0.0) -> Iterator[Path]:
    """Hold the run lock `nom` (file state_dir("verrous")/<nom>.lock, fcntl) while the block
    writes shared state. `quoi` names that state for the message. Another run holding it:
    wait up to `attente` seconds, then VerrouOccupe saying who holds it and since when.
    The kernel drops the lock when the holder dies: no stale lock to clean by hand."""
    chemin = state_dir("verrous") / f"{nom}.lock"
    try:
        fd = os.open(chemin, os.O_CREAT | os.O_RDWR, 0o600)
    except OSError as exc:
        raise EtatInutilisable(
            exc.errno or errno.EIO, _message_etat(chemin, raison(exc)), str(chemin)
        ) from None
    try:
        fin = time.monotonic() + attente
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= fin:
                    raise VerrouOccupe(_message_verrou(chemin, quoi)) from None
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        info = {"pid": os.getpid(), "commande": _commande(), "depuis": _maintenant()}
        os.pwrite(fd, json.dumps(info, ensure_ascii=False).encode("utf-8"), 0)
        yield chemin
    finally:
        os.close(fd)  # closing releases the flock


def _maintenant() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _message_verrou(chemin: Path, quoi: str) -> str:
    try:
        info = json.loads(chemin.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    qui = (
        f"« {info.get('commande', '?')} » (PID {info.get('pid', '?')}, "
        f"depuis {info.get('depuis', '?')})"
        if info
        else "une autre exécution"
    )
    return (
        f"{quoi} est en cours d'écriture par une autre exécution : {qui} tient le verrou "
        f"{chemin}. Attendre la fin de cette exécution puis relancer (rien n'a été modifié)."
    )
