#!/usr/bin/python
# ruff: noqa: E402, E501  (Ansible module layout: DOCUMENTATION before the imports)
"""Provision the Samba AD domain without ever putting the admin password on a command line."""

from __future__ import annotations

DOCUMENTATION = r"""
module: amico_samba_provision
short_description: Provision the collège's Samba AD domain, admin password never in argv
description:
  - C(samba-tool domain provision --adminpass=...) shows the password to anyone running
    C(ps) on the server. This module provisions WITHOUT C(--adminpass) (Samba then picks a
    random password, never returned), then sets the Administrator's password through the
    Samba Python bindings, inside this process: the secret only travels in the module's
    arguments (no_log), never in a process's argument list.
  - A marker file is written before provisioning and removed once the password is set: a
    run interrupted in between sets the password on the next run.
options:
  realm: {description: Kerberos realm (upper case)., type: str, required: true}
  domaine: {description: NetBIOS domain name., type: str, required: true}
  adresse: {description: Address of the DC (host-ip)., type: str, required: true}
  mot_de_passe: {description: Password of the domain's Administrator., type: str, required: true, no_log: true}
  prive: {description: Samba's private directory., type: path, default: /var/lib/samba/private}
author: AMICo
"""

RETURN = r"""
provisionne: {description: The domain was provisioned by this run., type: bool, returned: always}
"""

import os

from ansible.module_utils.basic import AnsibleModule

MARQUE = ".amico-mot-de-passe-admin-a-definir"


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "realm": {"type": "str", "required": True},
            "domaine": {"type": "str", "required": True},
            "adresse": {"type": "str", "required": True},
            "mot_de_passe": {"type": "str", "required": True, "no_log": True},
            "prive": {"type": "path", "default": "/var/lib/samba/private"},
        },
        supports_check_mode=True,
    )
    p = module.params
    sam = os.path.join(p["prive"], "sam.ldb")
    marque = os.path.join(p["prive"], MARQUE)
    provisionne = False
    if not os.path.exists(sam):
        if module.check_mode:
            module.exit_json(changed=True, provisionne=True)
        os.makedirs(p["prive"], mode=0o700, exist_ok=True)
        with open(marque, "w", encoding="utf-8"):
            pass
        argv = [
            "samba-tool", "domain", "provision",
            f"--realm={p['realm']}", f"--domain={p['domaine']}",
            "--server-role=dc", "--dns-backend=SAMBA_INTERNAL", "--use-rfc2307",
            f"--host-ip={p['adresse']}",
        ]  # fmt: skip
        rc, out, err = module.run_command(argv)
        if rc != 0:
            # Samba logs its random password ("Admin password: ...") when it got that far
            lignes = [
                ligne for ligne in (err or "").splitlines() if "password" not in ligne.lower()
            ]
            module.fail_json(
                msg=f"samba-tool domain provision a échoué (code {rc}) : "
                + "\n".join(lignes)[-2000:]
            )
        provisionne = True
    if not os.path.exists(marque):
        module.exit_json(changed=provisionne, provisionne=provisionne)
    if module.check_mode:
        module.exit_json(changed=True, provisionne=provisionne)

    from samba.auth import system_session
    from samba.param import LoadParm
    from samba.samdb import SamDB

    lp = LoadParm()
    lp.load_default()
    samdb = SamDB(url=sam, session_info=system_session(), lp=lp)
    try:
        samdb.setpassword(
            "(sAMAccountName=Administrator)",
            p["mot_de_passe"],
            force_change_at_next_login=False,
        )
    except Exception as exc:  # ldb.LdbError: e.g. the password policy refuses it
        module.fail_json(
            msg="mot de passe de l'administrateur du domaine refusé par Samba "
            f"({type(exc).__name__}) : choisir un mot de passe complexe "
            "(AMICO_SAMBA_ADMIN_PASSWORD / Vault)"
        )
    os.unlink(marque)
    module.exit_json(changed=True, provisionne=provisionne)


if __name__ == "__main__":
    main()
