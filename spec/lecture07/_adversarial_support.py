"""Small float64 torch models with NumPy twins, shared by the specs of Exercises 7.23 and 7.24.

The attacks under test (``deepfool``, ``fgsm``) take a torch model: any callable
mapping an (n, d) float64 tensor to scores of shape (n, K), K = 1 meaning one
binary score (label = score > 0) and K ≥ 2 meaning class scores (label = argmax).
The models here draw their weights from a seeded NumPy generator, never from
torch's global random state, and each comes with a NumPy evaluation of its
scores and Jacobian so that oracles do not have to trust autograd.
"""

from __future__ import annotations

import numpy as np
import torch


class AffineModel:
    """x ↦ W x + b for W of shape (K, d) and b of shape (K,)."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray) -> None:
        self.weights = np.atleast_2d(np.asarray(weights, dtype=np.float64))
        self.bias = np.atleast_1d(np.asarray(bias, dtype=np.float64))
        self._weights = torch.from_numpy(self.weights.copy())
        self._bias = torch.from_numpy(self.bias.copy())

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self._weights.T + self._bias

    def scores(self, x: np.ndarray) -> np.ndarray:
        """The K scores of one input, in NumPy."""
        return self.weights @ x + self.bias


class ReluNetwork:
    """x ↦ W2 relu(W1 x + b1) + b2, with standard normal weights from ``rng``."""

    def __init__(self, rng: np.random.Generator, d: int, hidden: int, k: int) -> None:
        self.w1 = rng.standard_normal((hidden, d))
        self.b1 = rng.standard_normal(hidden)
        self.w2 = rng.standard_normal((k, hidden))
        self.b2 = rng.standard_normal(k)
        self._params = [torch.from_numpy(a.copy()) for a in (self.w1, self.b1, self.w2, self.b2)]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        w1, b1, w2, b2 = self._params
        return torch.relu(x @ w1.T + b1) @ w2.T + b2

    def scores(self, x: np.ndarray) -> np.ndarray:
        """The K scores of one input, in NumPy."""
        return self.w2 @ np.maximum(self.w1 @ x + self.b1, 0.0) + self.b2

    def jacobian(self, x: np.ndarray) -> np.ndarray:
        """The (K, d) Jacobian W2 diag(1[W1 x + b1 > 0]) W1 (torch's relu'(0) = 0 too)."""
        active = (self.w1 @ x + self.b1 > 0).astype(np.float64)
        return self.w2 @ (active[:, None] * self.w1)


def label(scores: np.ndarray | torch.Tensor) -> int:
    """The predicted label of one input's scores: score > 0 for K = 1, argmax otherwise."""
    values = np.asarray(scores.detach() if isinstance(scores, torch.Tensor) else scores)
    values = values.reshape(-1)
    return int(values[0] > 0) if values.size == 1 else int(np.argmax(values))


def torch_label(model, x: np.ndarray) -> int:
    """The label the torch model itself gives to the vector x."""
    with torch.no_grad():
        return label(model(torch.from_numpy(np.asarray(x, dtype=np.float64)[None, :].copy())))
