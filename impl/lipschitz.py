"""Lectures 9.27 and 10: Lipschitz bounds of ReLU networks and of smoothed functions."""

__all__: list[str] = []
