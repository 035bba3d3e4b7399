"""Lecture 7: lp quasi-norms, DeepFool, FGSM."""

__all__: list[str] = []
