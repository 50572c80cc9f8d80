"""Typed model of the référentiel (schema documented in referentiel/README.md).

Every model forbids unknown keys: a typo in a YAML key is an error, not a silent default.

Every string is bounded and single-line: référentiel text reaches switch CLIs, Samba/Kea
templates, PowerShell, HTML reports, CSV exports and GLPI tickets, where a line break or
a control character ends a command or forges a line. Control, format, unassigned and
line/paragraph separator characters (Unicode C*, Zl, Zp, the same class the switch
renderer refuses) are refused everywhere; fields that reach a device also get the
vendor's grammar and length limit.
"""

from __future__ import annotations

import datetime as dt
from ipaddress import IPv4Address, IPv4Network
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# One line of text, no control/format/separator character (rust-regex Unicode classes).
LINE_PATTERN = r"^[^\p{C}\p{Zl}\p{Zp}]*$"
# Switch port description: one line, and none of the characters the CLIs give a meaning
# to inside a value: `"` closes ProCurve's quoted `name "..."`, `?` is the help key of
# both CLIs over SSH, `\` escapes on ProCurve.
# No leading or trailing space either: IOS drops them, and the next drift run would see a
# difference that can never converge.
_DESC_CHAR = r'[^\p{C}\p{Zl}\p{Zp}"?\\]'
_DESC_EDGE = r'[^\p{C}\p{Z}"?\\]'
PORT_DESCRIPTION_PATTERN = rf"^(?:{_DESC_EDGE}(?:{_DESC_CHAR}*{_DESC_EDGE})?)?$"
# Vendor limits of the port label (the switch renderer holds the same figures):
# - Cisco IOS `description` (interface configuration): up to 240 characters (Cisco IOS
#   Interface and Hardware Component Command Reference, "description (interface)");
# - ArubaOS-Switch `interface <port> name "<port-name-str>"`: up to 64 characters
#   (ArubaOS-Switch Management and Configuration Guide, "Port names");
# - VLAN names: 32 characters on both (IOS `vlan` configuration `name vlan-name`,
#   ArubaOS-Switch `vlan <vid> name "<name-str>"`), see VlanDef.nom.
PORT_DESCRIPTION_MAX = {"cisco": 240, "aruba": 64}
VLAN_NAME_MAX = 32
# Port list grammar: names made of letters (modules, `Gi`, `Trk`), digits and `/`, single
# names or `first-last` ranges, separated by commas (spaces tolerated after a comma).
# Nothing else (no quote, `;`, space inside a name) can reach `untagged <list>`.
_IFNAME = r"[A-Za-z0-9/]{1,40}"
INTERFACES_PATTERN = rf"^{_IFNAME}(?:-{_IFNAME})?(?: ?, ?{_IFNAME}(?:-{_IFNAME})?)*$"
# Each expanded interface name, per vendor, as the switch CLIs name ports (the same shapes
# the switch renderer's grammar admits): ArubaOS-Switch `24`, `A1`, `1/A1` (VSF member),
# `C1i` (5406R), `Trk1`; IOS a bare port number (GigabitEthernet1/0/n) or a full or
# abbreviated Ethernet interface name (`Gi1/0/1`, `TenGigabitEthernet1/1/1`).
PORT_NAME_PATTERNS = {
    "aruba": r"^(?:\d{1,2}/)?(?:[A-Z]?\d{1,3}[a-z]?|Trk\d{1,3})$",
    "cisco": r"^(?:\d{1,3}|(?:Gi|Fa|Te|GigabitEthernet|FastEthernet|TenGigabitEthernet|"
    r"TwoGigabitEthernet|FortyGigabitEthernet)\d{1,3}(?:/\d{1,3}){0,2})$",
}


def Ligne(max_length: int = 200):  # noqa: N802 - a type alias factory, read as a type
    """A bounded single-line text (see the module docstring)."""
    return Annotated[str, StringConstraints(pattern=LINE_PATTERN, max_length=max_length)]


Nom = Ligne(200)
Texte = Ligne(4000)  # notes, sources, observations: long but still one line
COURRIEL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
Courriel = Annotated[str, StringConstraints(pattern=COURRIEL_PATTERN, max_length=254)]
Telephone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 .()-]{4,30}$")]
Serie = Ligne(64)
TerritoireCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2,3}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", max_length=80)]
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
    nom: Nom
    courriel: Courriel | None = None
    telephone: Telephone | None = None


class Acteur(Strict):
    id: Id
    nom: Nom
    description: Texte = ""
    cote: Literal["academie", "collectivite", "etablissement", "externe"]


class Territoire(Strict):
    code: TerritoireCode
    nom: Nom
    colleges_attendus: int | None = None
    postes_attendus: int | None = None
    amico: Contact | None = None


class Collectivite(Strict):
    id: Id
    nom: Nom
    depuis: dt.date | None = None
    source: Texte | None = None
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
    nom: Annotated[str, StringConstraints(pattern=rf"^[A-Za-z0-9_-]{{1,{VLAN_NAME_MAX}}}$")]
    usage: Usage
    proprietaire: Literal["collectivite", "academie"]
    rang: Annotated[int, Field(ge=0)]
    prefixe: Annotated[int, Field(ge=16, le=30)]
    dhcp: bool = False
    description: Texte = ""
    # must every site list it? Default: yes for the Académie's VLANs (the administrative
    # network exists in every collège), no for the collectivité's.
    obligatoire: bool | None = None

    @property
    def requis(self) -> bool:
        return self.obligatoire if self.obligatoire is not None else self.proprietaire == "academie"


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
    description: Texte = ""


class Perimetre(Strict):
    phase_defaut: Id
    operateur_defaut: Id
    types_hote: dict[HostType, TypeHote]


# --- matrice/services.yml ---------------------------------------------------------------


class Phase(Strict):
    id: Id
    nom: Nom
    defaut: bool = False


class Service(Strict):
    id: Id
    domaine: Nom
    rubrique: Nom | None = None
    libelle: Ligne(500)
    raci: dict[Id, dict[Id, Ligne(40)]]
    observations: dict[Id, Texte] = {}
    anomalies: dict[Id, Texte] = {}
    decisions: dict[Id, Texte] = {}


class Matrice(Strict):
    phases: list[Phase]
    services: list[Service]


# --- catalogue/logiciels.yml ------------------------------------------------------------


class CycleDeVie(Strict):
    statut: Literal["supporte", "fin_de_vie", "interdit"]
    fin_de_vie: dt.date | None = None
    remplace_par: Id | None = None
    source: Texte | None = None
    note: Texte | None = None


class Detection(Strict):
    type: Literal["desinstallation", "msi", "fichier", "registre", "service", "script"]
    nom: Ligne(260) | None = None
    editeur: Ligne(260) | None = None
    code_produit: Ligne(260) | None = None
    chemin: Ligne(260) | None = None
    cle: Ligne(260) | None = None
    valeur: Ligne(260) | None = None
    attendu: Ligne(260) | None = None
    script: Texte | None = None


class Installation(Strict):
    fichier: Ligne(260)
    arguments: Ligne(1000) = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    codes_retour_ok: list[int] = [0, 3010, 1641]
    note: Texte | None = None


class Desinstallation(Strict):
    commande: Ligne(1000)
    codes_retour_ok: list[int] = [0, 1605, 3010, 1641]


class Logiciel(Strict):
    id: Id
    nom: Nom
    annexe6: Nom | None = None
    categorie: Literal["systeme", "logiciel_de_base", "logiciel_college", "utilitaire"]
    discipline: Nom | None = None
    editeur: Nom | None = None
    licence: Literal["libre", "gratuit", "proprietaire"] | None = None
    cycle_de_vie: CycleDeVie
    version_min: Ligne(40) | None = None
    version_exacte: bool = False
    detection: list[Detection] = []
    installation: Installation | None = None
    desinstallation: Desinstallation | None = None
    source: Texte | None = None
    a_verifier: bool = False
    note: Texte | None = None


class Profil(Strict):
    id: Id
    nom: Nom
    description: Texte = ""
    inclut: list[Id] = []
    logiciels: list[Id] = []


class CatalogueLogiciels(Strict):
    logiciels: list[Logiciel]
    profils: list[Profil]


# --- catalogue/materiels.yml ------------------------------------------------------------


class Modele(Strict):
    annee: Annotated[int, Field(ge=1990, le=2100)]
    modele: Nom
    # end of the vendor's updates (Chromebook Auto Update Expiration, thin-client firmware
    # or embedded OS support): used by `amico vague renouvellement` for non-Windows posts
    fin_de_support: dt.date | None = None
    source: Texte | None = None
    a_verifier: bool = False


class Famille(Strict):
    id: Id
    libelle: Nom
    annexe6: Nom | None = None


class ClasseMateriel(Strict):
    id: ClassId
    annexe6: Nom | None = None
    famille: Id
    libelle: Nom
    type_hote: Literal["poste", "client_leger", "chromeos", "peripherique", "mobilier"]
    modeles: list[Modele] = []
    note: Texte | None = None


class AutreMateriel(Strict):
    id: Id
    libelle: Nom
    note: Texte | None = None


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
    nom: Nom
    vlan: VlanId | None = None


class Serveur(Strict):
    nom: Hostname
    role: Literal["serveur_pedagogique", "serveur_administratif", "nas"]
    systeme: Id
    vlan: VlanId
    adresse: IPv4Address
    mac: Mac | None = None
    salle: Id | None = None
    modele: Nom | None = None
    serie: Serie | None = None


class Port(Strict):
    interfaces: Annotated[str, StringConstraints(pattern=INTERFACES_PATTERN, max_length=400)]
    mode: Literal["acces", "trunk"]
    vlan: VlanId | None = None
    vlans: list[VlanId] = []
    natif: VlanId | None = None
    salle: Id | None = None
    vers: Hostname | None = None
    description: (
        Annotated[
            str,
            StringConstraints(
                pattern=PORT_DESCRIPTION_PATTERN, max_length=max(PORT_DESCRIPTION_MAX.values())
            ),
        ]
        | None
    ) = None


class Commutateur(Strict):
    nom: Hostname
    fabricant: Literal["aruba", "cisco"]
    modele: Nom
    role: Literal["coeur", "distribution", "acces"] = "acces"
    salle: Id | None = None
    adresse: IPv4Address
    mac: Mac | None = None
    serie: Serie | None = None
    ports: list[Port] = []


class Equipement(Strict):
    """A post or a peripheral: one record per device, as the inventory knows it."""

    nom: Hostname
    classe: ClassId
    modele: Nom | None = None
    serie: Serie | None = None
    mac: Mac | None = None
    salle: Id
    usage: Literal["pedagogique", "administratif"] = "pedagogique"
    adresse: IPv4Address | None = None


class Poste(Equipement):
    profil: Id | None = None
    systeme: Id | None = None


class Peripherique(Equipement):
    pass


class EquipementSecurite(Strict):
    """A firewall/router or a web filtering proxy of the site. The convention gives them
    to the Académie during the transitional phase (perimetre.yml, type `pare_feu`): they
    are described so that the perimeter covers them, never handed to a run."""

    nom: Hostname
    modele: Nom | None = None
    serie: Serie | None = None
    mac: Mac | None = None
    salle: Id | None = None
    vlan: VlanId | None = None
    adresse: IPv4Address | None = None  # the gateway (.1) of its VLAN is allowed


class Site(Strict):
    uai: Uai
    nom: Nom
    commune: Nom
    territoire: TerritoireCode
    exemple: bool = False
    bloc_adresses: IPv4Network
    vlans: list[VlanId]
    contacts: Contacts
    salles: list[Salle] = []
    serveurs: list[Serveur] = []
    commutateurs: list[Commutateur] = []
    postes: list[Poste] = []
    peripheriques: list[Peripherique] = []
    pare_feux: list[EquipementSecurite] = []
    proxys: list[EquipementSecurite] = []
    # Key paths (as findings print them: "commutateurs[0].mac") whose value is still
    # provisional or missing; a new site starts with them, the check warns until removed.
    a_completer: list[str] = []
