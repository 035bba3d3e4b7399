r"""Exercise 3.10 — KL, JS and W1 between two parallel lines.

Statement
    Let Z be uniform on [0, 1], P the law of (0, Z) and Q_θ the law of (θ, Z):
    two copies of the unit segment, a distance |θ| apart.  Show that for θ ≠ 0
    KL(P‖Q_θ) = KL(Q_θ‖P) = +∞ and JS(P, Q_θ) = log 2, while W1(P, Q_θ) = |θ|;
    at θ = 0 all four vanish.  Conclude that KL is infinite as soon as the
    supports are disjoint, that JS jumps at θ = 0 and is flat (zero derivative)
    everywhere else, and that W1 varies continuously with θ.

    .. math::

       \mathrm{KL}(P \,\|\, Q_\theta) = \mathrm{KL}(Q_\theta \,\|\, P) = +\infty, \qquad
       \mathrm{JS}(P, Q_\theta) = \log 2, \qquad W_1(P, Q_\theta) = |\theta| \qquad (\theta \ne 0)

Assumptions
    The lines are represented by finitely many atoms: P puts mass 1/n on each
    (0, y_i) and Q_θ on each (θ, y_i), where the heights y_i are either a grid
    of cell midpoints (k + 1/2)/m or a uniform sample (the same heights for both:
    Q_θ is P translated, as in the continuous example).  KL and JS are taken
    between the two discrete distributions on the union of their atoms; W1 uses
    the Euclidean ground distance.  JS is in nats (so its maximum is log 2).

Natural range
    Distributions on K ≤ 8 outcomes with masses 0 or in [1e-12, 1]; offsets
    1e-6 ≤ |θ| ≤ 1e3 between the lines (dyadic k/64 with |θ| ≤ 10 for W1), at most
    16 atoms per line; samples and point clouds with coordinates in [-100, 100],
    at most 8 points, weights in [0.01, 1].  Masses of 1e-300, JS of order 1e-33
    and offsets of 5e-324 or 1e300 are numerics properties.

Argument
    Disjoint supports.  For θ ≠ 0 no atom of P is an atom of Q_θ.  KL(P‖Q_θ)
    contains p_i log(p_i / 0) = +∞ for every atom of P; symmetrically for
    KL(Q_θ‖P).  With m = (p + q)/2, every atom has m_i = p_i/2 or q_i/2, so
    KL(p‖m) = Σ p_i log 2 = log 2 = KL(q‖m) and JS = log 2, whatever θ ≠ 0 is.
    Hence JS(θ) − JS(θ') = 0 for all θ, θ' ≠ 0 (its derivative is 0: a generator
    moving the line receives no signal) while JS(θ) − JS(0) = log 2 (a jump).

    W1.  Matching (0, y_i) with (θ, y_i) costs |θ| per atom, and every coupling
    moves each unit of mass at least the horizontal gap |θ|, so W1 = |θ|: it is
    1-Lipschitz in θ, with slope sign(θ) away from 0 — a usable gradient.  For
    two independent samples of heights y, y' the sorted matching gives
    |θ| ≤ W1 ≤ |θ| + W1(y, y'), and W1(y, y') → 0 as n grows.  Both bounds are
    exact, computed from the same sample, so no statistical bound on W1(y, y')
    (DKW gives only ≈ 0.47 at n = 256 and 1e-12) could add to them.

    General facts checked on random inputs.  JS is symmetric; by Pinsker applied
    to both halves, JS ≥ TV²/2 with TV = ½‖p − q‖₁ (so JS = 0 forces p = q), and
    writing JS = Σ_i (p_i + q_i)/2 · (log 2 − h(p_i/(p_i + q_i))) with the binary
    entropy h ≥ 2 log 2 · min(α, 1 − α) gives JS ≤ log 2 · TV (so JS = log 2 forces
    TV = 1, disjoint supports).  W1 is a metric (symmetric, triangle
    inequality); since z ↦ ⟨u, z⟩ is 1-Lipschitz for a unit vector u,
    W1 ≥ ‖E X − E Y‖, with equality for a translation and strict inequality for a
    spread against a point mass at its mean (W1 is then the mean absolute
    deviation).  On the line, W1 = ∫|F_u − F_v|, which for equal sample sizes is
    the mean gap between sorted samples, and the optimal matching in R^d
    restricted to d = 1 must agree.

Errata
    The notes call W1 "smooth": W1 = |θ| is continuous and 1-Lipschitz but not
    differentiable at θ = 0.  The point is that its derivative ±1 does not vanish
    away from 0, unlike that of JS.  The notes also restrict θ to [0, 1] and write
    W1 = θ; for θ of either sign W1 = |θ|.

References
    M. Arjovsky, S. Chintala and L. Bottou, "Wasserstein generative adversarial
    networks", ICML 2017, Example 1 (learning parallel lines).
    C. Villani, Optimal Transport: Old and New, 2009, Chapter 6 (W1 as a metric).
"""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as scipy_stats

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.strategies import distribution_pairs, floats, probability_vectors, seeds, vectors

mpmath.mp.dps = 50


LOG2 = float(np.log(2.0))


# Claim error model for JS = ½ Σ_i [p_i log(p_i/m_i) + q_i log(q_i/m_i)]: 2K ≤ 16 terms, each
# of size ≤ max(m_i/e, p_i log 2) (so ≤ 2 in total), each rounded by a few u (a log, a
# division, a product) and summed with n·u growth: |error| ≤ 16 · 4u · 2 ≈ 1.4e-14 absolutely,
# whatever the summation order.  Relative error is meaningless where JS is of that order.
U = 2.0**-53


JS_RTOL, JS_CLAIM_ATOL = 1e-12, 16 * 4 * U * 2


# The numerics tier asks for JS accurate to 1e-15 absolutely even where the terms cancel.
JS_ATOL = 1e-15


# Coordinates are bounded by 1e2, so distances by 350; a W1 value is a sum of <= 16 terms,
# each off by a few ulp of 350 (~1e-13), so 1e-11 absolute covers any honest summation order.
W1_RTOL, W1_ATOL = 1e-12, 1e-11


#: Offsets of the natural range, 1e-6 <= |θ| <= 1e3.
nonzero_thetas = st.tuples(floats(1e-6, 1e3), st.sampled_from([-1.0, 1.0])).map(
    lambda pair: pair[0] * pair[1]
)


#: Offsets at the extremes of float64: the supports stay disjoint, however close or far.
extreme_thetas = st.sampled_from([5e-324, -5e-324, -1e-300, 1e-300, 1e-8, -1e300, 1e300])


def _natural(p: np.ndarray) -> np.ndarray:
    """p with masses below 1e-12 set to 0 and renormalized (the largest mass is >= 1/K)."""
    p = np.where(p < 1e-12, 0.0, p)
    return p / p.sum()


#: Pairs in the natural range: masses 0 or in [1e-12, 1].
natural_pairs = distribution_pairs().map(lambda pq: (_natural(pq[0]), _natural(pq[1])))


# Thetas for W1: dyadic k/64, so theta^2 and every difference are exact and W1 = |theta|
# can be compared without any cancellation; the range keeps |theta| <= 10.
dyadic_thetas = st.integers(-640, 640).map(lambda k: k / 64.0)


def _grid_heights(m: int) -> np.ndarray:
    return (np.arange(m) + 0.5) / m


def _sampled_heights(seed_and_size: tuple[int, int]) -> np.ndarray:
    seed, n = seed_and_size
    return np.random.default_rng(seed).uniform(size=n)


#: The heights y_i of the atoms on each line: a midpoint grid or a uniform sample.
heights = st.one_of(
    st.integers(1, 16).map(_grid_heights),
    st.tuples(seeds, st.integers(1, 16)).map(_sampled_heights),
)


def _line(x: float, y: np.ndarray) -> np.ndarray:
    """The atoms (x, y_i) as an (n, 2) array."""
    return np.column_stack([np.full_like(y, x), y])


def _as_distributions(P: np.ndarray, Q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uniform weights on the rows of P and of Q, as probability vectors on their union."""
    atoms, index = np.unique(np.vstack([P, Q]), axis=0, return_inverse=True)
    index = index.ravel()
    p = np.bincount(index[: len(P)], minlength=len(atoms)) / len(P)
    q = np.bincount(index[len(P) :], minlength=len(atoms)) / len(Q)
    return p, q


def _parallel_lines(theta: float, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P and Q_theta as probability vectors over the union of their atoms."""
    return _as_distributions(_line(0.0, y), _line(theta, y))


def _js(impl, theta: float, y: np.ndarray) -> float:
    return impl.js_divergence(*_parallel_lines(theta, y))


def _w1(impl, theta: float, y: np.ndarray) -> float:
    return impl.wasserstein1(_line(0.0, y), _line(theta, y))


def _mp_js(p: np.ndarray, q: np.ndarray) -> mpmath.mpf:
    """JS at 50 digits: (KL(p‖m) + KL(q‖m))/2 with m = (p + q)/2, skipping zero masses."""
    m = [(mpmath.mpf(a) + mpmath.mpf(b)) / 2 for a, b in zip(p, q, strict=True)]

    def kl_to_m(a):
        return mpmath.fsum(
            mpmath.mpf(x) * mpmath.log(x / mi) for x, mi in zip(a, m, strict=True) if x > 0
        )

    return (kl_to_m(p) + kl_to_m(q)) / 2


def _total_variation(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.abs(p - q).sum() / 2.0)


SAMPLE_SIZES = st.integers(1, 8)


CLOUD_SIZES, CLOUD_DIMENSIONS = st.integers(1, 5), st.integers(1, 3)


@st.composite
def weighted_samples(draw, size=SAMPLE_SIZES):
    """A 1-D sample in [-100, 100] with positive, unnormalized weights in [0.01, 1]."""
    n = draw(size)
    values = draw(vectors(n, -100.0, 100.0))
    weights = draw(hnp.arrays(np.float64, n, elements=floats(0.01, 1.0)))
    return values, weights


@st.composite
def equal_size_clouds(draw, count=2, n=CLOUD_SIZES, d=CLOUD_DIMENSIONS):
    """``count`` point clouds of the same shape (n, d), coordinates in [-100, 100]."""
    rows, cols = draw(n), draw(d)
    return tuple(
        draw(hnp.arrays(np.float64, (rows, cols), elements=floats(-100.0, 100.0)))
        for _ in range(count)
    )


@st.composite
def disjoint_pairs(draw, vectors_of=lambda k: probability_vectors(k).map(_natural)):
    """(p, q) charging disjoint sets of outcomes, the two supports interleaved at random."""
    a = draw(vectors_of(st.integers(1, 4)))
    b = draw(vectors_of(st.integers(1, 4)))
    order = draw(st.permutations(range(len(a) + len(b))))
    p = np.concatenate([a, np.zeros(len(b))])[order]
    q = np.concatenate([np.zeros(len(a)), b])[order]
    return p, q


@st.composite
def nearby_pairs(draw) -> tuple[np.ndarray, np.ndarray]:
    """(p, q): q moves a fraction h in [1e-9, 1e-4] of p's second mass to its first outcome,
    so JS ~ h² (random pairs are rarely this close)."""
    p = draw(probability_vectors(st.integers(2, 6), zeros=False, min_mass=1e-3))
    h = draw(floats(1e-9, 1e-4))
    q = p.copy()
    q[0], q[1] = p[0] + h * p[1], p[1] - h * p[1]
    return p, q


def _check_js_against_50_digits(impl, pq, atol: float) -> None:
    p, q = pq
    assert_close(
        impl.js_divergence(p, q),
        float(_mp_js(p, q)),
        rtol=JS_RTOL,
        atol=atol,
        what="JS against mpmath",
        inputs={"p": p, "q": q},
    )


def _check_kl_is_infinite(impl, theta, y) -> None:
    p, q = _parallel_lines(theta, y)
    inputs = {"theta": theta, "y": y}
    assert_close(impl.kl_divergence(p, q), np.inf, what="KL(P‖Q_θ)", inputs=inputs)
    assert_close(impl.kl_divergence(q, p), np.inf, what="KL(Q_θ‖P)", inputs=inputs)


def _check_js_flat_with_a_jump(impl, theta, other, y) -> None:
    inputs = {"theta": theta, "theta'": other, "y": y}
    assert_close(
        _js(impl, theta, y), LOG2, rtol=JS_RTOL, atol=0.0, what="JS(P, Q_θ)", inputs=inputs
    )
    assert_close(
        _js(impl, theta, y) - _js(impl, other, y),
        0.0,
        rtol=0.0,
        atol=JS_CLAIM_ATOL,
        what="JS(θ) − JS(θ')",
        inputs=inputs,
    )
    assert_close(
        _js(impl, theta, y) - _js(impl, 0.0, y),
        LOG2,
        rtol=JS_RTOL,
        atol=JS_CLAIM_ATOL,
        what="JS(θ) − JS(0)",
        inputs=inputs,
    )


def _check_metric(w1, a, b, c, what: str, inputs: dict) -> None:
    """Symmetry W1(a, b) = W1(b, a) and the triangle inequality W1(a, c) <= W1(a, b) + W1(b, c)."""
    assert_close(
        w1(a, b), w1(b, a), rtol=W1_RTOL, atol=W1_ATOL, what=f"{what}: symmetry", inputs=inputs
    )
    assert_leq(
        w1(a, c),
        w1(a, b) + w1(b, c),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what=f"{what}: triangle inequality",
        inputs=inputs,
    )


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(natural_pairs)
def test_js_is_symmetric(impl, pq):
    """JS(p, q) = JS(q, p)."""
    p, q = pq
    assert_close(
        impl.js_divergence(p, q),
        impl.js_divergence(q, p),
        rtol=JS_RTOL,
        atol=JS_CLAIM_ATOL,
        what="JS(p, q) against JS(q, p)",
        inputs={"p": p, "q": q},
    )


@pytest.mark.claim
@given(natural_pairs)
def test_js_lies_between_pinsker_and_total_variation_bounds(impl, pq):
    """TV²/2 ≤ JS(p, q) ≤ log 2 · TV ≤ log 2, so JS = 0 iff p = q and JS = log 2 iff TV = 1."""
    p, q = pq
    js, tv = impl.js_divergence(p, q), _total_variation(p, q)
    inputs = {"p": p, "q": q, "JS": js, "TV": tv}
    assert_leq(
        tv**2 / 2.0,
        js,
        rtol=JS_RTOL,
        atol=JS_CLAIM_ATOL,
        what="Pinsker: TV²/2 <= JS",
        inputs=inputs,
    )
    assert_leq(
        js, LOG2 * tv, rtol=JS_RTOL, atol=JS_CLAIM_ATOL, what="JS <= log 2 · TV", inputs=inputs
    )


@pytest.mark.claim
@given(probability_vectors().map(_natural))
def test_js_vanishes_when_the_distributions_agree(impl, p):
    """JS(p, p) = 0."""
    assert_close(
        impl.js_divergence(p, p),
        0.0,
        rtol=0.0,
        atol=JS_CLAIM_ATOL,
        what="JS(p, p)",
        inputs={"p": p},
    )


@pytest.mark.claim
@given(disjoint_pairs())
def test_js_is_log2_on_disjoint_supports(impl, pq):
    """If p and q charge disjoint sets of outcomes, JS(p, q) = log 2 (in nats)."""
    # Each atom contributes p_i log 2 / 2 (or q_i log 2 / 2): a sum of <= 8 positive terms,
    # so a few u of relative error and no cancellation; 1e-12 relative covers any order.
    p, q = pq
    assert_close(
        impl.js_divergence(p, q),
        LOG2,
        rtol=JS_RTOL,
        atol=0.0,
        what="JS, disjoint",
        inputs={"p": p, "q": q},
    )


@pytest.mark.claim
@given(natural_pairs)
def test_js_matches_high_precision_evaluation_to_round_off(impl, pq):
    """JS(p, q) agrees with a 50-digit evaluation within the round-off of its terms."""
    _check_js_against_50_digits(impl, pq, JS_CLAIM_ATOL)


@pytest.mark.claim
@given(nonzero_thetas, heights)
def test_kl_is_infinite_both_ways_between_distinct_lines(impl, theta, y):
    """For θ ≠ 0, KL(P‖Q_θ) = KL(Q_θ‖P) = +∞: the supports are disjoint."""
    _check_kl_is_infinite(impl, theta, y)


@pytest.mark.claim
@given(heights)
def test_all_divergences_vanish_when_the_lines_coincide(impl, y):
    """At θ = 0: KL(P‖Q_0) = KL(Q_0‖P) = JS(P, Q_0) = W1(P, Q_0) = 0."""
    p, q = _parallel_lines(0.0, y)
    for name, value in (
        ("KL(P‖Q_0)", impl.kl_divergence(p, q)),
        ("KL(Q_0‖P)", impl.kl_divergence(q, p)),
        ("JS(P, Q_0)", impl.js_divergence(p, q)),
        ("W1(P, Q_0)", _w1(impl, 0.0, y)),
    ):
        assert_close(value, 0.0, rtol=0.0, atol=JS_CLAIM_ATOL, what=name, inputs={"y": y})


@pytest.mark.claim
@given(nonzero_thetas, nonzero_thetas, heights)
def test_js_is_log2_for_every_nonzero_theta_so_flat_off_zero_with_a_jump_at_zero(
    impl, theta, other, y
):
    """JS(θ) = log 2 for all θ ≠ 0: JS(θ) − JS(θ') = 0 and JS(θ) − JS(0) = log 2."""
    _check_js_flat_with_a_jump(impl, theta, other, y)


@pytest.mark.claim
@given(dyadic_thetas, heights)
def test_w1_between_the_lines_is_abs_theta(impl, theta, y):
    """W1(P, Q_θ) = |θ|: shift every atom horizontally."""
    assert_close(
        _w1(impl, theta, y),
        abs(theta),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1(P, Q_θ)",
        inputs={"theta": theta, "y": y},
    )


@pytest.mark.claim
@given(dyadic_thetas, dyadic_thetas, heights)
def test_w1_is_1_lipschitz_in_theta_with_unit_slope_off_zero(impl, theta, other, y):
    """|W1(θ) − W1(θ')| ≤ |θ − θ'|, and the difference quotient is sign(θ) when θθ' > 0."""
    assume(theta != other)
    quotient = (_w1(impl, theta, y) - _w1(impl, other, y)) / (theta - other)
    # W1 values are off by <= W1_ATOL; |θ − θ'| >= 1/64 turns that into <= 1e-9 on the quotient.
    inputs = {"theta": theta, "theta'": other, "y": y, "quotient": quotient}
    assert_leq(abs(quotient), 1.0, atol=1e-9, what="1-Lipschitz in θ", inputs=inputs)
    if theta * other > 0:
        assert_close(
            quotient, np.sign(theta), rtol=0.0, atol=1e-9, what="slope of W1 in θ", inputs=inputs
        )


@pytest.mark.claim
@given(dyadic_thetas, seeds, st.integers(1, 16))
def test_w1_of_independent_samples_is_sandwiched_by_the_height_gap(impl, theta, seed, n):
    """With independent heights y, y': |θ| ≤ W1(P_n, Q_θ,n) ≤ |θ| + W1(y, y')."""
    # Every matched pair is at least |θ| apart horizontally; the sorted matching of the
    # heights costs sqrt(θ² + Δ²) <= |θ| + |Δ| per pair.  Both bounds are exact inequalities.
    rng = np.random.default_rng(seed)
    y, y_other = rng.uniform(size=n), rng.uniform(size=n)
    w1 = impl.wasserstein1(_line(0.0, y), _line(theta, y_other))
    height_gap = float(np.mean(np.abs(np.sort(y) - np.sort(y_other))))
    inputs = {"theta": theta, "y": y, "y'": y_other, "W1": w1}
    assert_leq(abs(theta), w1, rtol=W1_RTOL, atol=W1_ATOL, what="|θ| <= W1", inputs=inputs)
    assert_leq(
        w1,
        abs(theta) + height_gap,
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1 <= |θ| + W1(y, y')",
        inputs=inputs,
    )


@pytest.mark.claim
@given(weighted_samples(), weighted_samples(), weighted_samples(), equal_size_clouds(count=3))
def test_w1_is_symmetric_and_satisfies_the_triangle_inequality(impl, first, second, third, clouds):
    """W1 is symmetric and obeys the triangle inequality, on the line (weighted) and in R^d."""

    def weighted_w1(a, b):
        return impl.wasserstein1_1d(a[0], b[0], a[1], b[1])

    _check_metric(weighted_w1, first, second, third, "W1_1d", {"u": first, "v": second, "w": third})
    _check_metric(impl.wasserstein1, *clouds, "W1", dict(zip("XYZ", clouds, strict=True)))


@pytest.mark.claim
@given(weighted_samples(), weighted_samples(), equal_size_clouds())
def test_w1_is_at_least_the_distance_between_the_means(impl, first, second, clouds):
    """W1 ≥ ‖mean of one − mean of the other‖ on the line (weighted means) and in R^d."""
    (u, a), (v, b), (X, Y) = first, second, clouds
    mean_gap = abs(np.average(u, weights=a) - np.average(v, weights=b))
    assert_leq(
        mean_gap,
        impl.wasserstein1_1d(u, v, a, b),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="|E u − E v| <= W1_1d",
        inputs={"u": u, "v": v, "u_w": a, "v_w": b},
    )
    mean_gap = np.linalg.norm(X.mean(axis=0) - Y.mean(axis=0))
    assert_leq(
        mean_gap,
        impl.wasserstein1(X, Y),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="‖E X − E Y‖ <= W1",
        inputs={"X": X, "Y": Y},
    )


@pytest.mark.claim
@given(weighted_samples(), floats(-100.0, 100.0), equal_size_clouds(count=1), vectors(3))
def test_w1_of_a_translation_is_the_shift_length(impl, sample, shift, clouds, shift_vector):
    """W1(u, u + c) = |c| with any weights, and W1(X, X + c) = ‖c‖: the mean bound is attained."""
    (u, a), (X,) = sample, clouds
    c = shift_vector[: X.shape[1]]
    # u + c is rounded, so each point moves by c up to an ulp of 200: inside W1_ATOL.
    assert_close(
        impl.wasserstein1_1d(u, u + shift, a, a),
        abs(shift),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1_1d(u, u + c)",
        inputs={"u": u, "c": shift},
    )
    assert_close(
        impl.wasserstein1(X, X + c),
        np.linalg.norm(c),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1(X, X + c)",
        inputs={"X": X, "c": c},
    )


@pytest.mark.claim
@given(
    weighted_samples(st.integers(2, 8)),
    st.integers(1, 5).flatmap(lambda n: vectors(n, 0.5, 10.0)),
    vectors(2),
)
def test_w1_exceeds_the_mean_gap_for_a_spread_against_a_point_mass(impl, sample, radii, centre):
    """Against a point mass at its mean, a spread sample has W1 = mean |u − m| > 0 = mean gap."""
    u, a = sample
    u = np.append(u[:-1], u[0] + (1.0 if u[0] < 0 else -1.0))  # ptp(u) >= 1, values in [-100, 100]
    m = np.average(u, weights=a)
    w1 = impl.wasserstein1_1d(u, [m], a)
    inputs = {"u": u, "u_weights": a, "m": m, "W1": w1}
    assert_close(
        w1,
        np.average(np.abs(u - m), weights=a),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1_1d(u, δ_m) against the mean absolute deviation",
        inputs=inputs,
    )
    # The extreme points are >= ptp(u) >= 1 apart and each weighs >= 0.01/8 after
    # normalization, so the mean absolute deviation is >= 1.25e-3: strictly above the gap 0.
    assert_true(w1 > 1e-3, what="strict inequality W1 > |E u − m| = 0", inputs=inputs)
    # In R^2: the points centre ± r_i e_1 have mean centre, and every matching to the
    # point mass costs mean(r) > 0 = ‖E X − centre‖.
    offsets = np.column_stack([radii, np.zeros_like(radii)])
    X = np.vstack([centre + offsets, centre - offsets])
    Y = np.tile(centre, (len(X), 1))
    assert_close(
        impl.wasserstein1(X, Y),
        float(np.mean(radii)),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1(spread, δ_centre)",
        inputs={"X": X},
    )


@pytest.mark.claim
@given(
    st.integers(1, 8).flatmap(
        lambda n: st.tuples(vectors(n, -100.0, 100.0), vectors(n, -100.0, 100.0))
    )
)
def test_w1_on_the_line_agrees_with_the_sorted_matching(impl, uv):
    """For equal sizes, W1_1d(u, v) = W1 of the clouds u, v in R^1 = mean |sort u − sort v|."""
    u, v = uv
    sorted_gap = float(np.mean(np.abs(np.sort(u) - np.sort(v))))
    inputs = {"u": u, "v": v}
    assert_close(
        impl.wasserstein1_1d(u, v),
        sorted_gap,
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1_1d against the sorted matching",
        inputs=inputs,
    )
    assert_close(
        impl.wasserstein1(u[:, None], v[:, None]),
        impl.wasserstein1_1d(u, v),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1 in R^1 against W1_1d",
        inputs=inputs,
    )


@pytest.mark.claim
@given(weighted_samples(), weighted_samples())
def test_w1_1d_matches_scipy_with_weights(impl, first, second):
    """W1_1d with unnormalized weights agrees with scipy.stats.wasserstein_distance."""
    (u, a), (v, b) = first, second
    assert_close(
        impl.wasserstein1_1d(u, v, a, b),
        scipy_stats.wasserstein_distance(u, v, a, b),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1_1d against scipy",
        inputs={"u": u, "v": v, "u_weights": a, "v_weights": b},
    )
    # A point of weight 0 is allowed and does not count, however far away it lies.
    assert_close(
        impl.wasserstein1_1d(np.append(u, 1e3), v, np.append(a, 0.0), b),
        scipy_stats.wasserstein_distance(u, v, a, b),
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1_1d with an extra point of weight 0 against scipy without it",
        inputs={"u": u, "v": v, "u_weights": a, "v_weights": b},
    )


@pytest.mark.claim
@given(equal_size_clouds())
def test_w1_is_the_cheapest_matching(impl, clouds):
    """W1(X, Y) = min over all n! matchings of the mean Euclidean cost (brute force, n ≤ 5)."""
    X, Y = clouds
    cost = np.linalg.norm(X[:, None, :] - Y[None, :, :], axis=-1)
    rows = np.arange(len(X))
    cheapest = min(cost[rows, list(perm)].mean() for perm in itertools.permutations(rows))
    assert_close(
        impl.wasserstein1(X, Y),
        cheapest,
        rtol=W1_RTOL,
        atol=W1_ATOL,
        what="W1 against brute force",
        inputs={"X": X, "Y": Y},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(st.one_of(distribution_pairs(), nearby_pairs()))
# Nearly equal p and q: JS ~ 1e-33, and a JS computed by cancellation comes out negative
# (scipy's jensenshannon then returns the square root of it, NaN).
@example(
    (
        np.array([0.0005496441474259716, 0.9685065252507885, 0.03094383060178552]),
        np.array([0.0005496441474260714, 0.9685065252507883, 0.030943830601785512]),
    )
)
def test_js_matches_50_digit_evaluation(impl, pq):
    """JS(p, q) agrees with a 50-digit evaluation, nearly equal pairs and 1e-300 masses included."""
    _check_js_against_50_digits(impl, pq, JS_ATOL)


@pytest.mark.numerics
@given(
    st.integers(1, 7).flatmap(
        lambda k: st.tuples(
            probability_vectors(k),
            st.lists(st.floats(200.0, 300.0), min_size=k + 1, max_size=k + 1),
        )
    )
)
def test_js_resolves_tiny_masses_the_other_side_misses(impl, p_and_exponents):
    """Adding masses τ_i ≤ 1e-200 where p is 0 gives JS = (log 2 / 2) Σ τ_i, to 12 digits."""
    # Shared outcomes contribute exactly 0 and each one-sided mass τ contributes τ log(2)/2,
    # so there is no cancellation to excuse: no absolute floor.  Smoothing by an epsilon, or
    # JS = H(m) - (H(p) + H(q))/2 (which cancels to ~1e-16), cannot resolve these values.
    p, exponents = p_and_exponents
    p = np.append(p, 0.0)  # at least one outcome that p misses
    tiny = np.where(p == 0.0, 10.0 ** -np.array(exponents), 0.0)
    q = p + tiny
    assert_close(
        impl.js_divergence(p, q),
        LOG2 / 2.0 * tiny.sum(),
        rtol=JS_RTOL,
        atol=0.0,
        what="JS of one-sided tiny masses",
        inputs={"p": p, "q": q},
    )


@pytest.mark.numerics
@given(extreme_thetas, heights)
def test_kl_is_infinite_between_lines_at_extreme_offsets(impl, theta, y):
    """KL(P‖Q_θ) = KL(Q_θ‖P) = +∞ also for θ = ±5e-324 or ±1e300, without warnings."""
    _check_kl_is_infinite(impl, theta, y)


@pytest.mark.numerics
@given(extreme_thetas, st.one_of(nonzero_thetas, extreme_thetas), heights)
def test_js_is_log2_at_extreme_offsets(impl, theta, other, y):
    """JS(θ) = log 2 however small or large θ ≠ 0 is (5e-324, 1e300), without warnings."""
    _check_js_flat_with_a_jump(impl, theta, other, y)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@settings(max_examples=10)  # a structural property: a handful of batches shows it
@given(
    st.integers(1, 5).flatmap(
        lambda b: st.lists(distribution_pairs(st.just(4)), min_size=b, max_size=b)
    )
)
def test_js_works_rowwise_on_batches(impl, pairs):
    """On (n, K) batches JS is computed row by row over the last axis."""
    p = np.stack([a for a, _ in pairs])
    q = np.stack([b for _, b in pairs])
    rows = [impl.js_divergence(a, b) for a, b in pairs]
    assert_close(impl.js_divergence(p, q), rows, what="JS on a batch", inputs={"p": p, "q": q})


@pytest.mark.contract
@given(disjoint_pairs())
def test_js_stays_at_most_log2_for_masses_summing_to_1_within_tolerance(impl, pq):
    """Masses may sum to 1 within the validation tolerance (5e-10 off); JS still stays ≤ log 2."""
    p, q = pq
    assert_close(
        impl.js_divergence(p * (1.0 + 5e-10), q),
        LOG2,
        rtol=JS_RTOL,
        atol=0.0,
        what="JS, disjoint, p summing to 1 + 5e-10",
        inputs={"p": p, "q": q},
    )


@pytest.mark.contract
@settings(max_examples=10)  # types do not depend on the values
@given(natural_pairs, weighted_samples(), weighted_samples(), equal_size_clouds())
def test_divergences_return_floats(impl, pq, first, second, clouds):
    """JS of two vectors, W1_1d and W1 are floats (the contract tier checks the types)."""
    (p, q), (u, a), (v, b) = pq, first, second
    impl.js_divergence(p, q)
    impl.kl_divergence(p, q)
    impl.wasserstein1_1d(u, v)
    impl.wasserstein1_1d(u, v, a, b)
    impl.wasserstein1(*clouds)


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few inputs show it
@given(distribution_pairs(st.integers(2, 6)), st.floats(1.01, 3.0))
def test_js_rejects_invalid_distributions(impl, pq, factor):
    """Non-normalized, negative, NaN or mismatched inputs raise ValueError naming the argument."""
    p, q = pq
    negative = p.copy()
    negative[0] = -0.5
    bad_inputs = (
        (p * factor, f"it sums to {factor:g}"),
        (negative, "it has a negative mass"),
        (np.full_like(p, np.nan), "it is NaN"),
    )
    for bad, because in bad_inputs:
        assert_rejects(impl.js_divergence, bad, q, argument="p", because=f"p: {because}")
        assert_rejects(impl.js_divergence, p, bad, argument="q", because=f"q: {because}")
    assert_rejects(
        impl.js_divergence, p, np.append(q, 0.0), argument="q", because="q is longer than p"
    )


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few inputs show it
@given(weighted_samples(), weighted_samples(), equal_size_clouds())
def test_w1_rejects_invalid_samples_weights_and_clouds(impl, first, second, clouds):
    """Empty or NaN samples, negative, all-zero or mis-sized weights, mismatched clouds raise."""
    (u, a), (v, b), (X, Y) = first, second, clouds
    assert_rejects(impl.wasserstein1_1d, [], v, argument="u", because="u is empty")
    assert_rejects(
        impl.wasserstein1_1d, u, np.append(v, np.nan), argument="v", because="v has a NaN"
    )
    assert_rejects(
        impl.wasserstein1_1d, u, v, -a, b, argument="u_weights", because="u_weights are negative"
    )
    assert_rejects(
        impl.wasserstein1_1d,
        u,
        v,
        np.zeros_like(a),
        b,
        argument="u_weights",
        because="u_weights are all 0",
    )
    assert_rejects(
        impl.wasserstein1_1d,
        u,
        v,
        a,
        np.append(b, 1.0),
        argument="v_weights",
        because="v_weights has 1 too many",
    )
    names = ("u", "v", "u_weights", "v_weights")
    assert_rejects_bad_arrays(impl.wasserstein1_1d, u, v, a, b, names=names)
    one_negative = np.append(a, -1e-3 * a.sum())  # the sum stays positive
    assert_rejects(
        impl.wasserstein1_1d,
        np.append(u, 0.0),
        v,
        one_negative,
        argument="u_weights",
        because="one weight is negative, the sum positive",
    )
    assert_rejects_bad_arrays(impl.wasserstein1, X, Y, names=("X", "Y"))
    empty = np.zeros((0, 2))
    assert_rejects(impl.wasserstein1, empty, empty, argument="X", because="X has no points (n = 0)")
    assert_rejects(
        impl.wasserstein1_1d, u[None], v, argument="u", because="u is 2-D, without weights"
    )
    assert_rejects(impl.wasserstein1, X[None], Y[None], argument="X", because="X and Y are 3-D")
    assert_rejects(
        impl.wasserstein1, X, np.vstack([Y, Y[:1]]), argument="Y", because="Y has one point more"
    )
    assert_rejects(
        impl.wasserstein1,
        X,
        np.hstack([Y, Y[:, :1]]),
        argument="Y",
        because="Y has one more column",
    )
    with_nan = X.copy()
    with_nan[0, 0] = np.nan
    assert_rejects(impl.wasserstein1, with_nan, Y, argument="X", because="X has a NaN")
