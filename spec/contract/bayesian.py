"""Contract entries of Lecture 4: Bayes by Backprop and the VAE loss (``impl/bayesian.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
