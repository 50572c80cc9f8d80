#!/usr/bin/python
# ruff: noqa: E402, E501  (Ansible module layout: DOCUMENTATION before the imports)
"""Apply an ENT/SIECLE export to the Samba AD DC (runs on the DC, local sam.ldb)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: amico_samba_comptes
short_description: Create, update and disable the school's accounts from an ENT/SIECLE export
description:
  - Reads the export (CSV, see C(amico.colleges.comptes module_utils)), the users of the managed OUs of the local
    Samba AD DC, computes the plan with C(planifier) and applies it with the
    Samba Python bindings (no password ever on a command line).
  - New users get a random initial password (must change at next logon), appended to
    O(mots_de_passe), created with mode 0600; the module never returns a password.
  - Leavers (in the managed OUs, absent from the export) are disabled, never deleted.
options:
  export:
    description:
      - Path of the CSV export on the DC. Without it, only the school's OUs and its base
        groups (eleves, profs, admins-college) are ensured; no account is touched.
    type: path
  ou_racine: {description: "Root OU of the school, relative to the domain (e.g. C(OU=College)).", type: str, required: true}
  ous: {description: "Profile -> OU name under the root (keys eleve, prof, admin, groupes).", type: dict, required: true}
  mots_de_passe: {description: File receiving the new initial passwords (mode 0600)., type: path, required: true}
  longueur: {description: Length of generated passwords., type: int, default: 12}
  samdb: {description: Path of sam.ldb., type: path, default: /var/lib/samba/private/sam.ldb}
author: AMICo
"""

RETURN = r"""
crees: {description: Logins created., type: list, returned: always}
mis_a_jour: {description: Logins updated (names or class groups)., type: list, returned: always}
desactives: {description: Logins disabled (leavers)., type: list, returned: always}
reactives: {description: Logins enabled again., type: list, returned: always}
groupes_crees: {description: Groups created., type: list, returned: always}
"""

import os
import secrets

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.amico.colleges.plugins.module_utils.comptes import (
    ErreurExport,
    Existant,
    groupe_profil,
    lire_export,
    planifier,
)

SANS_AMBIGUITE = {
    "upper": "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "lower": "abcdefghijkmnpqrstuvwxyz",
    "digit": "23456789",
    "symbol": "-+=!?",
}
UF_ACCOUNTDISABLE = 0x2


def mot_de_passe(longueur: int) -> str:
    """Random, meets AD complexity (4 classes), no look-alike characters."""
    classes = list(SANS_AMBIGUITE.values())
    tous = "".join(classes)
    while True:
        mdp = "".join(secrets.choice(tous) for _ in range(longueur))
        if all(any(c in classe for c in mdp) for classe in classes):
            return mdp


def ecrire_mots_de_passe(chemin: str, lignes: list[str]) -> None:
    neuf = not os.path.exists(chemin)
    os.makedirs(os.path.dirname(chemin), mode=0o700, exist_ok=True)
    fd = os.open(chemin, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        if neuf:
            f.write("login;prenom;nom;profil;groupes;mot_de_passe_initial\n")
        for ligne in lignes:
            f.write(ligne + "\n")


def _assurer_groupes(samdb, module, existe, domaine, ou_groupes, groupes) -> list[str]:
    """Create the missing groups: the base groups of the school, then `groupes`."""
    import ldb

    presents = set()
    if existe(f"{ou_groupes},{domaine}"):
        presents = {
            str(m["cn"][0])
            for m in samdb.search(
                base=f"{ou_groupes},{domaine}",
                scope=ldb.SCOPE_ONELEVEL,
                expression="(objectClass=group)",
                attrs=["cn"],
            )
        }
    crees = []
    base = [groupe_profil(k) for k in ("eleve", "prof", "admin")]
    for groupe in dict.fromkeys([*base, *groupes]):
        if groupe not in presents:
            crees.append(groupe)
            if not module.check_mode:
                samdb.newgroup(groupe, groupou=ou_groupes)
    return crees


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "export": {"type": "path"},
            "ou_racine": {"type": "str", "required": True},
            "ous": {"type": "dict", "required": True},
            "mots_de_passe": {"type": "path", "required": True},
            "longueur": {"type": "int", "default": 12},
            "samdb": {"type": "path", "default": "/var/lib/samba/private/sam.ldb"},
        },
        supports_check_mode=True,
    )
    p = module.params
    personnes = None
    if p["export"]:
        try:
            with open(p["export"], "rb") as f:
                personnes = lire_export(f.read())
        except (OSError, ErreurExport) as exc:
            module.fail_json(msg=f"Export des comptes inutilisable ({p['export']}) : {exc}")

    import ldb
    from samba.auth import system_session
    from samba.param import LoadParm
    from samba.samdb import SamDB

    lp = LoadParm()
    lp.load_default()
    samdb = SamDB(url=p["samdb"], session_info=system_session(), lp=lp)
    domaine = str(samdb.domain_dn())
    ous = p["ous"]
    racine = p["ou_racine"]
    ou_profil = {k: f"OU={ous[k]},{racine}" for k in ("eleve", "prof", "admin")}
    ou_groupes = f"OU={ous['groupes']},{racine}"

    def existe(dn: str) -> bool:
        try:
            samdb.search(base=dn, scope=ldb.SCOPE_BASE, attrs=["dn"])
            return True
        except ldb.LdbError:
            return False

    changed = False
    # OUs
    for rel in [racine, *ou_profil.values(), ou_groupes]:
        if not existe(f"{rel},{domaine}"):
            changed = True
            if not module.check_mode:
                samdb.create_ou(f"{rel},{domaine}")

    if personnes is None:
        groupes_crees = _assurer_groupes(samdb, module, existe, domaine, ou_groupes, [])
        module.exit_json(
            changed=changed or bool(groupes_crees),
            crees=[],
            mis_a_jour=[],
            desactives=[],
            reactives=[],
            groupes_crees=groupes_crees,
        )

    # Current users and their groups in the managed OUs.
    groupes_dn = f"{ou_groupes},{domaine}".lower()
    existants: list[Existant] = []
    dn_de: dict[str, str] = {}
    if existe(f"{racine},{domaine}"):
        for msg in samdb.search(
            base=f"{racine},{domaine}",
            scope=ldb.SCOPE_SUBTREE,
            expression="(&(objectClass=user)(!(objectClass=computer)))",
            attrs=[
                "sAMAccountName",
                "employeeID",
                "userAccountControl",
                "memberOf",
                "givenName",
                "sn",
            ],
        ):
            login = str(msg["sAMAccountName"][0])
            groupes = []
            for g in msg.get("memberOf", []):
                gdn = ldb.Dn(samdb, str(g))
                if str(gdn.parent()).lower() == groupes_dn:
                    groupes.append(str(gdn.get_rdn_value()))
            existants.append(
                Existant(
                    login=login,
                    identifiant=str(msg["employeeID"][0]) if "employeeID" in msg else "",
                    actif=not int(str(msg["userAccountControl"][0])) & UF_ACCOUNTDISABLE,
                    groupes=tuple(sorted(groupes)),
                    nom=str(msg["sn"][0]) if "sn" in msg else "",
                    prenom=str(msg["givenName"][0]) if "givenName" in msg else "",
                )
            )
            dn_de[login] = str(msg.dn)

    plan = planifier(personnes, existants)

    groupes_crees = _assurer_groupes(samdb, module, existe, domaine, ou_groupes, plan.groupes)

    resultat = {
        "crees": [c.login for c in plan.creer],
        "mis_a_jour": [m["login"] for m in plan.mettre_a_jour],
        "desactives": plan.desactiver,
        "reactives": plan.reactiver,
        "groupes_crees": groupes_crees,
    }
    changed = changed or bool(groupes_crees) or not plan.vide()
    if module.check_mode or not changed:
        module.exit_json(changed=changed, **resultat)

    nouveaux = []
    for c in plan.creer:
        mdp = mot_de_passe(p["longueur"])
        samdb.newuser(
            c.login,
            mdp,
            force_password_change_at_next_login_req=True,
            userou=ou_profil[c.profil],
            surname=c.nom,
            givenname=c.prenom,
        )
        dn = samdb.search(
            base=domaine,
            scope=ldb.SCOPE_SUBTREE,
            expression=f"(sAMAccountName={ldb.binary_encode(c.login)})",
            attrs=["dn"],
        )[0].dn
        msg = ldb.Message(dn)
        msg["employeeID"] = ldb.MessageElement(c.identifiant, ldb.FLAG_MOD_REPLACE, "employeeID")
        samdb.modify(msg)
        for g in c.groupes:
            samdb.add_remove_group_members(g, [c.login], add_members_operation=True)
        nouveaux.append(";".join([c.login, c.prenom, c.nom, c.profil, ",".join(c.groupes), mdp]))
        # Written as we go: an error later never loses a password already set.
        ecrire_mots_de_passe(p["mots_de_passe"], nouveaux[-1:])

    for m in plan.mettre_a_jour:
        login = m["login"]
        if "nom" in m or "prenom" in m:
            msg = ldb.Message(ldb.Dn(samdb, dn_de[login]))
            if "nom" in m:
                msg["sn"] = ldb.MessageElement(m["nom"], ldb.FLAG_MOD_REPLACE, "sn")
            if "prenom" in m:
                msg["givenName"] = ldb.MessageElement(
                    m["prenom"], ldb.FLAG_MOD_REPLACE, "givenName"
                )
            samdb.modify(msg)
        for g in m.get("ajouter", []):
            samdb.add_remove_group_members(g, [login], add_members_operation=True)
        for g in m.get("retirer", []):
            samdb.add_remove_group_members(g, [login], add_members_operation=False)

    for login in plan.desactiver:
        samdb.disable_account(f"(sAMAccountName={ldb.binary_encode(login)})")
    for login in plan.reactiver:
        samdb.enable_account(f"(sAMAccountName={ldb.binary_encode(login)})")

    module.exit_json(changed=True, **resultat)


if __name__ == "__main__":
    main()
