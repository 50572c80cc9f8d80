"""Accounts of the school year (la rentrée): from an ENT/SIECLE CSV export to an account plan.

Pure logic, standard library only: the same file runs on the controller (tests, CLI) and,
shipped as an Ansible module_utils for the role `comptes`, on the Samba AD DC.

Expected CSV (UTF-8 with or without BOM, or Windows-1252; `;`, `,` or tab separated; the
header names are matched without case, accents or spaces, aliases in `COLONNES`):

    identifiant  stable id of the person (INE, SIECLE ELEVE_ID, ENT uid): REQUIRED, unique
    nom          family name                                                     REQUIRED
    prenom       first name                                                      REQUIRED
    profil       eleve | prof | admin (Élève, Enseignant, Personnel de direction...)
                 (optional: default eleve)
    classe       class (division) of an eleve; for a prof, the classes taught separated
                 by `,` `;` or `|` (optional for prof/admin)

The plan maps the export onto what the directory holds (`existants`, read from the AD by the
caller): one login per person, kept for ever once given (found again by `identifiant`),
new logins `prenom.nom` (ASCII, 20 characters at most, suffix 2, 3... on collision);
people absent from the export are disabled, never deleted; people back are re-enabled.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import asdict, dataclass, field

# Canonical column -> accepted header spellings (normalised by `_cle`).
COLONNES = {
    "identifiant": ("identifiant", "id", "ine", "eleveid", "uid", "idpersonne", "login_ent"),
    "nom": ("nom", "nomdefamille", "nomdusage", "nomdenaissance"),
    "prenom": ("prenom", "prenom1", "premierprenom"),
    "profil": ("profil", "type", "categorie", "fonction"),
    "classe": ("classe", "classes", "division", "divisions", "codestructure"),
}
OBLIGATOIRES = ("identifiant", "nom", "prenom")

PROFILS = ("eleve", "prof", "admin")
# Normalised value of the `profil` column -> canonical profile.
ALIAS_PROFILS = {
    "eleve": "eleve",
    "eleves": "eleve",
    "elv": "eleve",
    "prof": "prof",
    "profs": "prof",
    "professeur": "prof",
    "enseignant": "prof",
    "ens": "prof",
    "admin": "admin",
    "administrateur": "admin",
    "personneldedirection": "admin",
    "direction": "admin",
    "personnel": "admin",
}

LOGIN_MAX = 20  # sAMAccountName limit for user objects


class ErreurExport(ValueError):
    """The export cannot be used; the message (French) says what to fix."""


@dataclass(frozen=True)
class Personne:
    identifiant: str
    nom: str
    prenom: str
    profil: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Existant:
    """A user as the directory holds it (read by the caller)."""

    login: str
    identifiant: str = ""
    actif: bool = True
    groupes: tuple[str, ...] = ()
    nom: str = ""
    prenom: str = ""


@dataclass
class Compte:
    login: str
    identifiant: str
    nom: str
    prenom: str
    profil: str
    groupes: list[str]


@dataclass
class Plan:
    creer: list[Compte] = field(default_factory=list)
    mettre_a_jour: list[dict] = field(default_factory=list)  # {login, champs..., ajouter, retirer}
    desactiver: list[str] = field(default_factory=list)
    reactiver: list[str] = field(default_factory=list)
    groupes: list[str] = field(default_factory=list)  # every group the plan needs

    def vide(self) -> bool:
        return not (self.creer or self.mettre_a_jour or self.desactiver or self.reactiver)

    def as_dict(self) -> dict:
        return {
            "creer": [asdict(c) for c in self.creer],
            "mettre_a_jour": self.mettre_a_jour,
            "desactiver": self.desactiver,
            "reactiver": self.reactiver,
            "groupes": self.groupes,
        }


def _ascii(texte: str) -> str:
    return unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode("ascii")


def _cle(texte: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", _ascii(texte).lower())


def groupe_classe(classe: str) -> str:
    """Group name of a class: `6EME A` -> `classe-6eme-a`."""
    slug = re.sub(r"[^a-z0-9]+", "-", _ascii(classe).lower()).strip("-")
    if not slug:
        raise ErreurExport(f"classe {classe!r} : nom vide après normalisation")
    return f"classe-{slug}"


def groupe_profil(profil: str) -> str:
    return {"eleve": "eleves", "prof": "profs", "admin": "admins-college"}[profil]


def lire_export(texte: str | bytes) -> list[Personne]:
    """Parse an export; raise ErreurExport listing every problem at once."""
    if isinstance(texte, bytes):
        try:
            texte = texte.decode("utf-8-sig")
        except UnicodeDecodeError:
            texte = texte.decode("cp1252")
    texte = texte.lstrip("\ufeff")
    if not texte.strip():
        raise ErreurExport("export vide : aucune ligne")
    try:
        dialecte = csv.Sniffer().sniff(texte.splitlines()[0], delimiters=";,\t")
    except csv.Error:
        dialecte = csv.excel
        dialecte.delimiter = ";"
    lecteur = csv.reader(io.StringIO(texte), delimiter=dialecte.delimiter)
    entete = next(lecteur)
    index: dict[str, int] = {}
    for i, nom in enumerate(entete):
        cle = _cle(nom)
        for canon, alias in COLONNES.items():
            if cle in alias and canon not in index:
                index[canon] = i
    manquantes = [c for c in OBLIGATOIRES if c not in index]
    if manquantes:
        raise ErreurExport(
            "colonnes manquantes : "
            + ", ".join(manquantes)
            + f" (en-tête lu : {entete!r} ; attendu : identifiant, nom, prenom, profil, classe)"
        )
    erreurs: list[str] = []
    personnes: list[Personne] = []
    vus: dict[str, int] = {}
    for numero, ligne in enumerate(lecteur, start=2):
        if not any(cellule.strip() for cellule in ligne):
            continue

        def valeur(canon: str, ligne=ligne) -> str:
            i = index.get(canon)
            return ligne[i].strip() if i is not None and i < len(ligne) else ""

        ident, nom, prenom = valeur("identifiant"), valeur("nom"), valeur("prenom")
        for canon, v in (("identifiant", ident), ("nom", nom), ("prenom", prenom)):
            if not v:
                erreurs.append(f"ligne {numero} : {canon} vide")
        brut = valeur("profil") or "eleve"
        profil = ALIAS_PROFILS.get(_cle(brut))
        if profil is None:
            erreurs.append(
                f"ligne {numero} : profil {brut!r} inconnu (attendu : eleve, prof, admin)"
            )
        classes = tuple(c.strip() for c in re.split(r"[,;|]", valeur("classe")) if c.strip())
        if profil == "eleve" and len(classes) != 1:
            erreurs.append(f"ligne {numero} : un élève a exactement une classe (lu : {classes!r})")
        if ident in vus:
            erreurs.append(f"ligne {numero} : identifiant {ident!r} déjà vu ligne {vus[ident]}")
        vus[ident] = numero
        if ident and nom and prenom and profil:
            personnes.append(Personne(ident, nom, prenom, profil, classes))
    if erreurs:
        raise ErreurExport("export invalide :\n  " + "\n  ".join(erreurs))
    return personnes


def login_de_base(prenom: str, nom: str) -> str:
    """`Élodie`, `Müller-Dupont` -> `elodie.muller-dupont` (ASCII, 20 characters at most)."""

    def part(texte: str) -> str:
        texte = re.sub(r"[^a-z0-9-]+", "-", _ascii(texte).lower())
        return re.sub(r"-{2,}", "-", texte).strip("-")

    login = f"{part(prenom)}.{part(nom)}".strip(".")
    return login[:LOGIN_MAX].rstrip(".-")


def _login_libre(base: str, pris: set[str]) -> str:
    if base not in pris:
        return base
    n = 2
    while True:
        suffixe = str(n)
        candidat = base[: LOGIN_MAX - len(suffixe)].rstrip(".-") + suffixe
        if candidat not in pris:
            return candidat
        n += 1


def groupes_de(personne: Personne) -> list[str]:
    return sorted({groupe_profil(personne.profil), *(groupe_classe(c) for c in personne.classes)})


def planifier(
    personnes: list[Personne],
    existants: list[Existant],
    geres: tuple[str, ...] | None = None,
) -> Plan:
    """Compare the export with the directory and return what to do.

    `existants`: users of the managed OUs. `geres`: the groups this plan owns (a user is
    added to or removed from these only; by default the profile groups and every
    `classe-*` group). Deterministic: same inputs, same plan; a second run after applying
    the plan gives an empty plan.
    """
    par_id = {e.identifiant: e for e in existants if e.identifiant}
    pris = {e.login.lower() for e in existants}

    def gere(groupe: str) -> bool:
        if geres is not None:
            return groupe in geres
        return groupe in {"eleves", "profs", "admins-college"} or groupe.startswith("classe-")

    plan = Plan()
    groupes: set[str] = set()
    presents: set[str] = set()
    # Sorted by identifier: new logins do not depend on the order of the export.
    for p in sorted(personnes, key=lambda p: p.identifiant):
        voulus = groupes_de(p)
        groupes.update(voulus)
        e = par_id.get(p.identifiant)
        if e is None:
            login = _login_libre(login_de_base(p.prenom, p.nom), pris)
            pris.add(login)
            presents.add(login)
            plan.creer.append(Compte(login, p.identifiant, p.nom, p.prenom, p.profil, voulus))
            continue
        presents.add(e.login)
        if not e.actif:
            plan.reactiver.append(e.login)
        actuels = {g for g in e.groupes if gere(g)}
        ajouter = sorted(set(voulus) - actuels)
        retirer = sorted(actuels - set(voulus))
        maj: dict = {}
        if e.nom != p.nom:
            maj["nom"] = p.nom
        if e.prenom != p.prenom:
            maj["prenom"] = p.prenom
        if ajouter:
            maj["ajouter"] = ajouter
        if retirer:
            maj["retirer"] = retirer
        if maj:
            plan.mettre_a_jour.append({"login": e.login, **maj})
    plan.desactiver = sorted(e.login for e in existants if e.actif and e.login not in presents)
    plan.groupes = sorted(groupes | {"eleves", "profs", "admins-college"})
    return plan
