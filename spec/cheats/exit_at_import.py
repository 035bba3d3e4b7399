"""End the process with status 0 at import, hoping the runner reports success.

The submission's process ends; the spec's does not: the import fails, with the reason.
"""

import os

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "failed to import"

os._exit(0)
