"""Settings shared by the whole test suite."""

import os

from hypothesis import settings

# Property tests (hostile strings, hostile spool files...) are derandomised by default so
# that `make test` gives the same verdict on every run; a failure they find is a real bug
# fixed with a pinned example. To explore new inputs: HYPOTHESIS_PROFILE=explorer make test.
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explorer", max_examples=500)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
