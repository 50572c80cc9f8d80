"""AMICo: automation for the IT of public collèges (référentiel, servers, switches, posts, GLPI)."""

__version__ = "1.0.0"
