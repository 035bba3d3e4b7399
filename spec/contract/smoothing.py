"""Contract entries of Lecture 9 (9.25, 9.26, 9.28): randomized smoothing and its certificates (``impl/smoothing.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
