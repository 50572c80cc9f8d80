"""Drift detection: what differs from the référentiel, per host and per rule.

Pure Python (the Ansible plugins ``amico.colleges.derive_*`` and
``amico.colleges.serveur_etat`` are thin faces over this package). See README.md here for
the flow, the statuses and the JSON result schema (``resultat.schema.json``).
"""
