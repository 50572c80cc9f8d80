"""Settings shared by the whole test suite."""

import os

from hypothesis import settings

# Property tests (hostile strings, hostile spool files...) are derandomised by default so
# that `make test` gives the same verdict on every run; a failure they find is a real bug
# fixed with a pinned example. To explore new inputs: HYPOTHESIS_PROFILE=explorer make test.
# No per-example deadline (Hypothesis' default is 200 ms): on a loaded machine (CI on 2
# cores) an example waits for the CPU and the test failed on time, not on behaviour.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explorer", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
