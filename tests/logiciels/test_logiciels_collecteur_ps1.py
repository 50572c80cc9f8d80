"""collecteur.ps1 runs nowhere here: parse-check it and pin its contract with the Python side."""

import re

import pytest

from amico.logiciels.execution import parametres_powershell, script_collecteur
from amico_lab.postes.poste import MARQUEUR


def _erreurs(noeud, sortie):
    if noeud.type == "ERROR" or noeud.is_missing:
        sortie.append((noeud.start_point, noeud.text[:80]))
    for enfant in noeud.children:
        _erreurs(enfant, sortie)
    return sortie


def test_collecteur_se_parse_sans_erreur():
    ts = pytest.importorskip("tree_sitter")
    tsp = pytest.importorskip("tree_sitter_powershell")
    parser = ts.Parser(ts.Language(tsp.language()))
    arbre = parser.parse(script_collecteur().encode("utf-8"))
    assert _erreurs(arbre.root_node, []) == []
    # The parser does flag broken PowerShell (the check is not vacuous).
    casse = parser.parse(b"function f { if ($a { }\n$x = @{ a = ")
    assert casse.root_node.has_error


def test_contrat_parametres_et_sortie():
    script = script_collecteur()
    assert script.startswith(MARQUEUR)
    params = set(
        re.findall(
            r"\[(?:string|bool|int|PSCredential)\]\$(\w+)", script.split("Set-StrictMode")[0]
        )
    )
    envoyes = parametres_powershell(
        {
            "Mode": "appliquer",
            "Demande": {},
            "Actions": [],
            "Partage": "",
            "RedemarrageAutorise": False,
            "DelaiSecondes": 1,
        }
    )
    assert set(envoyes) <= params
    # the share account arrives as a PSCredential (win_powershell sensitive_parameters)
    assert "IdentifiantPartage" in params and "MotDePassePartage" not in params
    for cle in (
        "desinstallation",
        "fichiers",
        "registre",
        "services",
        "redemarrage",
        "systeme",
        "disque",
        "licences",
        "antivirus",
    ):
        assert re.search(rf"^\s+{cle}\s+=", script, re.MULTILINE), cle
    for vue in (
        r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
        r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
    ):
        assert vue in script
    # per-user installs: the loaded user hives are read too, and which ones is reported
    assert "[Microsoft.Win32.RegistryHive]::Users" in script
    assert "Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall" in script
    assert re.search(r"vue\s+=\s+'utilisateur'", script)
    assert re.search(r"^\s+profils_lus\s+=", script, re.MULTILINE)
    # licences, antivirus and the full uninstall list come in the same round trip
    for source in (
        "SoftwareLicensingProduct",
        "ProductKeyChannel",
        "Office\\ClickToRun\\Configuration",
        "root/SecurityCenter2",
        "AntiVirusProduct",
        "Get-MpComputerStatus",
        "AntivirusSignatureAge",
        "ParentKeyName",
        "ReleaseType",
    ):
        assert source in script, source
    for indicateur in ("RebootPending", "RebootRequired", "PendingFileRenameOperations"):
        assert indicateur in script
    assert "ConvertTo-Json -InputObject $sortie -Depth 6 -Compress" in script
