"""Lecture 9 (9.25, 9.26, 9.28): randomized smoothing and its certificates."""

__all__: list[str] = []
