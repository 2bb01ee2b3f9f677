"""``python -m simulators.code42``: the same as ``scimgate serve code42``."""

import sys

from simulators.code42.serve import main

sys.exit(main())
