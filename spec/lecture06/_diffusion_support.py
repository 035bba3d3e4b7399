"""Strategies, oracles and bounds shared by the Lecture 6 spec files (6.17-6.21).

Conventions are those of ``spec/contract/diffusion.py``: 1-based time,
``alphas[t - 1]`` is alpha_t, alpha_bar_0 = 1.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec.assertions import assert_leq
from spec.stats import FALSE_ALARM

mpmath.mp.dps = 50

#: float64 unit roundoff.
UNIT_ROUNDOFF = 2.0**-53

_LOG10_HALF = math.log10(0.5)


def alpha_from_code(code: np.ndarray | float) -> np.ndarray | float:
    """Map codes in [-1, 1] to alphas in (0, 1) spread over the whole interval.

    Codes in [0, 1] give alpha_t = 1 - 10^(-6 + c (6 + log10 0.5)), from 1 - 1e-6 to 0.5:
    diffusion-like schedules, where 1 - alpha_t is small.  Codes in [-1, 0) give
    alpha_t = 10^(-6 + |c| (6 + log10 0.5)), from 1e-6 to 0.5: aggressive steps.
    1 - alpha_t >= 1e-6 keeps alpha_bar strictly decreasing in float64.
    """
    exponent = -6.0 + np.abs(code) * (6.0 + _LOG10_HALF)
    return np.where(np.asarray(code) >= 0, 1.0 - 10.0**exponent, 10.0**exponent)


#: One alpha_t in (0, 1), from 1e-6 to 1 - 1e-6.
ALPHA = st.floats(-1.0, 1.0).map(lambda c: float(alpha_from_code(c)))


def alpha_schedules(steps: st.SearchStrategy[int] = st.integers(1, 12)) -> st.SearchStrategy:
    """Schedules: float64 vectors of alphas in (0, 1), one entry per step.

    With at most 12 steps of alpha_t >= 1e-6, alpha_bar_T >= 1e-72: no underflow.
    """
    return steps.flatmap(
        lambda n: hnp.arrays(np.float64, n, elements=st.floats(-1.0, 1.0), fill=st.nothing()).map(
            alpha_from_code
        )
    )


@st.composite
def schedules_and_steps(draw: st.DrawFn, first: int = 1) -> tuple[np.ndarray, int]:
    """A schedule and a 1-based step t with first <= t <= T."""
    alphas = draw(alpha_schedules(st.integers(first, 12)))
    return alphas, draw(st.integers(first, len(alphas)))


def mp_alpha_bar(alphas: np.ndarray, t: int) -> mpmath.mpf:
    """alpha_bar_t at 50 digits (alpha_bar_0 = 1)."""
    return mpmath.fprod(mpmath.mpf(a) for a in alphas[:t])


def exact_alpha_bar(alphas: np.ndarray, t: int) -> tuple[float, float]:
    """(alpha_bar_t, 1 - alpha_bar_t), each correctly rounded from 50 digits."""
    bar = mp_alpha_bar(alphas, t)
    return float(bar), float(1 - bar)


#: Relative error allowed for quantities built from 1 - alpha_bar (6.19, 6.21), for any
#: float64 route to alpha_bar (a running product, or exp(cumsum(log alpha))) followed by a
#: subtraction.  alpha_bar_t errs relatively by <= 2 t u (product) or <= 2u + (t + 1) u
#: |log alpha_bar_t| (logarithms); since alpha_bar / (1 - alpha_bar) <= 1 / sum_i (1 - alpha_i)
#: and |log a| a / (1 - a) <= 1, 1 - alpha_bar_t then errs relatively by <= 3u / min(1 - alpha)
#: = 3.4e-10 on the natural range (1 - alpha_t >= 1e-6).  A coefficient of (6) is a ratio of
#: two such factors and a few correctly rounded ones: <= 7e-10; 2e-9 leaves a factor ~3.
SCHEDULE_RTOL = 2e-9

#: Products of tiny data may underflow into the subnormal range, where float64 keeps
#: fewer digits; absolute errors below this floor are not errors of the formula.
UNDERFLOW_FLOOR = 1e-300


def assert_close_to_terms(actual, expected, terms_magnitude, *, rtol, what, inputs=None):
    """|actual - expected| <= rtol * terms_magnitude (+ UNDERFLOW_FLOOR) elementwise.

    For values computed as sums of terms that may cancel, the attainable
    accuracy is relative to the sum of the terms' magnitudes, not to the result.
    """
    error = np.abs(np.asarray(actual, dtype=np.float64) - np.asarray(expected, dtype=np.float64))
    allowed = rtol * np.asarray(terms_magnitude) + UNDERFLOW_FLOOR
    assert_leq(error, allowed, what=what, inputs=inputs)


# --------------------------------------------------------------------------- 6.17 tables


@st.composite
def stochastic_tables(
    draw: st.DrawFn, shapes: list[tuple[int, ...]], smallest_log10: float = -30.0
) -> list[np.ndarray]:
    """Arrays of the given shapes whose last axis holds probability vectors.

    A drawn code c in [2 smallest_log10, 0] stands for the mass 10^c before normalization,
    and for an exact zero when c < smallest_log10 (unless it is the row maximum).  With the
    default, masses run down to 1e-30, so that a path probability, a product of at most
    2T + 1 <= 9 masses, stays >= 1e-270 > 0 in float64 and the support of every
    distribution is decided exactly.  All entries come from one drawn array, which keeps
    generation fast.
    """
    sizes = [math.prod(shape) for shape in shapes]
    # Every entry drawn on its own (no fill value): a shared fill makes most tables uniform,
    # under which a wrong prior or a transposed table goes unnoticed.
    codes = draw(
        hnp.arrays(
            np.float64,
            sum(sizes),
            elements=st.floats(2.0 * smallest_log10, 0.0),
            fill=st.nothing(),
        )
    )
    tables = []
    for chunk, shape in zip(np.split(codes, np.cumsum(sizes)[:-1]), shapes, strict=True):
        code = chunk.reshape(shape)
        top = code.max(axis=-1, keepdims=True, initial=-np.inf)
        masses = np.where((code < smallest_log10) & (code < top), 0.0, 10.0 ** (code - top))
        tables.append(masses / masses.sum(axis=-1, keepdims=True))
    return tables


# --------------------------------------------------------------------------- 6.20 bound


def gaussian_chaos_mean_halfwidth(
    n: int, quadratic: np.ndarray, linear: np.ndarray, alpha: float = FALSE_ALARM
) -> float:
    """Radius for the mean of n i.i.d. copies of Y = z^T B z / 2 + v^T z, z ~ N(0, I_d).

    Diagonalize B = U diag(lambda) U^T.  The centred sum over the n copies is
    sum_i (lambda_i / 2)(w_i^2 - 1) over n d independent standard normals w_i
    (each lambda repeated n times) plus a N(0, n |v|^2) term.  Laurent and
    Massart (2000, Lemma 1) bound each sign-part of the chi-square sum: with
    a = (lambda / 2) repeated n times, P(|chaos| >= 2 sqrt(2) |a|_2 sqrt(x) +
    2 |a|_inf x) <= 4 exp(-x); the Gaussian term exceeds sqrt(2 n x) |v| with
    probability <= 2 exp(-x).  With x = log(6 / alpha) the union misses with
    probability <= alpha; dividing by n gives the radius below.
    """
    x = math.log(6.0 / alpha)
    eigenvalues = np.linalg.eigvalsh(quadratic)
    frobenius = float(np.linalg.norm(eigenvalues))
    spectral = float(np.max(np.abs(eigenvalues), initial=0.0))
    return (
        math.sqrt(2.0 * x / n) * frobenius
        + spectral * x / n
        + math.sqrt(2.0 * x / n) * float(np.linalg.norm(linear))
    )
