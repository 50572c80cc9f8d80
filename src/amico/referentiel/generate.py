"""Synthetic but valid référentiels of any size (benchmarks, scale tests, demo sites).

The shared files (organisation, plan, matrix, catalogs) are copied from a source
référentiel; the sites are generated deterministically from their index, so two runs
with the same arguments write the same bytes.
"""

from __future__ import annotations

import math
import shutil
from ipaddress import IPv4Network
from pathlib import Path

import yaml

from amico.referentiel.noms import post_name, server_name, switch_name
from amico.referentiel.plan import uai_key
from amico.referentiel.yamlio import load_file

SHARED_FILES = (
    "organisation.yml",
    "plan_adressage.yml",
    "perimetre.yml",
    "matrice/services.yml",
    "catalogue/logiciels.yml",
    "catalogue/materiels.yml",
)
POSTS_PER_ROOM = 16
VLAN_PEDA, VLAN_WIFI, VLAN_SERVERS, VLAN_ADMIN, VLAN_TOIP, VLAN_MGMT = 100, 110, 130, 200, 300, 950
SITE_VLANS = [VLAN_PEDA, VLAN_WIFI, 120, VLAN_SERVERS, VLAN_ADMIN, VLAN_TOIP, VLAN_MGMT]
COMMUNES = ["Strasbourg", "Colmar", "Mulhouse", "Haguenau", "Sélestat", "Saverne", "Guebwiller"]


def make_uai(territoire: str, number: int) -> str:
    digits = f"0{territoire}{number:04d}"
    return digits + uai_key(digits)


def site_block(index: int) -> IPv4Network:
    """The index-th /20 from 10.64.0.0 (room for 16 * 64 = 1024 sites)."""
    return IPv4Network((int(IPv4Network("10.64.0.0/20").network_address) + index * 4096, 20))


def _mac(site_index: int, n: int) -> str:
    # locally administered unicast prefix 02: never a real vendor's address
    value = (site_index << 16) | n
    return "02:00:" + ":".join(f"{(value >> s) & 0xFF:02x}" for s in (24, 16, 8, 0))


def _models(materiels: dict) -> dict[str, list[str]]:
    return {c["id"]: [m["modele"] for m in c.get("modeles", [])] for c in materiels["classes"]}


def make_site(
    index: int,
    uai: str,
    territoire: str,
    n_posts: int,
    materiels: dict,
    vendor: str | None = None,
    nom: str | None = None,
    commune: str | None = None,
    n_switches: int | None = None,
) -> dict:
    """One collège as the YAML dict of referentiel/sites/<UAI>.yml."""
    block = site_block(index)
    base = int(block.network_address)

    def addr(vlan_rank: int, offset: int) -> str:
        return str(IPv4Network((base + vlan_rank * 256, 24)).network_address + offset)

    low = uai.lower()
    models = _models(materiels)

    def model_of(cls: str, n: int) -> str | None:
        choices = models.get(cls) or [None]
        return choices[n % len(choices)]

    n_rooms = max(1, math.ceil(n_posts / POSTS_PER_ROOM))
    rooms = [{"id": f"s{101 + r}", "nom": f"Salle {101 + r}", "vlan": VLAN_PEDA}
             for r in range(n_rooms)]  # fmt: skip
    rooms.append({"id": "local_technique", "nom": "Local technique (baie de brassage)"})
    vendor = vendor or ("aruba" if index % 2 == 0 else "cisco")
    n_access = n_switches - 1 if n_switches else min(n_rooms, 7)
    counter = iter(range(1, 1 << 16))

    def port_name(n: int) -> str:
        return str(n) if vendor == "aruba" else f"GigabitEthernet1/0/{n}"

    def port_range(a: int, b: int) -> str:
        return f"{a}-{b}" if vendor == "aruba" else f"GigabitEthernet1/0/{a}-{b}"

    trunk = [VLAN_PEDA, VLAN_WIFI, VLAN_TOIP, VLAN_MGMT]
    core = switch_name("coeur", uai)
    switches = []
    core_ports = [
        {"interfaces": port_name(1), "mode": "trunk", "vlans": [*trunk, VLAN_SERVERS, VLAN_ADMIN],
         "description": "Liaison pare-feu / routeur du collège"},
        {"interfaces": port_range(2, 4), "mode": "acces", "vlan": VLAN_SERVERS,
         "salle": "local_technique", "description": "Serveurs pédagogiques"},
    ]  # fmt: skip
    for a in range(n_access):
        name = switch_name("acces", uai, a + 1)
        room = rooms[a % n_rooms]["id"]
        core_ports.append({"interfaces": port_name(10 + a), "mode": "trunk", "vlans": trunk,
                           "vers": name, "description": f"Liaison {name}"})  # fmt: skip
        switches.append({
            "nom": name, "fabricant": vendor,
            "modele": "HPE Aruba 2530-24G" if vendor == "aruba" else "Cisco Catalyst 2960X-24TS",
            "role": "acces", "salle": room, "adresse": addr(15, 3 + a),
            "mac": _mac(index, next(counter) | 0x8000), "serie": f"SW{uai}{a + 1:02d}",
            "ports": [
                {"interfaces": port_range(1, 20), "mode": "acces", "vlan": VLAN_PEDA,
                 "salle": room, "description": f"Prises salle {room}"},
                {"interfaces": port_range(21, 22), "mode": "acces", "vlan": VLAN_TOIP,
                 "salle": room, "description": "Téléphones"},
                {"interfaces": port_name(24), "mode": "trunk", "vlans": trunk, "vers": core,
                 "description": "Liaison montante coeur"},
            ],
        })  # fmt: skip
    switches.insert(0, {
        "nom": core, "fabricant": vendor,
        "modele": "HPE Aruba 2930F-24G" if vendor == "aruba" else "Cisco Catalyst 3850-24T",
        "role": "coeur", "salle": "local_technique", "adresse": addr(15, 2),
        "mac": _mac(index, next(counter) | 0x8000), "serie": f"SW{uai}00",
        "ports": core_ports,
    })  # fmt: skip
    se, nas, sa = (
        server_name(r, uai) for r in ("serveur_pedagogique", "nas", "serveur_administratif")
    )
    servers = [
        {"nom": se, "role": "serveur_pedagogique", "systeme": "debian12",
         "vlan": VLAN_SERVERS, "adresse": addr(3, 10), "mac": _mac(index, next(counter)),
         "salle": "local_technique"},
        {"nom": nas, "role": "nas", "systeme": "debian12", "vlan": VLAN_SERVERS,
         "adresse": addr(3, 11), "mac": _mac(index, next(counter)), "salle": "local_technique"},
        {"nom": sa, "role": "serveur_administratif", "systeme": "windows_server_2012_r2",
         "vlan": VLAN_ADMIN, "adresse": addr(4, 10), "mac": _mac(index, next(counter)),
         "salle": "local_technique"},
    ]  # fmt: skip
    posts = []
    classes = ["PBASE", "PBASE.petit_format", "PBASE", "PCFAO", "PPORTABLE"]
    for n in range(n_posts):
        room = rooms[n // POSTS_PER_ROOM]["id"]
        cls = classes[n % len(classes)]
        posts.append({
            "nom": post_name(uai, room, n % POSTS_PER_ROOM + 1), "classe": cls,
            "modele": model_of(cls, n), "serie": f"PC{uai}{n:04d}",
            "mac": _mac(index, next(counter)), "salle": room, "usage": "pedagogique",
            "profil": "cfao" if cls == "PCFAO" else "base", "systeme": "windows_10",
        })  # fmt: skip
    posts.append({
        "nom": post_name(uai, "adm", 1), "classe": "PBASE", "modele": model_of("PBASE", 1),
        "serie": f"PA{uai}0001", "mac": _mac(index, next(counter)), "salle": "local_technique",
        "usage": "administratif", "systeme": "windows_10",
    })  # fmt: skip
    devices = []
    for r, room in enumerate(rooms[:-1]):
        devices.append({
            "nom": f"imp-{low}-{room['id']}", "classe": "I3", "modele": model_of("I3", r),
            "serie": f"IM{uai}{r:02d}", "mac": _mac(index, next(counter)), "salle": room["id"],
            "adresse": addr(0, 20 + r),
        })  # fmt: skip
        devices.append({
            "nom": f"vp-{low}-{room['id']}", "classe": "V2", "modele": model_of("V2", r),
            "serie": f"VP{uai}{r:02d}", "salle": room["id"],
        })  # fmt: skip
    return {
        "uai": uai,
        "nom": nom or f"Collège synthétique n° {index}",
        "commune": commune or COMMUNES[index % len(COMMUNES)],
        "territoire": territoire,
        "exemple": True,
        "bloc_adresses": str(block),
        "vlans": SITE_VLANS,
        "contacts": {
            "correspondant_en": {
                "nom": f"Correspondant EN {uai} (exemple)",
                "courriel": f"ce.{low}@exemple.invalid",
            }
        },
        "salles": rooms,
        "serveurs": servers,
        "commutateurs": switches,
        "postes": posts,
        "peripheriques": devices,
    }


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as yamllint and ansible-lint expect."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def dump_site(site: dict, path: Path) -> None:
    text = yaml.dump(site, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def generate(source: Path, out: Path, n_sites: int, n_posts: int) -> list[Path]:
    """Write a référentiel with `n_sites` sites and `n_posts` posts in all into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name in SHARED_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, out / name)
    materiels = load_file(source / "catalogue/materiels.yml")
    sites_dir = out / "sites"
    if sites_dir.exists():
        shutil.rmtree(sites_dir)
    sites_dir.mkdir()
    written = []
    per_site, extra = divmod(n_posts, n_sites) if n_sites else (0, 0)
    # same split as the two territories: 91 sites in 67, the rest in 68
    split = round(n_sites * 91 / 148)
    for i in range(n_sites):
        territoire = "67" if i < split else "68"
        uai = make_uai(territoire, 1000 + i)
        site = make_site(i + 16, uai, territoire, per_site + (1 if i < extra else 0), materiels)
        path = sites_dir / f"{uai}.yml"
        dump_site(site, path)
        written.append(path)
    return written
