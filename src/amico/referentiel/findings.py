"""Validation findings: what is wrong, where (file, line, key path), the faulty value, the fix.

Lines are resolved lazily: the fast load path does not track positions, so a finding
carries its key path and the line is looked up (one `yaml.compose` per faulty file) only
when findings are shown.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from amico.referentiel.yamlio import Loader

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    fichier: Path
    chemin: Loc
    message: str
    correction: str
    valeur: object = None
    ligne: int | None = field(default=None, compare=False)
    gravite: str = "erreur"  # erreur | avertissement

    def with_line(self) -> Finding:
        if self.ligne is not None:
            return self
        line = line_of(self.fichier, self.chemin)
        return Finding(
            self.fichier,
            self.chemin,
            self.message,
            self.correction,
            self.valeur,
            line,
            self.gravite,
        )

    def format(self, root: Path | None = None) -> str:
        name = self.fichier
        if root is not None:
            with contextlib.suppress(ValueError):
                name = self.fichier.relative_to(root.parent)
        where = f"{name}:{self.ligne}" if self.ligne else f"{name}"
        path = format_loc(self.chemin)
        value = "" if self.valeur is None else f" « {shown(self.valeur)} »"
        head = "avertissement" if self.gravite == "avertissement" else "erreur"
        return f"{where}: {head}: {path}{value} : {self.message}\n    -> {self.correction}"


SHOWN_MAX = 120


def shown(value: object) -> str:
    """A faulty value as the report prints it: control characters made visible (a line
    break in a value must not forge a line of the report), long values cut."""
    text = str(value)
    if len(text) > SHOWN_MAX:
        text = text[:SHOWN_MAX] + f"… ({len(str(value))} caractères)"
    return "".join(
        c.encode("unicode_escape").decode("ascii")
        if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp")
        else c
        for c in text
    )


class ReferentielInvalide(Exception):
    """Raised when the référentiel has errors; carries every finding of the run."""

    def __init__(self, findings: list[Finding], root: Path):
        self.findings = findings
        self.root = root
        super().__init__(self.report())

    def report(self) -> str:
        errors = [f for f in self.findings if f.gravite == "erreur"]
        lines = [f"Référentiel invalide ({self.root}) : {len(errors)} erreur(s)."]
        lines += [f.with_line().format(self.root) for f in errors]
        lines.append(
            "Aucun hôte n'a été modifié. Corriger puis relancer `amico referentiel verifier`."
        )
        return "\n".join(lines)


def format_loc(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(fichier)"


_LOC_PART = re.compile(r"\.?([a-z0-9_]+)|\[(\d+)\]")


def parse_loc(text: str) -> Loc | None:
    """The inverse of `format_loc` ("commutateurs[0].mac"); None if it is not a key path."""
    loc: list[str | int] = []
    pos = 0
    while pos < len(text):
        m = _LOC_PART.match(text, pos)
        if not m or (m[1] is not None and m[0].startswith(".") != bool(loc)):
            return None
        loc.append(m[1] if m[1] is not None else int(m[2]))
        pos = m.end()
    return tuple(loc) or None


@lru_cache(maxsize=64)
def _compose(path: Path):
    try:
        return yaml.compose(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError):
        return None


def line_of(path: Path, loc: Loc) -> int | None:
    """1-based line of the deepest node of `loc` found in the file (None if unknown)."""
    node = _compose(path)
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
