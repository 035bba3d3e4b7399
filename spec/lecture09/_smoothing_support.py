"""Oracles and strategies shared by the Lecture 9 randomized-smoothing specs (9.25, 9.26, 9.28).

Everything here is independent of the implementation under test:

* exact arithmetic on float inputs (``fractions.Fraction``) for margins wᵀx + b,
  and a rounding bound that says when a float64 evaluation must get their sign right;
* Φ and Φ⁻¹ at 50 significant digits (mpmath; Φ⁻¹ by Newton's method on log Φ,
  which stays accurate in the far tail where erfinv(2p − 1) cannot);
* base classifiers whose smoothed probabilities have closed forms: half-spaces,
  axis-aligned boxes (products of normal CDF differences), their complements,
  and "interval" classifiers cutting one axis into K classes.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import strategies as st
from scipy import special

from spec.oracles import mp_phi, mp_phi_inv
from spec.strategies import floats, vectors

mpmath.mp.dps = 50

#: The unit roundoff of float64.
UNIT_ROUNDOFF = 2.0**-53
#: The smallest positive normal float64; below it results may flush to zero or lose digits.
TINY = 2.2250738585072014e-308


# --------------------------------------------------------------------------- exact margins


def exact_margin(w: np.ndarray, b: float, x: np.ndarray) -> Fraction:
    """wᵀx + b computed exactly from the float64 inputs."""
    return sum((Fraction(wi) * Fraction(xi) for wi, xi in zip(w, x, strict=True)), Fraction(b))


def margin_rounding_bound(w: np.ndarray, b: float, x: np.ndarray) -> float:
    """A bound on |fl(wᵀx + b) − (wᵀx + b)| for any summation order (with or without FMA).

    Higham, Accuracy and Stability of Numerical Algorithms, §3.1: a sum of k
    products errs by at most γ_k Σ|terms| with γ_k = k u / (1 − k u).  We
    take k = d + 2 and double it for the final rounding of the bound itself.
    """
    k = len(w) + 2
    gamma = k * UNIT_ROUNDOFF / (1.0 - k * UNIT_ROUNDOFF)
    return 2.0 * gamma * float(np.sum(np.abs(w * x)) + abs(b))


def mp_norm(v) -> mpmath.mpf:
    """The Euclidean norm of an exact (Fraction or float) vector at 50 digits."""
    return mpmath.sqrt(mpmath.fsum(mp_value(Fraction(c)) ** 2 for c in v))


def mp_value(q: Fraction) -> mpmath.mpf:
    """A Fraction as a 50-digit mpf."""
    return mpmath.mpf(q.numerator) / q.denominator


def exact_difference(y: np.ndarray, x: np.ndarray) -> list[Fraction]:
    """y − x computed exactly from the float64 inputs."""
    return [Fraction(a) - Fraction(c) for a, c in zip(y, x, strict=True)]


# --------------------------------------------------------------------------- Φ and Φ⁻¹


def float_below(p: mpmath.mpf) -> float:
    """The largest float64 not above p (a valid lower bound for the theorem's p_A)."""
    value = float(p)
    return float(np.nextafter(value, -np.inf)) if mpmath.mpf(value) > p else value


# --------------------------------------------------------------------------- base classifiers


@dataclass(frozen=True)
class Region:
    """A base classifier f(z) = 1 on a region, 0 off it, with a closed-form smoothed probability.

    kind "halfspace": {z : wᵀz + b > 0};  kind "box": {z : lo < z ≤ hi} (bounds may be
    infinite).  With ``complement`` the region is the complement.
    """

    kind: str
    w: np.ndarray | None = None
    b: float = 0.0
    lo: np.ndarray | None = None
    hi: np.ndarray | None = None
    complement: bool = False

    def contains(self, z: np.ndarray) -> np.ndarray:
        """Membership of each row of z (n, d)."""
        if self.kind == "halfspace":
            inside = z @ self.w + self.b > 0
        else:
            inside = np.all((self.lo < z) & (z <= self.hi), axis=-1)
        return ~inside if self.complement else inside

    def classifier(self):
        """f as the smoothing algorithms want it: (n, d) points -> n labels in {0, 1}."""
        return lambda z: self.contains(z).astype(np.int64)

    def probability(self, x: np.ndarray, sigma: float) -> mpmath.mpf:
        """P(x + σε ∈ region) for ε ~ N(0, I), at 50 digits."""
        if self.kind == "halfspace":
            t = mp_value(exact_margin(self.w, self.b, x)) / (sigma * mp_norm(self.w))
            return mp_phi(-t if self.complement else t)
        sides = list(zip(self.lo, self.hi, x, strict=True))
        if self.complement:
            # 1 − Π(1 − q_i) with q_i the mass outside side i, as −expm1(Σ log1p(−q_i)): a
            # complement as small as 1e-55 keeps its digits (1 − q_i rounds to 1 at 50 digits).
            log_inside = mpmath.fsum(
                mpmath.log1p(-_outside_interval(*side, sigma)) for side in sides
            )
            return -mpmath.expm1(log_inside)
        return mpmath.exp(mpmath.fsum(mpmath.log(_interval_probability(*s, sigma)) for s in sides))


def _outside_interval(lo: float, hi: float, x: float, sigma: float) -> mpmath.mpf:
    """P(x + σε ≤ lo or x + σε > hi) at 50 digits: a sum of two tails (no cancellation)."""
    a = (mpmath.mpf(lo) - mpmath.mpf(x)) / sigma
    b = (mpmath.mpf(hi) - mpmath.mpf(x)) / sigma
    return mp_phi(a) + mp_phi(-b)


def _interval_probability(lo: float, hi: float, x: float, sigma: float) -> mpmath.mpf:
    """P(lo < x + σε ≤ hi) at 50 digits, as a difference of same-side tails (no cancellation)."""
    a = (mpmath.mpf(lo) - mpmath.mpf(x)) / sigma
    b = (mpmath.mpf(hi) - mpmath.mpf(x)) / sigma
    if a >= 0:
        return mp_phi(-a) - mp_phi(-b)
    if b <= 0:
        return mp_phi(b) - mp_phi(a)
    return 1 - mp_phi(a) - mp_phi(-b)


@st.composite
def halfspaces(draw: st.DrawFn, d: int) -> Region:
    """Half-spaces {wᵀz + b > 0} or their complements, w bounded away from 0."""
    w = draw(vectors(d, -5.0, 5.0).filter(lambda v: np.linalg.norm(v) > 0.1))
    return Region("halfspace", w=w, b=draw(floats(-5.0, 5.0)), complement=draw(st.booleans()))


@st.composite
def boxes(draw: st.DrawFn, d: int) -> Region:
    """Axis-aligned boxes (some sides infinite: slabs, orthants) or their complements."""
    lo = draw(vectors(d, -4.0, 4.0))
    widths = draw(vectors(d, 0.05, 6.0))
    hi = lo + widths
    lo = np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), -np.inf, lo)
    hi = np.where(draw(st.lists(st.booleans(), min_size=d, max_size=d)), np.inf, hi)
    return Region("box", lo=lo, hi=hi, complement=draw(st.booleans()))


def regions(d: int) -> st.SearchStrategy[Region]:
    """Every base classifier with a closed-form smoothed probability that the spec uses."""
    return st.one_of(halfspaces(d), boxes(d))


@dataclass(frozen=True)
class IntervalClassifier:
    """f(z) = labels[i] when thresholds[i−1] < z_0 ≤ thresholds[i]: K classes cut along axis 0."""

    thresholds: np.ndarray
    labels: np.ndarray

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.labels[np.searchsorted(self.thresholds, z[:, 0], side="left")]

    def probabilities(self, x: np.ndarray, sigma: float) -> dict[int, mpmath.mpf]:
        """Label -> P(f(x + σε) = label) at 50 digits."""
        cuts = [-np.inf, *self.thresholds, np.inf]
        return {
            int(label): _interval_probability(cuts[i], cuts[i + 1], x[0], sigma)
            for i, label in enumerate(self.labels)
        }


@st.composite
def interval_classifiers(draw: st.DrawFn, x0: float, sigma: float) -> IntervalClassifier:
    """K = 2..4 classes with distinct labels in 0..9; the top class has probability 0.5..0.999.

    The class probabilities are drawn first and the cuts placed at x0 + σ Φ⁻¹(cumulative
    mass); the exact probabilities of the float cuts are recomputed by ``probabilities``.
    """
    k = draw(st.integers(2, 4))
    top = draw(st.floats(0.5, 0.999))
    rest = np.array(draw(st.lists(st.floats(0.05, 1.0), min_size=k - 1, max_size=k - 1)))
    masses = np.insert(rest / rest.sum() * (1.0 - top), draw(st.integers(0, k - 1)), top)
    cuts = x0 + sigma * special.ndtri(np.cumsum(masses)[:-1])
    labels = np.array(draw(st.permutations(range(10)))[:k], dtype=np.int64)
    return IntervalClassifier(np.sort(cuts), labels)


def phi_error(t) -> float:
    """How far a faithful float64 Φ(t) may stray from the exact value (absolute).

    Relative (x² + 1)·16u of the smaller tail (Φ's condition number there is ≈ x² + 1),
    plus two ulp of Φ itself for the rounding of 1 − tail in the upper half.
    """
    if not mpmath.isfinite(t):
        return 0.0
    p = mp_phi(t)
    return float(16 * UNIT_ROUNDOFF * (1 + float(t) ** 2) * min(p, 1 - p) + 2 * UNIT_ROUNDOFF * p)


def phi_band(t, slack: float) -> tuple[mpmath.mpf, mpmath.mpf]:
    """[lo, hi] holding every faithful float64 Φ(t') with |t' − t| <= slack, within [0, 1]."""
    lo = mp_phi(t - slack) - phi_error(t - slack)
    hi = mp_phi(t + slack) + phi_error(t + slack)
    return max(lo, mpmath.mpf(0)), min(hi, mpmath.mpf(1))


def probabilities() -> st.SearchStrategy[float]:
    """Probabilities in [0, 1] reaching both tails: 1e-300, 1 − 1e-16, the ends, 1/2."""
    tail = st.floats(-300.0, 0.0).map(lambda e: 10.0**e)
    return st.one_of(
        st.sampled_from([0.0, 1e-300, 5e-324, 0.5, 1.0 - 2.0**-53, 1.0]),
        st.floats(0.0, 1.0),
        tail,
        tail.map(lambda q: 1.0 - q),
    )


def open_probabilities() -> st.SearchStrategy[float]:
    """The claims' probabilities: [1e-300, 1) without the ends 0, 1 and subnormals, tails kept."""
    return probabilities().filter(lambda p: 1e-300 <= p < 1.0)


def backward_quantile_error(p) -> float:
    """How far Φ⁻¹ moves when p moves by 2u·p, the backward error of forming p in float64.

    Φ⁻¹'(p) = 1/φ(Φ⁻¹(p)), so this is 2u·p/φ(z): ≈ 2u/|z| in the lower tail, but large
    near p = 1, where a probability held as p (not as 1 − p) determines z only coarsely.
    """
    if p <= 0 or p >= 1:
        return 0.0
    return float(2 * UNIT_ROUNDOFF * mpmath.mpf(p) / mpmath.npdf(mp_phi_inv(p)))
