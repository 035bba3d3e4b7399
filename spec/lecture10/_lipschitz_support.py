"""Oracles and strategies shared by the Lecture 10 specs on smoothed functions (10.29, 10.30).

Everything here is independent of the implementation under test:

* bounded functions f whose Gaussian smoothing g(x) = E f(x + ε), ε ~ N(0, σ²I),
  has a closed form (derived in the docstrings below), written as
  g = l + (u − l)·p with p = P(...) ∈ [0, 1]; each family returns p and 1 − p
  (the smaller of the two accurately), the gradient of p and a bound on the
  rounding error of min(p, 1 − p), the one ``Levels.value`` uses (the bounds
  were checked against 50-digit evaluations, and the closed forms against Monte
  Carlo, when this file was written);
* Φ⁻¹ at 50 significant digits (mpmath, Newton's method on log Φ) and the exact
  rescaled value (g − l)/(u − l) of float inputs (``fractions.Fraction``);
* float64 versions of η and of the bounds (9), used only to turn a rounding
  error in an input g into a slack on η or on the bounds (η and the bounds are
  increasing in g, so evaluating them at g ± e brackets every possible answer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import strategies as st
from scipy import special

from spec.assertions import assert_close
from spec.oracles import mp_phi_inv
from spec.strategies import floats, log_uniform, seeds

mpmath.mp.dps = 50

#: The unit roundoff of float64.
UNIT_ROUNDOFF = 2.0**-53


def assert_close_within(actual, expected, tolerance, *, what: str, inputs=None) -> None:
    """|actual − expected| <= tolerance, one tolerance per element; equal infinities pass."""
    assert_close(actual, expected, rtol=0.0, atol=tolerance, what=what, inputs=inputs)


# --------------------------------------------------------------------------- Φ⁻¹ at 50 digits


def _mp(q: Fraction) -> mpmath.mpf:
    return mpmath.mpf(q.numerator) / q.denominator


@dataclass(frozen=True)
class ExactScore:
    """z = Φ⁻¹(p) for the exact p = (g − l)/(u − l) of float inputs, and min(p, 1 − p)."""

    z: mpmath.mpf
    tail: mpmath.mpf

    @classmethod
    def of(cls, g: float, lower: float, upper: float) -> ExactScore:
        below = Fraction(g) - Fraction(lower)
        above = Fraction(upper) - Fraction(g)
        width = below + above
        if below == 0:
            return cls(-mpmath.inf, mpmath.mpf(0))
        if above == 0:
            return cls(mpmath.inf, mpmath.mpf(0))
        if below <= above:
            tail = _mp(below / width)
            return cls(mp_phi_inv(tail), tail)
        tail = _mp(above / width)
        return cls(-mp_phi_inv(tail), tail)

    def quantile_error(self) -> float:
        """A bound on the float64 error of Φ⁻¹(p) computed from float inputs, from the nearer end.

        The rescaled tail min(p, 1 − p) is formed with relative error <= 3u (two
        subtractions and a division; we allow 16u); Φ⁻¹ turns a relative error r
        of the tail into r·tail/φ(z) (at most 1.3r, and about r/|z| far out);
        scipy's ndtri adds a relative error below 3e-16 (measured against mpmath
        over p in [1e-307, 1/2]), which we take as 1e-14·|z|.
        """
        if mpmath.isinf(self.z):
            return 0.0
        return float(16 * UNIT_ROUNDOFF * self.tail / mpmath.npdf(self.z) + 1e-14 * abs(self.z))


# --------------------------------------------------------------------------- float64 brackets


def normal_score(below: np.ndarray, above: np.ndarray) -> np.ndarray:
    """Φ⁻¹(p) given p = below and 1 − p = above, taken from the nearer end."""
    return np.where(below <= above, special.ndtri(below), -special.ndtri(above))


def eta_float(g, lower: float, upper: float, sigma: float) -> np.ndarray:
    """σΦ⁻¹((g − l)/(u − l)) in float64, g clipped to [l, u]."""
    g = np.clip(g, lower, upper)
    width = upper - lower
    return sigma * normal_score((g - lower) / width, (upper - g) / width)


def bounds_float(g, radius, lower: float, upper: float, sigma: float) -> tuple[np.ndarray, ...]:
    """(l + (u − l)Φ((η − r)/σ), l + (u − l)Φ((η + r)/σ)) in float64, g clipped to [l, u]."""
    score = eta_float(g, lower, upper, 1.0)
    shift = np.asarray(radius) / sigma
    width = upper - lower
    with np.errstate(invalid="ignore"):
        down = np.where(np.isinf(score), score, score - shift)
        up = np.where(np.isinf(score), score, score + shift)
    return lower + width * special.ndtr(down), lower + width * special.ndtr(up)


def eta_slack(g, error, lower: float, upper: float, sigma: float) -> np.ndarray:
    """How far η moves when g moves by up to ``error`` (doubled); inf if g ± error leaves [l, u]."""
    centre = eta_float(g, lower, upper, sigma)
    with np.errstate(invalid="ignore"):
        up = eta_float(g + error, lower, upper, sigma) - centre
        down = centre - eta_float(g - error, lower, upper, sigma)
        slack = 2 * np.maximum(up, down) + 1e-13 * np.abs(centre)
    return np.where(np.isnan(slack), np.inf, slack)


def bounds_slack(g, error, radius, lower: float, upper: float, sigma: float):
    """How far (lo, hi) can move when g moves by up to ``error`` (doubled), plus their rounding."""
    centre = bounds_float(g, radius, lower, upper, sigma)
    above = bounds_float(g + error, radius, lower, upper, sigma)
    below = bounds_float(g - error, radius, lower, upper, sigma)
    rounding = 8 * UNIT_ROUNDOFF * (abs(lower) + abs(upper))
    return tuple(
        2 * np.maximum(a - c, c - b) + rounding
        for a, c, b in zip(above, centre, below, strict=True)
    )


# --------------------------------------------------------------------------- closed-form smoothings


@dataclass(frozen=True)
class Levels:
    """The range [l, u] of f and the map p ↦ g = l + (u − l)p."""

    lower: float
    upper: float

    def value(self, p: np.ndarray, q: np.ndarray) -> np.ndarray:
        """l + (u − l)p, formed from the nearer end (as u − (u − l)(1 − p) above the midpoint)."""
        width = self.upper - self.lower
        return np.where(p <= q, self.lower + width * p, self.upper - width * q)

    def value_error(self, p_error: np.ndarray) -> np.ndarray:
        """A bound on the error of ``value`` when min(p, 1 − p) errs by up to p_error."""
        scale = abs(self.lower) + abs(self.upper)
        return (self.upper - self.lower) * p_error + 8 * UNIT_ROUNDOFF * scale


def _gamma(m: int) -> float:
    """2γ_m = 2mu/(1 − mu): twice Higham's bound for a sum of m rounded products."""
    return 2 * m * UNIT_ROUNDOFF / (1 - m * UNIT_ROUNDOFF)


@dataclass(frozen=True)
class HalfSpace:
    """f = l + (u − l)·1[wᵀz + b > 0], smoothed: p(x) = P(wᵀ(x + ε) + b > 0) = Φ(t),
    t = (wᵀx + b)/(σ‖w‖), because wᵀε ~ N(0, σ²‖w‖²).  η(x) = σt is the signed
    distance (wᵀx + b)/‖w‖ of x to the hyperplane.
    """

    w: np.ndarray
    b: float
    sigma: float

    def score(self, x: np.ndarray) -> np.ndarray:
        return (x @ self.w + self.b) / (self.sigma * np.linalg.norm(self.w))

    def fraction(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = self.score(x)
        return special.ndtr(t), special.ndtr(-t)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return _pdf(self.score(x))[:, None] * self.w / (self.sigma * np.linalg.norm(self.w))

    def error(self, x: np.ndarray) -> np.ndarray:
        t = self.score(x)
        size = np.abs(x) @ np.abs(self.w) + abs(self.b)
        t_error = 4 * _gamma(len(self.w) + 2) * size / (self.sigma * np.linalg.norm(self.w))
        t_error += 4 * UNIT_ROUNDOFF * np.abs(t)
        tail = np.minimum(special.ndtr(t), special.ndtr(-t))
        # ndtr's relative error grows like 1.5e-16·t² in the far tail (3e-13 at t = -37).
        return _pdf(t) * 2 * t_error + 1e-15 * (1 + t**2) * tail


@dataclass(frozen=True)
class Box:
    """f = l + (u − l)·1[a < z <= c] on an axis-aligned box, smoothed: the coordinates
    of ε are independent, so p(x) = ∏_j (Φ((c_j − x_j)/σ) − Φ((a_j − x_j)/σ)).
    """

    low: np.ndarray
    high: np.ndarray
    sigma: float

    def _sides(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        alpha = (self.low - x) / self.sigma
        beta = (self.high - x) / self.sigma
        # Differences of same-side tails, so no digits cancel (Φ(β) − Φ(α) = Φ(−α) − Φ(−β)).
        right, left = alpha >= 0, beta <= 0
        middle = 1.0 - special.ndtr(alpha) - special.ndtr(-beta)
        sides = np.where(right, special.ndtr(-alpha) - special.ndtr(-beta), middle)
        sides = np.where(left, special.ndtr(beta) - special.ndtr(alpha), sides)
        largest = np.where(right, special.ndtr(-alpha), np.where(left, special.ndtr(beta), 1.0))
        return alpha, beta, sides, largest

    def fraction(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        p = np.prod(self._sides(x)[2], axis=-1)
        return p, 1.0 - p

    def gradient(self, x: np.ndarray) -> np.ndarray:
        alpha, beta, sides, _ = self._sides(x)
        d = sides.shape[-1]
        others = np.stack([np.prod(np.delete(sides, j, axis=-1), axis=-1) for j in range(d)], -1)
        return others * (_pdf(alpha) - _pdf(beta)) / self.sigma

    def error(self, x: np.ndarray) -> np.ndarray:
        alpha, beta, sides, largest = self._sides(x)
        shift = 4 * UNIT_ROUNDOFF * (np.abs(self.low) + np.abs(self.high) + np.abs(x)) / self.sigma
        side_error = (
            8 * UNIT_ROUNDOFF * largest
            + 1e-15 * (1 + np.maximum(alpha**2, beta**2)) * largest
            + (_pdf(alpha) + _pdf(beta)) * shift
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.sum(side_error / sides, axis=-1) + 2 * len(self.low) * UNIT_ROUNDOFF
            p = np.prod(sides, axis=-1)
            p_error = np.where(p > 0, p * relative, np.sum(side_error, axis=-1))
        return np.where(np.isnan(p_error), np.inf, p_error) + 2 * UNIT_ROUNDOFF


@dataclass(frozen=True)
class Cosine:
    """f = l + (u − l)(1 + cos(aᵀz + c))/2, smoothed: aᵀε ~ N(0, σ²‖a‖²) has characteristic
    function E e^{i aᵀε} = e^{−σ²‖a‖²/2}, real, so E cos(aᵀ(x + ε) + c)
    = Re(e^{i(aᵀx + c)} E e^{i aᵀε}) = cos(aᵀx + c)·e^{−σ²‖a‖²/2} and
    p(x) = (1 + cos(aᵀx + c)·e^{−σ²‖a‖²/2})/2.
    """

    a: np.ndarray
    c: float
    sigma: float

    def damping(self) -> float:
        return math.exp(-((self.sigma * np.linalg.norm(self.a)) ** 2) / 2)

    def fraction(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        wave = np.cos(x @ self.a + self.c) * self.damping()
        return (1 + wave) / 2, (1 - wave) / 2

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return -np.sin(x @ self.a + self.c)[:, None] * self.damping() * self.a / 2

    def error(self, x: np.ndarray) -> np.ndarray:
        phase_error = _gamma(len(self.a) + 2) * (np.abs(x) @ np.abs(self.a) + abs(self.c))
        return 0.5 * self.damping() * (phase_error + 8 * UNIT_ROUNDOFF) + 4 * UNIT_ROUNDOFF


def _pdf(t: np.ndarray) -> np.ndarray:
    return np.exp(-np.square(t) / 2) / math.sqrt(2 * math.pi)


Family = HalfSpace | Box | Cosine


def _direction(rng: np.random.Generator, d: int) -> np.ndarray:
    v = rng.standard_normal(d)
    return v / np.linalg.norm(v)


def make_family(kind: str, d: int, sigma: float, rng: np.random.Generator) -> Family:
    """A family member whose interesting region lies within a few σ of the origin."""
    if kind == "halfspace":
        w = _direction(rng, d) * 10.0 ** rng.uniform(-3, 3)
        distance = sigma * rng.uniform(-5, 5)
        return HalfSpace(w, -distance * float(np.linalg.norm(w)), sigma)
    if kind == "box":
        low = sigma * rng.uniform(-4, 4, size=d)
        return Box(low, low + sigma * rng.uniform(0.05, 6, size=d), sigma)
    return Cosine(rng.uniform(-3, 3, size=d) / sigma, float(rng.uniform(-np.pi, np.pi)), sigma)


@dataclass(frozen=True)
class Case:
    """A smoothed function g = l + (u − l)p, a noise level σ and a seeded generator of points."""

    family: Family
    levels: Levels
    sigma: float
    dimension: int
    rng: np.random.Generator

    def points(self, n: int) -> np.ndarray:
        """n points uniform on [−8σ, 8σ]^d, where the families change."""
        return self.sigma * self.rng.uniform(-8, 8, size=(n, self.dimension))

    def value(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """g at the rows of x and a bound on its rounding error."""
        p, q = self.family.fraction(x)
        return self.levels.value(p, q), self.levels.value_error(self.family.error(x))

    def pairs(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """n pairs (x, y): half along random directions, half along ∇g; steps 1e-4σ to 3σ."""
        x = self.points(n)
        directions = self.rng.standard_normal(x.shape)
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        directions[n // 2 :] = self.steepest(x[n // 2 :])
        steps = self.sigma * 10.0 ** self.rng.uniform(-4.0, 0.5, size=(n, 1))
        return x, x + steps * directions

    def shift_rounding(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """How much g can change because y − x is rounded: (u − l)/(σ√(2π)) times the rounding.

        (u − l)/(σ√(2π)) is the Lipschitz constant of g (exercise 10.30).
        """
        gain = (self.levels.upper - self.levels.lower) / (self.sigma * math.sqrt(2 * math.pi))
        return gain * 4 * UNIT_ROUNDOFF * (np.linalg.norm(x, axis=1) + np.linalg.norm(y, axis=1))

    def steepest(self, x: np.ndarray) -> np.ndarray:
        """Unit vectors along ∇g at the rows of x (any unit vector where ∇g = 0)."""
        grad = self.family.gradient(x)
        norms = np.linalg.norm(grad, axis=1, keepdims=True)
        fallback = np.zeros_like(grad)
        fallback[:, 0] = 1.0
        return np.where(norms > 0, grad / np.where(norms > 0, norms, 1.0), fallback)


#: Ranges [l, u]: [0, 1], [−1, 0] (where g near u keeps its digits) and offset or wide ones.
levels = st.one_of(
    st.just(Levels(0.0, 1.0)),
    st.just(Levels(-1.0, 0.0)),
    st.tuples(st.one_of(st.just(0.0), floats(-100.0, 100.0)), log_uniform(1e-3, 1e3)).map(
        lambda pair: Levels(pair[0], pair[0] + pair[1])
    ),
)

sigmas = log_uniform(1e-3, 1e3)


@st.composite
def cases(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = ("halfspace", "box", "cosine"),
    levels: st.SearchStrategy[Levels] = levels,
) -> Case:
    """A closed-form smoothed function in d <= 3 dimensions with its range and σ."""
    sigma, d = draw(sigmas), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(seeds))
    family = make_family(draw(st.sampled_from(kinds)), d, sigma, rng)
    return Case(family, draw(levels), sigma, d, rng)
