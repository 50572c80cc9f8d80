# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""The French words for "the amico package (or one of its dependencies) is missing", shared
by the collection's modules and, through plugin_utils.dependency, its plugins."""

from __future__ import annotations


def missing_message(exc):
    """French message for a failed import of (or inside) the amico package."""
    name = getattr(exc, "name", None) or ""
    if name and name.split(".")[0] not in ("amico", "ansible_collections"):
        return (
            f"dépendance Python « {name} » du paquet amico introuvable sur le contrôleur "
            f"Ansible ({exc}) : réinstaller le paquet amico avec ses dépendances "
            "(pip install amico ; en développement, `make setup`)"
        )
    return (
        f"paquet Python « amico » introuvable sur le contrôleur Ansible ({exc}) : "
        "l'installer dans l'environnement d'exécution (pip install amico ; en "
        "développement, `make setup` puis l'environnement .venv)"
    )
