"""Benchmark floor: an inventory plugin that adds prepared hosts, groups and vars.

It reads one pickle (what `bench/inventory_bench.py` built from the same référentiel)
and does nothing else: the time ansible-core itself needs for this inventory.
"""

DOCUMENTATION = r"""
name: floor
short_description: plancher de mesure (hôtes, groupes et variables préparés)
description: Ajoute des hôtes, groupes et variables préparés ; sert de référence aux mesures.
options:
  plugin:
    description: Nom du plugin.
    required: true
    choices: [floor]
  data:
    description: Fichier pickle préparé par le banc de mesure.
    type: path
    required: true
"""

import pickle

from ansible.plugins.inventory import BaseInventoryPlugin


class InventoryModule(BaseInventoryPlugin):
    NAME = "floor"

    def verify_file(self, path):
        return path.endswith(".floor.yml")

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        with open(self.get_option("data"), "rb") as handle:
            data = pickle.load(handle)  # noqa: S301 - our own benchmark file
        for name in data["groups"]:
            inventory.add_group(name)
        for name, entry in data["groups"].items():
            for key, value in entry["vars"].items():
                inventory.set_variable(name, key, value)
            for child in entry["children"]:
                inventory.add_child(name, child)
        for host, hostvars in data["hosts"].items():
            first, *others = data["memberships"][host]
            inventory.add_host(host, group=first)
            for group in others:
                inventory.add_child(group, host)
            for key, value in hostvars.items():
                inventory.set_variable(host, key, value)
