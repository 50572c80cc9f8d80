"""Per-site (batched) drift against per-host drift on the same demo lab: the same result
files, the same report's findings, the same helpdesk tickets.

Lab of site 0679901Y (tests/derive/labo.py): its 3 switches emulated over SSH on 127.0.0.1,
configured by AMICo's push, then one drifted by hand; its posts as stand-ins, one with
7-Zip removed, one switched off, one put out of the operator's perimeter by an inventory
variable (a refusal: the host fails, with no result). Servers are reached nowhere
(127.0.0.1:9, unreachable) and stay per-host in both modes. The GLPI callback runs in
drift mode against a closed port: every ticket operation lands in the spool, which is
compared between the two runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
import yaml
from labo import ROOT, Commutateurs, ajouter_vlan_cli, ecrire_postes, retirer_logiciel, surcouche

from amico.referentiel import load

pytestmark = pytest.mark.slow
UAI = "0679901Y"


def derive(tmp_path, nom, inv, env, *options):
    dossier = tmp_path / nom
    env = dict(env, AMICO_GLPI_SPOOL=str(tmp_path / f"spool-{nom}"))
    r = subprocess.run(
        [str(ROOT / ".venv/bin/amico"), "derive", "--site", UAI, *inv,
         "--sortie", str(dossier), "--sans-historique", *options],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=900,
    )  # fmt: skip
    return r, dossier


def fichiers_hotes(dossier):
    out = {}
    for f in sorted((dossier / "hotes").glob("*.json")):
        res = json.loads(f.read_text("utf-8"))
        res.pop("duree_s")
        out[f.stem] = res
    return out


def constats(dossier):
    r = json.loads((dossier / "resultat.json").read_text("utf-8"))
    return r["resume"], sorted(
        json.dumps({k: v for k, v in e.items() if k != "duree_s"}, sort_keys=True)
        for e in r["ecarts"]
    )


def spool(chemin):
    """The spooled ticket operations, the run's own identifiers and date left out."""
    ops = []
    for f in sorted(chemin.rglob("*.json")):
        op = json.loads(f.read_text("utf-8"))
        op.pop("id", None)
        texte = json.dumps(op, sort_keys=True, ensure_ascii=False)
        ops.append(re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "<date>", texte))
    return sorted(ops)


def test_per_site_mode_finds_and_reports_exactly_what_per_host_mode_does(tmp_path, state_dir):
    ref = load(ROOT / "referentiel")
    site = next(s for s in ref.sites if s.uai == UAI)
    serveurs = [s.nom for s in site.serveurs if s.role in ("serveur_pedagogique", "nas")]
    sw = Commutateurs(ref, UAI, tmp_path / "commutateurs")
    try:
        sw.start()
        postes = ecrire_postes(ref, UAI, tmp_path / "postes")
        overlay = surcouche(tmp_path / "labo.yml", sw, postes, None)
        data = yaml.safe_load(overlay.read_text())
        for n in serveurs:
            data["all"]["hosts"][n] = {
                "ansible_connection": "ansible.builtin.ssh",
                "ansible_host": "127.0.0.1",
                "ansible_port": 9,
            }
        pedago = [p.nom for p in site.postes if p.usage == "pedagogique"]
        eteint, refuse, modifie = pedago[1], pedago[4], pedago[7]
        data["all"]["hosts"][refuse]["amico_operateur"] = "prestataire_inconnu"
        overlay.write_text(yaml.safe_dump(data))
        etat = json.loads(postes[eteint].read_text("utf-8"))
        postes[eteint].write_text(json.dumps({**etat, "joignable": False}), "utf-8")
        retirer_logiciel(postes[modifie], "7-Zip")
        ajouter_vlan_cli(sw.target("sw-acces2-0679901y"), "aruba", 666, "BRICOLAGE")

        inv = ["-i", str(ROOT / "inventories/demo"), "-i", str(overlay)]
        env = dict(os.environ, AMICO_STATE_DIR=str(state_dir), ANSIBLE_NOCOLOR="1")
        env.update(
            ANSIBLE_CALLBACKS_ENABLED="amico.colleges.glpi",
            AMICO_GLPI_MODE="derive",
            AMICO_GLPI_URL="http://127.0.0.1:9",
            AMICO_GLPI_APP_TOKEN="jeton-app",
            AMICO_GLPI_USER_TOKEN="jeton-utilisateur",
            AMICO_GLPI_MATRICE=str(ROOT / "referentiel/matrice/services.yml"),
            AMICO_GLPI_TIMEOUT="1",
            AMICO_GLPI_BUDGET="5",
            JOB_ID="e2e-par-site",
        )
        routage = tmp_path / "routage.yml"
        routage.write_text(
            f'phase: transitoire\nentites: {{"{UAI}": 12}}\ngroupes: {{cd: 3, externe: 4}}\n',
            encoding="utf-8",
        )
        env["AMICO_GLPI_ROUTAGE"] = str(routage)

        hote, d_hote = derive(tmp_path, "hote", inv, env)
        site_, d_site = derive(tmp_path, "site", inv, env, "--par-site", "--parallelisme", "4")
        sortie = (hote.stdout + hote.stderr)[-3000:] + (site_.stdout + site_.stderr)[-3000:]
        assert hote.returncode == site_.returncode == 1, sortie
        log = (d_site / "ansible.log").read_text("utf-8")
        assert "amico.colleges.derive_site" in log or "par site" in log, log[-3000:]

        # the lab's changes are found (by the per-site run) ...
        f_site = fichiers_hotes(d_site)
        assert f_site[eteint]["statut"] == "injoignable"
        assert refuse not in f_site, "un poste refusé n'a pas de résultat"
        assert any(c["objet"] == "7zip" and c["statut"] == "non conforme"
                   for c in f_site[modifie]["constats"])  # fmt: skip
        assert any(c["objet"] == "VLAN 666" for c in f_site["sw-acces2-0679901y"]["constats"])
        # ... and every result, finding and ticket is the per-host run's
        assert f_site == fichiers_hotes(d_hote)
        assert constats(d_site) == constats(d_hote)
        s_hote, s_site = spool(tmp_path / "spool-hote"), spool(tmp_path / "spool-site")
        assert s_hote, "le rappel GLPI n'a rien mis au spool"
        assert any(refuse in op and "echec-" in op for op in s_hote), s_hote[:3]
        assert s_site == s_hote
    finally:
        sw.stop()
