"""Typed model of the référentiel (schema documented in referentiel/README.md).

Every model forbids unknown keys: a typo in a YAML key is an error, not a silent default.
"""

from __future__ import annotations

import datetime as dt
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
ClassId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.]+$")]
Hostname = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
Mac = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")]
Uai = Annotated[str, StringConstraints(pattern=r"^[0-9]{7}[A-Z]$")]
VlanId = Annotated[int, Field(ge=1, le=4094)]
Offset = Annotated[int, Field(ge=1)]

RACI_ACTORS = ("dsi", "dsi_raip", "dane", "prn", "cd", "externe", "etablissement")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- organisation.yml -------------------------------------------------------------------


class Contact(Strict):
    nom: str
    courriel: str | None = None
    telephone: str | None = None


class Acteur(Strict):
    id: Id
    nom: str
    description: str = ""
    cote: Literal["academie", "collectivite", "etablissement", "externe"]


class Territoire(Strict):
    code: Annotated[str, StringConstraints(pattern=r"^[0-9]{2,3}$")]
    nom: str
    colleges_attendus: int | None = None
    postes_attendus: int | None = None
    amico: Contact | None = None


class Collectivite(Strict):
    id: Id
    nom: str
    depuis: dt.date | None = None
    source: str | None = None
    territoires: list[Territoire]


class Organisation(Strict):
    acteurs: list[Acteur]
    collectivites: list[Collectivite]


# --- plan_adressage.yml -----------------------------------------------------------------

Usage = Literal[
    "pedagogique",
    "administratif",
    "wifi",
    "toip",
    "gtb_gtc",
    "videoprotection",
    "management",
    "invites",
    "serveurs",
]


class Reservations(Strict):
    commutateurs: tuple[Offset, Offset]
    serveurs: tuple[Offset, Offset]
    imprimantes: tuple[Offset, Offset]
    peripheriques: tuple[Offset, Offset]


class Regle(Strict):
    passerelle: Offset = 1
    reservations: Reservations
    dhcp: tuple[Offset, Offset]


class VlanDef(Strict):
    id: VlanId
    nom: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    usage: Usage
    proprietaire: Literal["collectivite", "academie"]
    rang: Annotated[int, Field(ge=0)]
    prefixe: Annotated[int, Field(ge=16, le=30)]
    dhcp: bool = False
    description: str = ""


class PlanAdressage(Strict):
    regle: Regle
    vlans: list[VlanDef]


# --- perimetre.yml ----------------------------------------------------------------------

HostType = Literal[
    "poste_pedagogique",
    "poste_administratif",
    "serveur_pedagogique",
    "serveur_administratif",
    "commutateur",
    "pare_feu",
    "peripherique_pedagogique",
    "peripherique_administratif",
]


class TypeHote(Strict):
    service: Id
    perimetre: Literal["collectivite", "academie"]
    actions: dict[Id, Id] = {}
    description: str = ""


class Perimetre(Strict):
    phase_defaut: Id
    operateur_defaut: Id
    types_hote: dict[HostType, TypeHote]


# --- matrice/services.yml ---------------------------------------------------------------


class Phase(Strict):
    id: Id
    nom: str
    defaut: bool = False


class Service(Strict):
    id: Id
    domaine: str
    rubrique: str | None = None
    libelle: str
    raci: dict[Id, dict[Id, str]]
    observations: dict[Id, str] = {}
    anomalies: dict[Id, str] = {}
    decisions: dict[Id, str] = {}


class Matrice(Strict):
    phases: list[Phase]
    services: list[Service]


# --- catalogue/logiciels.yml ------------------------------------------------------------


class CycleDeVie(Strict):
    statut: Literal["supporte", "fin_de_vie", "interdit"]
    fin_de_vie: dt.date | None = None
    remplace_par: Id | None = None
    source: str | None = None
    note: str | None = None


class Detection(Strict):
    type: Literal["desinstallation", "msi", "fichier", "registre", "service", "script"]
    nom: str | None = None
    editeur: str | None = None
    code_produit: str | None = None
    chemin: str | None = None
    cle: str | None = None
    valeur: str | None = None
    attendu: str | None = None
    script: str | None = None


class Installation(Strict):
    fichier: str
    arguments: str = ""
    sha256: str | None = None
    codes_retour_ok: list[int] = [0, 3010, 1641]
    note: str | None = None


class Desinstallation(Strict):
    commande: str
    codes_retour_ok: list[int] = [0, 1605, 3010, 1641]


class Logiciel(Strict):
    id: Id
    nom: str
    annexe6: str | None = None
    categorie: Literal["systeme", "logiciel_de_base", "logiciel_college", "utilitaire"]
    discipline: str | None = None
    editeur: str | None = None
    licence: Literal["libre", "gratuit", "proprietaire"] | None = None
    cycle_de_vie: CycleDeVie
    version_min: str | None = None
    version_exacte: bool = False
    detection: list[Detection] = []
    installation: Installation | None = None
    desinstallation: Desinstallation | None = None
    source: str | None = None
    a_verifier: bool = False
    note: str | None = None


class Profil(Strict):
    id: Id
    nom: str
    description: str = ""
    inclut: list[Id] = []
    logiciels: list[Id] = []


class CatalogueLogiciels(Strict):
    logiciels: list[Logiciel]
    profils: list[Profil]


# --- catalogue/materiels.yml ------------------------------------------------------------


class Modele(Strict):
    annee: Annotated[int, Field(ge=1990, le=2100)]
    modele: str


class Famille(Strict):
    id: Id
    libelle: str
    annexe6: str | None = None


class ClasseMateriel(Strict):
    id: ClassId
    annexe6: str | None = None
    famille: Id
    libelle: str
    type_hote: Literal["poste", "client_leger", "chromeos", "peripherique", "mobilier"]
    modeles: list[Modele] = []
    note: str | None = None


class AutreMateriel(Strict):
    id: Id
    libelle: str
    note: str | None = None


class CatalogueMateriels(Strict):
    familles: list[Famille]
    classes: list[ClasseMateriel]
    autres_materiels: list[AutreMateriel] = []


# --- sites/<UAI>.yml --------------------------------------------------------------------


class Contacts(Strict):
    correspondant_en: Contact
    amico: Contact | None = None


class Salle(Strict):
    id: Id
    nom: str
    vlan: VlanId | None = None


class Serveur(Strict):
    nom: Hostname
    role: Literal["serveur_pedagogique", "serveur_administratif", "nas"]
    systeme: str
    vlan: VlanId
    adresse: IPv4Address
    mac: Mac | None = None
    salle: Id | None = None
    modele: str | None = None
    serie: str | None = None


class Port(Strict):
    interfaces: str
    mode: Literal["acces", "trunk"]
    vlan: VlanId | None = None
    vlans: list[VlanId] = []
    natif: VlanId | None = None
    salle: Id | None = None
    vers: Hostname | None = None
    description: str | None = None


class Commutateur(Strict):
    nom: Hostname
    fabricant: Literal["aruba", "cisco"]
    modele: str
    role: Literal["coeur", "distribution", "acces"] = "acces"
    salle: Id | None = None
    adresse: IPv4Address
    mac: Mac | None = None
    serie: str | None = None
    ports: list[Port] = []


class Equipement(Strict):
    """A post or a peripheral: one record per device, as the inventory knows it."""

    nom: Hostname
    classe: ClassId
    modele: str | None = None
    serie: str | None = None
    mac: Mac | None = None
    salle: Id
    usage: Literal["pedagogique", "administratif"] = "pedagogique"
    adresse: IPv4Address | None = None


class Poste(Equipement):
    profil: Id | None = None
    systeme: Id | None = None


class Peripherique(Equipement):
    pass


class Site(Strict):
    uai: Uai
    nom: str
    commune: str
    territoire: str
    exemple: bool = False
    bloc_adresses: IPv4Network
    vlans: list[VlanId]
    contacts: Contacts
    salles: list[Salle] = []
    serveurs: list[Serveur] = []
    commutateurs: list[Commutateur] = []
    postes: list[Poste] = []
    peripheriques: list[Peripherique] = []
    # Key paths (as findings print them: "commutateurs[0].mac") whose value is still
    # provisional or missing; a new site starts with them, the check warns until removed.
    a_completer: list[str] = []
