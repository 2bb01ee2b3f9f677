"""``python -m simulators.azure_ad``: the same as ``scimgate serve azure-ad``."""

import sys

from simulators.azure_ad.serve import main

sys.exit(main())
