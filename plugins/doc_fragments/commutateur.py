# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Doc fragments amico.colleges.commutateur (where a switch is reached over SSH) and
amico.colleges.commutateur.identifiants (with which account: also used by the per-site
drift, which reaches many switches and so takes no address)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  hote:
    description:
      - Adresse où joindre le commutateur en SSH.
      - Par défaut, la variable d'hôte C(ansible_host), sinon C(inventory_hostname).
    type: str
  port:
    description:
      - Port SSH du commutateur.
      - Par défaut, la variable d'hôte C(ansible_port), sinon 22.
    type: int
"""

    IDENTIFIANTS = r"""
options:
  utilisateur:
    description:
      - Compte SSH du commutateur.
      - Par défaut, la variable C(amico_commutateurs__utilisateur) (coffre Ansible Vault ou
        identifiant AWX).
    type: str
  mot_de_passe:
    description:
      - Mot de passe SSH du commutateur ; jamais journalisé.
      - Par défaut, la variable C(amico_commutateurs__mot_de_passe) (coffre Ansible Vault
        ou identifiant AWX), jamais en clair dans le dépôt.
    type: str
  delai:
    description: Délai de connexion et d'authentification, en secondes.
    type: int
    default: 20
notes:
  - Les identifiants ne sont lus (et leurs variables évaluées) que pour un commutateur
    qui en a besoin ; un identifiant absent est une erreur en français qui nomme la
    variable à définir.
"""
