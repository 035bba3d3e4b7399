"""Lecture 3: Jensen-Shannon, Wasserstein-1, WGAN-GP."""

__all__: list[str] = []
