"""A post beyond the catalogue: licences, antivirus, software outside the référentiel.

Input is the same single collector output the catalogue evaluation reads (collecteur.ps1
returns `licences`, `antivirus` and every uninstall entry in one round trip) and the
policy `referentiel/catalogue/postes.yml` (thresholds, accepted products and channels,
system components, local allow list). Output is plain data: the drift engine turns it
into findings (`poste.activation`, `poste.antivirus`, `poste.non_reference`), the
campaign keeps it per post, `licences_site` counts it per site.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .catalogue import CatalogueError
from .evaluation import Evaluateur
from .validation import date_fin_de_vie

# SoftwareLicensingProduct.LicenseStatus (sppwmiprov documentation).
ETATS_LICENCE = {
    0: "sans licence",
    1: "activé",
    2: "période de grâce initiale",
    3: "période de grâce supplémentaire",
    4: "période de grâce non authentique",
    5: "notification",
    6: "période de grâce étendue",
}
# ApplicationID of Windows and of Office (2013 and later) in SoftwareLicensingProduct.
APPLICATION_WINDOWS = "55c92734-d682-4d71-983e-d6ec3f16059f"
APPLICATION_OFFICE = "0ff1ce15-a989-479d-af46-f275c6370663"

CONFORME = "conforme"
NON_CONFORME = "non conforme"
NON_VERIFIABLE = "non vérifiable"
NON_REFERENCE = "non_reference"  # status id of an unlisted software (label: non référencé)


@dataclass(frozen=True, slots=True)
class Composant:
    nom: re.Pattern[str]
    editeur: re.Pattern[str] | None
    raison: str


@dataclass(frozen=True, slots=True)
class Autorisation:
    nom: re.Pattern[str]
    raison: str
    expire: dt.date
    site: str | None = None  # UAI (shell pattern)
    territoire: str | None = None

    def couvre(self, uai: str, territoire: str) -> bool:
        if self.site is not None and not fnmatch.fnmatchcase(uai, self.site):
            return False
        return self.territoire is None or str(self.territoire) == str(territoire)


@dataclass(slots=True)
class Politique:
    age_signatures_max_jours: int = 3
    produits_antivirus: tuple[re.Pattern[str], ...] = ()
    canaux_acceptes: tuple[str, ...] = ()
    composants: tuple[Composant, ...] = ()
    autorises: tuple[Autorisation, ...] = field(default_factory=tuple)


def _compiler(brut: Any) -> tuple[Politique, list[tuple[tuple, str, Any]]]:
    """The policy and every problem found, as (key path, French message, faulty value):
    the check reports them all (with the file line), a run refuses the first ones."""
    erreurs: list[tuple[tuple, str, Any]] = []
    if brut is None:
        brut = {}
    if not isinstance(brut, dict):
        return Politique(), [((), "un dictionnaire est attendu", type(brut).__name__)]

    def rx(motif: Any, chemin: tuple) -> re.Pattern[str] | None:
        try:
            return re.compile(str(motif), re.IGNORECASE)
        except re.error as exc:
            erreurs.append((chemin, f"expression régulière invalide ({exc})", motif))
            return None

    av = brut.get("antivirus") or {}
    age = av.get("age_signatures_max_jours", 3)
    if not isinstance(age, int) or isinstance(age, bool) or age < 0:
        erreurs.append(
            (("antivirus", "age_signatures_max_jours"), "un entier >= 0 est attendu", age)
        )
        age = 3
    produits = []
    for i, motif in enumerate(av.get("produits_acceptes") or []):
        r = rx(motif, ("antivirus", "produits_acceptes", i))
        if r is not None:
            produits.append(r)
    composants = []
    for i, c in enumerate(brut.get("composants_systeme") or []):
        if not isinstance(c, dict) or not c.get("nom") or not c.get("raison"):
            erreurs.append(
                (("composants_systeme", i), "« nom » (regex) et « raison » sont obligatoires", c)
            )
            continue
        nom = rx(c["nom"], ("composants_systeme", i, "nom"))
        ed = rx(c["editeur"], ("composants_systeme", i, "editeur")) if c.get("editeur") else None
        if nom is not None:
            composants.append(Composant(nom, ed, str(c["raison"])))
    autorises = []
    for i, a in enumerate(brut.get("autorises") or []):
        if not isinstance(a, dict) or not a.get("nom") or not a.get("raison"):
            erreurs.append((("autorises", i), "« nom » (regex) et « raison » sont obligatoires", a))
            continue
        expire = date_fin_de_vie(a.get("expire"))
        if expire is None:
            erreurs.append(
                (("autorises", i, "expire"), "date AAAA-MM-JJ obligatoire", a.get("expire"))
            )
        if not a.get("site") and not a.get("territoire"):
            erreurs.append(
                (("autorises", i), "préciser « site » (UAI) ou « territoire »", a.get("nom"))
            )
        nom = rx(a["nom"], ("autorises", i, "nom"))
        if nom is not None and expire is not None:
            autorises.append(
                Autorisation(
                    nom,
                    str(a["raison"]),
                    expire,
                    str(a["site"]) if a.get("site") else None,
                    str(a["territoire"]) if a.get("territoire") else None,
                )
            )
    act = brut.get("activation") or {}
    politique = Politique(
        age_signatures_max_jours=age,
        produits_antivirus=tuple(produits),
        canaux_acceptes=tuple(str(c) for c in act.get("canaux_acceptes") or []),
        composants=tuple(composants),
        autorises=tuple(autorises),
    )
    return politique, erreurs


def _chemin(chemin: tuple) -> str:
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in chemin).lstrip(".")


def politique_depuis(brut: dict[str, Any] | None, fichier: str = "postes.yml") -> Politique:
    """Compile the policy; any bad value is a CatalogueError naming the file, the key and
    the value (all of them)."""
    politique, erreurs = _compiler(brut)
    if erreurs:
        raise CatalogueError(
            "\n".join(f"{fichier} : {_chemin(c)} : {m} ({v!r})" for c, m, v in erreurs)
        )
    return politique


def problemes_politique(brut: Any) -> list[tuple[tuple, str, Any]]:
    """For `amico referentiel verifier`: every problem of postes.yml with its key path."""
    return _compiler(brut)[1]


def lire_politique(catalogue_fichier: str | Path) -> tuple[Path, Any] | None:
    """The raw policy next to the catalogue file (`postes.yml`) and its path; None when
    there is none."""
    chemin = Path(catalogue_fichier).with_name("postes.yml")
    if not chemin.is_file():
        return None
    from amico.referentiel.yamlio import parse  # the référentiel's hardened YAML reader

    try:
        return chemin, parse(chemin.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{chemin} : illisible ({exc})") from exc


def charger_politique(catalogue_fichier: str | Path) -> Politique | None:
    """The policy next to the catalogue file (`postes.yml`); None when there is none (a
    catalogue alone, e.g. the lab's demo one: no licence/antivirus/unlisted analysis)."""
    lu = lire_politique(catalogue_fichier)
    return None if lu is None else politique_depuis(lu[1], str(lu[0]))


# -- licences -------------------------------------------------------------------------------
def _produit(p: dict[str, Any]) -> str:
    app = str(p.get("application") or "").lower()
    nom = str(p.get("nom") or "")
    if app == APPLICATION_OFFICE or nom.lower().startswith("office"):
        return "office"
    return "windows" if app == APPLICATION_WINDOWS or nom.lower().startswith("windows") else "autre"


def canal(p: dict[str, Any]) -> str:
    """KMS / MAK / OEM / Retail, from ProductKeyChannel or else the Description text."""
    brut = str(p.get("canal") or "")
    texte = f"{brut} {p.get('description') or ''}".upper()
    if "GVLK" in texte or "KMSCLIENT" in texte or "KMS_CLIENT" in texte:
        return "KMS"
    if "MAK" in texte:
        return "MAK"
    if "OEM" in texte:
        return "OEM"
    if "RETAIL" in texte:
        return "Retail"
    if "TIMEBASED_SUB" in texte or "SUBSCRIPTION" in texte:
        return "abonnement"
    return brut or "inconnu"


def analyser_licences(collecte: dict[str, Any], politique: Politique) -> dict[str, Any]:
    """Windows and Office activation: one line per licensed product, and the verdict."""
    lic = collecte.get("licences")
    if not isinstance(lic, dict):
        return {"statut": NON_VERIFIABLE, "produits": [], "detail": "licences non collectées"}
    produits = []
    for p in lic.get("produits") or []:
        if not isinstance(p, dict):
            continue
        etat = p.get("etat")
        ok = etat == 1
        c = canal(p)
        accepte = not politique.canaux_acceptes or str(p.get("canal")) in politique.canaux_acceptes
        remarque = None
        if not ok:
            remarque = ETATS_LICENCE.get(etat, f"état {etat!r}")
            if p.get("fin_grace_minutes"):
                jours = int(p["fin_grace_minutes"]) // 1440
                remarque += f" ; fin de la période de grâce dans {jours} jour(s)"
        elif not accepte:
            remarque = f"canal {p.get('canal')} hors des canaux attendus"
        produits.append(
            {
                "produit": _produit(p),
                "nom": p.get("nom"),
                "canal": c,
                "etat": ETATS_LICENCE.get(etat, f"état {etat!r}"),
                "active": ok,
                "cle_partielle": p.get("cle_partielle"),
                "kms": p.get("kms") or None,
                "conforme": ok and accepte,
                "remarque": remarque,
            }
        )
    c2r = lic.get("office_c2r")
    if isinstance(c2r, dict) and c2r.get("produits"):
        # Click-to-Run subscription products (O365ProPlusRetail...) activate per user, not in
        # SoftwareLicensingProduct: listed, their state is the user's (not provable here).
        volume = [p for p in produits if p["produit"] == "office"]
        for pid in str(c2r["produits"]).split(","):
            if pid and not volume:
                produits.append(
                    {
                        "produit": "office",
                        "nom": f"{pid.strip()} (Démarrer en un clic)",
                        "canal": "abonnement" if "O365" in pid or "M365" in pid else "C2R",
                        "etat": "activation par utilisateur",
                        "active": None,
                        "cle_partielle": None,
                        "kms": None,
                        "conforme": None,
                        "remarque": "activation liée au compte de l'utilisateur : non vérifiable",
                    }
                )
    windows = [p for p in produits if p["produit"] == "windows"]
    if not windows:
        statut, detail = NON_CONFORME, "aucune licence Windows installée (aucune clé partielle)"
    elif any(p["conforme"] is False for p in produits):
        statut = NON_CONFORME
        detail = " ; ".join(
            f"{p['nom']} : {p['remarque']}" for p in produits if p["conforme"] is False
        )
    elif any(p["conforme"] is None for p in produits):
        statut, detail = NON_VERIFIABLE, "Office Démarrer en un clic : activation par utilisateur"
    else:
        statut, detail = CONFORME, ""
    return {"statut": statut, "produits": produits, "detail": detail}


# -- antivirus ------------------------------------------------------------------------------
def etat_produit(code: Any) -> dict[str, bool] | None:
    """Decode SecurityCenter2 AntiVirusProduct.productState (undocumented, widely used
    reading: bits 12-15 = scanner state, 0x1 on; bits 4-7 = signatures, 0x0 up to date).
    397568 (0x061100) = on, up to date; 393472 (0x060100) = off; 397584 (0x061110) = on, out
    of date."""
    try:
        n = int(code)
    except (TypeError, ValueError):
        return None
    return {"actif": (n >> 12) & 0xF == 1, "a_jour": (n >> 4) & 0xF == 0}


def analyser_antivirus(collecte: dict[str, Any], politique: Politique) -> dict[str, Any]:
    av = collecte.get("antivirus")
    if not isinstance(av, dict):
        return {"statut": NON_VERIFIABLE, "detail": "antivirus non collecté", "produits": []}
    produits = []
    for p in av.get("produits") or []:
        if not isinstance(p, dict):
            continue
        e = etat_produit(p.get("etat_produit")) or {}
        accepte = any(r.search(str(p.get("nom") or "")) for r in politique.produits_antivirus)
        produits.append(
            {"nom": p.get("nom"), **e, "accepte": accepte or not politique.produits_antivirus}
        )
    d = av.get("defender") if isinstance(av.get("defender"), dict) else None
    seuil = politique.age_signatures_max_jours
    problemes = []
    if d and not d.get("erreur"):
        if not d.get("actif"):
            problemes.append("Microsoft Defender désactivé")
        elif not d.get("temps_reel"):
            problemes.append("protection en temps réel désactivée")
        age = d.get("age_signatures_jours")
        if isinstance(age, int) and age > seuil:
            problemes.append(f"signatures de {age} jours (seuil : {seuil})")
        defender_ok = not problemes
    else:
        defender_ok = False
    # Another accepted product, active and up to date, covers a passive Defender. When
    # Defender itself is readable, its own entry is judged by our threshold, not SC2's.
    lisible = bool(d) and not d.get("erreur")
    autre_ok = any(
        p.get("actif")
        and p.get("a_jour")
        and p["accepte"]
        and not (lisible and "defender" in str(p.get("nom") or "").lower())
        for p in produits
    )
    if av.get("centre_securite") is False and not d:
        statut, detail = NON_VERIFIABLE, "ni Centre de sécurité ni Defender lisibles"
    elif defender_ok or autre_ok:
        statut, detail = CONFORME, ""
    else:
        statut = NON_CONFORME
        if not problemes:
            problemes.append("aucun antivirus accepté actif et à jour")
        detail = " ; ".join(problemes)
    return {
        "statut": statut,
        "detail": detail,
        "produits": produits,
        "defender": d,
        "seuil_jours": seuil,
    }


# -- software outside the référentiel -------------------------------------------------------
def _composant(ligne: dict[str, Any], politique: Politique) -> str | None:
    if str(ligne.get("SystemComponent") or "") == "1":
        return "composant système (SystemComponent)"
    if ligne.get("ParentKeyName") or str(ligne.get("ReleaseType") or "") in (
        "Update",
        "Hotfix",
        "Security Update",
    ):
        return "mise à jour d'un autre produit"
    nom, ed = str(ligne.get("DisplayName") or ""), str(ligne.get("Publisher") or "")
    for c in politique.composants:
        if c.nom.search(nom) and (c.editeur is None or c.editeur.search(ed)):
            return c.raison
    return None


def non_references(
    collecte: dict[str, Any],
    evaluateur: Evaluateur,
    politique: Politique,
    uai: str = "",
    territoire: str = "",
    aujourdhui: dt.date | None = None,
) -> dict[str, Any]:
    """Every installed entry no catalogue entry claims, minus system components; each
    allowed one carries its authorisation, each expired one says so."""
    jour = aujourdhui or dt.date.today()
    liste, autorises, composants = [], [], 0
    vus: set[tuple[str, str]] = set()
    for ligne in collecte.get("desinstallation") or []:
        if not isinstance(ligne, dict) or not isinstance(ligne.get("DisplayName"), str):
            continue
        nom = ligne["DisplayName"]
        if evaluateur.entrees_de(ligne):
            continue
        if _composant(ligne, politique):
            composants += 1
            continue
        cle = (nom, str(ligne.get("vue")))
        if cle in vus:
            continue
        vus.add(cle)
        item = {
            "nom": nom,
            "editeur": ligne.get("Publisher"),
            "version": ligne.get("DisplayVersion"),
            "vue": ligne.get("vue"),
            "cle": ligne.get("cle"),
        }
        a = next(
            (a for a in politique.autorises if a.nom.search(nom) and a.couvre(uai, territoire)),
            None,
        )
        if a is not None and a.expire >= jour:
            item["autorisation"] = {"raison": a.raison, "expire": a.expire.isoformat()}
            autorises.append(item)
            continue
        if a is not None:
            item["autorisation_expiree"] = {"raison": a.raison, "expire": a.expire.isoformat()}
        liste.append(item)
    return {"non_references": liste, "autorises": autorises, "composants_ignores": composants}


def analyser_poste(
    collecte: dict[str, Any],
    evaluateur: Evaluateur,
    politique: Politique,
    uai: str = "",
    territoire: str = "",
    aujourdhui: dt.date | None = None,
) -> dict[str, Any]:
    """Licences, antivirus and unlisted software of one post (one collector output)."""
    return {
        "activation": analyser_licences(collecte, politique),
        "antivirus": analyser_antivirus(collecte, politique),
        **non_references(collecte, evaluateur, politique, uai, territoire, aujourdhui),
        "profils_lus": collecte.get("profils_lus"),
    }


# -- per-site licence report ----------------------------------------------------------------
def licences_site(analyses: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """Counts by (product, channel, state) over a site's posts, and the posts to act on."""
    comptes: dict[tuple[str, str, str], int] = {}
    a_traiter = []
    sans_donnees = []
    for poste, a in sorted(analyses.items()):
        act = (a or {}).get("activation")
        if not act or act.get("statut") == NON_VERIFIABLE and not act.get("produits"):
            sans_donnees.append(poste)
            continue
        for p in act.get("produits") or []:
            k = (str(p.get("nom") or p["produit"]), p["canal"], p["etat"])
            comptes[k] = comptes.get(k, 0) + 1
        if act["statut"] == NON_CONFORME:
            a_traiter.append({"poste": poste, "detail": act.get("detail")})
    return {
        "comptes": [
            {"produit": k[0], "canal": k[1], "etat": k[2], "postes": n}
            for k, n in sorted(comptes.items())
        ],
        "a_traiter": a_traiter,
        "sans_donnees": sans_donnees,
    }
