"""Run the ``vdlt`` command as ``python -m vdlt_spec``."""

import sys

from vdlt_spec.cli import main

sys.exit(main())
