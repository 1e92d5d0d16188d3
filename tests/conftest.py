"""Hypothesis profiles: random exploration by default, a fixed derandomized run in CI.

``HYPOTHESIS_PROFILE=ci`` (set by ``.ci/run``) makes every property test draw the same examples
on every machine, so CI's verdict depends on the commit alone; developers' runs keep exploring
new examples and report any failure with the blob that reproduces it.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", print_blob=True)
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
