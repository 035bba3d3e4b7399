"""Contract entries of Lecture 5: SGLD, detailed balance, Gibbs sampling (``impl/mcmc.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
