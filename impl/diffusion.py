"""Lecture 6: hierarchical VAEs and diffusion models."""

__all__: list[str] = []
