"""Contract entries of Lecture 3: Jensen-Shannon, Wasserstein-1, WGAN-GP (``impl/divergences.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
