"""Lecture 2 (2.7, 2.8): the TPE loss and A-Softmax."""

__all__: list[str] = []
