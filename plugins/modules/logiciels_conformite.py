"""Module amico.colleges.logiciels_conformite (runs as an action plugin on the controller)."""

from __future__ import annotations

DOCUMENTATION = r"""
module: logiciels_conformite
short_description: Vérifie et applique le catalogue logiciel d'un poste Windows (un aller-retour)
description:
  - Exécute le collecteur PowerShell C(collecteur.ps1) sur le poste en UN aller-retour WinRM/PSRP
    (via ansible.windows.win_powershell), évalue les règles du catalogue sur le contrôleur, puis
    installe, met à jour ou désinstalle seulement ce qui n'est pas conforme, depuis le partage
    logiciels du site, avec les codes de retour acceptés, et re-détecte (toujours absent = échec).
  - En mode vérification (check mode) - statuts et actions prévues, rien n'est modifié.
  - Le transport est choisi par la variable d'hôte C(amico_postes_transport) - absente ou
    C(winrm)/C(psrp), la connexion Ansible du poste ; un autre nom, un transport enregistré
    (point d'entrée C(amico.transports_postes)), par exemple C(simule), les postes simulés du labo.
version_added: 1.0.0
options:
  catalogue_fichier:
    description: Chemin de C(logiciels.yml) (clés C(logiciels), C(profils)).
    type: path
  catalogue:
    description: Le catalogue déjà chargé (dictionnaire), à la place de O(catalogue_fichier).
    type: dict
  poste:
    description: Le poste - C(nom), C(profil), C(systeme) (identifiant du catalogue).
    type: dict
    required: true
  appliquer:
    description: Faux - évaluer seulement.
    type: bool
    default: true
  partage:
    description: Partage logiciels du site (UNC), par ex. C(\\\\se1-0670001x\\logiciels).
    type: str
    default: ""
  partage_utilisateur:
    description: Compte de lecture du partage (contourne le double saut WinRM).
    type: str
    default: ""
  partage_mot_de_passe:
    description: Mot de passe de ce compte (depuis Vault).
    type: str
    default: ""
  fenetre_maintenance:
    description: Fenêtre C(HH:MM-HH:MM) où un redémarrage est permis ; absente - jamais.
    type: str
  espace_libre_min_mo:
    description: Espace libre minimal avant d'installer.
    type: int
    default: 2048
  delai_installation_s:
    description: Délai maximal d'un installeur.
    type: int
    default: 3600
  maintenant:
    description: Heure de référence ISO 8601 (tests) ; par défaut l'heure du contrôleur.
    type: str
author: Équipe AMICo
"""

EXAMPLES = r"""
- name: Conformité logicielle du poste
  amico.colleges.logiciels_conformite:
    catalogue_fichier: "{{ postes_windows__catalogue_fichier }}"
    poste: {nom: "{{ inventory_hostname }}", profil: base, systeme: windows_10}
    partage: '\\se1-0670001x\logiciels'
"""

RETURN = r"""
statuts:
  description: Un statut par entrée du catalogue (conforme, absent, obsolete, plus_recent,
    interdit, fin_de_vie, echec, indetermine) avec la correspondance vers la dérive.
  returned: success
  type: list
  elements: dict
derive:
  description: Statut de dérive du poste (conforme, non conforme, non vérifiable).
  returned: success
  type: str
plan:
  description: Actions prévues ou exécutées, manuelles, reportées.
  returned: success
  type: dict
appels_distants:
  description: Nombre d'allers-retours WinRM/PSRP pour ce poste.
  returned: success
  type: int
analyse:
  description: Lu dans la même collecte quand referentiel/catalogue/postes.yml accompagne le
    catalogue - activation (licences Windows et Office, canal, état), antivirus (Centre de
    sécurité, Defender, âge des signatures), logiciels non référencés et autorisés.
  returned: quand postes.yml est à côté du catalogue
  type: dict
"""

if __name__ == "__main__":
    import json
    import sys

    print(json.dumps({"failed": True, "msg": "s'exécute par le plugin d'action du même nom"}))
    sys.exit(1)
