"""Switch configuration from the référentiel: intent, parsing, diff, safety, backup, push.

Pure Python (the Ansible action plugin ``amico.colleges.commutateur`` is a thin face over
:func:`amico.commutateurs.run.apply_switch`). One driver per vendor in ``drivers``, one
template folder per vendor in ``templates/``.
"""
