"""Build a STAND-IN Windows lab: fake posts, a fake software share, an Ansible inventory.

`creer_labo(dossier)` writes:
    dossier/partage/            the site's `logiciels` share (lab installers: JSON files)
    dossier/postes/<nom>.json   one state file per fake post (see poste.py)
    dossier/catalogue.yml       catalogue_demo.yml with the installers' real sha256
    dossier/inventaire.yml      hosts with WinRM defaults + `amico_lab_windows_etat`
Uninstall entries below follow what those installers write (DisplayName, DisplayVersion,
Publisher, key, UninstallString); the identities public manifests publish are pinned in
tests/logiciels/fixtures/identites_reelles.yml (e.g. Firefox ESR's DisplayName carries no
version, only its key does).
"""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .poste import CLE_INSTALLEUR
from .transport import variables_poste

PF = r"C:\Program Files"

# Lines every Windows 10 22H2 education post carries (not in the catalog: noise to skip).
SOCLE = [
    {
        "vue": "64",
        "cle": "Microsoft Edge",
        "DisplayName": "Microsoft Edge",
        "DisplayVersion": "131.0.2903.86",
        "Publisher": "Microsoft Corporation",
        "UninstallString": r'"C:\Program Files (x86)\Microsoft\Edge\Application\131.0.2903.86\Installer\setup.exe" --uninstall --msedge --channel=stable --system-level --verbose-logging',  # noqa: E501
    },
    {
        "vue": "32",
        "cle": "{0DEAD68F-3D2B-4B2E-9A4E-1E0E1C8A6E34}",
        "DisplayName": "Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.40.33810",
        "DisplayVersion": "14.40.33810.0",
        "Publisher": "Microsoft Corporation",
        "UninstallString": r'"C:\ProgramData\Package Cache\{0dead68f-3d2b-4b2e-9a4e-1e0e1c8a6e34}\VC_redist.x86.exe"  /uninstall',  # noqa: E501
    },
    {
        "vue": "64",
        "cle": "{1B1C2D4A-4C2E-4E9E-9D5E-7A8E2F3F2A11}",
        "DisplayName": "Microsoft Update Health Tools",
        "DisplayVersion": "3.74.0.0",
        "Publisher": "Microsoft Corporation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /X{1B1C2D4A-4C2E-4E9E-9D5E-7A8E2F3F2A11}",
    },
    {
        "vue": "64",
        "cle": "Intel(R) Graphics",
        "DisplayName": "Pilote Intel(R) Graphics",
        "DisplayVersion": "31.0.101.2111",
        "Publisher": "Intel Corporation",
    },
]

LIGNES = {
    "firefox_115": {
        "vue": "64",
        "cle": "Mozilla Firefox 115.18.0 ESR (x64 fr)",
        "DisplayName": "Mozilla Firefox ESR (x64 fr)",  # no version since 78.12
        "DisplayVersion": "115.18.0",
        "Publisher": "Mozilla",
        "UninstallString": rf'"{PF}\Mozilla Firefox\uninstall\helper.exe"',
    },
    "firefox_128": {
        "vue": "64",
        "cle": "Mozilla Firefox 128.5.0 ESR (x64 fr)",
        "DisplayName": "Mozilla Firefox ESR (x64 fr)",  # no version since 78.12
        "DisplayVersion": "128.5.0",
        "Publisher": "Mozilla",
        "UninstallString": rf'"{PF}\Mozilla Firefox\uninstall\helper.exe"',
    },
    "libreoffice_76": {
        "vue": "64",
        "cle": "{7E5F3F2B-9E1A-4B2C-8F0E-3C2D1B0A9F76}",
        "DisplayName": "LibreOffice 7.6.7.2",
        "DisplayVersion": "7.6.7.2",
        "Publisher": "The Document Foundation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{7E5F3F2B-9E1A-4B2C-8F0E-3C2D1B0A9F76}",
    },
    "libreoffice_248": {
        "vue": "64",
        "cle": "{5A1C7E59-8B0B-4C3D-9D0A-2E4F6B8A1C24}",
        "DisplayName": "LibreOffice 24.8.4.2",
        "DisplayVersion": "24.8.4.2",
        "Publisher": "The Document Foundation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /I{5A1C7E59-8B0B-4C3D-9D0A-2E4F6B8A1C24}",
    },
    "sept_zip_2408": {
        "vue": "64",
        "cle": "7-Zip",
        "DisplayName": "7-Zip 24.08 (x64)",
        "DisplayVersion": "24.08",
        "Publisher": "Igor Pavlov",
        "UninstallString": rf'"{PF}\7-Zip\Uninstall.exe"',
        "QuietUninstallString": rf'"{PF}\7-Zip\Uninstall.exe" /S',
    },
    "vlc_3021": {
        "vue": "64",
        "cle": "VLC media player",
        "DisplayName": "VLC media player",
        "DisplayVersion": "3.0.21",
        "Publisher": "VideoLAN",
        "UninstallString": rf'"{PF}\VideoLAN\VLC\uninstall.exe"',
    },
    "geogebra": {
        "vue": "32",
        "cle": "{0B2C8A5E-7D9F-4E8A-B6C1-3F5D7E9A1B2C}",
        "DisplayName": "GeoGebra Classic",
        "DisplayVersion": "6.0.857.0",
        "Publisher": "International GeoGebra Institute",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /X{0B2C8A5E-7D9F-4E8A-B6C1-3F5D7E9A1B2C}",
    },
    "java_8u401": {
        "vue": "64",
        "cle": "{26A24AE4-039D-4CA4-87B4-2F64180401F0}",
        "DisplayName": "Java 8 Update 401 (64-bit)",
        "DisplayVersion": "8.0.4010.9",
        "Publisher": "Oracle Corporation",
        "WindowsInstaller": 1,
        "UninstallString": "MsiExec.exe /X{26A24AE4-039D-4CA4-87B4-2F64180401F0}",
    },
    "flash_npapi": {
        "vue": "32",
        "cle": "Adobe Flash Player NPAPI",
        "DisplayName": "Adobe Flash Player 32 NPAPI",
        "DisplayVersion": "32.0.0.371",
        "Publisher": "Adobe",
        "UninstallString": r"C:\WINDOWS\SysWOW64\Macromed\Flash\FlashUtil32_32_0_0_371_Plugin.exe -maintain plugin",  # noqa: E501
        "_lab": {"fichiers": [r"C:\Windows\SysWOW64\Macromed\Flash\NPSWF32_32_0_0_371.dll"]},
    },
}

# Software a real post carries beyond the référentiel (installed by hand or by a teacher):
# what `non référencé` must list. Illustrative identities (vendor's usual form).
LIGNES.update(
    {
        "chrome": {
            "vue": "64",
            "cle": "Google Chrome",
            "DisplayName": "Google Chrome",
            "DisplayVersion": "131.0.6778.140",
            "Publisher": "Google LLC",
            "UninstallString": r'"C:\Program Files\Google\Chrome\Application\131.0.6778.140\Installer\setup.exe" --uninstall --channel=stable --system-level',  # noqa: E501
        },
        "scratch": {
            "vue": "utilisateur",
            "sid": "S-1-5-21-1004336348-1177238915-682003330-1104",
            "cle": "7f9e2b8a-3b1f-5c7e-9b7a-0d4c2e6f1a35",
            "DisplayName": "Scratch 3 3.29.1",
            "DisplayVersion": "3.29.1",
            "Publisher": "Scratch Foundation",
            "UninstallString": r'"C:\Users\eleve\AppData\Local\Programs\Scratch 3\Uninstall Scratch 3.exe" /currentuser',  # noqa: E501
        },
    }
)

INSTALLEURS: dict[str, dict[str, Any]] = {
    "Firefox Setup 128.5.0esr.exe": {
        "remplace": "^Mozilla Firefox",
        "desinstallation": [LIGNES["firefox_128"]],
        "fichiers": {
            rf"{PF}\Mozilla Firefox\firefox.exe": {
                "version": "128.5.0.0",
                "version_produit": "128.5.0",
            }
        },
    },
    "LibreOffice_24.8.4_Win_x86-64.msi": {
        "remplace": r"^LibreOffice \d",
        "code_retour": 3010,
        "desinstallation": [LIGNES["libreoffice_248"]],
    },
    "7z2408-x64.exe": {"remplace": "^7-Zip ", "desinstallation": [LIGNES["sept_zip_2408"]]},
    "vlc-3.0.21-win64.exe": {
        "remplace": "^VLC media player",
        "desinstallation": [LIGNES["vlc_3021"]],
    },
    "GeoGebra-Windows-Installer-6-0-857-0.msi": {
        "remplace": "^GeoGebra Classic",
        "desinstallation": [LIGNES["geogebra"]],
    },
}

SYSTEME_W10 = {
    "nom": "Windows 10 Education",
    "edition": "Education",
    "version": "10.0.19045.5247",
    "version_affiche": "22H2",
    "architecture": "64",
}


def catalogue_demo() -> dict[str, Any]:
    texte = (
        resources.files("amico_lab.postes")
        .joinpath("catalogue_demo.yml")
        .read_text(encoding="utf-8")
    )
    return yaml.safe_load(texte)


def ecrire_poste(dossier: Path, nom: str, lignes: list[str], **etat: Any) -> Path:
    contenu = {
        "nom": nom,
        "joignable": True,
        "systeme": SYSTEME_W10,
        "disque": {
            "lecteur": "C:",
            "libre_octets": 48_318_382_080,
            "taille_octets": 255_369_539_584,
        },
        "redemarrage": {"indicateurs": []},
        "desinstallation": copy.deepcopy(SOCLE) + [copy.deepcopy(LIGNES[k]) for k in lignes],
        "fichiers": {},
        "registre": {},
        "services": {},
        "codes_forces": {},
        "appels": [],
        "commandes": [],
    }
    contenu.update(etat)
    chemin = dossier / f"{nom}.json"
    chemin.write_text(json.dumps(contenu, ensure_ascii=False, indent=1), encoding="utf-8")
    return chemin


# The demo scenario: what each post holds before the first run. The names are posts of the
# shipped référentiel's demo site 0679901Y: playbooks check every host against its own
# référentiel record (amico.colleges.perimetre) before touching it.
POSTES_DEMO: dict[str, dict[str, Any]] = {
    # Old Firefox, old LibreOffice, no 7-Zip, Flash present, Java 8 (end of life) present.
    "0679901-s101-01": {
        "profil": "base",
        "lignes": ["firefox_115", "libreoffice_76", "flash_npapi", "java_8u401", "chrome"],
    },
    # Base conforme; VLC absent and its installer fails with 1603; GeoGebra at the pin.
    "0679901-s101-02": {
        "profil": "multimedia",
        "lignes": ["firefox_128", "libreoffice_248", "sept_zip_2408", "geogebra", "scratch"],
        "etat": {"codes_forces": {"vlc-3.0.21-win64.exe": 1603}},
    },
    # Off: no WinRM answer.
    "0679901-s101-03": {"profil": "base", "lignes": [], "etat": {"joignable": False}},
}


def creer_labo(
    dossier: str | Path, postes: dict[str, dict[str, Any]] | None = None
) -> dict[str, Path]:
    """Create the stand-in lab under `dossier` and return its paths."""
    racine = Path(dossier)
    partage = racine / "partage"
    etats = racine / "postes"
    partage.mkdir(parents=True, exist_ok=True)
    etats.mkdir(parents=True, exist_ok=True)
    empreintes = {}
    for fichier, effet in INSTALLEURS.items():
        contenu = json.dumps({CLE_INSTALLEUR: 1, **effet}, ensure_ascii=False, indent=1).encode()
        (partage / fichier).write_bytes(contenu)
        empreintes[fichier] = hashlib.sha256(contenu).hexdigest()
    catalogue = catalogue_demo()
    for e in catalogue["logiciels"]:
        inst = e.get("installation")
        if inst and inst.get("fichier") in empreintes:
            inst["sha256"] = empreintes[inst["fichier"]]
    (racine / "catalogue.yml").write_text(
        yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    hotes = {}
    for nom, p in (postes or POSTES_DEMO).items():
        chemin = ecrire_poste(etats, nom, p.get("lignes", []), **p.get("etat", {}))
        hotes[nom] = {
            **variables_poste(chemin),
            "amico_profil": p.get("profil", "base"),
            "amico_systeme": "windows_10",
        }
    # the groups and site var the référentiel inventory gives Windows posts
    inventaire = {
        "all": {
            "children": {
                "windows": {
                    "children": {
                        "postes_pedagogiques": {
                            "hosts": hotes,
                            "vars": {
                                "amico_site": {
                                    "uai": "0679901Y",
                                    "territoire": "67",
                                    "serveur_pedagogique": "se-0679901y",
                                },
                                "postes_windows__catalogue_fichier": str(racine / "catalogue.yml"),
                                "postes_windows__partage": str(partage),
                            },
                        }
                    }
                }
            }
        }
    }
    (racine / "inventaire.yml").write_text(
        yaml.safe_dump(inventaire, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return {
        "racine": racine,
        "partage": partage,
        "postes": etats,
        "catalogue": racine / "catalogue.yml",
        "inventaire": racine / "inventaire.yml",
    }
