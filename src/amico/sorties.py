"""Values written into files other programs interpret: CSV opened by a spreadsheet, JSON
embedded in an HTML page. Text from the référentiel, from a switch or from a post is data;
these functions keep it data whatever it contains.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

# A spreadsheet evaluates a cell that starts with one of these as a formula (OWASP "CSV
# injection": `=HYPERLINK(...)`, `+cmd|' /C calc'!A0`, `@SUM(...)`); tab and CR start one
# too in some importers.
_FORMULE = ("=", "+", "-", "@", "\t", "\r")
_NOMBRE = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


def cellule_csv(valeur: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a leading `'` before a formula start.

    Numbers (and numeric text such as `-5`) are left as they are: they are not formulas."""
    if isinstance(valeur, str) and valeur.startswith(_FORMULE) and not _NOMBRE.fullmatch(valeur):
        return "'" + valeur
    return valeur


def texte_csv(entete: list[str], lignes: list[list], separateur: str = ";") -> str:
    """A whole CSV file, every cell through :func:`cellule_csv`.

    CRLF line ends (RFC 4180, what spreadsheets expect): the writer then quotes any cell
    holding a CR or an LF; with a bare LF terminator it leaves a lone CR unquoted, and a
    reader in universal-newline mode splits the row there (a forged row)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=separateur, lineterminator="\r\n")
    writer.writerow([cellule_csv(c) for c in entete])
    writer.writerows([cellule_csv(c) for c in ligne] for ligne in lignes)
    return buf.getvalue()


def json_pour_html(donnees: Any) -> str:
    """JSON for a `<script type="application/json">` element: `<`, `>`, `&` and `'` as
    `\\u` escapes, so no value (a VLAN named `<!--<script>` read on a switch, a host name
    with `</script>`) can end or re-open the script element: the HTML tokenizer never
    sees a `<` inside it. U+2028/2029 too, for older JavaScript engines. Those characters
    only ever occur inside JSON strings, where the escape is equivalent."""
    texte = json.dumps(donnees, ensure_ascii=False)
    for car in "<>&'\u2028\u2029":
        texte = texte.replace(car, f"\\u{ord(car):04x}")
    return texte
