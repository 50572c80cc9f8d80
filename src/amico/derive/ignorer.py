"""The ignore list: known deviations silenced with a reason and an expiry date.

YAML file (default `$AMICO_STATE_DIR/derive/ignorer.yml`, or `amico derive --ignorer F`):

    ignorer:
      - regle: poste.fin_de_vie        # rule id, or a shell-style pattern (poste.*)
        objet: windows_10              # optional: the checked object (pattern)
        site: 0679901Y                 # optional: UAI (pattern)
        hote: "0679901-s101-*"        # optional: host name (pattern)
        raison: Migration vers Windows 11 planifiée à l'été 2027
        expire: 2027-09-01

An entry needs a reason, an expiry date and at least one of regle/site/hote. A matching
finding keeps its status (history and report still show it) and gains `ignore` (reason,
expiry); it no longer counts as a deviation (exit code, compliance). An expired entry
silences nothing and is listed in the report.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from amico.derive.modele import CONFORME, REGLES

CLES = {"regle", "objet", "site", "hote", "raison", "expire"}


class IgnorerInvalide(ValueError):
    """The ignore list cannot be used (message in French, every error at once)."""


@dataclass(frozen=True)
class Ignore:
    raison: str
    expire: dt.date
    regle: str | None = None
    objet: str | None = None
    site: str | None = None
    hote: str | None = None
    ligne: int = 0

    def couvre(self, uai: str, hote: str, c: dict[str, Any]) -> bool:
        for motif, valeur in (
            (self.regle, c["regle"]),
            (self.objet, c["objet"]),
            (self.site, uai),
            (self.hote, hote),
        ):
            if motif is not None and not fnmatch.fnmatchcase(str(valeur), str(motif)):
                return False
        return True

    def en_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("regle", "objet", "site", "hote", "raison")}
        d["expire"] = self.expire.isoformat()
        return {k: v for k, v in d.items() if v is not None}


def charger(chemin: str | Path | None) -> list[Ignore]:
    """Entries of the file (none when the path is None or the file absent)."""
    if chemin is None or not Path(chemin).exists():
        return []
    texte = Path(chemin).read_text(encoding="utf-8")
    try:
        brut = yaml.safe_load(texte) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date
        raise IgnorerInvalide(f"{chemin} : YAML illisible : {exc}") from exc
    return depuis_donnees(brut, str(chemin))


def depuis_donnees(brut: Any, ou: str = "liste d'ignorés") -> list[Ignore]:
    if not isinstance(brut, dict) or not isinstance(brut.get("ignorer", []), list):
        raise IgnorerInvalide(f"{ou} : une clé « ignorer » contenant une liste est attendue")
    erreurs, out = [], []
    for i, e in enumerate(brut.get("ignorer") or [], start=1):
        lieu = f"{ou} : entrée {i}"
        if not isinstance(e, dict):
            erreurs.append(f"{lieu} : un dictionnaire est attendu")
            continue
        inconnues = sorted(set(e) - CLES)
        if inconnues:
            erreurs.append(f"{lieu} : clé(s) inconnue(s) {', '.join(inconnues)}")
        if not str(e.get("raison") or "").strip():
            erreurs.append(f"{lieu} : « raison » obligatoire (pourquoi cet écart est admis)")
        expire = e.get("expire")
        if isinstance(expire, str):
            try:
                expire = dt.date.fromisoformat(expire)
            except ValueError:
                expire = None
        if not isinstance(expire, dt.date):
            erreurs.append(f"{lieu} : « expire » obligatoire, date AAAA-MM-JJ")
        if not any(e.get(k) for k in ("regle", "site", "hote")):
            erreurs.append(f"{lieu} : préciser au moins « regle », « site » ou « hote »")
        regle = e.get("regle")
        if regle and not any(fnmatch.fnmatchcase(r, str(regle)) for r in REGLES):
            erreurs.append(
                f"{lieu} : règle « {regle} » inconnue (règles : {', '.join(sorted(REGLES))})"
            )
        if erreurs and erreurs[-1].startswith(lieu):
            continue
        out.append(
            Ignore(
                raison=str(e["raison"]).strip(),
                expire=expire,
                regle=str(regle) if regle else None,
                objet=str(e["objet"]) if e.get("objet") is not None else None,
                site=str(e["site"]).upper() if e.get("site") else None,
                hote=str(e["hote"]) if e.get("hote") else None,
                ligne=i,
            )
        )
    if erreurs:
        raise IgnorerInvalide("\n".join(erreurs))
    return out


def appliquer(
    ignores: list[Ignore], uai: str, hote: str, constats: list[dict], aujourd_hui: dt.date
) -> None:
    """Mark each non-conforme finding covered by a valid entry (in place)."""
    valides = [i for i in ignores if i.expire >= aujourd_hui]
    for c in constats:
        if c["statut"] == CONFORME:
            continue
        for i in valides:
            if i.couvre(uai, hote, c):
                c["ignore"] = {"raison": i.raison, "expire": i.expire.isoformat()}
                break


def expires(ignores: list[Ignore], aujourd_hui: dt.date) -> list[dict]:
    return [i.en_dict() for i in ignores if i.expire < aujourd_hui]
