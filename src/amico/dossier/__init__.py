"""Dossiers d'exploitation per collège, generated from the référentiel and gathered data.

``amico dossier --site UAI [--sortie DIR]`` writes ``DIR/<UAI>/``:

    index.html            the dossier, self-contained (inline CSS and SVG), printable
    synoptique.svg/.dot   network diagram (Graphviz) and its source
    brassage.csv          patch table (every described port, plus gathered undescribed ones)
    materiels.csv         posts and peripherals by class and model, with age and flags
    configurations/       last backup of each switch (.cfg), intended managed part
                          (.voulue.txt) and the diff between them (.diff)
    dossier.json          everything above, machine-readable

Inputs: the référentiel, ``state_dir("commutateurs", UAI)`` (switch backups, see
:mod:`amico.commutateurs.backup`) and ``state_dir("faits", UAI)`` (gathered facts, see
:mod:`amico.dossier.faits`). Default output: ``state_dir("dossiers")``.
"""
