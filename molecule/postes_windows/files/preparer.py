"""Lab only: a post freshly mastered for the référentiel's catalogue, and the site's share.

The share gets one lab installer per catalogue entry with an installer (its effect is the
evidence the entry's own detection rules look for: amico_lab.postes.referentiel); the post
gets what the deployment cannot install (Windows components, mastered software), nothing
else. The same helpers build the demo lab (amico_lab.demo).
"""

import argparse
from pathlib import Path

import yaml

from amico.logiciels import Catalogue
from amico_lab.postes.referentiel import ecrire_etat, ecrire_installeurs, etat_masterise


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--catalogue", type=Path, required=True)
    p.add_argument("--partage", type=Path, required=True)
    p.add_argument("--postes", type=Path, required=True)
    p.add_argument("--profil", default="base")
    p.add_argument("nom")
    a = p.parse_args()
    catalogue = Catalogue(yaml.safe_load(a.catalogue.read_text(encoding="utf-8")))
    ecrire_installeurs(catalogue, a.partage)
    print(ecrire_etat(a.postes, etat_masterise(catalogue, a.nom, a.profil)))


if __name__ == "__main__":
    main()
