"""Renewal view: Windows posts whose hardware cannot run a supported Windows.

Rule (documented in README.md, « Vue de renouvellement »):
- a post's year is the year of its model in catalogue/materiels.yml (annexe 6: the
  column in which the model is listed, i.e. the year it was bought under the contract);
- Windows 10 is supported until its `fin_de_vie` in catalogue/logiciels.yml
  (2025-10-14, source Microsoft lifecycle); before that date every post is fine;
- after it, the only supported Windows for these posts is Windows 11, whose minimum
  requirements include a processor on Microsoft's list: Intel 8th generation (Coffee
  Lake, from Q4 2017) or later, AMD Zen+ (Ryzen 2000, 2018) or later, plus TPM 2.0 and
  UEFI Secure Boot. Sources:
    https://learn.microsoft.com/en-us/windows/whats-new/windows-11-requirements
    https://learn.microsoft.com/en-us/windows-hardware/design/minimum/supported/windows-11-supported-intel-processors
    https://learn.microsoft.com/en-us/windows-hardware/design/minimum/supported/windows-11-supported-amd-processors
  hence: model year <= 2016 -> `a_renouveler` (no processor of the annexe's 2012-2016
  models is on the list); 2017-2018 -> `a_verifier` (depends on the exact processor);
  >= 2019 -> `compatible` (presumed: processor to confirm on the post itself, e.g.
  Microsoft's PC Health Check); model unknown to the catalog or no model -> `a_verifier`.
Only pedagogical posts (administrative ones are the académie's). Chromebooks and thin
clients follow other lifecycles (Google's Auto Update Expiration, the thin client's
embedded system): their model's `fin_de_support` in catalogue/materiels.yml decides
(past -> `a_renouveler`, no date -> `a_verifier`); they are counted apart from Windows.
Windows 10 Extended Security Updates (paid, time-limited) do not make it a supported
version here.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from amico.referentiel.loader import Referentiel
from amico.referentiel.model import Site

LAST_YEAR_INCOMPATIBLE = 2016
FIRST_YEAR_COMPATIBLE = 2019
WINDOWS_10_ID = "windows_10"


@dataclass
class SiteRenouvellement:
    uai: str
    nom: str
    postes_windows: int = 0
    autres_postes: int = 0  # Chromebooks and thin clients
    a_renouveler: Counter = field(default_factory=Counter)  # classe -> count
    a_verifier: Counter = field(default_factory=Counter)
    postes: list[dict] = field(default_factory=list)  # the posts to renew or check

    @property
    def total_a_renouveler(self) -> int:
        return sum(self.a_renouveler.values())

    @property
    def total_a_verifier(self) -> int:
        return sum(self.a_verifier.values())


def verdict(annee: int | None) -> str:
    if annee is None:
        return "a_verifier"
    if annee <= LAST_YEAR_INCOMPATIBLE:
        return "a_renouveler"
    if annee < FIRST_YEAR_COMPATIBLE:
        return "a_verifier"
    return "compatible"


def windows10_end(ref: Referentiel) -> dt.date | None:
    for sw in ref.logiciels.logiciels:
        if sw.id == WINDOWS_10_ID:
            return sw.cycle_de_vie.fin_de_vie
    return None


def analyser(ref: Referentiel, sites: list[Site], today: dt.date | None = None) -> list:
    today = today or dt.date.today()
    end = windows10_end(ref)
    w10_supported = end is not None and today < end
    classes = {c.id: c for c in ref.materiels.classes}
    years: dict[tuple[str, str], int] = {}
    support_end: dict[tuple[str, str], dt.date] = {}
    for c in ref.materiels.classes:
        for m in c.modeles:
            key = (c.id, " ".join(m.modele.casefold().split()))
            years[key] = max(years.get(key, 0), m.annee)  # same model listed twice: latest
            if m.fin_de_support:
                support_end[key] = max(support_end.get(key, m.fin_de_support), m.fin_de_support)
    out = []
    for site in sites:
        row = SiteRenouvellement(site.uai, site.nom)
        for p in site.postes:
            cls = classes.get(p.classe)
            if cls is None or p.usage != "pedagogique":
                continue  # administrative posts are the académie's (perimetre.yml)
            key = (p.classe, " ".join((p.modele or "").casefold().split()))
            annee = years.get(key)
            fin = None
            if cls.type_hote == "poste":
                row.postes_windows += 1
                v = "compatible" if w10_supported else verdict(annee)
            elif cls.type_hote in ("chromeos", "client_leger"):
                row.autres_postes += 1
                fin = support_end.get(key)
                v = (
                    "a_verifier"
                    if fin is None
                    else ("a_renouveler" if today >= fin else "compatible")
                )
            else:
                continue
            if v == "compatible":
                continue
            getattr(row, v)[p.classe] += 1
            row.postes.append(
                {
                    "nom": p.nom,
                    "classe": p.classe,
                    "modele": p.modele,
                    "annee": annee,
                    "verdict": v,
                    "salle": p.salle,
                    **({"fin_de_support": fin.isoformat()} if fin else {}),
                }
            )
        out.append(row)
    out.sort(key=lambda r: (-r.total_a_renouveler, -r.total_a_verifier, r.uai))
    return out
