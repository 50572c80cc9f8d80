"""STAND-IN posts evaluated against the RÉFÉRENTIEL's software catalogue (not the demo one).

`labo.py` builds a lab from its own small demo catalogue; the demo sites of the
référentiel need posts that answer for `referentiel/catalogue/logiciels.yml`:

- `preuves(entree)`: the evidence a real post carries when an entry is installed at a
  version the catalogue accepts (uninstall line as the vendor's installer writes it, file
  version, registry value, MSI product code, service), built from the entry's OWN detection
  rules and `version_min`, then checked against those rules;
- `etat_conforme(...)`: a post's stand-in state that the real evaluator finds conforme
  for its profile (every detectable entry present, nothing forbidden);
- `etat_masterise(...)`: the same post freshly mastered, i.e. without the software that
  the deployment installs from the share (entries with `installation.fichier`);
- `ecrire_installeurs(...)`: one lab installer per entry with `installation.fichier`,
  whose effect is exactly `preuves(entree)` (the stand-in "runs" it, see poste.py).

Entries without any detection rule can never be proven present: they are listed apart
(`non_detectables`), never faked.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from amico.logiciels.catalogue import Catalogue, Entree
from amico.logiciels.evaluation import CONFORME, Evaluateur
from amico.logiciels.versions import Version

from .labo import LIGNES, SOCLE, SYSTEME_W10, ecrire_poste
from .poste import CLE_INSTALLEUR, PosteSimule

PF = r"C:\Program Files"
PF86 = r"C:\Program Files (x86)"

# Uninstall lines as these vendors' installers write them (DisplayName, Publisher, key,
# UninstallString), at versions the catalogue's version_min accepts. Every field that a
# public manifest publishes (tests/logiciels/fixtures/identites_reelles.yml, with its
# source) is the real one: tests/logiciels/test_identites_reelles.py pins this table to it.
LIGNES_REALISTES: dict[str, dict[str, Any]] = {
    "libreoffice": {
        "vue": "64",
        "cle": "{5B9B7FC3-E7A6-4B71-922B-BDAB5FD55147}",
        "DisplayName": "LibreOffice 26.2.0.3",
        "DisplayVersion": "26.2.0.3",
        "Publisher": "The Document Foundation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{5B9B7FC3-E7A6-4B71-922B-BDAB5FD55147}",
    },
    "7zip": {
        "vue": "64",
        "cle": "7-Zip",
        "DisplayName": "7-Zip 25.01 (x64)",
        "DisplayVersion": "25.01",
        "Publisher": "Igor Pavlov",
        "UninstallString": rf'"{PF}\7-Zip\Uninstall.exe"',
        "QuietUninstallString": rf'"{PF}\7-Zip\Uninstall.exe" /S',
    },
    "adobe_reader": {
        "vue": "64",
        "cle": "{AC76BA86-1033-FF00-7760-BC15014EA700}",
        "DisplayName": "Adobe Acrobat (64-bit)",
        "DisplayVersion": "25.001.20693",
        "Publisher": "Adobe",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{AC76BA86-1033-FF00-7760-BC15014EA700}",
    },
    "vlc": LIGNES["vlc_3021"],  # the same line the demo catalogue uses
    "photofiltre": {
        "vue": "32",
        "cle": "PhotoFiltre 7",
        "DisplayName": "PhotoFiltre 7",
        "DisplayVersion": "7.2.1",
        "Publisher": "Antonio Da Cruz",
        "UninstallString": rf'"{PF86}\PhotoFiltre 7\unins000.exe"',
    },
    "firefox_esr": {
        "vue": "64",
        "cle": "Mozilla Firefox 153.3.0 ESR (x64 fr)",
        "DisplayName": "Mozilla Firefox ESR (x64 fr)",
        "DisplayVersion": "153.3.0",
        "Publisher": "Mozilla",
        "UninstallString": rf'"{PF}\Mozilla Firefox\uninstall\helper.exe"',
    },
    "freeplane": {
        "vue": "64",
        "cle": "{D3941722-C4DD-4509-88C4-0E87F675A859}_is1",
        "DisplayName": "Freeplane",
        "DisplayVersion": "1.12.8",
        "Publisher": "Open source",
        "UninstallString": rf'"{PF}\Freeplane\unins000.exe"',
    },
    "scribus": {
        "vue": "64",
        "cle": "Scribus 1.6.3",
        "DisplayName": "Scribus 1.6.4 (64bit)",
        "DisplayVersion": "1.6.4",
        "Publisher": "The Scribus Team",
        "UninstallString": rf'"{PF}\Scribus 1.6.2\uninst.exe"',
    },
    "ghostscript": {
        "vue": "64",
        "cle": "GPL Ghostscript 10.05.1",
        "DisplayName": "GPL Ghostscript",
        "DisplayVersion": "10.05.1",
        "Publisher": "Artifex Software Inc.",
        "UninstallString": rf'"{PF}\gs\gs10.05.1\uninstgs.exe"',
    },
    "google_earth": {
        "vue": "64",
        "cle": "{AE3261A9-F9D9-4410-BB38-7FA1D6B54BDE}",
        "DisplayName": "Google Earth Pro",
        "DisplayVersion": "7.3.6.10201",
        "Publisher": "Google",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /X{AE3261A9-F9D9-4410-BB38-7FA1D6B54BDE}",
    },
    "gimp": {
        "vue": "64",
        "cle": "GIMP-3_is1",
        "DisplayName": "GIMP 3.0.4",
        "DisplayVersion": "3.0.4",
        "Publisher": "The GIMP Team",
        "UninstallString": rf'"{PF}\GIMP 3\uninst\unins000.exe"',
    },
    "inkscape": {
        "vue": "64",
        "cle": "{4E9A1766-6BA4-4015-BA8D-05A268638587}",
        "DisplayName": "Inkscape",
        "DisplayVersion": "1.4.0",
        "Publisher": "Inkscape Project",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{4E9A1766-6BA4-4015-BA8D-05A268638587}",
    },
    "geogebra": LIGNES["geogebra"],  # the same line the demo catalogue uses
    "audacity": {
        "vue": "64",
        "cle": "Audacity_is1",
        "DisplayName": "Audacity 3.7.4",
        "DisplayVersion": "3.7.4",
        "Publisher": "Audacity Team",
        "UninstallString": rf'"{PF}\Audacity\unins000.exe"',
    },
    "sweethome3d": {
        "vue": "32",
        "cle": "Sweet Home 3D_is1",
        "DisplayName": "Sweet Home 3D 7.5",
        "DisplayVersion": "7.5",
        "Publisher": "eTeks",
        "UninstallString": rf'"{PF86}\Sweet Home 3D\unins000.exe"',
    },
    "hot_potatoes": {
        "vue": "32",
        "cle": "Hot Potatoes 7_is1",
        "DisplayName": "Hot Potatoes 7",
        "DisplayVersion": "7.0.3.3",
        "Publisher": "Half-Baked Software",
        "UninstallString": rf'"{PF86}\HotPotatoes7\unins000.exe"',
    },
}

# Evidence other than an uninstall line, by rule target (Windows components, registry).
VALEURS_REGISTRE = {r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full": "4.8.09037"}
VERSIONS_FICHIERS = {r"C:\Program Files\Windows Media Player\wmplayer.exe": "12.0.19041.5007"}


class PreuveInconnue(ValueError):
    """No realistic evidence is known for this entry (message in French)."""


def _version_acceptee(entree: Entree, proposee: str | None) -> str:
    """`proposee` if the catalogue accepts it, else the entry's own version_min."""
    from amico.logiciels.versions import parse_version

    v = parse_version(proposee) if proposee else None
    vmin: Version | None = entree.version_min
    if vmin is None:
        return proposee or "1.0"
    if v is not None and (v.commence_par(vmin) if entree.version_exacte else v >= vmin):
        return str(proposee)
    return vmin.texte or ".".join(str(n) for n in vmin.nombres)


def preuves(entree: Entree) -> dict[str, Any]:
    """Evidence of `entree` installed at an accepted version, from its detection rules:
    {"desinstallation": [...], "fichiers": {...}, "registre": {...}, "services": {...}}."""
    out: dict[str, Any] = {"desinstallation": [], "fichiers": {}, "registre": {}, "services": {}}
    if not entree.regles:
        raise PreuveInconnue(f"{entree.id} : aucune règle de détection, présence non prouvable")
    r = entree.regles[0]  # rules are OR-ed: the first one is enough
    if r.type == "desinstallation":
        ligne = copy.deepcopy(LIGNES_REALISTES.get(entree.id)) or {
            "vue": "64",
            "cle": entree.nom,
            "DisplayName": entree.nom,
            "DisplayVersion": None,
        }
        ligne["DisplayVersion"] = _version_acceptee(entree, ligne.get("DisplayVersion"))
        if not r.nom.search(ligne["DisplayName"]):
            raise PreuveInconnue(
                f"{entree.id} : aucune entrée de désinstallation réaliste connue ne correspond "
                f"à la règle {r.nom.pattern!r} (ajouter une ligne à LIGNES_REALISTES)"
            )
        if r.editeur is not None and not r.editeur.search(str(ligne.get("Publisher") or "")):
            raise PreuveInconnue(f"{entree.id} : éditeur attendu {r.editeur.pattern!r}")
        out["desinstallation"].append(ligne)
    elif r.type == "msi":
        version = _version_acceptee(entree, None)
        out["desinstallation"].append(
            {
                "vue": "64",
                "cle": r.code_produit,
                "DisplayName": entree.nom,
                "DisplayVersion": version,
                "WindowsInstaller": 1,
                "UninstallString": f"MsiExec.exe /X{r.code_produit}",
            }
        )
    elif r.type == "fichier":
        version = _version_acceptee(entree, VERSIONS_FICHIERS.get(r.chemin))
        out["fichiers"][r.chemin] = {"version": version, "version_produit": version}
    elif r.type == "registre":
        version = _version_acceptee(entree, VALEURS_REGISTRE.get(r.cle))
        out["registre"][r.cle] = {r.valeur: version} if r.valeur else {"(défaut)": ""}
    elif r.type == "service":
        out["services"][r.service] = {"etat": "Running", "demarrage": "Automatic"}
    return out


def _fusionner(etat: dict[str, Any], p: dict[str, Any]) -> None:
    etat["desinstallation"].extend(copy.deepcopy(p["desinstallation"]))
    etat["fichiers"].update(copy.deepcopy(p["fichiers"]))
    for cle, valeurs in p["registre"].items():
        etat["registre"].setdefault(cle, {}).update(valeurs)
    etat["services"].update(copy.deepcopy(p["services"]))


def entrees_profil(catalogue: Catalogue, profil: str) -> list[Entree]:
    """The supported entries a post of `profil` must carry (forbidden / EOL ones excluded)."""
    return [e for e in catalogue.entrees_poste(profil) if e.statut == "supporte"]


def non_detectables(catalogue: Catalogue, profil: str) -> list[str]:
    return [e.id for e in entrees_profil(catalogue, profil) if not e.regles]


def _etat(
    catalogue: Catalogue, nom: str, profil: str, garder: Any, systeme: dict | None
) -> dict[str, Any]:
    etat: dict[str, Any] = {
        "nom": nom,
        "joignable": True,
        "systeme": copy.deepcopy(systeme or SYSTEME_W10),
        "disque": {
            "lecteur": "C:",
            "libre_octets": 48_318_382_080,
            "taille_octets": 255_369_539_584,
        },
        "redemarrage": {"indicateurs": []},
        "desinstallation": copy.deepcopy(SOCLE),
        "fichiers": {},
        "registre": {},
        "services": {},
        "codes_forces": {},
        "appels": [],
        "commandes": [],
    }
    for e in entrees_profil(catalogue, profil):
        if e.regles and garder(e):
            _fusionner(etat, preuves(e))
    return etat


def etat_conforme(
    catalogue: Catalogue, nom: str, profil: str, systeme: dict | None = None
) -> dict[str, Any]:
    """A stand-in post state conforme for `profil` (every detectable entry present)."""
    return _etat(catalogue, nom, profil, lambda e: True, systeme)


def etat_masterise(
    catalogue: Catalogue, nom: str, profil: str, systeme: dict | None = None
) -> dict[str, Any]:
    """A freshly mastered post: what the deployment cannot install (no installer in the
    catalogue: Windows components, software mastered in the image) is there; the rest
    comes from the site's share when the référentiel is deployed."""
    return _etat(
        catalogue,
        nom,
        profil,
        lambda e: not (e.installation and e.installation.get("fichier")),
        systeme,
    )


def ecrire_etat(dossier: Path, etat: dict[str, Any]) -> Path:
    """Write a state with labo.ecrire_poste (same file layout as every stand-in post)."""
    Path(dossier).mkdir(parents=True, exist_ok=True)
    reste = {k: v for k, v in etat.items() if k not in ("nom", "desinstallation")}
    chemin = ecrire_poste(Path(dossier), etat["nom"], [], **reste)
    # ecrire_poste adds the SOCLE lines itself: write ours (which include them) verbatim
    contenu = json.loads(chemin.read_text(encoding="utf-8"))
    contenu["desinstallation"] = etat["desinstallation"]
    chemin.write_text(json.dumps(contenu, ensure_ascii=False, indent=1), encoding="utf-8")
    return chemin


def installeur(entree: Entree) -> dict[str, Any]:
    """The lab installer of `entree`: replaces older lines, leaves exactly its evidence."""
    effet = preuves(entree)
    regle = entree.regles[0]
    contenu: dict[str, Any] = {CLE_INSTALLEUR: 1}
    if regle.type == "desinstallation":
        contenu["remplace"] = regle.nom.pattern
    contenu["desinstallation"] = effet["desinstallation"]
    for cle in ("fichiers", "registre", "services"):
        if effet[cle]:
            contenu[cle] = effet[cle]
    return contenu


def ecrire_installeurs(catalogue: Catalogue, partage: Path) -> dict[str, str]:
    """Write one lab installer per detectable entry with `installation.fichier` into the
    share folder; returns {file name: sha256 of the bytes written}."""
    partage = Path(partage)
    partage.mkdir(parents=True, exist_ok=True)
    empreintes = {}
    for e in catalogue.entrees.values():
        fichier = (e.installation or {}).get("fichier")
        if not fichier or not e.regles or e.statut != "supporte":
            continue
        octets = json.dumps(installeur(e), ensure_ascii=False, indent=1).encode()
        chemin = partage / str(fichier).replace("\\", "/")
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_bytes(octets)
        empreintes[str(fichier)] = hashlib.sha256(octets).hexdigest()
    return empreintes


def verifier_conforme(catalogue: Catalogue, chemin: Path, profil: str) -> list[dict[str, Any]]:
    """Run the real evaluator on the stand-in's collect: the entries NOT conforme
    (expected: only the non-detectable ones)."""
    demande = catalogue.demande(profil, None)
    # the stand-in's own collect, without counting a remote call
    collecte = json.loads(json.dumps(PosteSimule.collecte(PosteSimule(chemin).lire(), demande)))
    resultats = Evaluateur(catalogue).evaluer(collecte, profil, None)
    return [r.en_dict() for r in resultats if r.statut != CONFORME]
