"""STAND-IN Windows posts for the lab and the tests (not Windows; see README.md here)."""

from .poste import PosteInjoignable, PosteSimule, appels

__all__ = ["PosteInjoignable", "PosteSimule", "appels"]
