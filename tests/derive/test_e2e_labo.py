"""The proof: change the REAL lab, run `amico derive` as a user would, and get exactly those
deviations (expected and found values) and no others.

Lab of the shipped référentiel's site 0679901Y: its 3 switches emulated over SSH on
127.0.0.1 and configured by AMICo's own push; its 21 Windows posts as stand-ins holding
their profile's software; its pedagogical server and NAS as Debian 12 systemd containers,
the server converged by the roles of serveurs.yml (skipped with its reason when podman or
the lab image is absent). Then: a VLAN added through a switch's CLI, 7-Zip removed from a
post's state, kea-dhcp4-server stopped in the server container.
"""

import json
import os
import subprocess

import pytest
from labo import (
    ROOT,
    Commutateurs,
    Conteneurs,
    ajouter_vlan_cli,
    ecrire_postes,
    podman_disponible,
    retirer_logiciel,
    surcouche,
)

from amico.referentiel import load

pytestmark = pytest.mark.slow
UAI = "0679901Y"


def amico_drift(*args, env):
    return subprocess.run(
        [str(ROOT / ".venv/bin/amico"), "derive", "--site", UAI, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )


def ecarts(dossier):
    r = json.loads((dossier / "resultat.json").read_text())
    return r, {(e["hote"], e["regle"], e["objet"], e["statut"], e["attendu"], e["trouve"])
               for e in r["ecarts"]}  # fmt: skip


def converger_serveur(env, overlay):
    r = subprocess.run(
        [
            str(ROOT / ".venv/bin/ansible-playbook"),
            str(ROOT / "tests/derive/converger_serveur.yml"),
            "-i", str(ROOT / "inventories/demo"),
            "-i", str(overlay),
            "--limit", "se-0679901y",
            "-e", "amico_adresse=10.64.3.10",
            "-e", "annuaire__gerer_resolv_conf=false",
        ],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1500,
    )  # fmt: skip
    assert r.returncode == 0, (r.stdout + r.stderr)[-6000:]


def test_drift_reports_exactly_the_lab_changes(tmp_path, state_dir):
    ref = load(ROOT / "referentiel")
    site = next(s for s in ref.sites if s.uai == UAI)
    # the Académie's administrative posts are never handed to the collectivité's runs
    postes_site = [p.nom for p in site.postes if p.usage == "pedagogique"]
    avec_serveurs, raison = podman_disponible()
    env = dict(os.environ, AMICO_STATE_DIR=str(state_dir), ANSIBLE_NOCOLOR="1")
    env["AMICO_SAMBA_ADMIN_PASSWORD"] = "Lab-" + os.urandom(6).hex() + "-Xa9"
    env["AMICO_RESTIC_PASSWORD"] = "Lab-" + os.urandom(6).hex() + "-Xr9"
    serveurs = [s.nom for s in site.serveurs if s.role in ("serveur_pedagogique", "nas")]
    conteneurs = None
    if avec_serveurs:
        from amico_lab.podman import lab_env

        env = lab_env(env)
        conteneurs = Conteneurs(serveurs, raison, f"amico-derive-{os.getpid()}")
    sw = Commutateurs(ref, UAI, tmp_path / "commutateurs")
    try:
        sw.start()
        if conteneurs:
            conteneurs.start()
        postes = ecrire_postes(ref, UAI, tmp_path / "postes")
        overlay = surcouche(
            tmp_path / "labo.yml", sw, postes, conteneurs.noms if conteneurs else None
        )
        if not conteneurs:
            # no container: the servers are reached nowhere (never the plan's addresses)
            import yaml

            data = yaml.safe_load(overlay.read_text())
            for n in serveurs:
                data["all"]["hosts"][n] = {"ansible_host": "127.0.0.1", "ansible_port": 9}
            overlay.write_text(yaml.safe_dump(data))
        else:
            converger_serveur(env, overlay)
        inv = ["-i", str(ROOT / "inventories/demo"), "-i", str(overlay)]

        # 1. baseline: only what the référentiel itself makes non-conforme on this lab
        avant = amico_drift(*inv, "--sortie", str(tmp_path / "avant"), env=env)
        r0, e0 = ecarts(tmp_path / "avant")
        attendus0 = {
            (p, "poste.fin_de_vie", "windows_10", "non conforme",
             "absent ou remplacé (fin de vie)", "fin de vie (10.0.19045.5247)")
            for p in postes_site
        } | {
            (p.nom, "poste.logiciel", "robotprog", "non vérifiable", "présent", "absent")
            for p in site.postes if p.profil == "cfao" and p.nom in postes_site
        }  # fmt: skip
        if not conteneurs:
            attendus0 |= {
                (n, "hote.joignable", "collecte", "injoignable", "joignable", "injoignable")
                for n in serveurs
            }
        assert e0 == attendus0, (avant.stdout + avant.stderr)[-4000:]
        assert avant.returncode == 1
        assert f"{r0['resume']['hotes']}/{r0['resume']['hotes']} hôte(s) traité(s)" in avant.stderr

        # 2. the lab drifts, by the hosts' own means
        sw_nom = "sw-acces2-0679901y"
        ajouter_vlan_cli(sw.target(sw_nom), "aruba", 666, "BRICOLAGE")
        poste = "0679901-s102-02"
        retirer_logiciel(postes[poste], "7-Zip")
        changements = {
            (sw_nom, "commutateur.vlan", "VLAN 666", "non conforme",
             "absent (hors plan d'adressage du site)", "présent (BRICOLAGE)"),
            (poste, "poste.logiciel", "7zip", "non conforme", ">= 25.00", "absent"),
        }  # fmt: skip
        if conteneurs:
            arret = conteneurs.executer("se-0679901y", "systemctl", "stop", "kea-dhcp4-server")
            assert arret.returncode == 0, arret.stderr
            changements |= {
                ("se-0679901y", "serveur.service", "kea-dhcp4-server", "non conforme",
                 "active, enabled", "inactive, enabled"),
                ("se-0679901y", "serveur.port_ecoute", "67/udp", "non conforme",
                 "en écoute", "fermé"),
            }  # fmt: skip

        apres = amico_drift(*inv, "--sortie", str(tmp_path / "apres"), env=env)
        r1, e1 = ecarts(tmp_path / "apres")
        assert e1 - e0 == changements, (apres.stdout + apres.stderr)[-4000:]
        assert e0 - e1 == set()
        assert apres.returncode == 1
        assert set(r1["tendance"]["nouveaux"]) == {f"{h}|{rg}|{o}" for h, rg, o, *_ in changements}
        assert "0679901-s102-02 poste.logiciel 7zip : non conforme" in apres.stdout
        assert (tmp_path / "apres" / "rapport.html").exists()
        if not conteneurs:
            pytest.skip(f"partie serveur non exécutée : {raison}")
    finally:
        sw.stop()
        if conteneurs:
            conteneurs.stop()
