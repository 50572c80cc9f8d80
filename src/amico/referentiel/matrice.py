"""Matrice des services (Annexe 1): parse R/A/C/I cells, find authorities, decide who may act.

A cell is written as the annex writes it: letters R, A, C, I separated by spaces, each
optionally followed by "?" (uncertain), and an optional condition in parentheses
("R (si absence PRN)", "R (Editeurs)"). Rules the tool applies (the anomalies of the seed
are annotated in the data, referentiel/matrice/services.yml):
- an actor may act when it holds a certain R or A in the phase;
- uncertain letters ("A ?") count for nothing in permissions and are cited "à confirmer";
- a conditional R counts as R, its condition cited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from amico.referentiel.model import Matrice, Service

_TOKEN = re.compile(r"\s*(?:([RACI])\s*(\?)?|\(([^)]*)\))")


@dataclass(frozen=True)
class Cell:
    roles: frozenset[str]  # certain letters
    uncertain: frozenset[str]  # letters followed by "?"
    condition: str | None = None

    @property
    def irregular(self) -> bool:
        return bool(self.uncertain) or self.condition is not None


def parse_cell(text: str) -> Cell:
    """Parse one matrix cell; raise ValueError on text that is not R/A/C/I."""
    roles, uncertain, condition, pos = set(), set(), None, 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cellule illisible : {text!r}")
        letter, doubt, cond = match.groups()
        if letter:
            (uncertain if doubt else roles).add(letter)
        else:
            condition = cond.strip()
        pos = match.end()
        while pos < len(text) and text[pos] == " ":
            pos += 1
    return Cell(frozenset(roles), frozenset(uncertain), condition)


def actors_with(service: Service, phase: str, letter: str) -> list[str]:
    """Actors holding a certain `letter` for the service in the phase, in column order."""
    cells = service.raci.get(phase, {})
    return [actor for actor, text in cells.items() if letter in parse_cell(text).roles]


def may_act(matrice_service: Service, phase: str, actor: str) -> bool:
    """True when `actor` holds a certain R or A for the service in the phase."""
    text = matrice_service.raci.get(phase, {}).get(actor)
    if not text:
        return False
    roles = parse_cell(text).roles
    return "R" in roles or "A" in roles


def services_by_id(matrice: Matrice) -> dict[str, Service]:
    return {s.id: s for s in matrice.services}
