r"""Exercise 10.29 — η = σΦ⁻¹((g − l)/(u − l)) is 1-Lipschitz, which bounds g on a ball.

Statement
    Let f: R^d → [l, u] be bounded (and measurable) and g(x) = E f(x + ε) its
    Gaussian smoothing, ε ~ N(0, σ²I).  Then η(x) = σΦ⁻¹((g(x) − l)/(u − l)) is
    1-Lipschitz, and therefore, for every shift δ,
        l + (u − l)Φ((η(x) − ‖δ‖)/σ) <= g(x + δ) <= l + (u − l)Φ((η(x) + ‖δ‖)/σ).   (9)

    .. math::

       \eta(x) = \sigma \Phi^{-1}\Bigl(\frac{g(x) - l}{u - l}\Bigr), \qquad
       |\eta(x) - \eta(y)| \le \|x - y\|_2

       l + (u - l)\, \Phi\Bigl(\frac{\eta(x) - \|\delta\|}{\sigma}\Bigr) \le g(x + \delta)
       \le l + (u - l)\, \Phi\Bigl(\frac{\eta(x) + \|\delta\|}{\sigma}\Bigr)

Assumptions
    l < u and σ > 0.  If f = l almost everywhere then g ≡ l and η ≡ −∞ (likewise
    +∞ for f = u); otherwise l < g < u everywhere, because the Gaussian charges
    every set of positive measure.  With Φ(−∞) = 0 and Φ(∞) = 1, (9) holds in
    both cases.  Φ is the standard normal CDF.

Natural range
    Ranges [l, u] = [0, 1], [−1, 0], or l in [−100, 100] with u − l in
    [1e-3, 1e3]; σ in [1e-3, 1e3]; d <= 3, points within 8σ of where the
    families change, steps from 1e-4σ to 3σ, radii ‖δ‖ up to 100σ.  Where η or
    (9) is compared with its formula, g lies at least 1e-9(u − l) from either
    end (or at the midpoint).  The numerics tier takes g to within 1e-300(u − l)
    of l and of u, where η must keep its relative accuracy in both tails.

Argument
    Rescale: h = (f − l)/(u − l) takes values in [0, 1] and p = (g − l)/(u − l) is
    its smoothing, so it suffices to show that σΦ⁻¹(p) is 1-Lipschitz.  Write
    φ_σ for the N(0, σ²I) density.  Differentiating under the integral,
        ∇p(x) = ∫ h(z) ∇_x φ_σ(z − x) dz = E[h(x + ε) ε] / σ².
    Fix a unit vector v and put s = vᵀε ~ N(0, σ²).  Among functions 0 <= h <= 1
    with E h(x + ε) = p(x), E[h(x + ε) s] is largest when h puts its mass where s
    is largest: h = 1[s > t] with P(s > t) = p, i.e. t = −σΦ⁻¹(p) (a "bathtub"
    or Neyman–Pearson argument: moving mass from smaller to larger s only
    increases the integral).  Then E[s 1[s > t]] = σφ(t/σ) = σφ(Φ⁻¹(p)), so
        |vᵀ∇p(x)| <= φ(Φ⁻¹(p(x))) / σ,
    the lower bound coming the same way from h = 1[s < −t].  As
    (Φ⁻¹)'(p) = 1/φ(Φ⁻¹(p)), the chain rule gives |vᵀ∇(σΦ⁻¹(p))| <= 1 for every
    v: η is 1-Lipschitz.  (p is smooth and strictly inside (0, 1), so the mean
    value theorem applies along segments.)  Hence η(x + δ) lies in
    [η(x) − ‖δ‖, η(x) + ‖δ‖], and applying the increasing map
    η ↦ l + (u − l)Φ(η/σ) gives (9).

    Equality: for the half-space f = l + (u − l)1[wᵀz + b > 0],
    g(x) = l + (u − l)Φ((wᵀx + b)/(σ‖w‖)) and η(x) = (wᵀx + b)/‖w‖, the signed
    distance to the hyperplane: η changes at rate exactly 1 along w, and the
    bounds (9) are attained at δ = ±‖δ‖w/‖w‖.  No smaller constant than 1 and no
    narrower bounds hold for every f.

    The properties feed the implementation the values g(x) of functions whose
    smoothing has a closed form (derived in spec/lecture10/_lipschitz_support.py):
    half-spaces (Φ of the signed distance), axis-aligned boxes (products of
    differences of Φ, the coordinates of ε being independent) and
    f = l + (u − l)(1 + cos(aᵀz + c))/2, whose smoothing replaces cos(aᵀx + c) by
    cos(aᵀx + c)·e^{−σ²‖a‖²/2} (the characteristic function of aᵀε).  Pairs of
    points are random, or one step along ∇g, where η changes fastest.

Numerics
    The closed forms carry a rounding error e bounded per point (checked against
    50-digit evaluations when the spec was written).  Since η and the bounds (9)
    are increasing in g, evaluating them in float64 at g ± e brackets what any
    correct implementation may return; twice that spread is the slack of each
    comparison.  Where g ± e leaves [l, u] (g within rounding of l or u) η is not
    determined by the float input and that point is not compared.  The formulas
    themselves are checked against 50-digit evaluations (mpmath) from the exact
    float inputs.  The claims allow a backward error: g, l and u each moved by
    4u of their size (u = 2⁻⁵³), which moves (g − l)/(u − l) by up to
    4u(|g| + |l| + |u|)/(u − l), pushed through η and (9) by evaluating them at
    g ± that error; this is what forming (g − l)/(u − l) directly can lose near
    g = u.  The numerics tier asks for the accuracy the nearer-end formulas
    reach: relative accuracy of min(p, 1 − p), so η is accurate in both tails,
    for g within 1e-300·(u − l) of l or of u.  No property is statistical.

Errata
    The notes print Φ(x) = (1/(2π)) ∫ e^{−t²/2} dt; the constant is 1/√(2π).
    The noise is N(0, σ²I) (the notes write N(0, σ²)).  η = ±∞ when g = l or u,
    see Assumptions.

References
    H. Salman, G. Yang, J. Li, P. Zhang, H. Zhang, I. Razenshteyn and S. Bubeck,
    Provably robust deep learning via adversarially trained smoothed classifiers,
    NeurIPS 2019 (Lemma 2: Φ⁻¹ of a smoothed [0, 1]-valued function is 1/σ-Lipschitz).
    A. Levine, S. Singla and S. Feizi, Certifiably robust interpretation in deep
    learning, arXiv:1905.12105, 2019 (Cohen et al.'s bound extended from
    classifiers to smoothed functions with values in [0, 1], the form of (9)).
    P. Chiang, M. Curry, A. Abdelkader, A. Kumar, J. Dickerson and T. Goldstein,
    Detection as regression: certified object detection with median smoothing,
    NeurIPS 2020 (the bounds (9) for functions with values in [l, u]).
    J. Cohen, E. Rosenfeld and J. Z. Kolter, Certified adversarial robustness via
    randomized smoothing, ICML 2019.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.lecture10._lipschitz_support import (
    UNIT_ROUNDOFF,
    Case,
    ExactScore,
    Levels,
    assert_close_within,
    bounds_slack,
    cases,
    eta_slack,
    levels,
    sigmas,
)
from spec.strategies import log_uniform

#: Where g sits in [l, u]: (from the upper end?, distance to that end as a fraction of u − l).
#: Distances below 1e-16 survive the rounding of g only next to l = 0 or u = 0.
positions = st.tuples(
    st.booleans(),
    st.one_of(st.sampled_from([0.0, 0.5]), log_uniform(1e-16, 0.5), log_uniform(1e-300, 1e-16)),
)
#: The claims' positions: at least 1e-9(u − l) from the nearer end, or the midpoint.
natural_positions = st.tuples(st.booleans(), st.one_of(st.just(0.5), log_uniform(1e-9, 0.5)))


def backward_error(g: np.ndarray, lv: Levels) -> np.ndarray:
    """4u(|g| + |l| + |u|): how far g may move when g, l, u are each perturbed by 4u relative."""
    return 4 * UNIT_ROUNDOFF * (np.abs(g) + abs(lv.lower) + abs(lv.upper))


def values_at(lv: Levels, where: list[tuple[bool, float]]) -> np.ndarray:
    """g values at the given positions, rounded into [l, u]."""
    width = lv.upper - lv.lower
    g = [lv.upper - width * t if top else lv.lower + width * t for top, t in where]
    return np.clip(np.array(g), lv.lower, lv.upper)


def _check_eta(impl, lv, sigma, g, backward):
    """η against 50 digits, elementwise and for one value; with ``backward``, g may move by
    its backward error."""
    scores = [ExactScore.of(v, lv.lower, lv.upper) for v in g]
    expected = np.array([float(sigma * s.z) for s in scores])
    tolerance = np.array([sigma * s.quantile_error() for s in scores])
    if backward:
        tolerance = tolerance + eta_slack(g, backward_error(g, lv), lv.lower, lv.upper, sigma)
    inputs = {"g_x": g, "lower": lv.lower, "upper": lv.upper, "sigma": sigma}
    actual = impl.smoothing_eta(g, lv.lower, lv.upper, sigma)
    assert_close_within(actual, expected, tolerance, what="η", inputs=inputs)
    single = impl.smoothing_eta(float(g[0]), lv.lower, lv.upper, sigma)
    assert_close(single, expected[0], rtol=0, atol=tolerance[0], what="η of one value")


def _check_value_bounds(impl, lv, sigma, g, radius_in_sigmas, backward):
    """(9) against 50 digits; with ``backward``, g may move by its backward error."""
    delta_norm = radius_in_sigmas * sigma
    lo, hi = impl.smoothed_value_bounds(g, delta_norm, lv.lower, lv.upper, sigma)
    extra = (0.0, 0.0)
    if backward:
        extra = bounds_slack(g, backward_error(g, lv), delta_norm, lv.lower, lv.upper, sigma)
    width = mpmath.mpf(lv.upper) - mpmath.mpf(lv.lower)
    shift = mpmath.mpf(delta_norm) / sigma
    for bound, sign, name, more in ((lo, -1, "lo", extra[0]), (hi, 1, "hi", extra[1])):
        expected, tolerance = [], []
        for v in g:
            score = ExactScore.of(v, lv.lower, lv.upper)
            t = score.z + sign * shift if mpmath.isfinite(score.z) else score.z
            expected.append(float(lv.lower + width * mpmath.ncdf(t)))
            # Φ turns an error in t into φ(t)·error; ndtr's own error is relative to the
            # smaller tail, growing like 1.5e-16·t²; then l + (u − l)·Φ is rounded.
            t_error = score.quantile_error() + 2 * UNIT_ROUNDOFF * (shift + abs(t))
            tail = min(mpmath.ncdf(t), mpmath.ncdf(-t)) if mpmath.isfinite(t) else 0
            spread = mpmath.npdf(t) * 2 * t_error + 1e-15 * (1 + t**2) * tail if tail else 0
            rounding = 8 * UNIT_ROUNDOFF * (abs(lv.lower) + abs(lv.upper))
            tolerance.append(float(width * spread) + rounding)
        assert_close_within(
            bound,
            np.array(expected),
            np.array(tolerance) + more,
            what=f"{name} of (9)",
            inputs={"g_x": g, "delta_norm": delta_norm, "lower": lv.lower, "upper": lv.upper},
        )


radii_in_sigmas = st.one_of(st.just(0.0), log_uniform(1e-4, 1e2))


def steps_in_the_ball(case: Case, x: np.ndarray, radius: float) -> np.ndarray:
    """Shifts δ with ‖δ‖ <= radius: inside the ball, on its sphere, and ±radius along ∇g."""
    n, d = x.shape
    directions = case.rng.standard_normal((2 * n, d))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    lengths = radius * np.concatenate([case.rng.uniform(size=n) ** (1 / d), np.ones(n)])
    up = case.steepest(x)
    return np.concatenate([lengths[:, None] * directions, radius * up, -radius * up])


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(levels, sigmas, st.lists(natural_positions, min_size=1, max_size=6))
def test_eta_is_sigma_times_normal_quantile_of_rescaled_value(impl, lv, sigma, where):
    """smoothing_eta = σΦ⁻¹((g − l)/(u − l)) against 50 digits, up to the rounding of g, l, u."""
    _check_eta(impl, lv, sigma, values_at(lv, where), backward=True)


@pytest.mark.claim
@given(cases(kinds=("halfspace",)))
def test_eta_of_a_smoothed_half_space_is_its_signed_distance(impl, case):
    """For f = l + (u − l)1[wᵀz + b > 0], η(x) = (wᵀx + b)/‖w‖: slope exactly 1 along w."""
    lv, half_space = case.levels, case.family
    x = case.points(16)
    g, error = case.value(x)
    slack = eta_slack(g, error, lv.lower, lv.upper, case.sigma)
    decided = np.isfinite(slack)
    eta = impl.smoothing_eta(g, lv.lower, lv.upper, case.sigma)
    distance = case.sigma * half_space.score(x)
    assert_close_within(
        eta[decided],
        distance[decided],
        slack[decided],
        what="η against the signed distance to the hyperplane",
        inputs={"w": half_space.w, "b": half_space.b, "sigma": case.sigma, "x": x[decided]},
    )


@pytest.mark.claim
@given(cases())
def test_eta_is_one_lipschitz_for_smoothed_bounded_functions(impl, case):
    """|η(x) − η(y)| <= ‖x − y‖ for smoothed half-spaces, boxes and cosines, along ∇g too."""
    lv = case.levels
    x, y = case.pairs(32)
    (g_x, e_x), (g_y, e_y) = case.value(x), case.value(y)
    slack = eta_slack(g_x, e_x, lv.lower, lv.upper, case.sigma)
    slack = slack + eta_slack(g_y, e_y, lv.lower, lv.upper, case.sigma)
    decided = np.isfinite(slack)
    eta_x = impl.smoothing_eta(g_x, lv.lower, lv.upper, case.sigma)[decided]
    eta_y = impl.smoothing_eta(g_y, lv.lower, lv.upper, case.sigma)[decided]
    x, y = x[decided], y[decided]
    distance = np.linalg.norm(x - y, axis=1)
    rounding = 4 * UNIT_ROUNDOFF * (np.linalg.norm(x, axis=1) + np.linalg.norm(y, axis=1))
    assert_leq(
        np.abs(eta_x - eta_y),
        distance + rounding + slack[decided],
        what="|η(x) − η(y)| <= ‖x − y‖",
        inputs={"family": case.family, "levels": lv, "x": x, "y": y},
    )


@pytest.mark.claim
@given(levels, sigmas, st.lists(natural_positions, min_size=1, max_size=6), radii_in_sigmas)
def test_value_bounds_match_their_definition(impl, lv, sigma, where, radius_in_sigmas):
    """smoothed_value_bounds = l + (u − l)Φ((η ∓ ‖δ‖)/σ), up to the rounding of g, l, u."""
    _check_value_bounds(impl, lv, sigma, values_at(lv, where), radius_in_sigmas, backward=True)


@pytest.mark.claim
@given(cases(), log_uniform(1e-3, 3.0))
def test_value_bounds_contain_the_smoothed_value_on_the_ball(impl, case, radius_in_sigmas):
    """lo <= g(x + δ) <= hi for every ‖δ‖ <= delta_norm, steps along ±∇g included."""
    lv, radius = case.levels, radius_in_sigmas * case.sigma
    x = case.points(8)
    delta = steps_in_the_ball(case, x, radius)
    x = np.tile(x, (4, 1))
    g_x, e_x = case.value(x)
    g_y, e_y = case.value(x + delta)
    lo, hi = impl.smoothed_value_bounds(g_x, radius, lv.lower, lv.upper, case.sigma)
    lo_slack, hi_slack = bounds_slack(g_x, e_x, radius, lv.lower, lv.upper, case.sigma)
    extra = e_y + case.shift_rounding(x, x + delta)
    inputs = {"family": case.family, "levels": lv, "delta_norm": radius, "x": x, "delta": delta}
    assert_leq(lo, g_y + lo_slack + extra, what="lo <= g(x + δ)", inputs=inputs)
    assert_leq(g_y, hi + hi_slack + extra, what="g(x + δ) <= hi", inputs=inputs)


@pytest.mark.claim
@given(cases(kinds=("halfspace",)), log_uniform(1e-3, 3.0))
def test_value_bounds_are_attained_by_a_smoothed_half_space(impl, case, radius_in_sigmas):
    """For a half-space, g(x + ‖δ‖ŵ) = hi and g(x − ‖δ‖ŵ) = lo: (9) cannot be narrowed."""
    lv, radius = case.levels, radius_in_sigmas * case.sigma
    x = case.points(16)
    normal = case.family.w / np.linalg.norm(case.family.w)
    g_x, e_x = case.value(x)
    lo, hi = impl.smoothed_value_bounds(g_x, radius, lv.lower, lv.upper, case.sigma)
    lo_slack, hi_slack = bounds_slack(g_x, e_x, radius, lv.lower, lv.upper, case.sigma)
    for bound, slack, end in (
        (lo, lo_slack, x - radius * normal),
        (hi, hi_slack, x + radius * normal),
    ):
        g_end, e_end = case.value(end)
        assert_close_within(
            bound,
            g_end,
            slack + e_end + case.shift_rounding(x, end),
            what="the bound of (9) against g at the end of the step along ±w",
            inputs={"w": case.family.w, "b": case.family.b, "levels": lv, "x": x},
        )


@pytest.mark.claim
@given(
    levels,
    sigmas,
    st.lists(natural_positions, min_size=1, max_size=6),
    st.lists(log_uniform(1e-4, 1e2), min_size=1, max_size=5),
)
def test_value_bounds_bracket_g_and_widen_with_the_radius(impl, lv, sigma, where, radii):
    """lo <= g_x <= hi, lo falls and hi rises with ‖δ‖, and (lo, hi) → (l, u) as ‖δ‖ → ∞."""
    g = values_at(lv, where)[:, None]
    delta_norm = sigma * np.array([0.0, *sorted(radii), 1e300])
    lo, hi = impl.smoothed_value_bounds(g, delta_norm, lv.lower, lv.upper, sigma)
    assert_true(
        lo.shape == hi.shape == (len(g), len(delta_norm)), what="g_x and delta_norm broadcast"
    )
    rounding = 8 * UNIT_ROUNDOFF * (abs(lv.lower) + abs(lv.upper))
    inputs = {"g_x": g, "delta_norm": delta_norm, "lower": lv.lower, "upper": lv.upper}
    # At ‖δ‖ = 0 both bounds are Φ(Φ⁻¹(p)) rescaled: g up to the quantile's rounding.
    z_error = np.array([ExactScore.of(v, lv.lower, lv.upper).quantile_error() for v in g[:, 0]])
    at_zero = rounding + (lv.upper - lv.lower) * 2 * z_error / np.sqrt(2 * np.pi)
    assert_leq(lo[:, 0], g[:, 0] + at_zero, what="lo <= g_x", inputs=inputs)
    assert_leq(g[:, 0], hi[:, 0] + at_zero, what="g_x <= hi", inputs=inputs)
    assert_leq(lo[:, 1:], lo[:, :-1] + rounding, what="lo falls with the radius", inputs=inputs)
    assert_leq(hi[:, :-1], hi[:, 1:] + rounding, what="hi rises with the radius", inputs=inputs)
    inside = (g[:, 0] > lv.lower) & (g[:, 0] < lv.upper)
    assert_close(
        lo[inside, -1], np.full(inside.sum(), lv.lower), rtol=0, atol=rounding, what="lo → l"
    )
    assert_close(
        hi[inside, -1], np.full(inside.sum(), lv.upper), rtol=0, atol=rounding, what="hi → u"
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(levels, sigmas, st.lists(positions, min_size=1, max_size=6))
def test_eta_keeps_its_accuracy_in_both_tails(impl, lv, sigma, where):
    """η to 50-digit accuracy from the exact float input, g within 1e-300(u − l) of l or u."""
    _check_eta(impl, lv, sigma, values_at(lv, where), backward=False)


@pytest.mark.numerics
@given(levels, sigmas, st.lists(positions, min_size=1, max_size=6), radii_in_sigmas)
def test_value_bounds_keep_their_accuracy_in_both_tails(impl, lv, sigma, where, radius_in_sigmas):
    """(9) to 50-digit accuracy from the exact float input, g within 1e-300(u − l) of l or u."""
    _check_value_bounds(impl, lv, sigma, values_at(lv, where), radius_in_sigmas, backward=False)


@pytest.mark.numerics
@given(levels, st.floats(0.01, 0.99))
def test_value_bounds_at_an_overflowing_radius_are_the_range_without_warnings(impl, lv, p):
    """At ‖δ‖/σ = inf, (lo, hi) is (l, u) inside and (g_x, g_x) at the ends, with no warning."""
    lower, upper = lv.lower, lv.upper
    ulps = 4 * UNIT_ROUNDOFF * max(abs(lower), abs(upper))  # lower + (upper − lower) rounds
    inside = lower + (upper - lower) * p  # u − l >= 1e-3 and |l| <= 100: strictly inside
    for g_x, expected in (
        (inside, (lower, upper)),
        (lower, (lower, lower)),
        (upper, (upper, upper)),
    ):
        bounds = impl.smoothed_value_bounds(g_x, 1e308, lower, upper, 1e-3)
        assert_close(
            np.array(bounds, dtype=np.float64),
            np.array(expected),
            rtol=0.0,
            atol=ulps,
            what=f"(lo, hi) at g_x = {g_x} and ‖δ‖/σ = inf",
            inputs={"lower": lower, "upper": upper},
        )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(levels, sigmas)
def test_value_bounds_at_the_ends_of_the_range_do_not_move(impl, lv, sigma):
    """η = ∓inf, (lo, hi) = (l, l) at g_x = l and (u, u) at g_x = u, for ‖δ‖ = 0 and σ."""
    lower, upper = lv.lower, lv.upper
    ends = impl.smoothing_eta(np.array([lower, upper]), lower, upper, sigma)
    assert_close(ends, np.array([-np.inf, np.inf]), rtol=0, atol=0, what="η at g_x = l, u")
    middle = impl.smoothing_eta(0.5 * (lower + upper), lower, upper, sigma)
    assert_true(isinstance(middle, float), what=f"η of one value is a float, got {middle!r}")
    ulps = 4 * UNIT_ROUNDOFF * max(abs(lower), abs(upper))  # lower + (upper − lower) rounds
    for end in (lower, upper):
        for radius, scale in ((0.0, sigma), (sigma, sigma)):
            bounds = impl.smoothed_value_bounds(end, radius, lower, upper, scale)
            assert_close(
                np.array(bounds, dtype=np.float64),
                np.array([end, end]),
                rtol=0.0,
                atol=ulps,
                what=f"(lo, hi) at g_x = {end}",
                inputs={"lower": lower, "upper": upper, "radius": radius, "sigma": scale},
            )


@pytest.mark.contract
@given(levels, sigmas, st.floats(0.01, 0.99))
def test_rejects_values_outside_the_range_and_invalid_parameters(impl, lv, sigma, p):
    """g_x outside [l, u], u <= l, u − l = inf, σ <= 0, NaN or a radius < 0 raise naming it."""
    lower, upper = lv.lower, lv.upper
    g = lower + (upper - lower) * p
    width = upper - lower
    for name, args, because in (
        ("g_x", (upper + width, lower, upper, sigma), "g_x > u"),
        ("g_x", (np.array([g, lower - width]), lower, upper, sigma), "an entry of g_x < l"),
        ("g_x", (np.nan, lower, upper, sigma), "g_x is NaN"),
        ("upper", (lower, lower, lower, sigma), "u = l"),
        ("lower", (g, np.nan, upper, sigma), "l is NaN"),
        ("upper", (g, lower, np.nan, sigma), "u is NaN"),
        ("upper", (0.0, -1e308, 1e308, sigma), "u − l overflows to inf"),
        ("sigma", (g, lower, upper, 0.0), "σ = 0"),
        ("sigma", (g, lower, upper, -sigma), "σ < 0"),
    ):
        g_x, *rest = args
        assert_rejects(impl.smoothing_eta, g_x, *rest, argument=name, because=because)
        assert_rejects(
            impl.smoothed_value_bounds, g_x, sigma, *rest, argument=name, because=because
        )
    for bad, because in ((-sigma, "‖δ‖ < 0"), (np.nan, "‖δ‖ is NaN")):
        assert_rejects(
            impl.smoothed_value_bounds,
            g,
            bad,
            lower,
            upper,
            sigma,
            argument="delta_norm",
            because=because,
        )
