"""Action amico.colleges.logiciels_rapport: campaign report on the controller (run_once)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

ARGS = {
    "hotes": {"type": "list", "elements": "str", "required": True},
    "variable": {"type": "str", "default": "postes_windows_resultat"},
    "dossier": {"type": "str", "default": ""},
    "simulation": {"type": "bool", "default": False},
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(argument_spec=ARGS)
        try:
            from amico.catalogue import campagne
            from amico.state import state_dir
        except ImportError as exc:
            raise AnsibleActionFail(f"paquet Python « amico » introuvable ({exc})") from exc
        hostvars = task_vars.get("hostvars") or {}
        resultats, sites = {}, {}
        for h in args["hotes"]:
            hv = hostvars.get(h) or {}
            resultats[h] = hv.get(args["variable"])
            sites[h] = str(hv.get("amico_site") or "?")
        dossier = Path(args["dossier"]) if args["dossier"] else state_dir("logiciels")
        dossier.mkdir(parents=True, exist_ok=True)
        horodatage = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        postes = {h: campagne.statut_hote(r) for h, r in resultats.items()}
        for h in postes:
            postes[h]["site"] = sites[h]
        rapport = {
            "horodatage": horodatage,
            "simulation": args["simulation"],
            "postes": postes,
            "progression": campagne.progression({"postes": postes}),
        }
        (dossier / f"rapport-{horodatage}.json").write_text(
            json.dumps(rapport, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        if not args["simulation"]:
            chemin = dossier / "campagne.json"
            etat = campagne.fusionner(campagne.charger(chemin), resultats, sites)
            campagne.enregistrer(chemin, etat)
            result["campagne"] = str(chemin)
        result.update(
            changed=False,
            postes=postes,
            progression=rapport["progression"],
            rapport=str(dossier / f"rapport-{horodatage}.json"),
        )
        return result
