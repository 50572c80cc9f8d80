# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action plugin of amico.colleges.commutateur: a thin face over amico.commutateurs.run."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGS = {
    "site": {"type": "dict", "required": True},
    "nom": {"type": "str", "required": True},
    "fabricant": {"type": "str", "required": True},
    "adresse": {"type": "str", "required": True},
    "ports": {"type": "list", "elements": "dict", "required": True},
    "referentiel": {"type": "path", "required": True},
    "modele": {"type": "str"},
    "hote": {"type": "str", "required": True},
    "port": {"type": "int", "default": 22},
    "utilisateur": {"type": "str", "required": True},
    "mot_de_passe": {"type": "str", "required": True, "no_log": True},
    "force": {"type": "bool", "default": False},
    "sauvegarde": {"type": "bool", "default": True},
    "delai": {"type": "int", "default": 20},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        try:
            from amico.commutateurs.drivers import Target
            from amico.commutateurs.intent import (
                IntentError,
                academie_of_referentiel,
                intent_from_inventory,
            )
            from amico.commutateurs.run import A_MODIFIER, MODIFIE, apply_switch
        except ImportError as exc:
            raise AnsibleActionFail(
                f"paquet Python amico introuvable par le contrôleur Ansible : {exc}"
            ) from exc
        from amico.referentiel.perimetre import VARIABLES, refus_execution

        # the switch's own référentiel record, not the inventory group, decides
        refus = refus_execution(
            self._templar.template({k: (task_vars or {}).get(k) for k in VARIABLES})
        )
        if refus:
            return {**result, "failed": True, "msg": refus}
        try:
            # the Académie's VLANs of the whole plan, not only those the site lists
            intent = intent_from_inventory(
                args["site"],
                args["nom"],
                args["fabricant"],
                args["adresse"],
                args["ports"],
                academie_vlans=academie_of_referentiel(args["referentiel"]),
                model=args["modele"],
            )
        except IntentError as exc:
            return {**result, "failed": True, "msg": f"référentiel : {exc}"}
        target = Target(
            args["hote"],
            args["port"],
            args["utilisateur"],
            args["mot_de_passe"],
            float(args["delai"]),
        )
        res = apply_switch(
            intent,
            target,
            check=bool(self._task.check_mode),
            force=args["force"],
            backup=args["sauvegarde"],
        )
        result.update(
            changed=res.status in (MODIFIE, A_MODIFIER),
            statut=res.status,
            commandes=res.commands,
            avertissements=res.warnings,
            refus=res.refusals,
            lignes_refusees=res.rejected_lines,
            sauvegarde_avant=res.backup_before,
            sauvegarde_apres=res.backup_after,
            duree=res.seconds,
        )
        for warning in res.warnings:
            self._display.warning(f"{res.name} : {warning}")
        if self._task.diff and res.diff:
            result["diff"] = {
                "before": res.before,
                "after": res.after,
                "before_header": f"{res.name} (configuration en service)",
                "after_header": f"{res.name} (configuration voulue)",
            }
        if res.failed:
            result["failed"] = True
            result["msg"] = f"{res.name} : {res.status} : {res.error}"
        else:
            result["msg"] = f"{res.name} : {res.status}"
        return result
