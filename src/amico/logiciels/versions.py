"""Version strings as Windows software really writes them.

Uninstall entries carry DisplayVersion values such as "24.8.4.2", "7.0.15.0",
"2.1.0 (x64)", "128.5.0", "24.08", "8.0.4010.9", "1.8.0_401", "3.0.21 rc1", or garbage
("", "N/A", "unknown"). We keep the numeric components of the first version-looking
token; trailing zeros do not matter ("24.8" == "24.8.0.0"); a pre-release marker
(alpha, beta, rc, preview, dev) sorts before the release with the same numbers.

When DisplayVersion is unusable, `version_depuis_nom` extracts a dotted version from
the DisplayName ("LibreOffice 24.8.4.2", "Mozilla Firefox 128.5.0 ESR (x64 fr)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# First numeric token: digits separated by dots or underscores (Java's 1.8.0_401).
_TOKEN = re.compile(
    r"(?<![\w.])v?(\d+(?:[._]\d+)*)(?:[-. ]?(alpha|beta|preview|pre|rc|dev|a|b)\d*(?![a-z]))?",
    re.IGNORECASE,
)
# In a display name, only a dotted token is a version ("7-Zip 24.08" -> 24.08, not 7).
_TOKEN_NOM = re.compile(r"(?<![\w.])v?(\d+(?:\.\d+)+)(?![\w.])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Version:
    """A comparable version: numeric components without trailing zeros, plus a pre flag."""

    nombres: tuple[int, ...]
    pre: bool = False
    texte: str = ""

    def _cle(self) -> tuple[tuple[int, ...], int]:
        return (self.nombres, 0 if self.pre else 1)

    def __lt__(self, other: Version) -> bool:
        return self._cle() < other._cle()

    def __le__(self, other: Version) -> bool:
        return self._cle() <= other._cle()

    def __gt__(self, other: Version) -> bool:
        return self._cle() > other._cle()

    def __ge__(self, other: Version) -> bool:
        return self._cle() >= other._cle()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._cle() == other._cle()

    def __hash__(self) -> int:
        return hash(self._cle())

    def commence_par(self, prefixe: Version) -> bool:
        """True when `prefixe`'s components are this version's leading components.

        Used for exact pins: a pin "24.8" accepts 24.8.4.2; a pin "24.8.4.2" only 24.8.4.2.
        """
        n = len(prefixe.nombres)
        mine = self.nombres + (0,) * max(0, n - len(self.nombres))
        return mine[:n] == prefixe.nombres and self.pre == prefixe.pre

    def __str__(self) -> str:
        return self.texte or ".".join(map(str, self.nombres))


def _strip_zeros(nums: tuple[int, ...]) -> tuple[int, ...]:
    end = len(nums)
    while end > 1 and nums[end - 1] == 0:
        end -= 1
    return nums[:end]


def parse_version(texte: object) -> Version | None:
    """Parse a real-world version string; None when it holds no version at all.

    Non-strings (a REG_MULTI_SZ list, a DWORD) are tolerated: numbers are read as text,
    anything else is no version.
    """
    if isinstance(texte, int | float) and not isinstance(texte, bool):
        texte = str(texte)
    if not isinstance(texte, str):
        return None
    return _parse(texte)


@lru_cache(maxsize=65536)
def _parse(texte: str) -> Version | None:
    s = texte.strip()
    if not s:
        return None
    m = _TOKEN.search(s)
    if not m:
        return None
    nums = tuple(int(p) for p in re.split(r"[._]", m.group(1)))
    return Version(_strip_zeros(nums), pre=bool(m.group(2)), texte=s)


@lru_cache(maxsize=65536)
def version_depuis_nom(nom: str | None) -> Version | None:
    """Extract a dotted version from a DisplayName ("LibreOffice 24.8.4.2")."""
    if not nom:
        return None
    m = _TOKEN_NOM.search(nom)
    if not m:
        return None
    nums = tuple(int(p) for p in m.group(1).split("."))
    return Version(_strip_zeros(nums), texte=m.group(1))


def comparer(a: object, b: object) -> int:
    """-1, 0 or 1 as `a` is older than, equal to or newer than `b`.

    Raises ValueError when either side holds no version.
    """
    va = a if isinstance(a, Version) else parse_version(a)
    vb = b if isinstance(b, Version) else parse_version(b)
    if va is None or vb is None:
        raise ValueError(f"version illisible : {a!r} / {b!r}")
    return (va > vb) - (va < vb)
