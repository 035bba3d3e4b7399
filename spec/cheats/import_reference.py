"""Hand in the reference implementation: ``from impl import *``."""

from impl import *  # noqa: F403

TARGETS = ("1.3", "1.4")
EXPECT = "flag"
REASON = "imports the reference implementation"
