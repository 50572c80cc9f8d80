# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action amico.colleges.derive_collecte: one read-only collect per host, compared on the
controller by amico.derive.comparaison; the result goes to the run folder and, as
`amico_constats`, to the helpdesk callback. Documented and validated by
plugins/modules/derive_collecte.py."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure, AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.commutateurs import target
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import raise_if_missing

# Imported here, at module level: the strategy loads this action's class in the main
# ansible-playbook process before forking a worker per host-task, so every worker
# inherits these modules instead of importing them again (the switch drivers included,
# each vendor's module too: get_driver imports it lazily, and napalm's import, Junos YAML
# views parsed in pure Python, cost every Cisco switch ~0.25 s of CPU in its worker).
try:
    from amico.commutateurs.drivers import get_driver
    from amico.commutateurs.drivers import aruba as _aruba  # noqa: F401
    from amico.commutateurs.drivers import cisco as _cisco  # noqa: F401 (napalm: ~0.25 s)
    from amico.commutateurs.drivers.base import DriverError
    from amico.commutateurs.facts import COMMANDS, TemplateError, parse_lldp
    from amico.commutateurs.parsing import parse
    from amico.derive import comparaison, ignorer
    from amico.derive.modele import constats_guichet, resultat_hote
    from amico.logiciels import execution as _catalogue_execution  # noqa: F401
    from amico.logiciels import preparation as _catalogue_preparation  # noqa: F401
    from amico.referentiel import perimetre as _perimetre  # noqa: F401 (a post's re-check)

    _IMPORT_AMICO = None
except ImportError as _exc:  # reported by run(), in French
    _IMPORT_AMICO = _exc

try:  # a post's nested action too: its module is then not compiled again in each worker
    from ansible.plugins.loader import action_loader as _action_loader

    _action_loader.get("amico.colleges.logiciels_conformite", class_only=True)
except Exception:  # noqa: BLE001 (an optimisation only: the worker loads it otherwise)
    pass


def _lire_json(chemin):
    with open(chemin, encoding="utf-8") as fh:
        return json.load(fh)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = validate(self, "derive_collecte")
        raise_if_missing(_IMPORT_AMICO)
        hote = task_vars["inventory_hostname"]
        uai = str(task_vars.get("amico_uai") or "")
        dossier = args["dossier"]
        chemin = os.path.join(dossier, "attendu", f"{uai}.json")
        if not uai or not os.path.exists(chemin):
            return {**result, "skipped": True, "msg": f"{hote} : site hors de l'exécution"}
        site = _lire_json(chemin)
        attendu = site["hotes"].get(hote)
        if attendu is None:
            return {**result, "skipped": True, "msg": f"{hote} : hôte hors de l'exécution"}
        if "catalogue" not in site:  # a run folder prepared before the site files had it
            site = {**_lire_json(os.path.join(dossier, "execution.json")), **site}
        t0 = time.monotonic()
        type_hote = attendu["type_hote"]
        injoignable = None
        try:
            if type_hote == "commutateur":
                constats = self._commutateur(attendu["commutateur"], args, task_vars)
            elif "serveur" in attendu:
                etat = self._serveur(attendu["serveur"], task_vars)
                constats = comparaison.comparer_serveur(attendu["serveur"], etat)
            else:
                rapport = self._poste(attendu["poste"], site["catalogue"], task_vars)
                constats = comparaison.comparer_poste(
                    rapport["statuts"], set(site["sans_detection"]), rapport.get("analyse")
                )
        except AnsibleConnectionFailure as exc:
            injoignable = str(exc)
            constats = comparaison.injoignable(injoignable)
        res = resultat_hote(hote, uai, type_hote, constats, time.monotonic() - t0)
        chemin_ign = os.path.join(dossier, "ignorer.json")
        if os.path.exists(chemin_ign):
            ignores = ignorer.depuis_donnees({"ignorer": _lire_json(chemin_ign)})
            ignorer.appliquer(ignores, uai, hote, res["constats"], dt.date.today())
        os.makedirs(os.path.join(dossier, "hotes"), exist_ok=True)
        sortie = os.path.join(dossier, "hotes", f"{hote}.json")
        with open(sortie + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(res, fh, ensure_ascii=False)
        os.replace(sortie + ".tmp", sortie)
        ecarts = [c for c in res["constats"] if c["statut"] != "conforme" and not c.get("ignore")]
        result.update(
            changed=False,
            derive=res["statut"],
            ecarts=len(ecarts),
            controles=len(res["constats"]),
            amico_constats=constats_guichet(res),
        )
        if injoignable:
            result.update(unreachable=True, msg=f"{hote} : injoignable : {injoignable}")
        return result

    # -- one collect per kind of host -------------------------------------------------------
    def _commutateur(self, attendu, args, task_vars):
        vendor = next(
            c["fabricant"] for c in attendu["site"]["commutateurs"] if c["nom"] == attendu["nom"]
        )
        # credentials resolved here only: a vault value is never templated for a post
        driver = get_driver(vendor, target(args, task_vars, self._templar))
        try:
            with driver:
                snap = driver.read()
                lldp = driver.run(COMMANDS[vendor]["lldp"])
        except DriverError as exc:
            raise AnsibleConnectionFailure(str(exc)) from exc
        try:
            voisins = parse_lldp(vendor, lldp)
        except TemplateError as exc:  # the uplinks are then "non vérifiable", not lost
            voisins = f"voisins LLDP illisibles : {exc}"
        return comparaison.comparer_commutateur(
            attendu, parse(vendor, snap.running, snap.vlan_brief), voisins
        )

    def _serveur(self, attendu, task_vars):
        module_args = {
            "services": list(attendu.get("services") or {}),
            "paquets": list(attendu.get("paquets") or []),
            "ports": bool(attendu.get("ports")),
            "ini_sections": [attendu["partages_config"]] if attendu.get("partages") else [],
            "json": [attendu["kea_config"]] if attendu.get("dhcp") else [],
        }
        res = self._execute_module(
            module_name="amico.colleges.serveur_etat",
            module_args=module_args,
            task_vars=task_vars,
        )
        if res.get("unreachable"):
            raise AnsibleConnectionFailure(res.get("msg") or "injoignable")
        if res.get("failed"):
            raise AnsibleActionFail(f"serveur_etat a échoué : {res.get('msg')}")
        return res

    def _poste(self, attendu, catalogue, task_vars):
        """The software catalogue's own action, in evaluation mode (one remote call)."""
        task = self._task.copy()
        task.args = {
            "catalogue_fichier": catalogue,
            "poste": {
                "nom": task_vars["inventory_hostname"],
                "profil": attendu["profil"],
                "systeme": attendu.get("systeme") or "",
            },
            "appliquer": False,
        }
        action = self._shared_loader_obj.action_loader.get(
            "amico.colleges.logiciels_conformite",
            task=task,
            connection=self._connection,
            play_context=self._play_context,
            loader=self._loader,
            templar=self._templar,
            shared_loader_obj=self._shared_loader_obj,
        )
        try:
            res = action.run(task_vars=task_vars)
        except AnsibleConnectionFailure:
            raise
        except AnsibleError as exc:
            if "injoignable" in str(exc):
                raise AnsibleConnectionFailure(str(exc)) from exc
            raise
        if res.get("unreachable"):
            raise AnsibleConnectionFailure(res.get("msg") or "injoignable")
        return res
