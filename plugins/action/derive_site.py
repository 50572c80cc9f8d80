# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Action amico.colleges.derive_site: the drift collect of a whole site in ONE task (the
batched mode), a thin face over amico.derive.lot.collecter_site. Documented and validated
by plugins/modules/derive_site.py.

Runs on a per-site work host added by playbooks/derive.yml (`amico_derive_lots`); reads
each collected host's variables through `hostvars` (templated in that host's own context,
here in the task's thread: the collect threads never template)."""

from __future__ import annotations

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible_collections.amico.colleges.plugins.plugin_utils.argspec import validate
from ansible_collections.amico.colleges.plugins.plugin_utils.commutateurs import target
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import raise_if_missing

# Imported at module level: the strategy loads this class in the main process before it
# forks a worker per site, so workers inherit the switch drivers and the catalogue.
try:
    from amico.commutateurs.drivers import aruba as _aruba  # noqa: F401
    from amico.commutateurs.drivers import cisco as _cisco  # noqa: F401 (napalm: ~0.25 s)
    from amico.commutateurs.facts import COMMANDS as _COMMANDS  # noqa: F401
    from amico.commutateurs.parsing import parse as _parse  # noqa: F401
    from amico.derive import lot
    from amico.derive.lot import VARIABLES_HOTE
    from amico.logiciels import execution as _catalogue_execution  # noqa: F401
    from amico.logiciels import preparation as _catalogue_preparation  # noqa: F401
    from amico.logiciels.transports import PREFIXES_CONNEXION
    from amico.referentiel import perimetre as _perimetre  # noqa: F401

    _IMPORT_AMICO = None
except ImportError as _exc:  # reported by run(), in French
    _IMPORT_AMICO = _exc


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        args = validate(self, "derive_site")
        raise_if_missing(_IMPORT_AMICO)
        uai = str(args["uai"]).upper()
        dossier = args["dossier"]
        site = lot.lire_site(dossier, uai)
        if site is None:
            return {**result, "skipped": True, "msg": f"site {uai} hors de l'exécution"}
        groupes = task_vars.get("groups") or {}
        membres = set(groupes.get(f"site_{uai.lower()}", []))
        cible = set()
        for g in args["groupes"]:
            cible.update(groupes.get(g, []))
        hotes = lot.a_collecter(site, membres & cible)
        variables, cibles, echecs = self._variables(site, hotes, args, task_vars)
        collecteur = lot.CollecteurLot(
            variables,
            lot.transport_poste,
            cibles=cibles,
            echecs=echecs,
            playbook_dir=task_vars.get("playbook_dir"),
        )
        issues = lot.collecter_site(
            dossier,
            site,
            hotes,
            collecteur,
            parallelisme=args["parallelisme"],
            delai_hote=float(args["delai_hote"]),
        )
        injoignables = sorted(i.hote for i in issues if i.injoignable)
        en_echec = {i.hote: i.echec for i in issues if i.echec}
        ecarts = sum(
            1
            for i in issues
            if i.resultat
            for c in i.resultat["constats"]
            if c["statut"] != "conforme" and not c.get("ignore")
        )
        result.update(
            changed=False,
            hotes=len(hotes),
            injoignables=injoignables,
            echecs=en_echec,
            ecarts=ecarts,
            amico_lot=True,
            amico_constats=lot.constats_lot(issues, self._task.get_name()),
        )
        if en_echec:
            # Reported, never fatal: a failed work host would end the play for the whole
            # site (and the playbook when it is the only one); each failed host's finding
            # is in amico_constats, as its own failed task's would be in per-host mode.
            result["warnings"] = [f"{h} : {m}" for h, m in sorted(en_echec.items())]
        result["msg"] = (
            f"site {uai} : {len(hotes)} hôte(s), {len(injoignables)} injoignable(s), "
            f"{len(en_echec)} en échec, {ecarts} écart(s)"
        )
        return result

    def _variables(self, site, hotes, args, task_vars):
        """Each host's variables the collect needs, templated here (vault values and
        lookups resolved only for the host that needs them, as in per-host mode)."""
        hostvars = task_vars["hostvars"]
        variables, cibles, echecs = {}, {}, {}
        for h in hotes:
            hv = hostvars[h]
            try:
                v = {k: hv[k] for k in VARIABLES_HOTE if k in hv}
                v.update({k: hv[k] for k in hv if k.startswith(PREFIXES_CONNEXION)})
                v.update({k: hv[k] for k in lot.variables_transport(v) if k in hv and k not in v})
                v["inventory_hostname"] = h
                # the catalogue reads the site's UAI and territory only: never the whole
                # site variable (rooms, contacts, DHCP reservations) rendered per post
                v["amico_site"] = {"uai": site["uai"], "territoire": site["territoire"]}
                if site["hotes"][h]["type_hote"] == "commutateur":
                    cibles[h] = target(args, {**v, **_identifiants(hv)}, self._templar)
                variables[h] = v
            except AnsibleError as exc:  # as the host's own task would fail
                variables.setdefault(h, {"inventory_hostname": h})
                for k in ("amico_uai", "amico_service"):
                    if k in hv and k not in variables[h]:
                        variables[h][k] = hv[k]
                echecs[h] = str(exc.message)
        return variables, cibles, echecs


def _identifiants(hv):
    return {
        k: hv[k]
        for k in ("amico_commutateurs__utilisateur", "amico_commutateurs__mot_de_passe")
        if k in hv
    }
