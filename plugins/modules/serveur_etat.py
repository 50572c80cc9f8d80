#!/usr/bin/python
# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Module amico.colleges.serveur_etat: read-only state of a Debian server in one call."""

from __future__ import annotations

DOCUMENTATION = r"""
module: serveur_etat
short_description: Lit en une fois l'état d'un serveur Debian (dérive), sans rien modifier
description:
  - Un seul appel par serveur pour la détection de dérive - services (actif, activé,
    masqué), paquets installés, ports en écoute, empreintes de fichiers, sections de
    fichiers INI, contenu de fichiers JSON, version de Debian, virtualisation.
  - La comparaison avec le référentiel se fait sur le contrôleur (paquet Python
    C(amico.derive)), pas ici.
  - Lecture seule - ne modifie jamais rien ; compatible avec le mode vérification.
version_added: 1.0.0
options:
  services:
    description: Unités systemd à lire.
    type: list
    elements: str
    default: []
  paquets:
    description: Paquets Debian dont lire la version installée.
    type: list
    elements: str
    default: []
  ports:
    description: Lire les sockets TCP/UDP en écoute (C(ss)).
    type: bool
    default: true
  fichiers:
    description: Fichiers dont calculer l'empreinte SHA-256.
    type: list
    elements: path
    default: []
  ini_sections:
    description: Fichiers INI (smb.conf...) dont lister les sections.
    type: list
    elements: path
    default: []
  json:
    description: Fichiers JSON à relire (par ex. /etc/kea/kea-dhcp4.conf).
    type: list
    elements: path
    default: []
author: Équipe AMICo
"""

EXAMPLES = r"""
- name: État du serveur pédagogique
  amico.colleges.serveur_etat:
    services: [samba-ad-dc, kea-dhcp4-server]
    paquets: [samba, kea-dhcp4-server]
    json: [/etc/kea/kea-dhcp4.conf]
"""

RETURN = r"""
services:
  description: Par unité, C(actif) (ActiveState) et C(fichier) (UnitFileState).
  returned: always
  type: dict
paquets:
  description: Paquet -> version installée (absent si non installé).
  returned: always
  type: dict
ports:
  description: Liste de [protocole, port] en écoute.
  returned: always
  type: list
fichiers:
  description: Chemin -> sha256 (null si absent).
  returned: always
  type: dict
ini_sections:
  description: Chemin -> liste des sections (null si illisible).
  returned: always
  type: dict
json:
  description: Chemin -> contenu (null si absent ou illisible).
  returned: always
  type: dict
debian_version:
  description: Contenu de /etc/debian_version.
  returned: always
  type: str
virtualisation:
  description: Sortie de systemd-detect-virt (none sur une machine physique).
  returned: always
  type: str
"""

import hashlib
import json
import re

from ansible.module_utils.basic import AnsibleModule


def _services(module, units):
    out = {}
    if not units:
        return out
    rc, stdout, _ = module.run_command(
        ["systemctl", "show", "--property=Id,ActiveState,UnitFileState,LoadState", "--"] + units
    )
    blocs = stdout.strip().split("\n\n") if stdout.strip() else []
    for unit, bloc in zip(units, blocs, strict=False):  # systemctl keeps the order
        props = dict(line.split("=", 1) for line in bloc.splitlines() if "=" in line)
        fichier = props.get("UnitFileState") or (
            "masked" if props.get("LoadState") == "masked" else props.get("LoadState", "")
        )
        out[unit] = {"actif": props.get("ActiveState", "inconnu"), "fichier": fichier or "inconnu"}
    return out


def _paquets(module, noms):
    out = {}
    if not noms:
        return out
    _rc, stdout, _ = module.run_command(
        ["dpkg-query", "-W", "-f=${Package}\t${db:Status-Status}\t${Version}\n", "--"] + noms
    )
    for line in stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "installed":
            out[parts[0]] = parts[2]
    return out


def _ports(module):
    rc, stdout, _ = module.run_command(["ss", "-H", "-l", "-n", "-t", "-u"])
    if rc != 0:
        return None
    vus = set()
    for line in stdout.splitlines():
        cols = line.split()
        if len(cols) < 5:
            continue
        m = re.search(r":(\d+)$", cols[4])
        if m:
            vus.add((cols[0], int(m.group(1))))
    return sorted([p, n] for p, n in vus)


def _sha256(path):
    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()
    except OSError:
        return None


def _sections(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return [m.group(1).strip() for m in re.finditer(r"^\s*\[([^\]]+)\]", fh.read(), re.M)]
    except OSError:
        return None


def _json(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


def _lire(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip()
    except OSError:
        return None


def main():
    module = AnsibleModule(
        argument_spec={
            "services": {"type": "list", "elements": "str", "default": []},
            "paquets": {"type": "list", "elements": "str", "default": []},
            "ports": {"type": "bool", "default": True},
            "fichiers": {"type": "list", "elements": "path", "default": []},
            "ini_sections": {"type": "list", "elements": "path", "default": []},
            "json": {"type": "list", "elements": "path", "default": []},
        },
        supports_check_mode=True,
    )
    p = module.params
    _rc, virt, _ = module.run_command(["systemd-detect-virt"])
    module.exit_json(
        changed=False,
        services=_services(module, p["services"]),
        paquets=_paquets(module, p["paquets"]),
        ports=_ports(module) if p["ports"] else [],
        fichiers={f: _sha256(f) for f in p["fichiers"]},
        ini_sections={f: _sections(f) for f in p["ini_sections"]},
        json={f: _json(f) for f in p["json"]},
        debian_version=_lire("/etc/debian_version"),
        virtualisation=(virt or "none").strip(),
    )


if __name__ == "__main__":
    main()
