"""The software catalog, compiled once for fast evaluation over thousands of posts.

Input is the raw YAML dict of `referentiel/catalogue/logiciels.yml` (keys `logiciels`
and `profils`, schema in referentiel/README.md); this module does not depend on the
référentiel loader. Regexes are compiled once, minimum versions parsed once, profiles
resolved once (with `inclut` composition and cycle detection), and the collector's
request (which files, registry values and services to read) is derived per profile.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .validation import date_fin_de_vie
from .versions import Version, parse_version

CODES_INSTALLATION_DEFAUT = (0, 3010, 1641)
CODES_DESINSTALLATION_DEFAUT = (0, 1605, 3010, 1641)


class CatalogueError(ValueError):
    """An inconsistency in the catalog or a post (message in French)."""


@dataclass(frozen=True, slots=True)
class Regle:
    """One detection rule (the rules of an entry are OR-ed, in catalog order)."""

    type: str  # desinstallation | msi | fichier | registre | service
    nom: re.Pattern[str] | None = None  # desinstallation: regex on DisplayName
    editeur: re.Pattern[str] | None = None  # desinstallation: regex on Publisher
    # desinstallation: regex on the uninstall key's name. Inno/NSIS keys ("Audacity_is1",
    # "Mozilla Firefox 128.14.0 ESR (x64 fr)") are what public manifests publish as
    # ProductCode, and they outlive DisplayName changes.
    nom_cle: re.Pattern[str] | None = None
    code_produit: str | None = None  # msi: upper-case GUID with braces
    chemin: str | None = None  # fichier
    cle: str | None = None  # registre
    valeur: str | None = None  # registre (None: the key's presence)
    service: str | None = None  # service name

    @property
    def cle_registre(self) -> str:
        return f"{self.cle}|{self.valeur or ''}"


@dataclass(slots=True)
class Entree:
    id: str
    nom: str
    categorie: str
    statut: str  # supporte | fin_de_vie | interdit
    version_min: Version | None
    version_exacte: bool
    regles: tuple[Regle, ...]
    installation: dict[str, Any] | None
    desinstallation: dict[str, Any] | None
    dependances: tuple[str, ...] = ()
    conflits: tuple[str, ...] = ()
    fin_de_vie: str | None = None
    remplace_par: str | None = None
    brut: dict[str, Any] = field(default_factory=dict, repr=False)


def normaliser_guid(code: str) -> str:
    c = str(code).strip().upper()
    if not c.startswith("{"):
        c = "{" + c
    if not c.endswith("}"):
        c += "}"
    return c


def _regex(motif: str, ou: str) -> re.Pattern[str]:
    try:
        return re.compile(motif, re.IGNORECASE)
    except re.error as exc:
        raise CatalogueError(f"{ou} : expression régulière invalide {motif!r} ({exc})") from exc


def _editeur(motif: str, ou: str) -> re.Pattern[str]:
    """Publisher: a regex searched case-insensitively (a plain name works as is)."""
    try:
        return re.compile(motif, re.IGNORECASE)
    except re.error:
        return _regex(re.escape(motif), ou)


def _regle(brute: dict[str, Any], ou: str) -> Regle:
    t = brute.get("type")
    if t == "desinstallation":
        if not brute.get("nom") and not brute.get("cle"):
            raise CatalogueError(
                f"{ou} : règle desinstallation sans « nom » (regex DisplayName) ni « cle » "
                "(regex du nom de la clé Uninstall)"
            )
        editeur = brute.get("editeur")
        return Regle(
            type=t,
            nom=_regex(str(brute["nom"]), ou) if brute.get("nom") else None,
            editeur=_editeur(str(editeur), ou) if editeur else None,
            nom_cle=_regex(str(brute["cle"]), ou) if brute.get("cle") else None,
        )
    if t == "msi":
        return Regle(type=t, code_produit=normaliser_guid(brute["code_produit"]))
    if t == "fichier":
        return Regle(type=t, chemin=str(brute["chemin"]))
    if t == "registre":
        return Regle(type=t, cle=str(brute["cle"]), valeur=brute.get("valeur"))
    if t == "service":
        return Regle(type=t, service=str(brute["nom"]))
    raise CatalogueError(f"{ou} : type de règle inconnu {t!r}")


def _entree(brute: dict[str, Any], aujourdhui: dt.date) -> Entree:
    ident = str(brute.get("id"))
    ou = f"logiciel {ident}"
    cycle = brute.get("cycle_de_vie") or {}
    statut = cycle.get("statut", "supporte")
    if statut not in ("supporte", "fin_de_vie", "interdit"):
        raise CatalogueError(f"{ou} : cycle_de_vie.statut inconnu {statut!r}")
    fin = date_fin_de_vie(cycle.get("fin_de_vie"))
    if cycle.get("fin_de_vie") not in (None, "") and fin is None:
        raise CatalogueError(f"{ou} : cycle_de_vie.fin_de_vie illisible {cycle['fin_de_vie']!r}")
    if statut == "supporte" and fin is not None and fin <= aujourdhui:
        # The date decides: nobody has to edit the status on the day support ends.
        statut = "fin_de_vie"
    vmin_txt = brute.get("version_min")
    vmin = parse_version(vmin_txt) if vmin_txt not in (None, "") else None
    if vmin_txt not in (None, "") and vmin is None:
        raise CatalogueError(f"{ou} : version_min illisible {vmin_txt!r}")
    regles = tuple(_regle(r, ou) for r in (brute.get("detection") or []))
    return Entree(
        id=ident,
        nom=str(brute.get("nom") or ident),
        categorie=str(brute.get("categorie") or ""),
        statut=statut,
        version_min=vmin,
        version_exacte=bool(brute.get("version_exacte")),
        regles=regles,
        installation=brute.get("installation") or None,
        desinstallation=brute.get("desinstallation") or None,
        dependances=tuple(brute.get("dependances") or ()),
        conflits=tuple(brute.get("conflits") or ()),
        fin_de_vie=fin.isoformat() if fin else None,
        remplace_par=cycle.get("remplace_par"),
        brut=brute,
    )


class Catalogue:
    """Compiled catalog: entries by id, resolved profiles, per-profile collector requests."""

    def __init__(self, brut: dict[str, Any], aujourdhui: dt.date | None = None):
        if not isinstance(brut, dict):
            raise CatalogueError("catalogue : un dictionnaire {logiciels, profils} est attendu")
        jour = aujourdhui or dt.date.today()
        self.entrees: dict[str, Entree] = {}
        for e in brut.get("logiciels") or []:
            entree = _entree(e, jour)
            if entree.id in self.entrees:
                raise CatalogueError(f"logiciel {entree.id} : identifiant en double")
            self.entrees[entree.id] = entree
        self._profils_bruts: dict[str, dict[str, Any]] = {
            str(p["id"]): p for p in (brut.get("profils") or [])
        }
        self._resolus: dict[tuple[str, str | None], tuple[Entree, ...]] = {}
        self._demandes: dict[tuple[str, str | None], dict[str, Any]] = {}
        # Forbidden and end-of-life software are looked for on every post, whatever its
        # profile: present, the first is removed and the second flagged; absent, both are
        # conforme. (End-of-life systems are judged through the post's own `systeme`.)
        self.interdits = tuple(e for e in self.entrees.values() if e.statut == "interdit")
        self.surveilles = self.interdits + tuple(
            e
            for e in self.entrees.values()
            if e.statut == "fin_de_vie" and e.categorie != "systeme"
        )

    # -- profiles ---------------------------------------------------------------------------
    def _ids_profil(self, pid: str, pile: tuple[str, ...]) -> list[str]:
        if pid in pile:
            raise CatalogueError(
                f"profil {pid} : inclusion circulaire ({' -> '.join(pile + (pid,))})"
            )
        profil = self._profils_bruts.get(pid)
        if profil is None:
            raise CatalogueError(f"profil inconnu {pid!r}")
        ids: list[str] = []
        for inclus in profil.get("inclut") or []:
            ids.extend(self._ids_profil(str(inclus), pile + (pid,)))
        ids.extend(str(i) for i in (profil.get("logiciels") or []))
        return ids

    def entrees_poste(self, profil: str, systeme: str | None = None) -> tuple[Entree, ...]:
        """Entries that apply to a post: its OS entry, its profile (resolved), and every
        forbidden or end-of-life one."""
        cle = (profil, systeme)
        if cle in self._resolus:
            return self._resolus[cle]
        ids: list[str] = []
        if systeme:
            ids.append(systeme)
        ids.extend(self._ids_profil(profil, ()))
        ids.extend(e.id for e in self.surveilles)
        vus: set[str] = set()
        resultat: list[Entree] = []
        for i in ids:
            if i in vus:
                continue
            vus.add(i)
            entree = self.entrees.get(i)
            if entree is None:
                raise CatalogueError(f"profil {profil} : logiciel inconnu {i!r}")
            resultat.append(entree)
        self._resolus[cle] = tuple(resultat)
        return self._resolus[cle]

    def support(self, ident: str) -> dict[str, Any] | None:
        """A system's security support as of the catalogue's day: status computed from the
        end-of-life date, the date, the entry's note (e.g. Debian's regular vs LTS end)."""
        e = self.entrees.get(ident)
        if e is None or e.categorie != "systeme":
            return None
        cycle = e.brut.get("cycle_de_vie") or {}
        return {
            "id": e.id,
            "nom": e.nom,
            "statut": e.statut,
            "fin_de_vie": e.fin_de_vie,
            "remplace_par": e.remplace_par,
            "note": cycle.get("note"),
        }

    # -- what the collector must read ------------------------------------------------------
    def demande(self, profil: str, systeme: str | None = None) -> dict[str, Any]:
        """The collector's parameters: only the files, registry values, services the rules ask for."""  # noqa: E501
        cle = (profil, systeme)
        if cle not in self._demandes:
            fichiers: list[str] = []
            registre: list[dict[str, Any]] = []
            services: list[str] = []
            for e in self.entrees_poste(profil, systeme):
                for r in e.regles:
                    if r.type == "fichier" and r.chemin not in fichiers:
                        fichiers.append(r.chemin)
                    elif r.type == "registre":
                        item = {"cle": r.cle, "valeur": r.valeur}
                        if item not in registre:
                            registre.append(item)
                    elif r.type == "service" and r.service not in services:
                        services.append(r.service)
            self._demandes[cle] = {"fichiers": fichiers, "registre": registre, "services": services}
        return self._demandes[cle]
