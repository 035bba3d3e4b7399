"""Hypothesis strategies shared by the exercise specs.

The strategies deliberately reach the edges where implementations break:
probability vectors with exact zeros and masses of 1e-300, logits up to 1e300
in magnitude, ill-conditioned symmetric positive definite matrices.  Each
strategy draws only float64 NumPy arrays, the contract's currency.

Stochastic properties draw their seed with :func:`seeds` and build
``np.random.default_rng(seed)`` themselves, so a failure shrinks to a seed that
replays.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Seeds for ``np.random.default_rng`` and ``torch.Generator().manual_seed``.
seeds = st.integers(min_value=0, max_value=2**32 - 1)


def floats(lo: float = -1e3, hi: float = 1e3, **kwargs) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, **kwargs)


def vectors(
    d: int | st.SearchStrategy[int], lo: float = -10.0, hi: float = 10.0
) -> st.SearchStrategy[np.ndarray]:
    """Float64 vectors of length ``d`` with entries in [lo, hi]."""
    shape = d if isinstance(d, st.SearchStrategy) else st.just(d)
    return shape.flatmap(lambda n: hnp.arrays(np.float64, n, elements=floats(lo, hi)))


def matrices(
    rows: int, cols: int, lo: float = -10.0, hi: float = 10.0
) -> st.SearchStrategy[np.ndarray]:
    """Float64 matrices of shape (rows, cols) with entries in [lo, hi]."""
    return hnp.arrays(np.float64, (rows, cols), elements=floats(lo, hi))


#: log10 of a probability mass before normalization: from 1e-300 to 1.
_LOG10_MASS = st.one_of(
    st.floats(-300.0, 0.0),
    st.sampled_from([-300.0, -200.0, -16.0, -8.0, 0.0]),
)


@st.composite
def probability_vectors(
    draw: st.DrawFn,
    size: int | st.SearchStrategy[int] = st.integers(1, 8),
    zeros: bool = True,
    min_mass: float = 0.0,
) -> np.ndarray:
    """Probability vectors (float64, summing to 1 within 1e-15 relative).

    Masses range over 300 orders of magnitude; with ``zeros`` some are exactly 0
    (never all).  ``min_mass`` > 0 keeps every mass at least that large.
    """
    k = draw(size) if isinstance(size, st.SearchStrategy) else size
    log_masses = np.array(draw(st.lists(_LOG10_MASS, min_size=k, max_size=k)))
    masses = 10.0 ** (log_masses - log_masses.max())
    if zeros and k > 1:
        zero_mask = np.array(draw(st.lists(st.booleans(), min_size=k, max_size=k)))
        zero_mask[int(np.argmax(log_masses))] = False
        masses[zero_mask] = 0.0
    p = masses / masses.sum()
    if min_mass > 0:
        p = (p + min_mass) / (1.0 + k * min_mass)
    return p


@st.composite
def distribution_pairs(
    draw: st.DrawFn, size: st.SearchStrategy[int] = st.integers(1, 8), zeros: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two probability vectors of the same length (supports may differ)."""
    k = draw(size)
    return draw(probability_vectors(k, zeros=zeros)), draw(probability_vectors(k, zeros=zeros))


@st.composite
def logits(
    draw: st.DrawFn,
    size: int | st.SearchStrategy[int] = st.integers(1, 8),
    batch: tuple[int, ...] = (),
    max_magnitude: float = 1e300,
) -> np.ndarray:
    """Logit arrays of shape ``batch + (k,)`` with magnitudes up to ``max_magnitude``."""
    k = draw(size) if isinstance(size, st.SearchStrategy) else size
    scale = draw(st.sampled_from([1.0, 1e3, 1e150, max_magnitude]))
    scale = min(scale, max_magnitude)
    unit = draw(hnp.arrays(np.float64, (*batch, k), elements=floats(-1.0, 1.0)))
    return unit * scale


@st.composite
def spd_matrices(
    draw: st.DrawFn, d: int | st.SearchStrategy[int] = st.integers(1, 5), max_condition: float = 1e8
) -> np.ndarray:
    """Symmetric positive definite d x d matrices with condition number <= max_condition.

    Built as Q diag(lambda) Q^T with Q orthogonal (QR of a drawn matrix) and
    log-eigenvalues drawn in [0, log10(max_condition)], then scaled by a drawn
    overall magnitude.
    """
    n = draw(d) if isinstance(d, st.SearchStrategy) else d
    raw = draw(matrices(n, n, -1.0, 1.0)) + 3.0 * np.eye(n)
    q, _ = np.linalg.qr(raw)
    log_eigs = np.array(
        draw(st.lists(st.floats(0.0, np.log10(max_condition)), min_size=n, max_size=n))
    )
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    a = (q * (scale * 10.0**log_eigs)) @ q.T
    return (a + a.T) / 2.0


@st.composite
def unit_vectors(draw: st.DrawFn, d: int) -> np.ndarray:
    """Unit vectors in R^d (drawn then normalized; never the zero vector)."""
    v = draw(vectors(d, -1.0, 1.0).filter(lambda x: np.linalg.norm(x) > 1e-3))
    return v / np.linalg.norm(v)


def log_uniform(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Positive floats whose log10 is uniform on [log10 lo, log10 hi] (ends included)."""
    return st.one_of(
        st.sampled_from([lo, hi, 1.0] if lo <= 1.0 <= hi else [lo, hi]),
        st.floats(np.log10(lo), np.log10(hi)).map(lambda e: float(min(hi, max(lo, 10.0**e)))),
    )


def not_normalized(p: np.ndarray, by: float) -> np.ndarray:
    """``p`` scaled so that it sums to ``by`` instead of 1 (bad input for the contract)."""
    return p * by
