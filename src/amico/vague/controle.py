"""Check every manifest line against the référentiel, then plan each new post.

`controler(ref, manifest)` returns every problem at once (French findings with the line
number, the faulty value and the fix) and, for the good lines, the planned record: host
name, reserved address, profile. Planning is deterministic: the same référentiel and the
same manifest give the same names and addresses, and a line whose post is already in the
référentiel (same serial, same MAC, same collège) is "déjà enregistré", not an error, so
checking or running again after a run changes nothing.

Conventions (documented in src/amico/vague/README.md):
- host name: `<uai en minuscules>-<salle>-NN` (the existing names), `_` of the room id
  written `-`, NN = highest number already used with that prefix + 1 (never reused);
- address: a DHCP reservation in the room's VLAN, which must be the site's pedagogical
  VLAN (a room without VLAN takes it), inside the plan's DHCP range (`regle.dhcp`; the
  offsets below it are reserved for gateway, switches, servers, printers, peripherals),
  allocated from the top of the range downwards so that Kea's dynamic leases (given
  from the bottom) rarely meet a reservation; never an address already in the référentiel;
- profile: see `profil_pour`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path

from amico.referentiel.findings import Finding
from amico.referentiel.loader import Referentiel
from amico.referentiel.model import Site
from amico.referentiel.noms import post_name
from amico.referentiel.plan import site_subnets, uai_is_valid, uai_key
from amico.vague.manifeste import Manifeste, normaliser_mac

POST_KINDS = ("poste", "client_leger", "chromeos")  # type_hote a wave may deliver
HOSTNAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")

# Room words -> profile, when the room has no post yet to learn from (id or name).
ROOM_PROFILES = (
    (("cdi", "documentation"), "cdi"),
    (("techno", "cfao"), "cfao"),
    (("science", "svt", "physique", "chimie", "labo"), "sciences"),
    (("langue", "anglais", "allemand"), "langues"),
    (("math",), "mathematiques"),
    (("art", "musique", "multimedia"), "arts"),
    (("lettre", "francais"), "lettres"),
    (("histoire", "geo"), "geographie"),
)


@dataclass
class PostePlanifie:
    ligne: int
    uai: str
    serie: str
    mac: str
    modele: str  # the catalog's spelling
    classe: str  # the catalog's id
    salle: str  # the room id
    type_hote: str
    nom: str = ""
    adresse: str | None = None
    profil: str | None = None
    systeme: str | None = None
    deja: bool = False  # already in the référentiel (a previous run, or by hand)

    @property
    def cle(self) -> str:
        """Stable identity of the machine across runs and waves."""
        return f"{self.serie.casefold()}|{self.mac}"

    def record(self) -> dict:
        """The site-file record (keys in the schema's order)."""
        rec = {
            "nom": self.nom,
            "classe": self.classe,
            "modele": self.modele,
            "serie": self.serie,
            "mac": self.mac,
            "salle": self.salle,
            "usage": "pedagogique",
        }
        if self.profil:
            rec["profil"] = self.profil
        if self.systeme:
            rec["systeme"] = self.systeme
        if self.adresse:
            rec["adresse"] = self.adresse
        return rec


@dataclass
class Controle:
    manifeste: Manifeste
    erreurs: list[Finding] = field(default_factory=list)
    postes: list[PostePlanifie] = field(default_factory=list)  # good lines, manifest order

    @property
    def lignes_en_erreur(self) -> list[int]:
        return sorted({f.ligne for f in self.erreurs if f.ligne})

    @property
    def valide(self) -> bool:
        return not self.erreurs


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.casefold().split())


class _SiteState:
    """Per-site planning state: names taken, free addresses, profiles seen by room."""

    def __init__(self, ref: Referentiel, site: Site, names: set[str], used: set[IPv4Address]):
        self.site = site
        self.names = names
        plan = ref.plan
        usage = {v.id: v for v in plan.vlans}
        self.peda = next(
            (v for v in site.vlans if v in usage and usage[v].usage == "pedagogique"), None
        )
        self.subnet = None
        self.free: list[IPv4Address] = []
        self.span = ""
        if self.peda is not None and usage[self.peda].dhcp:
            sub = site_subnets(plan, site.bloc_adresses, [self.peda])[self.peda]
            first, last = sub.clamp(plan.regle.dhcp)
            self.subnet = sub
            self.span = f"{sub.host(first)} – {sub.host(last)}"
            self.free = [
                a for off in range(last, first - 1, -1) if (a := sub.host(off)) not in used
            ]
        self.rooms = {r.id: r for r in site.salles}
        self.by_room_class: dict[tuple[str, str], Counter] = {}
        self.by_room: dict[str, Counter] = {}
        for p in site.postes:
            if p.profil and p.usage == "pedagogique":
                self.by_room_class.setdefault((p.salle, p.classe), Counter())[p.profil] += 1
                self.by_room.setdefault(p.salle, Counter())[p.profil] += 1
        self.next_number: dict[str, int] = {}

    def room(self, text: str):
        if text in self.rooms:
            return self.rooms[text]
        folded = _fold(text)
        for room in self.site.salles:
            if room.id.lower() == text.lower() or _fold(room.nom) == folded:
                return room
        return None

    def hostname(self, room_id: str) -> str:
        """Next free name of the room by the convention (amico.referentiel.noms)."""
        if room_id not in self.next_number:
            pattern = re.compile(r"^[0-9]{7}-[a-z0-9]+-([0-9]+)$")
            numbers = [
                int(m.group(1))
                for n in self.names
                if (m := pattern.match(n))
                and post_name(self.site.uai, room_id, int(m.group(1))) == n
            ]
            self.next_number[room_id] = max(numbers, default=0) + 1
        while True:
            n = self.next_number[room_id]
            self.next_number[room_id] += 1
            name = post_name(self.site.uai, room_id, n)
            if name not in self.names:
                self.names.add(name)
                return name


def profil_pour(state: _SiteState, classe: str, room, profiles: set[str]) -> str:
    """Profile of a new post: what its room already runs for that class, else CFAO for a
    CFAO class, else what the room runs, else the room's name, else `base`."""

    def ok(p):
        return p if p in profiles else None

    seen = state.by_room_class.get((room.id, classe))
    if seen and ok(seen.most_common(1)[0][0]):
        return seen.most_common(1)[0][0]
    if classe.upper().startswith("PCFAO") and ok("cfao"):
        return "cfao"
    seen = state.by_room.get(room.id)
    if seen and ok(seen.most_common(1)[0][0]):
        return seen.most_common(1)[0][0]
    words = _fold(f"{room.id} {room.nom}")
    for keys, profile in ROOM_PROFILES:
        if any(k in words for k in keys) and ok(profile):
            return profile
    return "base"


def controler(ref: Referentiel, man: Manifeste, systeme: str | None = None) -> Controle:
    out = Controle(man, erreurs=list(man.erreurs))
    chemin: Path = man.chemin
    bad: set[int] = {f.ligne for f in man.erreurs if f.ligne}

    def err(ligne: int, colonne: str, message: str, correction: str, valeur=None):
        out.erreurs.append(Finding(chemin, (colonne,), message, correction, valeur, ligne=ligne))
        bad.add(ligne)

    sites = {s.uai: s for s in ref.sites}
    classes = {c.id: c for c in ref.materiels.classes}
    classes_ci = {c.id.casefold(): c for c in ref.materiels.classes}
    profiles = {p.id for p in ref.logiciels.profils}

    # Everything the référentiel already holds (all sites): names, MACs, serials, addresses.
    names: set[str] = set()
    macs: dict[str, tuple] = {}
    serials: dict[str, tuple] = {}
    used: set[IPv4Address] = set()
    for site in ref.sites:
        for kind in ("serveurs", "commutateurs", "postes", "peripheriques"):
            for rec in getattr(site, kind):
                names.add(rec.nom)
                where = (site.uai, rec.nom, kind, rec)
                if getattr(rec, "mac", None):
                    macs[rec.mac] = where
                if getattr(rec, "serie", None):
                    serials[rec.serie.casefold()] = where
                if getattr(rec, "adresse", None) is not None:
                    used.add(rec.adresse)

    states: dict[str, _SiteState] = {}

    def _site_state(ref, site, names, used) -> _SiteState:
        if site.uai not in states:
            states[site.uai] = _SiteState(ref, site, names, used)
        return states[site.uai]

    shape_bad = {f.ligne for f in man.erreurs}
    parsed: list[tuple] = []
    first_mac: dict[str, list[int]] = {}
    first_serial: dict[str, list[int]] = {}
    for ligne in man.lignes:
        n, v = ligne.numero, ligne.valeurs
        for col, val in v.items():
            if not val and n not in shape_bad:
                err(n, col, "valeur absente", f"renseigner la colonne {col}")
        serie = v["numero_serie"]
        if serie and (len(serie) > 64 or not serie.isprintable() or " " in serie):
            err(
                n,
                "numero_serie",
                "numéro de série invalide (espace, caractère de contrôle ou plus de 64 caractères)",
                "recopier le numéro de l'étiquette du matériel",
                serie,
            )
        mac = None
        if v["adresse_mac"]:
            mac, why = normaliser_mac(v["adresse_mac"])
            if why:
                err(
                    n,
                    "adresse_mac",
                    why,
                    "écrire six octets hexadécimaux, par ex. "
                    "00:1a:2b:3c:4d:5e (aussi 00-1A-2B-3C-4D-5E, 001a.2b3c.4d5e, 001A2B3C4D5E)",
                    v["adresse_mac"],
                )
        uai = v["uai"].upper()
        site = None
        if uai:
            if not re.fullmatch(r"[0-9]{7}[A-Z]", uai):
                err(
                    n,
                    "uai",
                    "UAI mal formé",
                    "7 chiffres suivis de la lettre clé (ex. 0679901Y)",
                    v["uai"],
                )
            elif not uai_is_valid(uai):
                err(
                    n,
                    "uai",
                    "lettre clé de l'UAI fausse",
                    f"la clé de {uai[:7]} est "
                    f"« {uai_key(uai[:7])} » : vérifier le numéro ou la lettre",
                    v["uai"],
                )
            elif uai not in sites:
                err(
                    n,
                    "uai",
                    "collège absent du référentiel",
                    "corriger l'UAI ou ajouter le collège (README.md, « Ajouter un collège »)",
                    uai,
                )
            else:
                site = sites[uai]
        cls = None
        if v["classe_materiel"]:
            text = v["classe_materiel"]
            cls = classes.get(text) or classes_ci.get(text.casefold())
            if cls is None:
                err(
                    n,
                    "classe_materiel",
                    "classe de matériel inconnue du catalogue",
                    "utiliser une classe de referentiel/catalogue/materiels.yml (ex. PBASE, "
                    "PCFAO, PPORTABLE)",
                    text,
                )
            elif cls.type_hote not in POST_KINDS:
                err(
                    n,
                    "classe_materiel",
                    f"la classe {cls.id} n'est pas un poste ({cls.libelle})",
                    "une vague ne livre que des postes (famille postes) ; "
                    "décrire ce matériel dans `peripheriques` du site",
                    text,
                )
                cls = None
        modele = None
        if cls is not None and v["modele"]:
            known = {_fold(m.modele): m.modele for m in cls.modeles}
            modele = known.get(_fold(v["modele"]))
            if modele is None:
                listed = ", ".join(dict.fromkeys(m.modele for m in cls.modeles)) or "aucun"
                err(
                    n,
                    "modele",
                    f"modèle absent du catalogue matériels pour la classe {cls.id}",
                    f"corriger le modèle (au catalogue pour {cls.id} : {listed}) ou l'ajouter "
                    "à catalogue/materiels.yml avec son année",
                    v["modele"],
                )
        room = None
        if site is not None and v["salle"]:
            state_room = _site_state(ref, site, names, used).room(v["salle"])
            if state_room is None:
                listed = ", ".join(r.id for r in site.salles)
                err(
                    n,
                    "salle",
                    f"salle inconnue du collège {site.uai}",
                    f"choisir une salle du site ({listed}) ou la déclarer dans `salles`",
                    v["salle"],
                )
            else:
                room = state_room
                st = _site_state(ref, site, names, used)
                if st.peda is None or st.subnet is None:
                    err(
                        n,
                        "uai",
                        "le collège n'a pas de VLAN pédagogique avec DHCP",
                        "ajouter le VLAN pédagogique à `vlans` du site",
                        site.uai,
                    )
                elif room.vlan is not None and room.vlan != st.peda:
                    err(
                        n,
                        "salle",
                        f"la salle {room.id} est sur le VLAN {room.vlan}, pas sur le "
                        f"VLAN pédagogique {st.peda}",
                        "choisir une salle du VLAN pédagogique ou corriger le VLAN de la salle",
                        v["salle"],
                    )
        if mac:
            first_mac.setdefault(mac, []).append(n)
        if serie:
            first_serial.setdefault(serie.casefold(), []).append(n)
        parsed.append((n, v, serie, mac, site, cls, modele, room))

    for value, lines in first_mac.items():
        if len(lines) > 1:
            for n in lines:
                err(
                    n,
                    "adresse_mac",
                    "adresse MAC en double dans le manifeste (lignes "
                    f"{', '.join(map(str, lines))})",
                    "vérifier l'étiquette : une MAC par matériel",
                    value,
                )
    for _value, lines in first_serial.items():
        if len(lines) > 1:
            for n in lines:
                raw = next(p[2] for p in parsed if p[0] == n)
                err(
                    n,
                    "numero_serie",
                    "numéro de série en double dans le manifeste (lignes "
                    f"{', '.join(map(str, lines))})",
                    "un numéro de série par matériel",
                    raw,
                )

    for n, _v, serie, mac, site, cls, modele, room in parsed:
        if n in bad:
            continue
        known_mac, known_serial = macs.get(mac), serials.get(serie.casefold())
        same = (
            known_mac is not None
            and known_mac is known_serial
            and known_mac[2] == "postes"
            and known_mac[0] == site.uai
        )
        poste = PostePlanifie(n, site.uai, serie, mac, modele, cls.id, room.id, cls.type_hote)
        if same:
            rec = known_mac[3]
            poste.deja, poste.nom, poste.salle = True, rec.nom, rec.salle
            poste.adresse = str(rec.adresse) if rec.adresse else None
            poste.profil, poste.systeme = rec.profil, rec.systeme
            out.postes.append(poste)
            continue
        if known_mac is not None:
            err(
                n,
                "adresse_mac",
                f"adresse MAC déjà au référentiel ({known_mac[1]}, collège {known_mac[0]})",
                "vérifier l'étiquette ; si le matériel a changé de "
                "collège, le retirer d'abord de l'ancien site",
                mac,
            )
        if known_serial is not None:
            err(
                n,
                "numero_serie",
                f"numéro de série déjà au référentiel ({known_serial[1]}, "
                f"collège {known_serial[0]})",
                "vérifier le numéro ; un matériel n'est enregistré qu'une fois",
                serie,
            )
        if n in bad:
            continue
        st = _site_state(ref, site, names, used)
        if not st.free:
            err(
                n,
                "uai",
                f"plus d'adresse libre dans la plage DHCP du VLAN {st.peda} "
                f"({st.span}) du collège {site.uai}",
                "libérer des adresses, élargir la plage "
                "du plan d'adressage ou livrer ces postes plus tard",
                site.uai,
            )
            continue
        poste.nom = st.hostname(room.id)
        addr = st.free.pop(0)
        used.add(addr)
        poste.adresse = str(addr)
        if cls.type_hote == "poste":
            poste.profil = profil_pour(st, cls.id, room, profiles)
            poste.systeme = systeme
        if not HOSTNAME.match(poste.nom):
            err(
                n,
                "salle",
                "le nom d'hôte dérivé de la salle est invalide ou trop long",
                "raccourcir l'identifiant de la salle",
                poste.nom,
            )
            continue
        out.postes.append(poste)
    out.postes = [p for p in out.postes if p.ligne not in bad]
    out.erreurs.sort(key=lambda f: (f.ligne or 0, f.chemin))
    return out
