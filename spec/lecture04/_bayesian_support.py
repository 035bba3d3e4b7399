"""Helpers shared by the Lecture 4 specs (4.12 Bayes by Backprop, 4.13 the VAE loss).

Both exercises average a function of Gaussian noise eps ~ N(0, I_d) over the
rows of an (S, d) array, and in the linear-Gaussian test models that function
is a polynomial of degree at most 2 in eps.  Two tools follow from that.

* ``sigma_points(d)``: the 2d rows ±√d e_i have mean 0 and second moment I,
  and odd moments vanish by symmetry, so the average over them of any
  polynomial of degree <= 3 equals its expectation under N(0, I) *exactly*.
  An expectation identity then becomes a deterministic check.

* ``mean_quadratic_form_halfwidth``: a tail bound for the Monte-Carlo mean
  of a centred Gaussian quadratic form, used at ``FALSE_ALARM``.  Derivation:
  write epsᵀB eps − tr B = Σ_k λ_k (ζ_k² − 1) with λ the eigenvalues of the
  symmetric B and ζ ~ N(0, I).  The mean over S i.i.d. rows is
  Σ_k a_k (ζ_k² − 1) over S·d independent ζ_k, with weights a = λ/S, each
  repeated S times, so ‖a±‖₂ = ‖λ±‖₂/√S and ‖a‖∞ = ‖λ‖∞/S.  Laurent and
  Massart (2000, Lemma 1) bound, for non-negative weights a and every t > 0,
      P(Σ a_k(ζ_k²−1) ≥ 2‖a‖₂√t + 2‖a‖∞ t) ≤ e^{−t},
      P(Σ a_k(ζ_k²−1) ≤ −2‖a‖₂√t) ≤ e^{−t}.
  Splitting signed weights into positive and negative parts and taking a
  union bound over the four tails gives
      P(|Σ a_k(ζ_k²−1)| ≥ 2(‖a+‖₂ + ‖a−‖₂)√t + 2‖a‖∞ t) ≤ 4e^{−t},
  so t = log(4/α) makes the false-alarm probability at most α.

References
    B. Laurent and P. Massart, Adaptive estimation of a quadratic functional by
    model selection, Annals of Statistics 28(5), 2000, Lemma 1.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import settings

from spec.stats import FALSE_ALARM


def sigma_points(d: int) -> np.ndarray:
    """The (2d, d) rows ±√d e_i: averaging over them is E over N(0, I_d) for degree <= 3."""
    rows = math.sqrt(d) * np.eye(d)
    return np.concatenate([rows, -rows])


def mean_quadratic_form_halfwidth(matrix: np.ndarray, n: int, alpha: float = FALSE_ALARM) -> float:
    """Radius r with P(|(1/n) Σ_s (eps_sᵀ B eps_s − tr B)| >= r) <= alpha, eps_s ~ N(0, I).

    ``matrix`` need not be symmetric: epsᵀ B eps only sees its symmetric part.
    """
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2.0)
    t = math.log(4.0 / alpha)
    spread = np.linalg.norm(eigenvalues[eigenvalues > 0]) + np.linalg.norm(
        eigenvalues[eigenvalues < 0]
    )
    largest = float(np.max(np.abs(eigenvalues), initial=0.0))
    return float(2.0 * spread * math.sqrt(t / n) + 2.0 * largest * t / n)


def costly(fraction: float) -> settings:
    """Settings that run ``fraction`` of the active profile's examples (at least 2).

    For the properties whose examples are expensive (torch autograd, Monte Carlo,
    training runs): the file stays fast in the default profile while the
    ``thorough`` profile still scales them up.
    """
    return settings(max_examples=max(2, round(settings.default.max_examples * fraction)))
