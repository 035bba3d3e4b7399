"""Contract entries of Lecture 2 (2.5, 2.6, 2.9): softmax confidence, neural collapse, CosFace (``impl/margins.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
