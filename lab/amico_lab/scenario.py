"""`amico demo`: the main job end to end on the embedded lab.

1. `amico labo demarrer` (switch emulators, stand-in posts, GLPI test server, containers);
2. deploy from the référentiel with the project's playbooks through the demo inventory
   and the lab overlay: commutateurs.yml, postes.yml, serveurs.yml (when the containers
   are there and the role runs);
3. a first drift run: the reference (what remains after deployment, e.g. Windows 10 past
   its end of life, entries no rule can detect);
4. realistic deviations, through the lab's own interfaces: a rogue VLAN typed into an
   emulated switch's CLI over SSH (netmiko), a software uninstalled from a post and an
   end-of-life software installed on another (the stand-in posts' state), a service
   stopped in a server container (`systemctl stop` in the container);
5. a second drift run: the HTML report, the deviations that appeared since the
   reference (expected: exactly the planted ones), the tickets opened on the lab's GLPI;
6. `amico labo arreter` (unless --garder / KEEP=1).
Every skipped part is said, with its reason.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from amico_lab.demo import ROOT, Labo

ECARTS = ("non conforme", "injoignable", "non vérifiable")


@dataclass
class Ecart:
    hote: str
    regle: str
    objet: str
    description: str

    @property
    def cle(self) -> tuple[str, str, str]:
        return (self.hote, self.regle, self.objet)


@dataclass
class Demo:
    labo: Labo = field(default_factory=Labo)
    dossier: Path | None = None
    etapes: list[dict[str, Any]] = field(default_factory=list)
    ignores: dict[str, str] = field(default_factory=dict)
    plantes: list[Ecart] = field(default_factory=list)
    sortie: Any = print
    supervision: Any = None  # amico_lab.supervision.DemoSupervision once Zabbix watches

    # -- helpers ---------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = self.labo.environnement()
        env["ANSIBLE_CALLBACKS_ENABLED"] = "amico.colleges.glpi"
        return env

    def playbook(self, nom: str, *extra: str, timeout: int = 1800) -> tuple[int, str]:
        exe = Path(sys.executable).parent / "ansible-playbook"
        cmd = [str(exe), str(ROOT / "playbooks" / nom), *extra]
        t0 = time.monotonic()
        r = subprocess.run(
            cmd, env=self._env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        journal = self.dossier / f"{Path(nom).stem}.log"
        journal.write_text(r.stdout + r.stderr, encoding="utf-8")
        duree = round(time.monotonic() - t0, 1)
        recap = _recap(r.stdout)
        self.etapes.append(
            {"etape": f"ansible-playbook {nom}", "code": r.returncode, "duree_s": duree,
             "recap": recap, "journal": str(journal)}
        )  # fmt: skip
        changes = sum(v.get("changed", 0) for v in recap.values())
        echecs = sum(v.get("failed", 0) + v.get("unreachable", 0) for v in recap.values())
        self.sortie(
            f"  {nom} : code {r.returncode}, {len(recap)} hôte(s), {changes} modifié(s), "
            f"{echecs} en échec ({duree} s) — journal {journal}"
        )
        return r.returncode, r.stdout + r.stderr

    # -- steps -----------------------------------------------------------------------------
    def deployer(self, serveurs: bool) -> None:
        self.sortie("2. Déploiement depuis le référentiel (inventaire demo + surcouche du labo)")
        rc, _ = self.playbook("commutateurs.yml")
        if rc != 0:
            raise RuntimeError("le déploiement des commutateurs a échoué (voir le journal)")
        rc, _ = self.playbook("postes.yml")  # default target: postes_pedagogiques:&windows
        if rc != 0:
            raise RuntimeError("le déploiement des postes a échoué (voir le journal)")
        etat = self.labo.lire() or {}
        if not serveurs:
            self.ignores["serveurs"] = "désactivé (--sans-serveurs)"
        elif not etat.get("conteneurs"):
            self.ignores["serveurs"] = (etat.get("ignores") or {}).get("serveurs", "sans conteneur")
        else:
            cibles = [
                n for n, c in etat["conteneurs"].items() if c["role"] == "serveur_pedagogique"
            ]
            rc, texte = self.playbook("serveurs.yml", "--limit", ",".join(cibles))
            if rc != 0:
                self.ignores["serveurs"] = (
                    "les rôles des serveurs (playbooks/serveurs.yml) n'ont pas pu être "
                    "appliqués sur les conteneurs : " + _premiere_erreur(texte)
                )
        if "serveurs" in self.ignores:
            self.sortie(f"  serveurs : partie IGNORÉE — {self.ignores['serveurs']}")

    def derive(self, nom: str) -> dict[str, Any]:
        """One drift run, as a user runs it: `amico derive` on the demo sites."""
        etat = self.labo.lire() or {}
        sortie = self.dossier / nom
        cmd = [str(Path(sys.executable).parent / "amico"), "derive", "--silencieux",
               "--sortie", str(sortie)]  # fmt: skip
        for uai in etat.get("sites", []):
            cmd += ["--site", uai]
        env = self._env()
        env["AMICO_GLPI_MODE"] = "derive"
        t0 = time.monotonic()
        r = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        duree = round(time.monotonic() - t0, 1)
        fichier = sortie / "resultat.json"
        if not fichier.exists():
            raise RuntimeError(
                f"amico derive n'a rien produit (code {r.returncode}) : {r.stderr[-800:]}"
            )
        resultat = json.loads(fichier.read_text(encoding="utf-8"))
        self.etapes.append(
            {"etape": f"amico derive ({nom})", "code": r.returncode, "duree_s": duree}
        )
        premiere = r.stdout.strip().splitlines()[0] if r.stdout.strip() else ""
        self.sortie(f"  {premiere} ({duree} s)")
        return resultat

    def dossier_collecte(self) -> str | None:
        """The dossier d'exploitation of the first demo collège, its patch table filled
        from the emulated switches (`amico dossier --collecter --surcouche <the lab's
        overlay>`, as a user runs it, the switches' password in the lab's environment):
        port states, last MACs, uplinks confirmed by LLDP."""
        etat = self.labo.lire() or {}
        sites = etat.get("sites") or []
        if not sites or not etat.get("surcouche"):
            return None
        sortie = self.dossier / "dossiers"
        cmd = [str(Path(sys.executable).parent / "amico"), "dossier", "--site", sites[0],
               "--collecter", "--surcouche", etat["surcouche"],
               "--sortie", str(sortie)]  # fmt: skip
        t0 = time.monotonic()
        r = subprocess.run(cmd, env=self._env(), cwd=ROOT, capture_output=True, text=True,
                           timeout=600)  # fmt: skip
        duree = round(time.monotonic() - t0, 1)
        (self.dossier / "dossier.log").write_text(r.stdout + r.stderr, encoding="utf-8")
        self.etapes.append({"etape": "amico dossier --collecter", "code": r.returncode,
                            "duree_s": duree})  # fmt: skip
        page = sortie / sites[0] / "index.html"
        if r.returncode != 0 or not page.exists():
            self.ignores["dossier"] = f"amico dossier a échoué (code {r.returncode}) : " + (
                r.stderr.strip()[-300:] or r.stdout.strip()[-300:]
            )
            self.sortie(f"  dossier : partie IGNORÉE — {self.ignores['dossier']}")
            return None
        collectes = sum(1 for x in r.stdout.splitlines() if ": collecte ok" in x)
        self.sortie(f"  {collectes} commutateur(s) lu(s) ; dossier : {page} ({duree} s)")
        return str(page)

    def superviser(self) -> None:
        """The supervision server beside the demo servers: Zabbix in a container, the agent
        on the server that gets the incident, a real backup, the sync of that host."""
        if "serveurs" in self.ignores:
            self._sans_supervision("pas de conteneur serveur (partie serveurs ignorée)")
            return
        from amico.referentiel import load
        from amico.supervision.zabbix import ZabbixError
        from amico_lab import demo as labo_demo
        from amico_lab import supervision

        etat = self.labo.lire() or {}
        serveur = _serveur_incident(etat)
        ref = load(ROOT / "referentiel")
        uai = next(s.uai for s in ref.sites if any(v.nom == serveur for v in s.serveurs))
        nom = f"{labo_demo.PREFIXE_CONTENEUR}zabbix"
        self.labo.noter("supervision", {"conteneur": nom})  # removed by `amico labo arreter`
        t0 = time.monotonic()
        try:
            sup = supervision.demo_preparer(
                ref, uai, serveur, etat["conteneurs"][serveur]["nom"], nom,
                self.dossier / "supervision_agent.log",
            )  # fmt: skip
        except (RuntimeError, ZabbixError, OSError, subprocess.SubprocessError) as e:
            self._sans_supervision(str(e).strip().splitlines()[0][:300])
            return
        duree = round(time.monotonic() - t0, 1)
        self.etapes.append({"etape": "supervision (Zabbix, agent, sync)", "code": 0,
                            "duree_s": duree})  # fmt: skip
        self.supervision = sup
        self.sortie(
            f"  Zabbix 6.0 (paquets Debian 12, rôle supervision) : conteneur {nom} "
            f"({sup.zabbix.url}) ; agent Zabbix 2 sur {serveur} (rôle supervision_agent), "
            "sauvegarde restic et test de restauration réels"
        )
        self.sortie(f"  {sup.bilan.resume()}")
        self.sortie(
            f"  Hôte supervisé dans la démo : {serveur} ; {sup.hors_demo} autre(s) hôte(s) du "
            f"collège {uai} non synchronisé(s) ici (commutateurs émulés sans SNMP, liaison, "
            "NAS sans agent)"
        )
        vu = sup.reference or "pas encore de valeur"
        self.sortie(
            f"  Zabbix voit {supervision.DEMO_SERVICE['unite']} sur {serveur} : « {vu} » "
            f"(préparation {duree} s)"
        )

    def _sans_supervision(self, raison: str) -> None:
        self.ignores["supervision"] = raison
        self.sortie(f"  supervision : partie IGNORÉE — {raison}")

    def remonter_incident(self) -> dict[str, Any] | None:
        """The planted incident (step 4) as Zabbix raised it, turned into one routed
        ticket by `amico supervision remonter`; the ticket is left open (said)."""
        sup = self.supervision
        if sup is None:
            return None
        from amico_lab import supervision

        glpi = (self.labo.lire() or {}).get("glpi") or {}
        deja = {t["id"] for t in self.labo.tickets()}
        t0 = time.monotonic()
        env = self.labo.environnement()
        # the demo's memo of open problems stays in the lab (removed by `labo arreter`),
        # never in the operator's own supervision state
        env["AMICO_STATE_DIR"] = str(self.labo.dossier / "supervision-etat")
        try:
            res = supervision.demo_incident(
                sup, env, ROOT / "referentiel",
                self.dossier / "supervision-remonter.log",
            )  # fmt: skip
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            self._sans_supervision(str(e).strip().splitlines()[0][:300])
            return {"erreur": self.ignores["supervision"], "tickets": [], "incident": []}
        res["tickets"] = supervision.tickets_routes(glpi["url"], Path(glpi["routage"]), deja)
        libelle = supervision.DEMO_SERVICE["libelle"]
        res["incident"] = [t["id"] for t in res["tickets"] if libelle in (t["nom"] or "")]
        res["duree_s"] = round(time.monotonic() - t0, 1)
        self.etapes.append({"etape": "amico supervision remonter", "code": res["code"],
                            "duree_s": res["duree_s"]})  # fmt: skip
        self.sortie(
            f"  Incident planté (étape 4) : {supervision.DEMO_SERVICE['unite']} arrêté dans le "
            f"conteneur de {sup.serveur} ; problème Zabbix « {res['probleme']} » vu en "
            f"{res['vu_en_s']} s"
        )
        for ligne in res["sortie"]:
            self.sortie(f"  amico supervision remonter : {ligne}")
        for t in res["tickets"]:
            marque = "incident" if t["id"] in res["incident"] else "autre problème Zabbix"
            self.sortie(
                f"   #{t['id']} {t['nom']} — attribué à : {', '.join(t['groupes']) or 'aucun'}"
                f" [{marque}]"
            )
        self.sortie(
            "  Ticket laissé ouvert (le labo s'arrête ensuite) : une fois le service "
            "redémarré, le `amico supervision remonter` suivant le résout "
            f"({res['duree_s']} s)"
        )
        return res

    def introduire_ecarts(self) -> None:
        self.sortie("4. Écarts introduits par les interfaces du labo")
        etat = self.labo.lire() or {}
        for ecart in (
            self._vlan_pirate(etat),
            self._logiciel_retire(etat),
            self._logiciel_fin_de_vie(etat),
            *self._service_arrete(etat),
        ):
            if ecart is not None:
                self.plantes.append(ecart)
                self.sortie(f"  - {ecart.description}")

    def _vlan_pirate(self, etat) -> Ecart | None:
        from netmiko import ConnectHandler

        noms = sorted(n for n, s in etat["commutateurs"].items() if s["plateforme"] == "cisco_ios")
        nom = noms[-1] if noms else sorted(etat["commutateurs"])[-1]
        s = etat["commutateurs"][nom]
        secrets = self.labo.secrets()
        with ConnectHandler(
            device_type=s["plateforme"], host=s["hote"], port=s["port"], username="amico",
            password=secrets["commutateurs_mot_de_passe"], timeout=10, fast_cli=False,
        ) as conn:  # fmt: skip
            conn.send_config_set(["vlan 666", "name INVITES_TEMPO"])
        return Ecart(nom, "commutateur.vlan", "VLAN 666",
                     f"VLAN 666 « INVITES_TEMPO » tapé en SSH dans la CLI de {nom}")  # fmt: skip

    def _poste(self, etat, rang: int) -> tuple[str, Path]:
        noms = sorted(etat["postes"])
        nom = noms[rang % len(noms)]
        return nom, Path(etat["postes"][nom])

    def _logiciel_retire(self, etat) -> Ecart | None:
        nom, chemin = self._poste(etat, 1)
        contenu = json.loads(chemin.read_text(encoding="utf-8"))
        avant = len(contenu["desinstallation"])
        contenu["desinstallation"] = [
            ligne for ligne in contenu["desinstallation"]
            if not str(ligne.get("DisplayName", "")).startswith("Mozilla Firefox")
        ]  # fmt: skip
        assert len(contenu["desinstallation"]) == avant - 1
        chemin.write_text(json.dumps(contenu, ensure_ascii=False, indent=1), encoding="utf-8")
        return Ecart(nom, "poste.logiciel", "firefox_esr",
                     f"Firefox ESR désinstallé à la main sur le poste {nom}")  # fmt: skip

    def _logiciel_fin_de_vie(self, etat) -> Ecart | None:
        from amico_lab.postes.labo import LIGNES

        nom, chemin = self._poste(etat, len(etat["postes"]) // 2)
        contenu = json.loads(chemin.read_text(encoding="utf-8"))
        contenu["desinstallation"].append(dict(LIGNES["flash_npapi"]))
        chemin.write_text(json.dumps(contenu, ensure_ascii=False, indent=1), encoding="utf-8")
        return Ecart(nom, "poste.interdit", "flash_player_plugin",
                     f"Adobe Flash Player 32 NPAPI (fin de vie 2020-12-31, interdit) "
                     f"installé sur le poste {nom}")  # fmt: skip

    def _service_arrete(self, etat) -> list[Ecart]:
        """Stop the DHCP server in a server container: the service and its port (67/udp)
        are two deviations of one action, as drift reports them."""
        if "serveurs" in self.ignores:
            return []
        from amico_lab import podman

        nom = _serveur_incident(etat)
        conteneur = etat["conteneurs"][nom]["nom"]
        subprocess.run(
            ["podman", "exec", conteneur, "systemctl", "stop", "kea-dhcp4-server"],
            env=podman.lab_env(), check=True, capture_output=True,
        )  # fmt: skip
        texte = f"service kea-dhcp4-server arrêté (systemctl stop) dans le conteneur de {nom}"
        return [
            Ecart(nom, "serveur.service", "kea-dhcp4-server", texte),
            Ecart(
                nom, "serveur.port_ecoute", "67/udp", f"port 67/udp fermé en conséquence ({nom})"
            ),
        ]


def _serveur_incident(etat: dict[str, Any]) -> str:
    """The demo server that gets the stopped service (drift and supervision alike)."""
    return sorted(n for n, c in etat["conteneurs"].items() if c["role"] == "serveur_pedagogique")[0]


def ecarts(resultat: dict[str, Any]) -> dict[tuple[str, str, str], dict]:
    """The run's deviations (not ignored), by (host, rule, object)."""
    return {
        (e["hote"], e["regle"], e["objet"]): e
        for e in resultat.get("ecarts", [])
        if not e.get("ignore") and e.get("statut") in ECARTS
    }


def lancer_demo(garder: bool = False, serveurs: bool = True, sortie=print) -> int:
    t0 = time.monotonic()
    labo = Labo()
    demo = Demo(labo=labo, sortie=sortie)
    demo.dossier = labo.dossier / "demo" / time.strftime("%Y%m%d-%H%M%S")
    demo.dossier.mkdir(parents=True, exist_ok=True)
    code = 1
    try:
        sortie("1. Labo embarqué (amico labo demarrer)")
        labo.demarrer(sortie=lambda m: sortie(f"  {m}"))
        demo.deployer(serveurs)
        sortie("2 bis. Supervision Zabbix à côté des serveurs de démo")
        demo.superviser()
        sortie("3. Dérive de référence après déploiement")
        avant = demo.derive("derive-reference")
        tickets_avant = {t["id"] for t in labo.tickets()}
        demo.introduire_ecarts()
        sortie("5. Détection de dérive")
        apres = demo.derive("derive")
        sortie("5 bis. Dossier d'exploitation d'un collège (ports, MAC et LLDP collectés)")
        dossier_college = demo.dossier_collecte()
        nouveaux = {k: v for k, v in ecarts(apres).items() if k not in ecarts(avant)}
        attendus = {e.cle for e in demo.plantes}
        tickets = [t for t in labo.tickets() if t["id"] not in tickets_avant]
        sortie("5 ter. Supervision : problème Zabbix de l'incident -> ticket routé")
        supervision = demo.remonter_incident()
        rapport = Path(apres.get("dossier") or demo.dossier / "derive") / "rapport.html"
        if not rapport.exists():
            rapport = demo.dossier / "derive" / "rapport.html"
        resume = {
            "rapport": str(rapport),
            "dossier": dossier_college,
            "plantes": [asdict(e) for e in demo.plantes],
            "detectes": [
                {
                    "hote": k[0],
                    "regle": k[1],
                    "objet": k[2],
                    "statut": v["statut"],
                    "attendu": v.get("attendu"),
                    "trouve": v.get("trouve"),
                }
                for k, v in sorted(nouveaux.items())
            ],  # fmt: skip
            "residuels": len(ecarts(avant)),
            "conformite_avant": avant["resume"]["taux_conformite"],
            "conformite_apres": apres["resume"]["taux_conformite"],
            "tickets": [
                {"id": t["id"], "nom": t.get("name"), "externalid": t.get("externalid")}
                for t in tickets
            ],  # fmt: skip
            "supervision": supervision,
            "ignores": demo.ignores,
            "etapes": demo.etapes,
            "exact": set(nouveaux) == attendus,
            "duree_s": round(time.monotonic() - t0, 1),
        }
        (demo.dossier / "resume.json").write_text(
            json.dumps(resume, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        _afficher(resume, attendus, set(nouveaux), sortie)
        # Zabbix there but no single ticket for the incident: the demo failed too
        supervision_ok = supervision is None or len(supervision.get("incident", [])) == 1
        code = 0 if resume["exact"] and supervision_ok else 1
    finally:
        if garder:
            sortie(
                "Labo conservé (KEEP=1) : `amico labo etat`, `amico labo arreter` pour l'arrêter."
            )
        else:
            sortie("7. Arrêt du labo (amico labo arreter)")
            labo.arreter(sortie=lambda m: sortie(f"  {m}"))
    sortie(f"Résumé : {demo.dossier / 'resume.json'} ; durée totale {time.monotonic() - t0:.0f} s")
    return code


def _afficher(resume, attendus, trouves, sortie) -> None:
    sortie("")
    sortie("6. Résumé")
    sortie(f"  Rapport HTML : {resume['rapport']}")
    if resume.get("dossier"):
        sortie(f"  Dossier d'exploitation (brassage collecté) : {resume['dossier']}")
    sortie(
        f"  Conformité : {resume['conformite_avant']:.1f} % après déploiement, "
        f"{resume['conformite_apres']:.1f} % après les écarts introduits."
    )
    sortie(f"  Écarts introduits : {len(attendus)} ; nouveaux écarts détectés : {len(trouves)}")
    for d in resume["detectes"]:
        marque = "ok" if (d["hote"], d["regle"], d["objet"]) in attendus else "INATTENDU"
        sortie(f"   [{marque}] {d['hote']} {d['regle']} {d['objet']} : attendu {d['attendu']}, "
               f"trouvé {d['trouve']}")  # fmt: skip
    for cle in sorted(attendus - trouves):
        sortie(f"   [MANQUÉ] {' '.join(cle)} : écart introduit mais non détecté")
    sortie(
        f"  Écarts déjà présents après déploiement (référence, hors démo) : {resume['residuels']}"
        " (voir derive-reference/rapport.html : Windows 10 en fin de vie, logiciels sans règle"
        " de détection...)"
    )
    sortie(
        f"  Tickets ouverts sur le serveur de test GLPI par ces écarts : {len(resume['tickets'])}"
    )
    for t in resume["tickets"]:
        sortie(f"   #{t['id']} {t['nom']}")
    sup = resume.get("supervision") or {}
    for t in sup.get("tickets") or []:
        if t["id"] in sup.get("incident", []):
            sortie(f"  Ticket de supervision (Zabbix) pour l'incident : #{t['id']} {t['nom']} "
                   f"— attribué à : {', '.join(t['groupes'])}")  # fmt: skip
    for partie, raison in resume["ignores"].items():
        sortie(f"  Partie ignorée — {partie} : {raison}")
    verdict = (
        "les écarts détectés sont exactement les écarts introduits."
        if resume["exact"]
        else "ÉCART entre introduits et détectés."
    )
    sortie(f"  Verdict : {verdict}")


def _recap(texte: str) -> dict[str, dict[str, int]]:
    return {
        m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
        for m in re.finditer(r"^(\S+)\s+:\s+(ok=.*)$", texte, re.M)
        if m.group(1) != "localhost"
    }


def _premiere_erreur(texte: str) -> str:
    m = re.search(r'"msg": "((?:[^"\\]|\\.){0,400})', texte)
    if m:
        return m.group(1).replace("\\n", " ")
    lignes = [ligne for ligne in texte.splitlines() if "fatal:" in ligne or "ERROR" in ligne]
    return (lignes[0] if lignes else texte[-300:]).strip()[:400]
