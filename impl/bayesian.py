"""Lecture 4: Bayes by Backprop and the VAE loss."""

__all__: list[str] = []
