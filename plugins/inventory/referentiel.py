"""Inventory plugin amico.colleges.referentiel: the référentiel as an Ansible inventory."""

from __future__ import annotations

DOCUMENTATION = r"""
name: referentiel
short_description: Inventaire des collèges construit depuis le référentiel AMICo
description:
  - Lit le référentiel AMICo (sites, plan d'adressage, matrice des services), le vérifie
    entièrement (le même contrôle que C(amico referentiel verifier)) puis crée les groupes
    par collectivité, territoire, site (UAI), rôle et classe de matériel.
  - Les hôtes que l'opérateur n'a pas le droit de toucher (périmètre de l'Académie, ou
    ni R ni A dans la matrice pour la phase choisie) ne sont pas remis à l'exécution.
  - Fichier de configuration nommé C(*.amico.yml).
version_added: 1.0.0
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: Nom du plugin.
    required: true
    choices: [amico.colleges.referentiel]
  referentiel:
    description: Dossier du référentiel, relatif au fichier de configuration s'il n'est pas absolu.
    type: str
    required: true
    env:
      - name: AMICO_REFERENTIEL
  operateur:
    description: Acteur de la matrice qui exécute AMICo (par défaut celui de perimetre.yml).
    type: str
    env:
      - name: AMICO_OPERATEUR
  phase:
    description: Phase de la matrice des services (par défaut celle de perimetre.yml).
    type: str
    env:
      - name: AMICO_PHASE
  sites:
    description: Restreindre à ces UAI.
    type: list
    elements: str
    default: []
  territoires:
    description: Restreindre à ces territoires (ex. "67").
    type: list
    elements: str
    default: []
  inclure_postes:
    description: Inclure les postes et périphériques (faux pour une exécution réseau ou serveurs seule).
    type: bool
    default: true
  connexion_windows:
    description: Connexion des postes Windows.
    type: str
    default: winrm
    choices: [winrm, psrp]
"""

EXAMPLES = r"""
# inventories/production/colleges.amico.yml
plugin: amico.colleges.referentiel
referentiel: ../../referentiel
operateur: cd
territoires: ["67"]
keyed_groups:
  - key: amico_modele
    prefix: modele
"""

import os
import sys

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible_collections.amico.colleges.plugins.plugin_utils.dependency import raise_if_missing

try:
    from amico.referentiel.findings import ReferentielInvalide
    from amico.referentiel.inventory import InventaireInvalide, build
    from amico.referentiel.loader import load
except ImportError as _exc:  # pragma: no cover - reported at parse time
    IMPORT_ERROR = _exc
else:
    IMPORT_ERROR = None


def _fingerprint(root: str) -> list:
    """Sizes and mtimes of every YAML file: a cached inventory is reused only while equal
    (`.yaml` too: a site saved so is an error the next parse must report)."""
    out = []
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            if name.lower().endswith((".yml", ".yaml")):
                st = os.stat(os.path.join(folder, name))
                out.append([os.path.join(folder, name), st.st_size, st.st_mtime_ns])
    return sorted(out)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "amico.colleges.referentiel"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".amico.yml", ".amico.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        raise_if_missing(IMPORT_ERROR, AnsibleParserError)
        self._read_config_data(path)
        root = os.path.expanduser(self.get_option("referentiel"))
        if not os.path.isabs(root):
            root = os.path.join(os.path.dirname(path), root)
        root = os.path.normpath(root)

        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache") and cache
        data = None
        fingerprint = _fingerprint(root) if self.get_option("cache") else None
        if use_cache:
            cached = self._cache.get(cache_key)
            if cached and cached.get("fingerprint") == fingerprint:
                data = cached["data"]
        if data is None:
            data = self._build(root)
            if self.get_option("cache"):
                self._cache[cache_key] = {"fingerprint": fingerprint, "data": data}
        self._populate(data)
        # the run-time perimeter re-check and valider.yml read the same référentiel
        self.inventory.set_variable("all", "amico_referentiel", root)
        if "commutateurs" in data["groups"]:
            # switch tasks run on the controller: its own Python has the amico package
            # (a template here would stay raw: inventory values are not templated)
            self.inventory.set_variable(
                "commutateurs", "ansible_python_interpreter", sys.executable
            )

    def _build(self, root: str) -> dict:
        try:
            ref = load(root)
        except ReferentielInvalide as exc:
            raise AnsibleParserError(exc.report()) from None
        try:
            inv = build(
                ref,
                operateur=self.get_option("operateur"),
                phase=self.get_option("phase"),
                sites=self.get_option("sites"),
                territoires=self.get_option("territoires"),
                inclure_postes=self.get_option("inclure_postes"),
                connexion_windows=self.get_option("connexion_windows"),
            )
        except InventaireInvalide as exc:
            raise AnsibleParserError(str(exc)) from None
        for reason, count in sorted(inv.excluded.items()):
            self.display.v(f"amico: {count} hôte(s) exclu(s) : {reason}")
        return {"groups": inv.groups, "hosts": inv.hosts, "memberships": inv.memberships}

    def _populate(self, data: dict) -> None:
        inventory = self.inventory
        for name in data["groups"]:
            inventory.add_group(name)
        for name, entry in data["groups"].items():
            for key, value in entry["vars"].items():
                inventory.set_variable(name, key, value)
            for child in entry["children"]:
                inventory.add_child(name, child)
        compose = self.get_option("compose")
        groups = self.get_option("groups")
        keyed = self.get_option("keyed_groups")
        strict = self.get_option("strict")
        constructed = bool(compose or groups or keyed)
        memberships = data["memberships"]
        for host, hostvars in data["hosts"].items():
            first, *others = memberships[host]
            inventory.add_host(host, group=first)
            for group in others:
                inventory.add_child(group, host)
            for key, value in hostvars.items():
                inventory.set_variable(host, key, value)
            if constructed:
                self._set_composite_vars(compose, hostvars, host, strict=strict)
                self._add_host_to_composed_groups(groups, hostvars, host, strict=strict)
                self._add_host_to_keyed_groups(keyed, hostvars, host, strict=strict)
