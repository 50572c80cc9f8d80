"""Role development kit: scaffold a role the way the project's roles are built, test it.

`nouveau_role(racine, nom, genre)` writes ``roles/<nom>/`` (defaults as the manual with
``<nom>__`` variables, meta/argument_specs.yml, meta/main.yml, tasks, README in French)
and ``molecule/<nom>/`` (a few lines on top of a shared base configuration
``molecule/commun/<linux|windows|reseau>/base.yml``: the podman lab image for linux, the
stand-in Windows post for windows, an emulated switch for reseau).

`commandes_test(racine, nom)` gives the commands of `amico role tester` / `make test-role`:
ansible-lint (the project's .ansible-lint: production profile, offline) on the role and
its scenario, then molecule with the base configuration of its kind.

Templates live in ``templates/<genre>/`` and ``templates/commun/``; they use ``[[ ]]`` and
``[% %]`` as delimiters so that Ansible's own ``{{ }}`` pass through untouched. A template
name encodes its destination: ``role__tasks__main.yml.j2`` -> ``roles/<nom>/tasks/main.yml``,
``molecule__verify.yml.j2`` -> ``molecule/<nom>/verify.yml``.
"""

from __future__ import annotations

import hashlib
import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

GENRES = ("linux", "windows", "reseau")
# The base configuration of each kind, relative to the project root.
SOCLES = {
    "linux": "molecule/commun/linux/base.yml",
    "windows": "molecule/commun/windows/base.yml",
    "reseau": "molecule/commun/reseau/base.yml",
}
MARQUEUR_SOCLE = re.compile(r"^# amico-socle: (linux|windows|reseau)\s*$", re.MULTILINE)
NOM_VALIDE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
# Names that would shadow something of the project or of Ansible.
NOMS_RESERVES = {"commun", "default", "all", "localhost", "ungrouped", "amico", "role", "roles"}


class RoleErreur(ValueError):
    """A role cannot be scaffolded or tested (message in French, for the admin)."""


@dataclass(frozen=True)
class Fichier:
    chemin: Path  # relative to the project root
    contenu: str


def verifier_nom(nom: str) -> None:
    if not NOM_VALIDE.fullmatch(nom or ""):
        raise RoleErreur(
            f"nom de rôle « {nom} » invalide : minuscules, chiffres et _ seulement, "
            "commençant par une lettre, 2 à 40 caractères (ex. imprimantes, wifi_controleur)"
        )
    if "__" in nom or nom.endswith("_"):
        raise RoleErreur(
            f"nom de rôle « {nom} » invalide : pas de « __ » ni de _ final "
            "(les variables du rôle s'écrivent <nom>__variable)"
        )
    if nom in NOMS_RESERVES or keyword.iskeyword(nom):
        raise RoleErreur(f"nom de rôle « {nom} » réservé : en choisir un autre")


def _environnement() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("amico_lab.kit_roles", "templates"),
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML and Markdown, never HTML
    )


def _destination(nom: str, modele: str) -> Path:
    """``role__tasks__main.yml.j2`` -> roles/<nom>/tasks/main.yml (``NOM`` -> nom)."""
    parties = modele.removesuffix(".j2").replace("NOM", nom).split("__")
    racine = {"role": Path("roles") / nom, "molecule": Path("molecule") / nom}[parties[0]]
    return racine.joinpath(*parties[1:])


def installeur_labo(nom: str) -> tuple[str, str]:
    """Content and sha256 of the stand-in installer the windows scenario declares.

    A lab installer is a small JSON file (see amico_lab.postes.poste): the uninstall
    entry it creates, as a real MSI of that product would."""
    from amico_lab.postes.poste import CLE_INSTALLEUR

    guid = hashlib.sha256(nom.encode()).hexdigest().upper()
    guid = f"{{{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:32]}}}"
    effet = {
        CLE_INSTALLEUR: 1,
        "remplace": f"^Exemple AMICo {nom} ",
        "desinstallation": [
            {
                "vue": "64",
                "cle": guid,
                "DisplayName": f"Exemple AMICo {nom} 1.0",
                "DisplayVersion": "1.0.0",
                "Publisher": "AMICo (labo)",
                "WindowsInstaller": 1,
                "UninstallString": f"MsiExec.exe /X{guid}",
            }
        ],
    }
    contenu = json.dumps(effet, ensure_ascii=False, indent=1) + "\n"
    return contenu, hashlib.sha256(contenu.encode()).hexdigest()


def fichiers_role(nom: str, genre: str = "linux") -> list[Fichier]:
    """Every file of the scaffold, rendered (nothing written)."""
    verifier_nom(nom)
    if genre not in GENRES:
        raise RoleErreur(f"genre « {genre} » inconnu (attendu : {', '.join(GENRES)})")
    env = _environnement()
    contexte = {"nom": nom, "genre": genre, "socle": SOCLES[genre]}
    extra: list[Fichier] = []
    if genre == "windows":
        contenu, empreinte = installeur_labo(nom)
        contexte["installeur_sha256"] = empreinte
        contexte["installeur_fichier"] = f"exemple-{nom}-1.0.msi"
        extra.append(
            Fichier(Path("molecule") / nom / "partage" / contexte["installeur_fichier"], contenu)
        )
    modeles = sorted(m for m in env.list_templates() if m.startswith(("commun/", f"{genre}/")))
    par_destination: dict[Path, str] = {}
    for modele in modeles:  # commun/ first, then the kind's own templates override them
        dest = _destination(nom, modele.split("/", 1)[1])
        par_destination[dest] = env.get_template(modele).render(**contexte)
    return [Fichier(c, t) for c, t in par_destination.items()] + extra


def nouveau_role(racine: str | Path, nom: str, genre: str = "linux") -> list[Path]:
    """Write the scaffold of role `nom` into the project at `racine`; refuse to overwrite."""
    racine = Path(racine)
    if not (racine / "roles").is_dir() or not (racine / "galaxy.yml").is_file():
        raise RoleErreur(f"{racine} n'est pas la racine du projet AMICo (roles/, galaxy.yml)")
    fichiers = fichiers_role(nom, genre)
    for dossier in (racine / "roles" / nom, racine / "molecule" / nom):
        if dossier.exists():
            raise RoleErreur(f"{dossier} existe déjà : rien n'a été écrit")
    ecrits = []
    for f in fichiers:
        chemin = racine / f.chemin
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_text(f.contenu, encoding="utf-8")
        ecrits.append(chemin)
    return ecrits


def genre_du_scenario(racine: str | Path, nom: str) -> str:
    """The kind a scenario was scaffolded for (its `# amico-socle: <genre>` line)."""
    fichier = Path(racine) / "molecule" / nom / "molecule.yml"
    if not fichier.is_file():
        raise RoleErreur(
            f"scénario molecule absent : {fichier} (créer le rôle avec `amico role nouveau {nom}`)"
        )
    m = MARQUEUR_SOCLE.search(fichier.read_text(encoding="utf-8"))
    if not m:
        raise RoleErreur(
            f"{fichier} : ligne « # amico-socle: linux|windows|reseau » absente : "
            "impossible de choisir la configuration molecule commune"
        )
    return m.group(1)


def commandes_test(
    racine: str | Path, nom: str, *, lint: bool = True, molecule: bool = True
) -> list[list[str]]:
    """Commands run from the project root: lint, then molecule on the kind's base config."""
    verifier_nom(nom)
    racine = Path(racine)
    if not (racine / "roles" / nom).is_dir():
        raise RoleErreur(f"rôle absent : {racine / 'roles' / nom}")
    genre = genre_du_scenario(racine, nom)
    commandes = []
    if lint:
        commandes.append(["ansible-lint", "--offline", f"roles/{nom}", f"molecule/{nom}"])
    if molecule:
        socle = ["--base-config", SOCLES[genre], "test", "-s", nom]
        if genre == "linux":  # image, CONTAINERS_CONF and lab secrets: the project's runner
            commandes.append(["lab/podman/molecule.sh", *socle])
        else:
            commandes.append(["molecule", *socle])
    return commandes
