"""Onboarding real collèges into the référentiel: a new site from the addressing plan
(`nouveau_site`), posts and switches imported from GLPI's inventory (`import_glpi`).

A package of its own, above `amico.referentiel` and `amico.guichet` (both the ground floor):
it composes the two without making the référentiel depend on the helpdesk client.
"""


class OnboardingError(Exception):
    """Bad input or a refused operation: the message is French and nothing was written."""
