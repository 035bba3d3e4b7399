"""Lecture 2 (2.5, 2.6, 2.9): softmax confidence, neural collapse, CosFace."""

__all__: list[str] = []
