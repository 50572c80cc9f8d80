"""Rule evaluation: one collector output + the catalog -> one status per catalog entry.

Statuses (ids are ASCII; `LIBELLES` gives the French label shown to people):

=============  ==========================================================  ================
status         meaning                                                      drift status
=============  ==========================================================  ================
conforme       present at the wanted version (or forbidden/EOL and absent)  conforme
absent         supported software not detected                              non conforme
obsolete       detected, older than `version_min` (or than the exact pin)   non conforme
plus_recent    detected, newer than an exact pin (`version_exacte: true`)   non conforme
interdit       forbidden software present (to be uninstalled)               non conforme
fin_de_vie     end-of-life software or OS present (flagged, never removed)  non conforme
echec          an action ran and re-detection still finds the entry not     non conforme
               conforme, or the installer's exit code was not accepted
indetermine    the post answered but the version is unreadable or a rule    non vérifiable
               could not be read (access denied, collector error)
injoignable    the post did not answer (off, no WinRM)                      injoignable
=============  ==========================================================  ================

Minimum-version semantics by default: anything >= `version_min` is conforme (so a newer
version is conforme, not plus_recent). With `version_exacte: true` the pin's components
must be the installed version's leading components ("24.8" accepts 24.8.4.2).
When several instances match (32/64-bit duplicates, a package present twice), the
highest version decides the status and the others are listed in `instances` with a
`remarque`: deciding on the lowest would reinstall forever without removing the leftover.
A post's drift status is the worst of its entries: injoignable > non conforme >
non vérifiable > conforme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .catalogue import Catalogue, Entree
from .versions import Version, parse_version, version_depuis_nom

CONFORME = "conforme"
ABSENT = "absent"
OBSOLETE = "obsolete"
PLUS_RECENT = "plus_recent"
INTERDIT = "interdit"
FIN_DE_VIE = "fin_de_vie"
ECHEC = "echec"
INDETERMINE = "indetermine"
INJOIGNABLE = "injoignable"

LIBELLES = {
    CONFORME: "conforme",
    ABSENT: "absent",
    OBSOLETE: "obsolète",
    PLUS_RECENT: "plus récent",
    INTERDIT: "interdit",
    FIN_DE_VIE: "fin de vie",
    ECHEC: "échec",
    INDETERMINE: "indéterminé",
    INJOIGNABLE: "injoignable",
}

DERIVE_CONFORME = "conforme"
DERIVE_NON_CONFORME = "non conforme"
DERIVE_INJOIGNABLE = "injoignable"
DERIVE_NON_VERIFIABLE = "non vérifiable"

VERS_DERIVE = {
    CONFORME: DERIVE_CONFORME,
    ABSENT: DERIVE_NON_CONFORME,
    OBSOLETE: DERIVE_NON_CONFORME,
    PLUS_RECENT: DERIVE_NON_CONFORME,
    INTERDIT: DERIVE_NON_CONFORME,
    FIN_DE_VIE: DERIVE_NON_CONFORME,
    ECHEC: DERIVE_NON_CONFORME,
    INDETERMINE: DERIVE_NON_VERIFIABLE,
    INJOIGNABLE: DERIVE_INJOIGNABLE,
}
_GRAVITE = {
    DERIVE_CONFORME: 0,
    DERIVE_NON_VERIFIABLE: 1,
    DERIVE_NON_CONFORME: 2,
    DERIVE_INJOIGNABLE: 3,
}


@dataclass(slots=True)
class Instance:
    """One piece of evidence that an entry is present."""

    source: str  # "desinstallation:64", "desinstallation:32", "msi:64", "fichier", ...
    version: Version | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Resultat:
    id: str
    nom: str
    statut: str
    version: str | None = None
    attendu: str | None = None
    instances: list[Instance] = field(default_factory=list)
    remarque: str | None = None

    @property
    def derive(self) -> str:
        return VERS_DERIVE[self.statut]

    def en_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "nom": self.nom,
            "statut": self.statut,
            "libelle": LIBELLES[self.statut],
            "derive": self.derive,
            "version": self.version,
            "attendu": self.attendu,
            "instances": [
                {"source": i.source, "version": str(i.version) if i.version else None, **i.detail}
                for i in self.instances
            ],
            "remarque": self.remarque,
        }


def derive_poste(statuts: list[str]) -> str:
    """Worst drift status of a post's entries (see the module docstring)."""
    pire = DERIVE_CONFORME
    for s in statuts:
        d = VERS_DERIVE[s]
        if _GRAVITE[d] > _GRAVITE[pire]:
            pire = d
    return pire


class Evaluateur:
    """Evaluates collector outputs against a compiled catalog.

    DisplayName/Publisher -> matching rules is memoised: the same software images repeat
    over thousands of posts, so each distinct name is matched against the regexes once.
    """

    _MEMO_MAX = 200_000

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._regles_nom: list[tuple[str, Any]] = [
            (e.id, r)
            for e in catalogue.entrees.values()
            for r in e.regles
            if r.type == "desinstallation"
        ]
        self._memo: dict[tuple[str, str, str], tuple[str, ...]] = {}
        self._codes_msi: dict[str, tuple[str, ...]] = {}
        for e in catalogue.entrees.values():
            for r in e.regles:
                if r.type == "msi":
                    self._codes_msi[r.code_produit] = self._codes_msi.get(r.code_produit, ()) + (
                        e.id,
                    )

    def entrees_de(self, ligne: dict[str, Any]) -> tuple[str, ...]:
        """Catalogue entries that claim this uninstall line (by name/key rule or MSI code)."""
        nom = ligne.get("DisplayName")
        cle = str(ligne.get("cle") or "")
        ids = self._codes_msi.get(cle.upper(), ()) if cle.startswith("{") else ()
        if isinstance(nom, str) and nom:
            ids += self._correspondances(nom, str(ligne.get("Publisher") or ""), cle)
        return ids

    def _correspondances(self, nom: str, editeur: str, nom_cle: str = "") -> tuple[str, ...]:
        cle = (nom, editeur, nom_cle)
        trouve = self._memo.get(cle)
        if trouve is None:
            ids = []
            for eid, r in self._regles_nom:
                ok = (
                    (r.nom is None or r.nom.search(nom))
                    and (r.nom_cle is None or r.nom_cle.search(nom_cle))
                    and (r.editeur is None or r.editeur.search(editeur))
                )
                if ok and eid not in ids:
                    ids.append(eid)
            trouve = tuple(ids)
            if len(self._memo) >= self._MEMO_MAX:
                self._memo.clear()
            self._memo[cle] = trouve
        return trouve

    def evaluer(
        self, collecte: dict[str, Any], profil: str, systeme: str | None = None
    ) -> list[Resultat]:
        """One Resultat per entry that applies to the post (OS, profile, forbidden ones)."""
        entrees = self.catalogue.entrees_poste(profil, systeme)
        lignes = collecte.get("desinstallation") or []
        par_entree: dict[str, list[dict[str, Any]]] = {}
        par_code: dict[str, list[dict[str, Any]]] = {}
        for ligne in lignes:
            if not isinstance(ligne, dict):
                continue
            nom = ligne.get("DisplayName")
            cle = ligne.get("cle")
            if cle and cle.startswith("{"):
                par_code.setdefault(cle.upper(), []).append(ligne)
            if not nom or not isinstance(nom, str):
                continue
            editeur = str(ligne.get("Publisher") or "")
            for eid in self._correspondances(nom, editeur, str(cle or "")):
                par_entree.setdefault(eid, []).append(ligne)
        return [self._evaluer_entree(e, collecte, par_entree, par_code) for e in entrees]

    # -- one entry --------------------------------------------------------------------------
    def _evaluer_entree(
        self,
        e: Entree,
        collecte: dict[str, Any],
        par_entree: dict[str, list[dict[str, Any]]],
        par_code: dict[str, list[dict[str, Any]]],
    ) -> Resultat:
        instances: list[Instance] = []
        inconnu: list[str] = []
        lignes_vues: set[int] = set()  # an uninstall line counts once, whichever rule found it
        for r in e.regles:
            if r.type in ("desinstallation", "msi"):
                if r.type == "desinstallation":
                    lignes = par_entree.get(e.id, ())
                else:
                    lignes = par_code.get(r.code_produit, ())
                for ligne in lignes:
                    if id(ligne) not in lignes_vues:
                        lignes_vues.add(id(ligne))
                        instances.append(_instance_ligne(r.type, ligne))
            elif r.type == "fichier":
                info = (collecte.get("fichiers") or {}).get(r.chemin)
                if not isinstance(info, dict) or info.get("existe") is None:
                    inconnu.append(f"fichier {r.chemin}")
                elif info.get("existe"):
                    v = parse_version(info.get("version")) or parse_version(
                        info.get("version_produit")
                    )
                    instances.append(Instance("fichier", v, {"chemin": r.chemin}))
            elif r.type == "registre":
                info = (collecte.get("registre") or {}).get(r.cle_registre)
                if not isinstance(info, dict) or info.get("existe") is None:
                    inconnu.append(f"registre {r.cle_registre}")
                elif info.get("existe"):
                    v = parse_version(info.get("valeur")) if r.valeur else None
                    instances.append(Instance("registre", v, {"cle": r.cle_registre}))
            elif r.type == "service":
                info = (collecte.get("services") or {}).get(r.service)
                if not isinstance(info, dict) or info.get("existe") is None:
                    inconnu.append(f"service {r.service}")
                elif info.get("existe"):
                    instances.append(
                        Instance("service", None, {"service": r.service, "etat": info.get("etat")})
                    )
        if not e.regles and e.categorie == "systeme":
            # The post's own OS: present by definition, version from the collector.
            os_ = collecte.get("systeme") or {}
            instances.append(
                Instance("systeme", parse_version(os_.get("version")), {"nom": os_.get("nom")})
            )
        return _statut(e, instances, inconnu)


def _instance_ligne(genre: str, ligne: dict[str, Any]) -> Instance:
    v = parse_version(ligne.get("DisplayVersion"))
    origine = "DisplayVersion"
    if v is None:
        v = version_depuis_nom(ligne.get("DisplayName"))
        origine = "DisplayName" if v else None
    detail = {
        "nom": ligne.get("DisplayName"),
        "cle": ligne.get("cle"),
        "vue": ligne.get("vue"),
        "version_lue": ligne.get("DisplayVersion"),
        "editeur": ligne.get("Publisher"),
    }
    if ligne.get("sid"):
        detail["sid"] = ligne["sid"]
    for k in ("QuietUninstallString", "UninstallString"):
        if ligne.get(k):
            detail[k] = ligne[k]
    if origine == "DisplayName":
        detail["version_depuis"] = "DisplayName"
    return Instance(f"{genre}:{ligne.get('vue', '?')}", v, detail)


def _statut(e: Entree, instances: list[Instance], inconnu: list[str]) -> Resultat:
    res = _statut_calcule(e, instances, inconnu)
    # Per-user installs (HKU\<SID>\...\Uninstall) count as present, so that a campaign
    # does not reinstall forever, but they are reported: other accounts lack the software.
    par_user = [i for i in instances if i.source.endswith(":utilisateur")]
    if par_user and len(par_user) == len(instances):
        sids = sorted({str(i.detail.get("sid") or "?") for i in par_user})
        note = (
            f"installé pour un seul utilisateur (profil {', '.join(sids)}) : "
            "absent des autres comptes du poste"
        )
        res.remarque = f"{res.remarque} ; {note}" if res.remarque else note
    return res


def _statut_calcule(e: Entree, instances: list[Instance], inconnu: list[str]) -> Resultat:
    attendu = None
    if e.version_min is not None:
        attendu = ("= " if e.version_exacte else ">= ") + str(e.version_min)
    res = Resultat(id=e.id, nom=e.nom, statut=CONFORME, attendu=attendu, instances=instances)
    if not instances:
        if inconnu:
            res.statut = INDETERMINE
            res.remarque = "lecture impossible : " + ", ".join(inconnu)
        elif e.statut == "interdit":
            res.remarque = "logiciel interdit absent"
        elif e.statut == "fin_de_vie":
            res.remarque = "logiciel en fin de vie, non installé"
        else:
            res.statut = ABSENT
        return res
    versions = [i.version for i in instances if i.version is not None]
    meilleure = max(versions) if versions else None
    res.version = str(meilleure) if meilleure else None
    distinctes = {v for v in versions}
    if len(distinctes) > 1:
        res.remarque = "plusieurs versions présentes : " + ", ".join(
            sorted((str(v) for v in distinctes), key=lambda t: parse_version(t))
        )
    if e.statut == "interdit":
        res.statut = INTERDIT
        return res
    if e.statut == "fin_de_vie":
        res.statut = FIN_DE_VIE
        fin = f" depuis le {e.fin_de_vie}" if e.fin_de_vie else ""
        rempl = f", remplacé par {e.remplace_par}" if e.remplace_par else ""
        note = f"fin de vie{fin}{rempl} : signalé, non désinstallé"
        res.remarque = f"{note} ; {res.remarque}" if res.remarque else note
        return res
    if e.version_min is None:
        return res
    if meilleure is None:
        res.statut = INDETERMINE
        res.remarque = "version illisible : " + ", ".join(
            repr(i.detail.get("version_lue"))
            for i in instances
            if i.detail.get("version_lue") is not None
        )
        return res
    if e.version_exacte:
        if any(v.commence_par(e.version_min) for v in versions):
            res.version = str(next(v for v in versions if v.commence_par(e.version_min)))
            return res
        res.statut = OBSOLETE if meilleure < e.version_min else PLUS_RECENT
        return res
    if meilleure < e.version_min:
        res.statut = OBSOLETE
    return res
