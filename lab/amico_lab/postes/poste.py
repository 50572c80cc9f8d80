"""STAND-IN for a Windows post: a small stateful fake that replays `collecteur.ps1`.

This is NOT Windows. It exists because no Windows machine can run here. One JSON state
file per host holds what a real post would hold (uninstall entries of both registry views,
file versions, registry values, services, pending-reboot indicators, OS, disk). The fake:

- accepts only the real collector's text (checks its `# amico:collecteur` marker), with
  the exact parameters `collecteur.ps1` takes (Mode, DemandeJson, ActionsJson, Partage...);
- answers `collecte` from the state, in the collector's exact JSON format;
- for `appliquer`, reads each installer from the lab software share (a folder), checks its
  sha256 against the real bytes, "runs" it: a lab installer is a small JSON file saying
  which uninstall entries / files / registry values / services it creates, and which exit
  code it returns (0, 3010, 1641; or a forced failure such as 1603 set in the state's
  `codes_forces`); uninstall commands remove the matching entries (MsiExec /X{GUID} of an
  absent product returns 1605, an unknown executable 2); then it re-runs `collecte` from the
  mutated state, so re-detection on the controller is real;
- counts every call in `appels` (one call = one WinRM/PSRP round trip on a real post);
- `joignable: false` raises PosteInjoignable (the post is off / WinRM closed).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any

from amico.logiciels import transports

MARQUEUR = "# amico:collecteur format=1"
CLE_INSTALLEUR = "amico_lab_installeur"
ENV = {
    "%PROGRAMFILES%": r"C:\Program Files",
    "%PROGRAMFILES(X86)%": r"C:\Program Files (x86)",
    "%SYSTEMROOT%": r"C:\Windows",
    "%WINDIR%": r"C:\Windows",
    "%PROGRAMDATA%": r"C:\ProgramData",
}


# What a volume-licensed education post answers (SoftwareLicensingProduct, Defender).
LICENCES_DEFAUT: dict[str, Any] = {
    "produits": [
        {
            "nom": "Windows(R), Education edition",
            "description": "Windows(R) Operating System, VOLUME_KMSCLIENT channel",
            "application": "55c92734-d682-4d71-983e-d6ec3f16059f",
            "etat": 1,
            "cle_partielle": "2YT43",
            "canal": "Volume:GVLK",
            "fin_grace_minutes": 259200,
            "kms": "kms.ac-strasbourg.fr",
        }
    ],
    "office_c2r": None,
}
ANTIVIRUS_DEFAUT: dict[str, Any] = {
    "centre_securite": True,
    "produits": [{"nom": "Windows Defender", "etat_produit": 397568}],
    "defender": {
        "actif": True,
        "temps_reel": True,
        "mode": "Normal",
        "age_signatures_jours": 0,
        "signatures_maj": None,
        "version_signatures": "1.421.1234.0",
    },
}


def _antivirus(etat: dict[str, Any]) -> dict[str, Any]:
    av = copy.deepcopy(etat.get("antivirus", ANTIVIRUS_DEFAUT))
    d = av.get("defender")
    if isinstance(d, dict) and "age_signatures_jours" in d and d.get("signatures_maj") is None:
        quand = dt.datetime.now(dt.UTC) - dt.timedelta(days=int(d["age_signatures_jours"]))
        d["signatures_maj"] = quand.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return av


class PosteInjoignable(transports.PosteInjoignable):
    """The stand-in post does not answer (as a real post that is off): the runtime's own
    exception, so the action plugin reports it as it reports a real post that is off."""


def _etendre(texte: str) -> str:
    for var, val in ENV.items():
        texte = re.sub(re.escape(var), val.replace("\\", "\\\\"), texte, flags=re.IGNORECASE)
    return texte


def _executable(commande: str) -> str:
    """The executable of a command line, expanded, lower-case, without quotes."""
    c = _etendre(commande.strip())
    if c.startswith('"'):
        exe = c[1:].split('"', 1)[0]
    else:
        m = re.match(r"(.+?\.exe)\b", c, re.IGNORECASE)
        exe = m.group(1) if m else c.split(" ", 1)[0]
    return exe.strip().lower()


def _maintenant() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The fleet bench's accounting: the CPU a stand-in spends is what a real post spends on
# its own side (collecteur.ps1), as the switch emulators' is a real switch's; counted
# apart from the controller's. Set, each call appends its CPU seconds to <dir>/<pid>.
ENV_CPU = "AMICO_LAB_CPU_DOUBLURES"


def compter_cpu(secondes: float) -> None:
    with open(os.path.join(os.environ[ENV_CPU], str(os.getpid())), "a", encoding="ascii") as fh:
        fh.write(f"{secondes:.6f}\n")


def cpu_compte(dossier: str | os.PathLike[str]) -> float:
    """Total CPU seconds the stand-ins counted under `dossier`."""
    return sum(float(ligne) for f in Path(dossier).iterdir() for ligne in f.read_text().split())


class PosteSimule:
    """One fake post backed by `<dossier>/<nom>.json`."""

    libelle = "labo (simulé)"

    def __init__(self, chemin: str | os.PathLike[str]):
        self.chemin = Path(chemin)

    # -- state ------------------------------------------------------------------------------
    def lire(self) -> dict[str, Any]:
        return json.loads(self.chemin.read_text(encoding="utf-8"))

    def _ecrire(self, etat: dict[str, Any]) -> None:
        tmp = self.chemin.with_suffix(".tmp")
        tmp.write_text(json.dumps(etat, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(self.chemin)

    # -- the one entry point: what WinRM would run ----------------------------------------
    def executer(self, script: str, parametres: dict[str, Any]) -> dict[str, Any]:
        if not os.environ.get(ENV_CPU):
            return self._executer(script, parametres)
        debut = time.thread_time()
        try:
            return self._executer(script, parametres)
        finally:
            compter_cpu(time.thread_time() - debut)

    def _executer(self, script: str, parametres: dict[str, Any]) -> dict[str, Any]:
        etat = self.lire()
        if not etat.get("joignable", True):
            raise PosteInjoignable(f"{etat.get('nom')} : pas de réponse WinRM (poste éteint ?)")
        if MARQUEUR not in script:
            raise ValueError("le poste simulé ne rejoue que collecteur.ps1")
        mode = parametres.get("Mode", "collecte")
        etat.setdefault("appels", []).append({"mode": mode, "horodatage": _maintenant()})
        demande = json.loads(parametres.get("DemandeJson") or "{}")
        if mode == "collecte":
            sortie = self.collecte(etat, demande)
        elif mode == "appliquer":
            actions = json.loads(parametres.get("ActionsJson") or "[]")
            executions = [self._action(etat, a, parametres) for a in actions]
            sortie = {
                "format": 1,
                "mode": mode,
                "executions": executions,
                "collecte": self.collecte(etat, demande),
                "redemarrage_lance": False,
            }
            if parametres.get("RedemarrageAutorise") and any(
                e["code"] in (3010, 1641) for e in executions
            ):
                sortie["redemarrage_lance"] = True
                self._redemarrer(etat)
        elif mode == "redemarrer":
            self._redemarrer(etat)
            sortie = {"format": 1, "mode": mode, "redemarrage_lance": True}
        else:
            raise ValueError(f"Mode inconnu : {mode}")
        self._ecrire(etat)
        # Round-trip through JSON like ConvertTo-Json -> ansible -> json.loads.
        return json.loads(json.dumps(sortie))

    # -- collecte -----------------------------------------------------------------------------
    @staticmethod
    def collecte(etat: dict[str, Any], demande: dict[str, Any]) -> dict[str, Any]:
        lignes = []
        for ligne in etat.get("desinstallation", []):
            if not str(ligne.get("DisplayName") or "").strip():
                continue  # the collector skips keys without DisplayName
            sortie = {
                "vue": "64",
                "cle": None,
                "DisplayName": None,
                "DisplayVersion": None,
                "Publisher": None,
                "UninstallString": None,
                "QuietUninstallString": None,
                "InstallDate": None,
                "WindowsInstaller": None,
                "SystemComponent": None,
                "ParentKeyName": None,
                "ReleaseType": None,
            }
            sortie.update({k: v for k, v in ligne.items() if not k.startswith("_")})
            lignes.append(sortie)
        fichiers = {}
        etat_fichiers = {k.lower(): v for k, v in (etat.get("fichiers") or {}).items()}
        for chemin in demande.get("fichiers") or []:
            info = etat_fichiers.get(_etendre(chemin).lower())
            if info is None:
                fichiers[chemin] = {"existe": False}
            elif info.get("acces_refuse"):
                fichiers[chemin] = {"existe": None, "erreur": "Accès refusé"}
            else:
                fichiers[chemin] = {
                    "existe": True,
                    "version": info.get("version"),
                    "version_produit": info.get("version_produit"),
                }
        registre = {}
        etat_reg = {k.lower(): v for k, v in (etat.get("registre") or {}).items()}
        for d in demande.get("registre") or []:
            ident = f"{d.get('cle')}|{d.get('valeur') or ''}"
            valeurs = etat_reg.get(str(d.get("cle")).lower())
            if valeurs is None:
                registre[ident] = {"existe": False}
            elif not d.get("valeur"):
                registre[ident] = {"existe": True}
            elif d["valeur"] in valeurs:
                registre[ident] = {"existe": True, "valeur": str(valeurs[d["valeur"]])}
            else:
                registre[ident] = {"existe": False}
        services = {}
        for nom in demande.get("services") or []:
            s = (etat.get("services") or {}).get(nom)
            services[nom] = (
                {"existe": False}
                if s is None
                else {
                    "existe": True,
                    "etat": s.get("etat", "Running"),
                    "demarrage": s.get("demarrage", "Automatic"),
                }
            )
        indicateurs = list((etat.get("redemarrage") or {}).get("indicateurs") or [])
        return {
            "format": 1,
            "ordinateur": str(etat.get("nom", "")).upper(),
            "horodatage": _maintenant(),
            "systeme": etat.get("systeme"),
            "disque": etat.get("disque"),
            "redemarrage": {"en_attente": bool(indicateurs), "indicateurs": indicateurs},
            "desinstallation": lignes,
            # loaded user hives the collector read (HKU\<SID>): those carrying a per-user
            # line, plus any other logged-on profile the state declares
            "profils_lus": sorted(
                {str(ligne["sid"]) for ligne in lignes if ligne.get("sid")}
                | set(etat.get("profils_charges") or [])
            ),
            "fichiers": fichiers,
            "registre": registre,
            "services": services,
            "licences": copy.deepcopy(etat.get("licences", LICENCES_DEFAUT)),
            "antivirus": _antivirus(etat),
            "erreurs": [],
            "duree_ms": 850,
        }

    # -- actions ------------------------------------------------------------------------------
    def _action(
        self, etat: dict[str, Any], a: dict[str, Any], parametres: dict[str, Any]
    ) -> dict[str, Any]:
        ex = {
            "id": a.get("id"),
            "action": a.get("action"),
            "codes_retour_ok": a.get("codes_retour_ok"),
            "code": None,
            "erreur": None,
            "duree_s": 0,
        }
        if a.get("action") == "desinstaller":
            ex["commande"] = a.get("commande")
            ex["code"] = self._desinstaller(etat, str(a.get("commande") or ""))
        else:
            ex["code"], ex["erreur"], ex["commande"] = self._installer(etat, a, parametres)
        etat.setdefault("commandes", []).append(
            {"action": ex["action"], "commande": ex["commande"], "code": ex["code"]}
        )
        return ex

    def _installer(
        self, etat: dict[str, Any], a: dict[str, Any], parametres: dict[str, Any]
    ) -> tuple[int, str | None, str]:
        fichier = str(a.get("fichier") or "")
        local = rf"C:\ProgramData\AMICo\cache\{Path(fichier.replace(chr(92), '/')).name}"
        commande = (
            f'msiexec.exe /i "{local}" {a.get("arguments") or ""}'.strip()
            if fichier.lower().endswith(".msi")
            else f'"{local}" {a.get("arguments") or ""}'.strip()
        )
        source = Path(str(parametres.get("Partage") or "")) / fichier.replace("\\", "/")
        if not source.is_file():
            return -1, f"Copy-Item : impossible de trouver le chemin « {source} »", commande
        contenu = source.read_bytes()
        if (
            a.get("sha256")
            and hashlib.sha256(contenu).hexdigest().upper() != str(a["sha256"]).upper()
        ):
            return -1, "empreinte sha256 inattendue", commande
        force = (etat.get("codes_forces") or {}).get(fichier)
        if force is not None:
            return int(force), None, commande  # e.g. 1603: fatal error, nothing changed
        try:
            effet = json.loads(contenu)
            assert isinstance(effet, dict) and effet.get(CLE_INSTALLEUR)
        except (ValueError, AssertionError):
            return 1620, "paquet illisible (ERROR_INSTALL_PACKAGE_INVALID)", commande
        if effet.get("remplace"):
            motif = re.compile(effet["remplace"], re.IGNORECASE)
            etat["desinstallation"] = [
                ligne
                for ligne in etat.get("desinstallation", [])
                if not motif.search(str(ligne.get("DisplayName") or ""))
            ]
        for ligne in effet.get("desinstallation", []):
            etat.setdefault("desinstallation", []).append(copy.deepcopy(ligne))
        for chemin, info in (effet.get("fichiers") or {}).items():
            etat.setdefault("fichiers", {})[_etendre(chemin)] = info
        for cle, valeurs in (effet.get("registre") or {}).items():
            etat.setdefault("registre", {}).setdefault(cle, {}).update(valeurs)
        for nom, info in (effet.get("services") or {}).items():
            etat.setdefault("services", {})[nom] = info
        code = int(effet.get("code_retour", 0))
        if code in (3010, 1641):
            ind = etat.setdefault("redemarrage", {}).setdefault("indicateurs", [])
            if "PendingFileRenameOperations" not in ind:
                ind.append("PendingFileRenameOperations")
        return code, None, commande

    @staticmethod
    def _desinstaller(etat: dict[str, Any], commande: str) -> int:
        lignes = etat.get("desinstallation", [])
        m = re.search(r"msiexec(?:\.exe)?\s+/x\s*(\{[0-9a-f-]{36}\})", commande, re.IGNORECASE)
        if m:
            code = m.group(1).upper()
            restantes = [ligne for ligne in lignes if str(ligne.get("cle") or "").upper() != code]
            if len(restantes) == len(lignes):
                return 1605  # ERROR_UNKNOWN_PRODUCT
            retirees = [ligne for ligne in lignes if ligne not in restantes]
        else:
            exe = _executable(commande)
            retirees = [
                ligne
                for ligne in lignes
                if any(
                    ligne.get(k) and _executable(ligne[k]) == exe
                    for k in ("UninstallString", "QuietUninstallString")
                )
            ]
            if not retirees:
                return 2  # ERROR_FILE_NOT_FOUND: the uninstaller is not there
            restantes = [ligne for ligne in lignes if ligne not in retirees]
        etat["desinstallation"] = restantes
        for ligne in retirees:
            for chemin in (ligne.get("_lab") or {}).get("fichiers", []):
                (etat.get("fichiers") or {}).pop(_etendre(chemin), None)
        return 0

    @staticmethod
    def _redemarrer(etat: dict[str, Any]) -> None:
        etat["redemarrage"] = {"indicateurs": []}
        etat["demarrages"] = int(etat.get("demarrages", 0)) + 1


def etat_poste(dossier: str | os.PathLike[str], nom: str) -> Path:
    return Path(dossier) / f"{nom}.json"


def appels(dossier: str | os.PathLike[str], nom: str) -> list[dict[str, Any]]:
    """The remote calls the stand-in post `nom` received (one per WinRM round trip)."""
    return PosteSimule(etat_poste(dossier, nom)).lire().get("appels", [])
