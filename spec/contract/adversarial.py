"""Contract entries of Lecture 7: lp quasi-norms, DeepFool, FGSM (``impl/adversarial.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = []
