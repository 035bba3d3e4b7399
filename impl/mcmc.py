"""Lecture 5: SGLD, detailed balance, Gibbs sampling."""

__all__: list[str] = []
