"""Action amico.colleges.logiciels_conformite: thin layer over amico.logiciels.execution.

Real posts: collecteur.ps1 runs through ansible.windows.win_powershell over the host's
connection (winrm or psrp): one remote call to collect, one more only when there is work.
A host whose `amico_postes_transport` names a registered transport (the lab's stand-in
`simule`, amico.logiciels.transports) gets the same script and parameters through it.
"""

from __future__ import annotations

import datetime as dt
import os

from ansible.errors import AnsibleActionFail, AnsibleConnectionFailure
from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico
from ansible_collections.amico.colleges.plugins.plugin_utils.perimetre import refusal
from ansible_collections.amico.colleges.plugins.plugin_utils.postes import distant_winrm

_CACHE: dict = {}


def _compile(args):
    """(catalogue, evaluator or None, post policy or None), compiled once per file.

    A catalogue prepared for the run (JSON, `amico.logiciels.preparation`: what `amico
    derive` hands every post) is cached there, and may have been loaded by the main
    process before the fork; the YAML, otherwise, is read with the référentiel's hardened
    reader (duplicate keys refused). Ansible forks a worker per host-task: this cache only
    lives that long."""
    from amico.logiciels import Catalogue, Evaluateur
    from amico.logiciels.analyse import charger_politique
    from amico.logiciels.preparation import charger_en_cache, est_prepare, lire

    if args.get("catalogue"):
        return Catalogue(args["catalogue"]), None, None
    chemin = args.get("catalogue_fichier")
    if not chemin:
        raise AnsibleActionFail("catalogue_fichier ou catalogue est obligatoire")
    if est_prepare(chemin):
        return charger_en_cache(chemin)
    politique = os.path.join(os.path.dirname(chemin), "postes.yml")
    cle = (
        chemin,
        os.stat(chemin).st_mtime_ns,
        os.stat(politique).st_mtime_ns if os.path.exists(politique) else None,
    )
    if cle not in _CACHE:
        cat = Catalogue(lire(chemin))
        _CACHE.clear()
        # licences, antivirus, unlisted software: the policy next to the catalogue
        _CACHE[cle] = (cat, Evaluateur(cat), charger_politique(chemin))
    return _CACHE[cle]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = validate(self, "logiciels_conformite")
        with require_amico():
            from amico.logiciels import CatalogueError
            from amico.logiciels.evaluation import Evaluateur
            from amico.logiciels.execution import script_collecteur, traiter_poste
        try:
            catalogue, evaluateur, politique = _compile(args)
            evaluateur = evaluateur or Evaluateur(catalogue)
        except (CatalogueError, OSError) as exc:
            raise AnsibleActionFail(f"catalogue invalide : {exc}") from exc
        # the post's own référentiel record, not the inventory group, decides
        refus = refusal(task_vars, self._templar)
        if refus:
            return {**result, "failed": True, "msg": refus}
        script = script_collecteur()
        from amico.logiciels import transports

        # host vars reach action plugins untemplated: rendered one by one, on access
        hote = transports.variables_hote(task_vars, self._templar.template)
        externe = None
        if not transports.par_connexion_ansible(hote):
            try:
                externe = transports.transport_poste(hote)
            except transports.TransportInvalide as exc:
                return {**result, "failed": True, "msg": str(exc)}
        distant = (
            self._distant_transport(externe, script)
            if externe
            else distant_winrm(
                self,
                script,
                task_vars,
                args.get("partage_utilisateur"),
                args.get("partage_mot_de_passe"),
            )
        )
        maintenant = (
            dt.datetime.fromisoformat(args["maintenant"]) if args.get("maintenant") else None
        )
        poste = dict(args["poste"])
        poste.setdefault("nom", task_vars.get("inventory_hostname"))
        try:
            rapport = traiter_poste(
                catalogue,
                evaluateur,
                poste,
                distant,
                appliquer=args["appliquer"],
                verification=bool(self._task.check_mode),
                partage=args["partage"],
                fenetre_maintenance=args.get("fenetre_maintenance"),
                maintenant=maintenant,
                espace_libre_min_mo=args["espace_libre_min_mo"],
                delai_installation_s=args["delai_installation_s"],
                politique=politique,
                site=self._templar.template(task_vars.get("amico_site") or {}),
            )
        except CatalogueError as exc:
            raise AnsibleActionFail(str(exc)) from exc
        result.update(rapport)
        result["changed"] = bool(rapport["changed"])
        result["transport"] = (
            getattr(externe, "libelle", transports.nom_transport(hote))
            if externe
            else task_vars.get("ansible_connection", "winrm")
        )
        return result

    def _distant_transport(self, transport, script):
        from amico.logiciels.transports import EchecCollecteur, PosteInjoignable

        def distant(parametres):
            try:
                return transport.executer(script, parametres)
            except PosteInjoignable as exc:
                raise AnsibleConnectionFailure(f"injoignable : {exc}") from exc
            except EchecCollecteur as exc:
                raise AnsibleActionFail(str(exc)) from exc

        return distant
