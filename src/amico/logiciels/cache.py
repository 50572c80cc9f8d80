"""Feeding each site's software cache share: checksums, bandwidth limit, resumable copies.

`synchroniser` copies the catalog's installers from a source (a folder, or an http(s) URL
such as a loopback mirror) into a destination folder (the pedagogical server's
`logiciels` share, mounted on the controller). A partial copy lives in
`<destination>/.partiel/<fichier>.part` and is resumed from its size on the next run
(HTTP Range for URLs). Every file is verified against the catalog's sha256 before it
replaces the cached one; a file already cached with the right sha256 is not copied
again. Licensed (proprietary) installers never enter git: the destination must not be
inside a git work tree.
"""

from __future__ import annotations

import hashlib
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOC = 64 * 1024


class CacheError(RuntimeError):
    pass


@dataclass
class Bilan:
    copies: list[str] = field(default_factory=list)
    deja_presents: list[str] = field(default_factory=list)
    repris: list[str] = field(default_factory=list)
    erreurs: dict[str, str] = field(default_factory=dict)
    sans_empreinte: list[str] = field(default_factory=list)
    octets: int = 0


def manifeste(catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    """Installers the catalog references: fichier, sha256, licence."""
    vus, sortie = set(), []
    for e in catalogue.get("logiciels") or []:
        inst = e.get("installation") or {}
        f = inst.get("fichier")
        if f and f not in vus:
            vus.add(f)
            sortie.append(
                {
                    "id": e.get("id"),
                    "fichier": f,
                    "sha256": inst.get("sha256"),
                    "licence": e.get("licence"),
                }
            )
    return sortie


def sha256_fichier(chemin: Path) -> str:
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def _dans_git(chemin: Path) -> bool:
    p = chemin.resolve()
    return any((q / ".git").exists() for q in (p, *p.parents))


class _Limiteur:
    """Token bucket: at most `debit` bytes per second on average (None: unlimited)."""

    def __init__(self, debit: int | None):
        self.debit = debit
        self.debut = time.monotonic()
        self.total = 0

    def consommer(self, n: int) -> None:
        if not self.debit:
            return
        self.total += n
        attendu = self.total / self.debit
        ecart = attendu - (time.monotonic() - self.debut)
        if ecart > 0:
            time.sleep(ecart)


def _ouvrir(source: str, fichier: str, depuis: int):
    if source.startswith(("http://", "https://")):
        url = source.rstrip("/") + "/" + urllib.request.quote(fichier)
        req = urllib.request.Request(url, headers={"Range": f"bytes={depuis}-"} if depuis else {})
        rep = urllib.request.urlopen(req, timeout=60)  # noqa: S310 - URL from the admin's config
        if depuis and rep.status != 206:
            rep.close()  # the server ignored Range: restart from zero
            return urllib.request.urlopen(url, timeout=60), 0  # noqa: S310
        return rep, depuis
    f = open(Path(source) / fichier, "rb")  # noqa: SIM115 - closed by the caller
    f.seek(depuis)
    return f, depuis


def synchroniser(
    entrees: list[dict[str, Any]],
    source: str,
    destination: str | Path,
    *,
    debit_max_octets: int | None = None,
    accepter_sans_empreinte: bool = False,
    limite_octets_par_fichier: int | None = None,
) -> Bilan:
    """Copy missing/changed installers; `limite_octets_par_fichier` simulates an interruption."""
    dest = Path(destination)
    if _dans_git(dest):
        raise CacheError(
            f"{dest} est dans un dépôt git : les installeurs (sous licence) n'y entrent jamais"
        )
    dest.mkdir(parents=True, exist_ok=True)
    partiel = dest / ".partiel"
    partiel.mkdir(exist_ok=True)
    bilan = Bilan()
    limiteur = _Limiteur(debit_max_octets)
    for e in entrees:
        fichier, attendu = e["fichier"], (e.get("sha256") or "").lower() or None
        if attendu is None:
            bilan.sans_empreinte.append(fichier)
            if not accepter_sans_empreinte:
                bilan.erreurs[fichier] = "aucune empreinte sha256 au catalogue : copie refusée"
                continue
        final = dest / fichier
        if final.is_file() and attendu and sha256_fichier(final) == attendu:
            bilan.deja_presents.append(fichier)
            continue
        part = partiel / (fichier + ".part")
        depuis = part.stat().st_size if part.is_file() else 0
        try:
            flux, depuis = _ouvrir(source, fichier, depuis)
        except OSError as exc:
            bilan.erreurs[fichier] = f"source illisible : {exc}"
            continue
        if depuis:
            bilan.repris.append(fichier)
        ecrits = 0
        try:
            with flux, open(part, "ab" if depuis else "wb") as sortie:
                while True:
                    bloc = flux.read(BLOC)
                    if not bloc:
                        break
                    if (
                        limite_octets_par_fichier is not None
                        and ecrits + len(bloc) > limite_octets_par_fichier
                    ):
                        bloc = bloc[: limite_octets_par_fichier - ecrits]
                        sortie.write(bloc)
                        bilan.octets += len(bloc)
                        raise CacheError("transfert interrompu")
                    sortie.write(bloc)
                    ecrits += len(bloc)
                    bilan.octets += len(bloc)
                    limiteur.consommer(len(bloc))
        except (OSError, CacheError) as exc:
            bilan.erreurs[fichier] = f"{exc} (reprise au prochain passage)"
            continue
        if attendu and sha256_fichier(part) != attendu:
            part.unlink()
            bilan.erreurs[fichier] = "empreinte sha256 différente du catalogue : fichier rejeté"
            continue
        final.parent.mkdir(parents=True, exist_ok=True)
        part.replace(final)
        bilan.copies.append(fichier)
    return bilan
