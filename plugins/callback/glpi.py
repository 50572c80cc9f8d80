# Copyright: AMICo contributors
# EUPL-1.2
"""Callback amico.colleges.glpi: report every run to the helpdesk (GLPI). Thin layer over
amico.guichet (routing.plan, guichet.deliver, inventory)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: glpi
type: notification
short_description: Signale chaque exécution dans GLPI (tickets routés par la matrice des services)
description:
  - À la fin d'une exécution, regroupe les résultats par site et par service et, pour chaque
    (site, service, problème), ouvre un ticket GLPI portant un identifiant externe stable,
    ou ajoute un suivi au ticket ouvert qui le porte déjà (jamais de doublon, même entre
    deux exécutions concurrentes) ; résout le ticket quand le problème a disparu ; n'ouvre
    rien pour une dérive ignorée ; trace les changements faits sur les hôtes.
  - Le ticket est assigné aux groupes des acteurs R de la matrice des services ; A, C et I
    et les anomalies de la matrice sont écrits dans le ticket.
  - "Chaque ticket est traité avec son entité active (profil API non récursif accepté) ; au
    départ, chaque entité du routage est vérifiée auprès de GLPI et une entité hors de portée
    du profil arrête l'envoi des tickets (ils attendent dans le spool) avec un message qui la
    nomme. Tickets et inventaires sont deux files indépendantes : un inventaire refusé ne
    retarde jamais un ticket."
  - Si GLPI est injoignable ou en erreur, les appels sont écrits dans le spool et rejoués
    à l'exécution suivante ou par C(amico guichet vider). Le délai configuré borne
    l'attente (un GLPI qui ne répond pas ne bloque pas l'exécution).
  - "Jetons : uniquement par variables d'environnement (comme AWX injecte ses identifiants) :
    AMICO_GLPI_APP_TOKEN, AMICO_GLPI_USER_TOKEN, AMICO_GLPI_LOGIN, AMICO_GLPI_PASSWORD,
    AMICO_GLPI_CLIENT_ID, AMICO_GLPI_CLIENT_SECRET ; ou un fichier YAML chiffré par
    ansible-vault (option secrets_file). Jamais dans ansible.cfg, jamais affichés."
requirements:
  - le paquet Python amico (src/amico)
options:
  url:
    description: URL de base de GLPI (sans apirest.php).
    env: [{name: AMICO_GLPI_URL}]
    ini: [{section: callback_glpi, key: url}]
  api:
    description: API utilisée, v1 (apirest.php) ou v2 (api.php, GLPI 11).
    default: v1
    choices: [v1, v2]
    env: [{name: AMICO_GLPI_API}]
    ini: [{section: callback_glpi, key: api}]
  timeout:
    description: Délai maximal d'une requête, en secondes.
    type: float
    default: 10
    env: [{name: AMICO_GLPI_TIMEOUT}]
    ini: [{section: callback_glpi, key: timeout}]
  budget:
    description: Durée maximale de tout l'envoi en fin d'exécution, en secondes ; au-delà, le reste va au spool.
    type: float
    default: 60
    env: [{name: AMICO_GLPI_BUDGET}]
    ini: [{section: callback_glpi, key: budget}]
  routing:
    description: Fichier YAML de routage (UAI -> entité GLPI, acteur -> groupe GLPI, phase, interventions).
    type: path
    env: [{name: AMICO_GLPI_ROUTAGE}]
    ini: [{section: callback_glpi, key: routage}]
  matrix:
    description: Matrice des services (YAML brut du référentiel).
    type: path
    default: referentiel/matrice/services.yml
    env: [{name: AMICO_GLPI_MATRICE}]
    ini: [{section: callback_glpi, key: matrice}]
  spool:
    description: Répertoire du spool (sur AWX, un volume persistant). Défaut, l'état AMICo guichet/spool.
    type: path
    env: [{name: AMICO_GLPI_SPOOL}]
    ini: [{section: callback_glpi, key: spool}]
  mode:
    description: C(execution) ou C(derive) (exécution en lecture seule qui constate les écarts).
    default: execution
    choices: [execution, derive]
    env: [{name: AMICO_GLPI_MODE}]
    ini: [{section: callback_glpi, key: mode}]
  site_var:
    description: Variable d'hôte donnant l'UAI du site.
    default: amico_uai
    env: [{name: AMICO_GLPI_SITE_VAR}]
    ini: [{section: callback_glpi, key: site_var}]
  service_var:
    description: Variable d'hôte donnant l'id du service de la matrice.
    default: amico_service
    env: [{name: AMICO_GLPI_SERVICE_VAR}]
    ini: [{section: callback_glpi, key: service_var}]
  inventory:
    description: Envoyer aussi l'inventaire natif (faits collectés, résultats C(amico_inventaire)).
    type: bool
    default: false
    env: [{name: AMICO_GLPI_INVENTAIRE}]
    ini: [{section: callback_glpi, key: inventaire}]
  inventory_auth:
    description: >-
      Authentification de l'inventaire natif exigée par GLPI 11 (none, basic ou oauth :
      jeton client_credentials de portée inventory). Secrets dans AMICO_GLPI_INVENTORY_LOGIN,
      AMICO_GLPI_INVENTORY_PASSWORD, AMICO_GLPI_INVENTORY_CLIENT_ID,
      AMICO_GLPI_INVENTORY_CLIENT_SECRET ou le fichier chiffré, jamais ici.
    default: none
    choices: [none, basic, oauth]
    env: [{name: AMICO_GLPI_INVENTORY_AUTH}]
    ini: [{section: callback_glpi, key: inventory_auth}]
  secrets_file:
    description: Fichier YAML des jetons, chiffré par ansible-vault (clés app_token, user_token, login, password, client_id, client_secret, inventory_login, inventory_password, inventory_client_id, inventory_client_secret).
    type: path
    env: [{name: AMICO_GLPI_SECRETS_FILE}]
    ini: [{section: callback_glpi, key: fichier_secrets}]
  verify_tls:
    description: Vérifier le certificat TLS de GLPI.
    type: bool
    default: true
    env: [{name: AMICO_GLPI_VERIFY_TLS}]
    ini: [{section: callback_glpi, key: verify_tls}]
  ca_file:
    description: Autorité de certification de GLPI.
    type: path
    env: [{name: AMICO_GLPI_CA_FILE}]
    ini: [{section: callback_glpi, key: ca_file}]
"""

import datetime as dt
import os
import uuid

import yaml
from ansible.plugins.callback import CallbackBase
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import missing_message

try:
    from amico.guichet.config import ConfigError, check_routing, load_config, load_routing
    from amico.guichet.guichet import deliver
    from amico.guichet.inventory import (
        InventoryError,
        from_ansible_facts,
        from_switch,
        from_windows_collector,
    )
    from amico.guichet.routing import (
        CHANGEMENT,
        CONFORME,
        ECHEC,
        INJOIGNABLE,
        RunInfo,
        entities_to_check,
        findings_of_constats,
        findings_of_result,
        locate,
        plan,
    )
    from amico.guichet.spool import Spool

    IMPORT_ERROR = None
except ImportError as _exc:  # said once, at the end of the run, in French
    IMPORT_ERROR = _exc


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "amico.colleges.glpi"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._findings = []
        self._inventory_ops = []
        self._play = None
        self._loader = None
        self._hostvars = {}
        self._playbook = ""
        self._check_mode = False

    # ---- collection -----------------------------------------------------------------
    def v2_playbook_on_start(self, playbook):
        self._playbook = os.path.basename(getattr(playbook, "_file_name", "") or "")
        self._loader = getattr(playbook, "_loader", None)

    def v2_playbook_on_play_start(self, play):
        self._play = play
        self._check_mode = bool(getattr(play, "check_mode", False))

    def _vars(self, host):
        if host.name not in self._hostvars:
            values = {}
            try:
                vm = self._play.get_variable_manager()
                values = vm.get_vars(play=self._play, host=host, include_hostvars=False)
            except Exception:  # noqa: BLE001 - fall back to inventory vars
                values = dict(host.get_vars())
            self._hostvars[host.name] = {
                "site": values.get(self.get_option("site_var")),
                "service": values.get(self.get_option("service_var")),
            }
        return self._hostvars[host.name]

    def _where(self, host):
        v = self._vars(host)
        return locate(v["site"], v["service"])

    def _record_lot(self, result):
        """Batched drift (amico.colleges.derive_site): one task for a whole site, each
        finding names its own host; site and service come from that host's variables,
        as its own task's would in per-host mode."""
        inventory = self._play.get_variable_manager()._inventory
        for c in result._result.get("amico_constats") or []:
            host = inventory.get_host(str(c.get("hote")))
            where = None if host is None else self._where(host)
            if where is not None:
                self._findings += findings_of_constats(where, host.get_name(), [c])

    def _record(self, result, etat, detail=""):
        if result._result.get("amico_lot"):
            self._record_lot(result)
            return
        where = self._where(result._host)
        if where is None:
            return
        host = result._host.get_name()
        constats = result._result.get("amico_constats")
        if isinstance(constats, list):  # drift collects report their own findings
            self._findings += findings_of_constats(where, host, constats)
            return
        self._findings += findings_of_result(
            where,
            host,
            result._task.get_name() or result._task.action,
            etat,
            detail,
            read_only=self._check_mode or self.get_option("mode") == "derive",
        )

    def v2_runner_on_failed(self, result, ignore_errors=False):
        if ignore_errors:
            return
        r = result._result
        msg = r.get("msg") or r.get("stderr") or r.get("reason") or ""
        self._record(result, ECHEC, str(msg))

    def v2_runner_on_unreachable(self, result):
        self._record(result, INJOIGNABLE, str(result._result.get("msg") or ""))

    def v2_runner_on_ok(self, result):
        r = result._result
        if self.get_option("inventory"):
            self._collect_inventory(result)
        if r.get("changed"):
            self._record(result, CHANGEMENT)
        else:
            self._record(result, CONFORME)

    def _collect_inventory(self, result):
        r = result._result
        try:
            facts = r.get("ansible_facts") or {}
            if facts.get("ansible_hostname") or facts.get("ansible_system"):
                payload = from_ansible_facts(facts)
                self._inventory_ops.append(
                    {"op": "inventaire", "id": str(uuid.uuid4()), "payload": payload}
                )
            item = r.get("amico_inventaire")
            if isinstance(item, dict):
                builder = {"commutateur": from_switch, "poste_windows": from_windows_collector}.get(
                    item.get("type")
                )
                if builder:
                    self._inventory_ops.append(
                        {
                            "op": "inventaire",
                            "id": str(uuid.uuid4()),
                            "payload": builder(item.get("donnees") or {}),
                        }
                    )
        except InventoryError as e:
            self._display.warning(
                f"GLPI : inventaire de {result._host.get_name()} non envoyé : {e}"
            )

    # ---- delivery -------------------------------------------------------------------
    def v2_playbook_on_stats(self, stats):
        if IMPORT_ERROR is not None:
            self._display.warning(f"GLPI : {missing_message(IMPORT_ERROR)} ; rien n'est signalé")
            return
        try:
            routing_path = self.get_option("routing")
            if not routing_path:
                raise ConfigError("option routing (AMICO_GLPI_ROUTAGE) absente")
            routing = load_routing(routing_path)
            with open(self.get_option("matrix"), encoding="utf-8") as fh:
                matrix = yaml.safe_load(fh) or {}
            config = load_config(
                {
                    "url": self.get_option("url"),
                    "api": self.get_option("api"),
                    "timeout": self.get_option("timeout"),
                    "budget": self.get_option("budget"),
                    "verify_tls": self.get_option("verify_tls"),
                    "ca_file": self.get_option("ca_file"),
                    "inventory_auth": self.get_option("inventory_auth"),
                },
                secrets_file=self.get_option("secrets_file"),
                loader=self._loader,
            )
            check_routing(routing)
        except (ConfigError, OSError, yaml.YAMLError) as e:
            self._display.warning(f"GLPI : configuration invalide, rien n'est signalé : {e}")
            return
        run_id = os.environ.get("JOB_ID") or os.environ.get("AWX_JOB_ID") or uuid.uuid4().hex[:12]
        run = RunInfo(
            run_id=run_id,
            playbook=self._playbook,
            date=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
            mode=self.get_option("mode"),
        )
        ops = plan(self._findings, matrix, routing, run) + self._inventory_ops
        # every entity of the routing is checked against the API profile before any ticket
        outcome = deliver(
            ops, config, Spool(self.get_option("spool")), entities=entities_to_check(routing)
        )
        self._display.display(outcome.summary())
        for err in outcome.errors:
            self._display.warning(config.scrub(err))
        for warning in outcome.warnings:
            self._display.warning(config.scrub(warning))
