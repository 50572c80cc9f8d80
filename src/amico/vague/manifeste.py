"""The supplier's delivery manifest: a CSV read as French spreadsheets export it.

Header: numero_serie,adresse_mac,modele,uai,salle,classe_materiel (order free, extra
columns ignored). Separator: comma, semicolon or tab (taken from the header line).
Encoding: UTF-8 with or without BOM, else Windows-1252 (Excel's "CSV (séparateur: point-
virgule)" on a French Windows). Reading never stops at the first problem: every line is
kept with its physical line number, and problems are returned as findings.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from amico.referentiel.findings import Finding
from amico.referentiel.mac import device_mac

COLUMNS = ("numero_serie", "adresse_mac", "modele", "uai", "salle", "classe_materiel")
HEADER = ",".join(COLUMNS)


@dataclass
class Ligne:
    """One data line of the manifest, values stripped (raw: as written)."""

    numero: int  # physical line number in the file (1 = header)
    valeurs: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifeste:
    chemin: Path
    encodage: str
    separateur: str
    lignes: list[Ligne]
    erreurs: list[Finding]  # file-level and line-shape problems


def _norm_header(name: str) -> str:
    name = unicodedata.normalize("NFKD", name.strip().strip("\ufeff")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "_", name.decode().lower()).strip("_")


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 (BOM or not) first, then Windows-1252."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "UTF-8 avec BOM"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252"), "Windows-1252"


def lire(chemin: str | Path) -> Manifeste:
    """Parse the manifest; raises only OSError (unreadable file)."""
    chemin = Path(chemin)
    raw = chemin.read_bytes()
    erreurs: list[Finding] = []

    def err(ligne: int, colonne: str | None, message: str, correction: str, valeur=None):
        loc = (colonne,) if colonne else ()
        erreurs.append(Finding(chemin, loc, message, correction, valeur, ligne=ligne))

    try:
        text, encodage = decode(raw)
    except UnicodeDecodeError as exc:  # bytes undefined in cp1252 (0x81, 0x8d...)
        err(1, None, f"encodage illisible ({exc.reason})", "enregistrer le fichier en UTF-8")
        return Manifeste(chemin, "?", ",", [], erreurs)
    lines = text.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        err(1, None, "manifeste vide", f"la première ligne doit être l'en-tête {HEADER}")
        return Manifeste(chemin, encodage, ",", [], erreurs)
    head = lines[first]
    separateur = max((";", ",", "\t"), key=head.count)
    reader = csv.reader(io.StringIO("".join(lines[first:])), delimiter=separateur)
    names = [_norm_header(h) for h in next(reader)]
    header_line = first + 1
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        err(
            header_line,
            None,
            f"colonne(s) absente(s) de l'en-tête : {', '.join(missing)}",
            f"l'en-tête attendu est {HEADER} (virgule ou point-virgule)",
            head.strip(),
        )
        return Manifeste(chemin, encodage, separateur, [], erreurs)
    dupes = sorted({n for n in names if n in COLUMNS and names.count(n) > 1})
    if dupes:
        err(header_line, None, f"colonne(s) en double : {', '.join(dupes)}",
            "ne garder qu'une colonne de chaque nom", head.strip())  # fmt: skip
        return Manifeste(chemin, encodage, separateur, [], erreurs)
    index = {c: names.index(c) for c in COLUMNS}
    lignes: list[Ligne] = []
    start = header_line
    previous_end = reader.line_num
    for row in reader:
        numero = start + previous_end  # first physical line of this record
        previous_end = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank line (or only separators), as spreadsheets leave at the end
        valeurs = {}
        for col, i in index.items():
            valeurs[col] = row[i].strip() if i < len(row) else None
        short = [c for c, v in valeurs.items() if v is None]
        if short:
            err(
                numero,
                "ligne",
                f"ligne incomplète : {len(row)} champ(s) au lieu de {len(names)} "
                f"(manque {', '.join(short)})",
                f"compléter la ligne ; séparateur du fichier : « {separateur} »",
                separateur.join(row),
            )
        lignes.append(Ligne(numero, {c: (v or "") for c, v in valeurs.items()}))
    return Manifeste(chemin, encodage, separateur, lignes, erreurs)


def normaliser_mac(text: str) -> tuple[str | None, str | None]:
    """(lowercase colon form, None) or (None, French reason): the référentiel's reader."""
    return device_mac(text)
