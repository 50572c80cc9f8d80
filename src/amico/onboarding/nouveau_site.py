"""`amico referentiel nouveau-site`: a valid site file for a real collège, from the plan.

The address block is the first free /20 of the sequence the generator uses (or the one
given, checked against the plan and the other sites); VLANs, server and switch addresses
follow the plan's reservations; names follow the convention (`noms`). What only a human
(or the GLPI import) can know is listed under `a_completer`, with a provisional value
where the schema needs one, so `amico referentiel verifier` passes and warns until done.
"""

from __future__ import annotations

import contextlib
import re
from ipaddress import IPv4Network
from pathlib import Path

from amico.onboarding import OnboardingError
from amico.referentiel.findings import Finding, ReferentielInvalide
from amico.referentiel.generate import dump_site, site_block
from amico.referentiel.loader import Referentiel, load
from amico.referentiel.noms import server_name, switch_name
from amico.referentiel.plan import PlanError, site_subnets, uai_key

PLACEHOLDER = "a_completer"
MAX_BLOCKS = 4096  # 10.64.0.0 + 4096 /20: far more than the 148 collèges
TECH_ROOM = "local_technique"


def check_uai(uai: str, territoire: str) -> str:
    uai = uai.strip().upper()
    if not re.fullmatch(r"[0-9]{7}[A-Z]", uai):
        raise OnboardingError(
            f"UAI « {uai} » invalide : 7 chiffres suivis de la lettre clé attendus (ex. 0670001X)"
        )
    key = uai_key(uai[:7])
    if uai[7] != key:
        raise OnboardingError(
            f"UAI « {uai} » : lettre clé fausse, la clé de {uai[:7]} est « {key} » ; "
            "vérifier le numéro ou la lettre"
        )
    # The UAI's first three digits are the département (067 Bas-Rhin, 068 Haut-Rhin).
    if uai[:3].lstrip("0") != territoire.lstrip("0"):
        raise OnboardingError(
            f"UAI « {uai} » : elle appartient au département {uai[1:3]}, pas au territoire "
            f"{territoire} ; vérifier --uai ou --territoire"
        )
    return uai


def taken_blocks(ref: Referentiel) -> list[tuple[IPv4Network, str]]:
    return [(s.bloc_adresses, p.name) for s, p in zip(ref.sites, ref.site_paths, strict=True)]


def free_blocks(ref: Referentiel):
    """The free /20s of the generator's sequence, in order (each checked once)."""
    taken = [(int(b.network_address), int(b.broadcast_address)) for b, _ in taken_blocks(ref)]
    for index in range(MAX_BLOCKS):
        block = site_block(index)
        first, last = int(block.network_address), int(block.broadcast_address)
        if not any(first <= end and start <= last for start, end in taken):
            yield block
    raise OnboardingError(
        "aucun bloc /20 libre dans la suite 10.64.0.0/20 et suivants : donner --bloc"
    )


def free_block(ref: Referentiel) -> IPv4Network:
    return next(free_blocks(ref))


def check_block(ref: Referentiel, text: str) -> IPv4Network:
    try:
        block = IPv4Network(text, strict=True)
    except ValueError:
        raise OnboardingError(
            f"--bloc « {text} » : réseau IPv4 invalide ; écrire un réseau aligné en notation "
            "CIDR sans bits d'hôte (ex. 10.64.16.0/20) ou « auto »"
        ) from None
    for other, name in taken_blocks(ref):
        if block.overlaps(other):
            raise OnboardingError(
                f"--bloc {block} : bloc déjà pris, il chevauche celui de {name} ({other}) ; "
                f"choisir un bloc libre ou « auto » (premier libre : {free_block(ref)})"
            )
    return block


def _reserved(ref: Referentiel, what: str, count: int) -> list[int]:
    first, last = getattr(ref.plan.regle.reservations, what)
    if count > last - first + 1:
        raise OnboardingError(
            f"le plan réserve {last - first + 1} adresse(s) aux {what} ({first}-{last}), "
            f"il en faut {count} : revoir plan_adressage.yml"
        )
    return list(range(first, first + count))


def build_site(
    ref: Referentiel,
    uai: str,
    nom: str,
    commune: str,
    territoire: str,
    block: IPv4Network,
    n_access: int = 0,
) -> dict:
    """The site as the YAML dict of sites/<UAI>.yml, every unknown listed in a_completer."""
    vlan_ids = [v.id for v in ref.plan.vlans]
    try:
        subnets = site_subnets(ref.plan, block, vlan_ids)
    except PlanError as exc:
        raise OnboardingError(f"--bloc {block} : {exc} ; donner un bloc plus grand") from None
    by_usage: dict[str, int] = {}
    for v in ref.plan.vlans:
        by_usage.setdefault(v.usage, v.id)
    for usage in ("serveurs", "administratif", "management"):
        if usage not in by_usage:
            raise OnboardingError(
                f"plan_adressage.yml n'a aucun VLAN d'usage « {usage} » : l'y déclarer"
            )
    todo = [
        "contacts.correspondant_en.nom",
        "contacts.correspondant_en.courriel",
        "salles",
    ]

    def addr(usage: str, offset: int) -> str:
        return str(subnets[by_usage[usage]].host(offset))

    se_offsets = _reserved(ref, "serveurs", 2)
    servers = [
        {"nom": server_name("serveur_pedagogique", uai), "role": "serveur_pedagogique",
         "systeme": "debian12", "vlan": by_usage["serveurs"],
         "adresse": addr("serveurs", se_offsets[0]), "salle": TECH_ROOM},
        {"nom": server_name("nas", uai), "role": "nas", "systeme": "debian12",
         "vlan": by_usage["serveurs"], "adresse": addr("serveurs", se_offsets[1]),
         "salle": TECH_ROOM},
        # The administrative server is the Académie's: recorded so that its address is
        # reserved and nobody else takes it, never configured by the collectivité.
        {"nom": server_name("serveur_administratif", uai), "role": "serveur_administratif",
         "systeme": PLACEHOLDER, "vlan": by_usage["administratif"],
         "adresse": addr("administratif", se_offsets[0]), "salle": TECH_ROOM},
    ]  # fmt: skip
    for i in range(len(servers)):
        todo += [f"serveurs[{i}].mac", f"serveurs[{i}].modele", f"serveurs[{i}].serie"]
    todo.append("serveurs[2].systeme")
    names = [switch_name("coeur", uai)]
    names += [switch_name("acces", uai, n + 1) for n in range(n_access)]
    sw_offsets = _reserved(ref, "commutateurs", len(names))
    switches = []
    for i, name in enumerate(names):
        switches.append({
            "nom": name, "fabricant": "aruba", "modele": PLACEHOLDER,
            "role": "coeur" if i == 0 else "acces", "salle": TECH_ROOM,
            "adresse": addr("management", sw_offsets[i]), "ports": [],
        })  # fmt: skip
        todo += [f"commutateurs[{i}].{key}" for key in ("fabricant", "modele", "mac", "serie")]
        todo += [f"commutateurs[{i}].salle"] if i else []
        todo.append(f"commutateurs[{i}].ports")
    todo += ["postes", "peripheriques"]
    return {
        "uai": uai,
        "nom": nom,
        "commune": commune,
        "territoire": territoire,
        "bloc_adresses": str(block),
        "vlans": vlan_ids,
        "contacts": {"correspondant_en": {"nom": PLACEHOLDER}},
        "salles": [{"id": TECH_ROOM, "nom": "Local technique (baie de brassage)"}],
        "serveurs": servers,
        "commutateurs": switches,
        "postes": [],
        "peripheriques": [],
        "a_completer": todo,
    }


HEADER = (
    "# Collège créé par `amico referentiel nouveau-site` : bloc, VLAN, adresses et noms\n"
    "# viennent du plan d'adressage et de la convention de nommage. Les valeurs listées\n"
    "# sous `a_completer` sont provisoires ou absentes : les renseigner (ou lancer\n"
    "# `amico referentiel importer glpi`) puis retirer chaque entrée ; `amico referentiel\n"
    "# check` les signale en avertissement tant qu'elles restent.\n"
    "---\n"
)


def create_site(
    root: Path,
    uai: str,
    nom: str,
    commune: str,
    territoire: str,
    bloc: str = "auto",
    n_access: int = 0,
) -> tuple[Path, list[Finding]]:
    """Write sites/<UAI>.yml under `root`; return it and its warnings. Raises
    OnboardingError (French) with nothing written on any bad input."""
    try:
        ref = load(root)
    except ReferentielInvalide as exc:
        raise OnboardingError(
            "le référentiel est invalide, corriger d'abord ses erreurs :\n" + exc.report()
        ) from None
    territoires = {t.code for c in ref.organisation.collectivites for t in c.territoires}
    if territoire not in territoires:
        raise OnboardingError(
            f"--territoire « {territoire} » inconnu : choisir parmi "
            f"{', '.join(sorted(territoires))} (organisation.yml)"
        )
    uai = check_uai(uai, territoire)
    for site, path in zip(ref.sites, ref.site_paths, strict=True):
        if site.uai == uai:
            raise OnboardingError(f"le collège {uai} existe déjà ({path}) : rien n'a été écrit")
    if not nom.strip() or not commune.strip():
        raise OnboardingError("--nom et --commune ne doivent pas être vides")
    if n_access < 0:
        raise OnboardingError("--commutateurs-acces doit valoir au moins 0")
    block = free_block(ref) if bloc == "auto" else check_block(ref, bloc)
    site = build_site(ref, uai, nom.strip(), commune.strip(), territoire, block, n_access)
    path = ref.root / "sites" / f"{uai}.yml"
    if path.exists():
        raise OnboardingError(f"{path} existe déjà (fichier illisible ?) : rien n'a été écrit")
    path.parent.mkdir(parents=True, exist_ok=True)
    dump_site(site, path)
    path.write_text(HEADER + path.read_text("utf-8"), "utf-8")
    try:
        checked = load(ref.root)
    except ReferentielInvalide as exc:  # a bug of ours: never leave an invalid file behind
        with contextlib.suppress(OSError):
            path.unlink()
        raise OnboardingError(
            "le site produit ne passe pas la vérification (rien n'a été écrit) :\n" + exc.report()
        ) from None
    return path, [w for w in checked.warnings if w.fichier == path]
