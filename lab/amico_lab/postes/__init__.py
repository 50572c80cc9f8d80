"""STAND-IN Windows posts for the lab and the tests (not Windows; see README.md here)."""

from .poste import PosteInjoignable, PosteSimule, appels
from .transport import variables_poste

__all__ = ["PosteInjoignable", "PosteSimule", "appels", "variables_poste"]
