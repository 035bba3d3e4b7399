"""Contract entries of Lecture 6: hierarchical VAEs and diffusion models (``impl/diffusion.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
