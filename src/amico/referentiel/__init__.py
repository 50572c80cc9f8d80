"""The référentiel: model, loading, validation, IP plan, matrix and inventory building."""

from amico.referentiel.findings import Finding, ReferentielInvalide
from amico.referentiel.loader import Referentiel, load

__all__ = ["Finding", "Referentiel", "ReferentielInvalide", "load"]
