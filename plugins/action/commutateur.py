# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action plugin of amico.colleges.commutateur: a thin face over amico.commutateurs.run."""

from __future__ import annotations

from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.commutateurs import target
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import require_amico
from ansible_collections.amico.colleges.plugins.plugin_utils.perimetre import refusal


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        task_vars = task_vars or {}
        args = validate(self, "commutateur")
        with require_amico():
            from amico.commutateurs.intent import (
                IntentError,
                academie_of_referentiel,
                intent_from_inventory,
            )
            from amico.commutateurs.run import A_MODIFIER, MODIFIE, apply_switch

        # the switch's own référentiel record, not the inventory group, decides
        refus = refusal(task_vars, self._templar)
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
        res = apply_switch(
            intent,
            target(args, task_vars, self._templar),
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
