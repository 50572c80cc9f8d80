#!/usr/bin/python
# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Documentation of amico.colleges.derive_site; the work is done by its action plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: derive_site
short_description: Collecte en lecture seule tous les hôtes d'un site en une tâche (dérive par site)
description:
  - Mode par site de la dérive (C(amico derive --par-site), variable C(amico_derive_mode=site)
    de C(playbooks/derive.yml)) - UNE tâche par site collecte, sur le contrôleur et en
    parallèle borné, les commutateurs (pilote SSH AMICo) et les postes Windows (transport
    choisi par leurs propres variables d'inventaire, C(amico_postes_transport) ou
    C(ansible_connection)) du site, puis les compare à l'état attendu
    (C(attendu/<UAI>.json), écrit par M(amico.colleges.derive_preparer)).
  - Même résultat que M(amico.colleges.derive_collecte) hôte par hôte - un fichier
    C(hotes/<hôte>.json) par hôte, un hôte injoignable constaté comme tel sans arrêter les
    autres, un hôte en échec (refus du périmètre, identifiant absent) sans fichier et
    signalé, les mêmes C(amico_constats) pour le rappel M(amico.colleges.glpi#callback),
    chacun portant son hôte (le rappel en lit le site et le service, comme par hôte).
  - Les serveurs Debian restent collectés hôte par hôte (module
    M(amico.colleges.serveur_etat) par la connexion Ansible du serveur) - cette action les
    laisse de côté.
  - Le périmètre de l'opérateur est revérifié pour chaque poste, depuis sa propre fiche du
    référentiel, comme en mode par hôte.
  - Ne modifie jamais un hôte.
version_added: "1.1.0"
author: Équipe AMICo
extends_documentation_fragment:
  - amico.colleges.commutateur.identifiants
options:
  dossier:
    description: Dossier de l'exécution (sur le contrôleur), préparé par M(amico.colleges.derive_preparer).
    type: path
    required: true
  uai:
    description: UAI du site à collecter.
    type: str
    required: true
  groupes:
    description: Groupes d'inventaire dont les hôtes du site sont collectés.
    type: list
    elements: str
    default: [commutateurs, postes_pedagogiques]
  parallelisme:
    description: Nombre d'hôtes du site collectés en même temps (fils d'exécution).
    type: int
    default: 8
  delai_hote:
    description: Durée maximale de la collecte d'un hôte, en secondes ; au-delà, il est constaté injoignable.
    type: int
    default: 300
notes:
  - Le parallélisme total est C(forks) sites à la fois, fois C(parallelisme) hôtes par site.
  - Pour les changements (déploiement, campagnes), le mode par hôte reste la règle.
seealso:
  - module: amico.colleges.derive_collecte
  - module: amico.colleges.derive_preparer
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Collecter l'état (lecture seule) et le comparer au référentiel
  amico.colleges.derive_site:
    dossier: "{{ amico_derive_dossier }}"
    uai: "{{ amico_derive_uai }}"
    parallelisme: 8
"""

RETURN = r"""
hotes:
  description: Nombre d'hôtes collectés par la tâche.
  returned: success
  type: int
injoignables:
  description: Hôtes injoignables (constatés C(injoignable)).
  returned: success
  type: list
  elements: str
echecs:
  description: Hôtes en échec et pourquoi (aucun résultat pour eux).
  returned: always
  type: dict
ecarts:
  description: Nombre d'écarts constatés et non ignorés sur le site.
  returned: success
  type: int
amico_constats:
  description: Un constat par contrôle et par hôte (C(probleme), C(etat), C(detail),
    C(hote)), que le rappel GLPI route en tickets.
  returned: success
  type: list
  elements: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
