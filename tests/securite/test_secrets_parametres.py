"""Secrets never travel where Ansible logs or `ps` shows them (issue 13, item 4).

- the Windows share account reaches the collector as a PSCredential through
  win_powershell's `sensitive_parameters` (no_log in the vendor's own argument spec), never
  in its plain `parameters` that come back in the module's `invocation`;
- the Samba admin password is never on samba-tool's command line.
"""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Partage-Secret-42!"


def _distant_winrm():
    """The one WinRM remote call (plugins/plugin_utils/postes.py), used by both actions."""
    from ansible_collections.amico.colleges.plugins.plugin_utils.postes import distant_winrm

    return distant_winrm


def _appel_winrm(mode):
    envoyes = []

    class Action:
        def _execute_module(self, module_name, module_args, task_vars):
            envoyes.append((module_name, module_args))
            return {"output": ['{"ok": true}'], "invocation": {"module_args": module_args}}

    distant = _distant_winrm()(Action(), "param()", {}, "lecteur-logiciels", SECRET)
    distant({"Mode": mode, "Partage": r"\\se1\logiciels"})
    return envoyes


def test_share_password_goes_in_sensitive_parameters_only():
    [(nom, module_args)] = _appel_winrm("appliquer")
    assert nom == "ansible.windows.win_powershell"
    assert SECRET not in repr(module_args["parameters"])
    assert module_args["sensitive_parameters"] == [
        {"name": "IdentifiantPartage", "username": "lecteur-logiciels", "password": SECRET}
    ]


def test_collect_round_trip_sends_no_share_secret_at_all():
    [(_nom, module_args)] = _appel_winrm("collecte")
    assert SECRET not in repr(module_args)


def _vendor_file(rel):
    for base in map(Path, sys.path):
        candidate = base / "ansible_collections/ansible/windows" / rel
        if candidate.exists():
            return candidate.read_text(encoding="utf-8")
    raise AssertionError(f"collection ansible.windows absente ({rel})")


def test_vendor_marks_the_credential_password_no_log():
    # what we rely on, read from ansible.windows itself (not from our own code)
    ps1 = _vendor_file("plugins/modules/win_powershell.ps1")
    bloc = ps1[ps1.index("sensitive_parameters = @{") :][:600]
    assert re.search(r"password = @\{ type = 'str'; no_log = \$true \}", bloc)


def test_collector_takes_the_share_account_as_a_pscredential():
    script = (ROOT / "src/amico/logiciels/collecteur.ps1").read_text(encoding="utf-8")
    params = script[script.index("param(") : script.index("Set-StrictMode")]
    assert "[PSCredential]$IdentifiantPartage" in params
    assert "MotDePasse" not in params
    assert "ConvertTo-SecureString $MotDePassePartage" not in script


def _taches(dossier):
    for chemin in sorted((ROOT / "roles").glob(f"*/tasks/{dossier}*.yml")):
        for tache in yaml.safe_load(chemin.read_text(encoding="utf-8")) or []:
            yield chemin, tache


def test_no_role_task_puts_a_password_on_a_command_line():
    suspects = []
    for chemin in sorted((ROOT / "roles").rglob("tasks/**/*.yml")):
        texte = chemin.read_text(encoding="utf-8")
        for ligne in texte.splitlines():
            # a command/shell argument carrying a password variable (adminpass=, --password=,
            # -p{{ }}...): visible in `ps` on the server while it runs
            if re.search(r"(pass|mot_de_passe)[a-z_]*\s*=\s*\{\{", ligne, re.I) and (
                "argv" in texte or "command" in texte or "shell" in texte
            ):
                suspects.append(f"{chemin.relative_to(ROOT)}: {ligne.strip()}")
    assert suspects == []
