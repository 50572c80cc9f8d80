"""What `amico referentiel verifier` must say about the software catalogue before any run.

The compiled `Catalogue` refuses a broken regex only when a run loads it (issue 13.8:
"passes the check and fails at run time"); these checks report it up front, with the
entry, the faulty value and the `re` error, plus the warnings whose horizon is a date
(end of life within the next months). Input is the raw dict of
`referentiel/catalogue/logiciels.yml`; each problem carries its key path so the
référentiel's findings can resolve the file line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

# `amico referentiel verifier` warns this many days before an entry's end of life.
PREAVIS_FIN_DE_VIE_JOURS = 183  # six months


@dataclass(frozen=True, slots=True)
class Probleme:
    chemin: tuple[str | int, ...]
    message: str
    correction: str
    valeur: object = None
    gravite: str = "erreur"  # erreur | avertissement


def date_fin_de_vie(valeur: object) -> dt.date | None:
    """An end-of-life date as YAML gives it (date object or ISO text); None when absent."""
    if valeur in (None, ""):
        return None
    if isinstance(valeur, dt.datetime):
        return valeur.date()
    if isinstance(valeur, dt.date):
        return valeur
    try:
        return dt.date.fromisoformat(str(valeur))
    except ValueError:
        return None


def problemes_catalogue(brut: dict[str, Any], aujourdhui: dt.date | None = None) -> list[Probleme]:
    """Every problem of the catalogue a check must report (errors first in file order)."""
    jour = aujourdhui or dt.date.today()
    out: list[Probleme] = []
    for i, entree in enumerate(brut.get("logiciels") or []):
        if not isinstance(entree, dict):
            continue
        ident = entree.get("id")
        for j, regle in enumerate(entree.get("detection") or []):
            if not isinstance(regle, dict) or regle.get("type") != "desinstallation":
                continue
            if not regle.get("nom") and not regle.get("cle"):
                out.append(
                    Probleme(
                        ("logiciels", i, "detection", j),
                        f"logiciel {ident} : règle desinstallation sans « nom » ni « cle »",
                        "donner « nom » (regex du DisplayName) ou « cle » (regex du nom de "
                        "la clé Uninstall)",
                        ident,
                    )
                )
            for champ in ("nom", "cle"):
                motif = regle.get(champ)
                if motif in (None, ""):
                    continue
                try:
                    re.compile(str(motif), re.IGNORECASE)
                except re.error as exc:
                    out.append(
                        Probleme(
                            ("logiciels", i, "detection", j, champ),
                            f"logiciel {ident} : expression régulière invalide ({exc})",
                            "corriger l'expression (syntaxe Python `re`, insensible à la "
                            "casse ; échapper les caractères spéciaux comme ( ) [ ] + ?)",
                            motif,
                        )
                    )
        cycle = entree.get("cycle_de_vie") or {}
        fin = date_fin_de_vie(cycle.get("fin_de_vie"))
        if fin is None or cycle.get("statut") != "supporte":
            continue
        reste = (fin - jour).days
        if 0 < reste <= PREAVIS_FIN_DE_VIE_JOURS:
            out.append(
                Probleme(
                    ("logiciels", i, "cycle_de_vie", "fin_de_vie"),
                    f"logiciel {ident} : fin de vie le {fin.isoformat()} (dans {reste} jours) ;"
                    " ses postes passeront en « fin de vie » à cette date",
                    "préparer le remplacement (cycle_de_vie.remplace_par) et le déploiement "
                    "avant cette date",
                    ident,
                    gravite="avertissement",
                )
            )
    return out
