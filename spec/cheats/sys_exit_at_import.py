"""Raise SystemExit(0) at import, hoping the runner stops with success."""

import sys

TARGETS = ("1.4",)
EXPECT = "flag"
REASON = "failed to import"

sys.exit(0)
