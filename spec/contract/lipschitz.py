"""Contract entries of Lectures 9.27 and 10: Lipschitz bounds of ReLU networks and of smoothed functions (``impl/lipschitz.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
