# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action amico.colleges.derive_collecte: one read-only collect per host, compared on the
controller by amico.derive.comparaison; the result goes to the run folder and, as
`amico_constats`, to the helpdesk callback. Documented and validated by
plugins/modules/derive_collecte.py."""

from __future__ import annotations

import gc

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure, AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.commutateurs import target
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import raise_if_missing
from ansible_collections.amico.colleges.plugins.plugin_utils.perimetre import refusal
from ansible_collections.amico.colleges.plugins.plugin_utils.postes import distant_winrm

# Imported here, at module level: the strategy loads this action's class in the main
# ansible-playbook process before forking a worker per host-task, so every worker
# inherits these modules instead of importing them again (the switch drivers included,
# each vendor's module too: get_driver imports it lazily, and napalm's import, Junos YAML
# views parsed in pure Python, cost every Cisco switch ~0.25 s of CPU in its worker).
try:
    from amico.commutateurs.drivers import aruba as _aruba  # noqa: F401
    from amico.commutateurs.drivers import cisco as _cisco  # noqa: F401 (napalm: ~0.25 s)
    from amico.commutateurs.facts import COMMANDS as _COMMANDS  # noqa: F401
    from amico.commutateurs.parsing import parse as _parse  # noqa: F401
    from amico.derive import lot
    from amico.derive.modele import constats_guichet
    from amico.logiciels import preparation as _catalogue_preparation  # noqa: F401
    from amico.logiciels import transports as _transports
    from amico.logiciels.execution import script_collecteur
    from amico.referentiel import perimetre as _perimetre  # noqa: F401 (a post's re-check)

    _IMPORT_AMICO = None
except ImportError as _exc:  # reported by run(), in French
    _IMPORT_AMICO = _exc

try:  # filled once here, inherited by every fork: the action's argument spec
    # (DOCUMENTATION parsed, ~4 ms), the post transports, the collector's text
    from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import argument_spec

    argument_spec("derive_collecte")
    script_collecteur()
    _transports.precharger()  # the registered post transports (entry points: ~6 ms a post)
except Exception:  # noqa: BLE001 (an optimisation only: validate() parses it otherwise)
    pass


def _dossier_du_run() -> str | None:
    """The run folder of this ansible-playbook process, from its extra vars (`amico
    derive`'s -e, or AWX's -e @file), read as Ansible reads them."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.utils.vars import load_extra_vars

    dossier = load_extra_vars(DataLoader()).get("amico_derive_dossier")
    return dossier if isinstance(dossier, str) and "{{" not in dossier else None


try:  # the strategy loads this class once the expected state is prepared (first play)
    _DOSSIER = _dossier_du_run()
    if _DOSSIER and _IMPORT_AMICO is None:
        lot.precharger(_DOSSIER)  # sites, catalogue, perimeter: once for every fork
        # Every worker inherits the main process's heap (the whole inventory, its vars):
        # its garbage collector would traverse all of it again, and write into each
        # object's header, copying the shared pages. Frozen, those objects are left out
        # of the forks' collections (8 % of the drift's CPU at 5 sites, side by side).
        # Garbage first: what is frozen is never collected in this process.
        gc.collect()
        gc.freeze()
except Exception:  # noqa: BLE001 (an optimisation only: each worker loads them otherwise)
    pass


class _Collecteur:
    """Per-host mode: the host reached through its own Ansible task (its connection for a
    server or a post; the switch driver on the controller, credentials templated here).
    Errors become amico.derive.lot's, so both modes report a host the same way."""

    def __init__(self, action, args, task_vars):
        self.action, self.args, self.task_vars = action, args, task_vars

    def _appel(self, fonction, *args):
        try:
            return fonction(*args)
        except AnsibleConnectionFailure as exc:
            raise lot.Injoignable(str(exc)) from exc
        except AnsibleError as exc:
            raise lot.EchecCollecte(str(exc.message)) from exc

    def commutateur(self, hote, attendu):
        # credentials resolved here only: a vault value is never templated for a post
        cible = self._appel(target, self.args, self.task_vars, self.action._templar)
        return lot.constats_commutateur(attendu, cible)

    def serveur(self, hote, attendu):
        return self._appel(self.action._serveur, attendu, self.task_vars)

    def poste(self, hote, attendu, catalogue):
        return self._appel(self.action._poste, hote, attendu, catalogue, self.task_vars)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = validate(self, "derive_collecte")
        raise_if_missing(_IMPORT_AMICO)
        hote = task_vars["inventory_hostname"]
        dossier = args.get("dossier") or self._templar.template(
            task_vars.get("amico_derive_dossier")
        )
        if not dossier:
            raise AnsibleActionFail(
                "dossier de l'exécution inconnu : passer l'option dossier, ou la variable "
                "amico_derive_dossier (ce que fait `amico derive`)"
            )
        site = lot.lire_site(dossier, str(task_vars.get("amico_uai") or ""))
        if site is None:
            return {**result, "skipped": True, "msg": f"{hote} : site hors de l'exécution"}
        if hote not in site["hotes"]:
            return {**result, "skipped": True, "msg": f"{hote} : hôte hors de l'exécution"}
        # the same per-host body as the batched mode (amico.derive.lot)
        issue = lot.traiter_hote(
            dossier, site, hote, _Collecteur(self, args, task_vars), lot.lire_ignores(dossier)
        )
        if issue.echec:  # no result file: the merge says "non traité"
            return {**result, "failed": True, "msg": issue.echec}
        res = issue.resultat
        ecarts = [c for c in res["constats"] if c["statut"] != "conforme" and not c.get("ignore")]
        result.update(
            changed=False,
            derive=res["statut"],
            ecarts=len(ecarts),
            controles=len(res["constats"]),
            amico_constats=constats_guichet(res),
        )
        if issue.injoignable:
            result.update(unreachable=True, msg=f"{hote} : injoignable : {issue.injoignable}")
        return result

    # -- reached through Ansible --------------------------------------------------------------
    def _serveur(self, attendu, task_vars):
        res = self._execute_module(
            module_name="amico.colleges.serveur_etat",
            module_args=lot.arguments_serveur(attendu),
            task_vars=task_vars,
        )
        if res.get("unreachable"):
            raise AnsibleConnectionFailure(res.get("msg") or "injoignable")
        if res.get("failed"):
            raise AnsibleActionFail(f"serveur_etat a échoué : {res.get('msg')}")
        return res

    def _poste(self, hote, attendu, catalogue, task_vars):
        """The catalogue's evaluation of this post (one remote call, nothing changed), as
        the batched mode does it: the perimeter re-checked from the post's own référentiel
        record, then its Ansible connection (winrm, psrp) or its registered transport."""
        refus = refusal(task_vars, self._templar)
        if refus:
            raise lot.EchecCollecte(refus)
        # host vars reach action plugins untemplated: rendered one by one, on access
        variables = _transports.variables_hote(task_vars, self._templar.template)
        if _transports.par_connexion_ansible(variables):
            distant = distant_winrm(self, script_collecteur(), task_vars)
        else:
            distant = lot.transport_poste(variables)
        # The catalogue reads the site's UAI and territory only: the site's group variable
        # (rooms, contacts, every DHCP reservation) is not rendered whole for each post.
        site = task_vars.get("amico_site") or {}
        petit = {k: self._templar.template(site.get(k)) for k in ("uai", "territoire")}
        return lot.evaluer_poste(catalogue, hote, attendu, distant, petit)
