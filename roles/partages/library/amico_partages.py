#!/usr/bin/python
# ruff: noqa: E402, E501  (Ansible module layout: DOCUMENTATION before the imports)
"""Directories of the shares with owner, mode and POSIX ACLs (access + default) by group."""

from __future__ import annotations

DOCUMENTATION = r"""
module: amico_partages
short_description: Create the share directories of the pedagogical server with ACLs by group
description:
  - For each share, a directory C(racine/nom) owned by root and the admins group, mode 0770
    (1770 when sticky), whose access and default ACLs give each listed group its rights.
  - Shares with C(par_classe) get one sub-directory per class group (C(classe-6a) gives
    C(6a)): the share's ACL without C(eleves), plus the class group with C(acl_classe).
  - Group names are domain groups, resolved through NSS (winbind) as C(DOMAIN\\name); ACLs
    are compared numerically (getfacl -n), so a second run changes nothing.
options:
  racine: {description: Parent directory of the shares., type: path, required: true}
  domaine: {description: NetBIOS domain name., type: str, required: true}
  admins: {description: Group with full control everywhere., type: str, required: true}
  partages: {description: "Shares (nom, acl, par_classe, acl_classe, sticky).", type: list, elements: dict, required: true}
  classes: {description: Class group names (classe-*)., type: list, elements: str, default: []}
author: AMICo
"""

RETURN = r"""
modifies: {description: Directories created or corrected., type: list, returned: always}
"""

import grp
import os
import stat
import subprocess

from ansible.module_utils.basic import AnsibleModule

PERMS = {"rwx", "r-x", "r--", "---", "-wx", "rw-", "--x", "-w-"}


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "racine": {"type": "path", "required": True},
            "domaine": {"type": "str", "required": True},
            "admins": {"type": "str", "required": True},
            "partages": {"type": "list", "elements": "dict", "required": True},
            "classes": {"type": "list", "elements": "str", "default": []},
        },
        supports_check_mode=True,
    )
    p = module.params

    def gid(nom: str) -> int:
        for candidat in (f"{p['domaine']}\\{nom}", nom):
            try:
                return grp.getgrnam(candidat).gr_gid
            except KeyError:
                continue
        module.fail_json(msg=f"Groupe {nom!r} introuvable dans le domaine {p['domaine']} (winbind)")

    admins = gid(p["admins"])
    voulu: list[tuple[str, int, bool, dict[int, str]]] = [(p["racine"], 0, False, {})]
    for partage in p["partages"]:
        acl = dict(partage.get("acl") or {})
        for perms in acl.values():
            if perms not in PERMS:
                module.fail_json(msg=f"Partage {partage['nom']} : droits {perms!r} invalides")
        chemin = os.path.join(p["racine"], partage["nom"])
        entrees = {admins: "rwx", **{gid(g): v for g, v in acl.items()}}
        voulu.append((chemin, admins, bool(partage.get("sticky")), entrees))
        if partage.get("par_classe"):
            for classe in p["classes"]:
                sous = {admins: "rwx", **{gid(g): v for g, v in acl.items() if g != "eleves"}}
                sous[gid(classe)] = partage.get("acl_classe", "rwx")
                nom = classe.removeprefix("classe-")
                voulu.append((os.path.join(chemin, nom), admins, False, sous))

    modifies = []
    for chemin, groupe, sticky, entrees in voulu:
        mode = (0o1770 if sticky else 0o770) if entrees else 0o755
        if entrees:
            base = ["user::rwx", "group::---", "other::---", "mask::rwx"]
            base += [f"group:{g}:{v}" for g, v in sorted(entrees.items())]
            attendu = sorted(base + [f"default:{e}" for e in base])
        else:
            attendu = ["group::r-x", "other::r-x", "user::rwx"]
        if os.path.isdir(chemin):
            st = os.stat(chemin)
            actuel = subprocess.run(
                ["getfacl", "-n", "-c", "-E", "-p", chemin],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            if (
                st.st_uid == 0
                and st.st_gid == groupe
                and stat.S_IMODE(st.st_mode) == mode
                and sorted(actuel) == attendu
            ):
                continue
        modifies.append(chemin)
        if module.check_mode:
            continue
        os.makedirs(chemin, exist_ok=True)
        os.chown(chemin, 0, groupe)
        os.chmod(chemin, mode)
        spec = ",".join(attendu)
        module.run_command(["setfacl", "-b", chemin], check_rc=True)
        if entrees:
            module.run_command(["setfacl", "--set", spec, chemin], check_rc=True)
        os.chmod(chemin, mode)
    module.exit_json(changed=bool(modifies), modifies=modifies)


if __name__ == "__main__":
    main()
