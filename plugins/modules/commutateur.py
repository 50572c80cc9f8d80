#!/usr/bin/python
# Copyright: (c) 2026, Équipe AMICo
# EUPL-1.2
"""Documentation of amico.colleges.commutateur; the work is done by its action plugin."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: commutateur
short_description: Configure un commutateur de collège (VLAN, ports, management) depuis le référentiel
description:
  - Lit la configuration en service (ArubaOS-Switch/ProCurve par netmiko C(hp_procurve),
    Cisco IOS par napalm C(ios) et netmiko), calcule la configuration voulue depuis le
    référentiel (rendu Jinja2 par fabricant), affiche l'écart, sauvegarde la configuration
    en service dans un dépôt git par site, envoie les changements, relit et vérifie ;
    en cas d'échec, restaure la configuration précédente et le signale.
  - S'exécute sur le contrôleur (plugin d'action) ; aucun module n'est copié sur le commutateur.
  - En mode vérification (C(--check)), rien n'est envoyé ; avec C(--diff), l'écart est affiché.
  - Refuse toute modification d'un VLAN de l'Académie, et toute modification qui couperait
    la session de management (VLAN, liaison montante, adresse) sauf C(force=true).
version_added: "1.0.0"
author: Équipe AMICo
extends_documentation_fragment:
  - amico.colleges.commutateur
  - amico.colleges.commutateur.identifiants
options:
  site:
    description: La variable de groupe C(amico_site) de l'inventaire (UAI, VLAN du site avec usage et propriétaire).
    type: dict
    required: true
  nom:
    description: Nom du commutateur (C(inventory_hostname)).
    type: str
    required: true
  fabricant:
    description: C(aruba) ou C(cisco) (variable C(amico_pilote)).
    type: str
    required: true
  adresse:
    description: Adresse de management du référentiel (variable C(amico_adresse)).
    type: str
    required: true
  ports:
    description: Carte des ports du référentiel (variable C(amico_ports)).
    type: list
    elements: dict
    required: true
  referentiel:
    description:
      - Dossier du référentiel ; son C(plan_adressage.yml) donne les VLAN de l'Académie
        (C(proprietaire=academie)) de tout le plan, pas seulement ceux du site. Toute
        suppression d'un de ces VLAN et tout changement de ses ports (ajout, retrait,
        étiqueté ou non) est refusé, même avec C(force=true).
    type: path
    required: true
  modele:
    description:
      - Modèle du commutateur (variable C(amico_modele)). Sur un Catalyst qui connaît
        l'encapsulation ISL (3560, 3750, 4500, 6500...), C(switchport trunk encapsulation
        dot1q) est envoyé avant C(switchport mode trunk). Sans modèle, il est lu sur le
        commutateur (C(show version)).
    type: str
  force:
    description: Autorise une modification qui peut couper la session de management.
    type: bool
    default: false
  sauvegarde:
    description: Sauvegarde la configuration en service dans le dépôt git du site.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Configurer le commutateur depuis le référentiel
  amico.colleges.commutateur:
    site: "{{ amico_site }}"
    nom: "{{ inventory_hostname }}"
    fabricant: "{{ amico_pilote }}"
    adresse: "{{ amico_adresse }}"
    ports: "{{ amico_ports }}"
    referentiel: "{{ playbook_dir }}/../referentiel"
    modele: "{{ amico_modele }}"
  # hote, port, utilisateur, mot_de_passe : par défaut ansible_host, ansible_port et les
  # variables amico_commutateurs__utilisateur et amico_commutateurs__mot_de_passe (coffre)

- name: Vérifier seulement (rien n'est envoyé), l'écart affiché
  amico.colleges.commutateur:
    site: "{{ amico_site }}"
    nom: "{{ inventory_hostname }}"
    fabricant: "{{ amico_pilote }}"
    adresse: "{{ amico_adresse }}"
    ports: "{{ amico_ports }}"
    referentiel: "{{ amico_referentiel }}"
    delai: 40
  check_mode: true
  diff: true
"""

RETURN = r"""
statut:
  description: conforme, a_modifier (mode vérification), modifie, refuse, injoignable,
    echec_restaure ou echec_non_restaure.
  returned: always
  type: str
commandes:
  description: Commandes envoyées (ou qui le seraient en mode vérification).
  returned: always
  type: list
  elements: str
avertissements:
  description: Écarts non corrigés volontairement (VLAN de l'Académie, nom d'hôte...).
  returned: always
  type: list
  elements: str
refus:
  description: Refus d'AMICo avant tout envoi (VLAN de l'Académie, coupure du management
    sans force, commande hors de la grammaire du fabricant ou valeur avec saut de ligne).
  returned: always
  type: list
  elements: str
lignes_refusees:
  description: Lignes refusées par le commutateur lui-même pendant l'envoi, avec son
    message (C(Command rejected...), C(% VTP ...), C(Invalid input...)) ; la configuration
    précédente est alors restaurée.
  returned: always
  type: list
  elements: str
sauvegarde_avant:
  description: Commit git de la sauvegarde prise avant modification (null si inchangée).
  returned: always
  type: str
sauvegarde_apres:
  description: Commit git de la sauvegarde prise après modification (null si rien n'a changé).
  returned: always
  type: str
duree:
  description: Durée du traitement du commutateur, en secondes.
  returned: always
  type: float
"""

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.fail_json(msg="amico.colleges.commutateur s'exécute sur le contrôleur (plugin d'action)")


if __name__ == "__main__":
    main()
