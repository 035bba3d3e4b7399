"""Contract entries of Lecture 2 (2.7, 2.8): the TPE loss and A-Softmax (``impl/metric_learning.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
