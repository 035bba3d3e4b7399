r"""Exercise 9.26 — the certified radius of a smoothed linear classifier is its hyperplane distance.

Statement
    Smooth f(x) = sign(wᵀx + b) with Gaussian noise of scale σ.  Feed Cohen et
    al.'s certified radius R = (σ/2)(Φ⁻¹(p_A) − Φ⁻¹(p_B)) the exact probabilities
    of the two classes at x.  Then R = |wᵀx + b| / ‖w‖, the Euclidean distance
    from x to the hyperplane, for every σ > 0: the certificate is exact.

    .. math::

       p_A = \Phi(|t|), \quad p_B = \Phi(-|t|), \qquad t = \frac{w^\top x + b}{\sigma \|w\|}

       R = \frac{\sigma}{2} \bigl(\Phi^{-1}(p_A) - \Phi^{-1}(p_B)\bigr) = \sigma |t|
       = \frac{|w^\top x + b|}{\|w\|}

Assumptions
    w ≠ 0, σ > 0, x off the hyperplane.  p_A is the probability of the class
    f(x), p_B = 1 − p_A that of the other one (two classes).

Natural range
    Probabilities p in [1e-300, 1) (both tails, without the ends 0 and 1 and
    subnormals); σ in [1e-3, 1e3]; for the distance, d <= 4, coordinates in
    [−10, 10] and t = margin/(σ‖w‖) in [1e-3, 6].  The numerics tier adds the
    ends (Φ⁻¹(0) = −inf, Φ⁻¹(1) = inf, R = inf) and subnormal p such as 5e-324,
    with relative accuracy of Φ⁻¹ demanded near p = 1 too.

Argument
    With t = (wᵀx + b)/(σ‖w‖) the smoothed probability of the label +1 is Φ(t)
    (Exercise 9.25), so p_A = Φ(|t|) and p_B = Φ(−|t|).  Then
        R = (σ/2)(|t| − (−|t|)) = σ|t| = |wᵀx + b| / ‖w‖,
    in which σ cancels.  Nothing larger can be certified: moving x by
    R(1 + δ) along the normal toward the hyperplane crosses it, and g = f
    (Exercise 9.25) flips there, while a move by R(1 − δ) keeps g.  In general
    R vanishes at a tie p_A = p_B and grows with p_A (shrinks with p_B),
    because Φ⁻¹ is increasing.

Numerics
    Φ⁻¹ must be accurate in both tails: Φ⁻¹(1e-300) ≈ −37.047 (erfinv(2p − 1)
    returns −inf there, since 2p − 1 rounds to −1).  Near p = 1 only 1 − p is
    informative, and float64 keeps it to one ulp of 1: a probability computed
    as Φ(t) ≈ 1 − 1e-9 determines t only to ~1e-8 relative.  The properties
    therefore compare against intervals obtained by pushing every faithful
    float64 input through the exact formula (50-digit mpmath), and the distance
    test keeps |t| <= 6, where those intervals are narrow.  The claims allow in
    addition the backward error of p itself: moving p by 2u·p moves Φ⁻¹(p) by
    2u·p/φ(Φ⁻¹(p)), about 2u/|z| in the lower tail but up to 1e-5 at p = 1 − 1e-12,
    where a probability held as p (not as 1 − p) is ill-conditioned.

Errata
    The notes write the hypothesis as "p_A = p_A and p̄_B = p_B", meaning that
    the lower bound p_A and the upper bound p̄_B are the exact probabilities; and
    Φ's normalizing constant is 1/√(2π), not 1/(2π).

References
    J. Cohen, E. Rosenfeld and J. Z. Kolter, Certified adversarial robustness via
    randomized smoothing, ICML 2019 (Theorem 1 and its tightness for linear f).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.lecture09._smoothing_support import (
    UNIT_ROUNDOFF,
    backward_quantile_error,
    exact_margin,
    margin_rounding_bound,
    mp_norm,
    mp_value,
    open_probabilities,
    phi_band,
    probabilities,
)
from spec.oracles import mp_phi_inv
from spec.strategies import floats, log_uniform, vectors

# Φ⁻¹ of an exact float input: a careful evaluation errs by a few ulp of the result, plus
# ~1e-16 absolute near p = 1/2 where the result is near 0.  We allow 1e-14 relative and 1e-15.
PPF_RTOL, PPF_ATOL = 1e-14, 1e-15


def _radius_error(z_a, z_b, sigma):
    """Allowed error of (σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) given both quantiles' allowed errors."""
    return sigma * (PPF_RTOL * (abs(z_a) + abs(z_b)) + PPF_ATOL)


def _mp_radius(p_a, p_b, sigma):
    """(σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) at 50 digits, 0 at a tie."""
    if p_a == p_b:
        return mpmath.mpf(0)
    return sigma / 2 * (mp_phi_inv(p_a) - mp_phi_inv(p_b))


@st.composite
def ordered_pairs(draw, probabilities=probabilities):
    """(p_a, p_b) with 0 <= p_b <= p_a <= 1, tails and ties included."""
    p, q = draw(probabilities()), draw(probabilities())
    return max(p, q), min(p, q)


@st.composite
def linear_points(draw):
    """(w, b, x, σ) with x off the hyperplane and σ chosen so that t = margin/(σ‖w‖) is in
    [1e-3, 6]: σ = distance / t spans many orders of magnitude as the geometry varies."""
    d = draw(st.integers(1, 4))
    w = draw(vectors(d).filter(lambda v: np.linalg.norm(v) > 1e-3))
    b, x = draw(floats(-10.0, 10.0)), draw(vectors(d))
    margin = exact_margin(w, b, x)
    scale = float(np.sum(np.abs(w * x)) + abs(b))
    # Keep the margin well above float64 rounding, so that "the distance" is what float64 sees.
    assume(abs(margin) > 1e-6 * scale and abs(margin) > 1e-100)
    distance = float(abs(mp_value(margin)) / mp_norm(w))
    sigma = distance / draw(log_uniform(1e-3, 6.0))
    assume(np.isfinite(sigma) and sigma > 0)
    return w, b, x, sigma


def _class_probabilities(impl, w, b, x, sigma):
    """(p_A, p_B): the smoothed probabilities of f(x) and of the other label."""
    sign = 1.0 if exact_margin(w, b, x) > 0 else -1.0
    p_a = impl.smoothed_linear_probability(sign * w, sign * b, x, sigma)
    p_b = impl.smoothed_linear_probability(-sign * w, -sign * b, x, sigma)
    return p_a, p_b


def _radius_band(w, b, x, sigma):
    """[lo, hi] for R computed from any faithful float64 p_A, p_B (Exercise 9.25's bands)."""
    t = abs(mp_value(exact_margin(w, b, x))) / (sigma * mp_norm(w))
    # the float64 t errs by the margin's rounding plus ~(d + 4) ulp (see Exercise 9.25)
    slack = 1.01 * margin_rounding_bound(w, b, x) / (sigma * np.linalg.norm(w))
    slack += 4 * (len(w) + 4) * UNIT_ROUNDOFF * float(t)
    a_lo, a_hi = phi_band(t, slack)
    b_lo, b_hi = phi_band(-t, slack)
    lo, hi = _mp_radius(a_lo, b_hi, sigma), _mp_radius(a_hi, b_lo, sigma)
    return float(lo) - _radius_error(t, t, sigma), float(hi) + _radius_error(t, t, sigma)


def _check_normal_ppf(impl, p, backward):
    """Φ⁻¹(p) against mpmath: 1e-14 relative, plus the backward error of p if ``backward``."""
    extra = backward_quantile_error(p) if backward else 0.0
    assert_close(
        impl.normal_ppf(p),
        float(mp_phi_inv(p)),
        rtol=PPF_RTOL,
        atol=PPF_ATOL + extra,
        what="Φ⁻¹(p) against mpmath",
        inputs={"p": p},
    )


def _check_radius(impl, pair, sigma, backward):
    """R against the 50-digit formula; with ``backward``, p_a and p_b may move by 2u·p."""
    p_a, p_b = pair
    expected = _mp_radius(p_a, p_b, sigma)
    z_a, z_b = mp_phi_inv(p_a), mp_phi_inv(p_b)
    atol = 0.0 if not mpmath.isfinite(expected) else _radius_error(z_a, z_b, sigma)
    if backward and mpmath.isfinite(expected):
        atol += sigma / 2 * (backward_quantile_error(p_a) + backward_quantile_error(p_b))
    assert_close(
        impl.certified_radius(p_a, p_b, sigma),
        float(expected),
        rtol=PPF_RTOL,
        atol=atol,
        what="certified radius against mpmath",
        inputs={"p_a": p_a, "p_b": p_b, "sigma": sigma},
    )


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(open_probabilities())
def test_normal_ppf_matches_50_digit_evaluation(impl, p):
    """Φ⁻¹(p) agrees with mpmath on [1e-300, 1) (Φ⁻¹(1e-300) ≈ −37.047), up to p's rounding."""
    _check_normal_ppf(impl, p, backward=True)


@pytest.mark.claim
@given(ordered_pairs(open_probabilities), log_uniform(1e-3, 1e3))
def test_radius_matches_50_digit_formula(impl, pair, sigma):
    """R(p_a, p_b, σ) = (σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) on [1e-300, 1), up to the rounding of p."""
    _check_radius(impl, pair, sigma, backward=True)


@pytest.mark.claim
@given(linear_points())
def test_radius_with_exact_probabilities_is_the_distance_to_the_hyperplane(impl, problem):
    """With p_A, p_B the exact class probabilities, R = |wᵀx + b|/‖w‖ whatever σ."""
    w, b, x, sigma = problem
    p_a, p_b = _class_probabilities(impl, w, b, x, sigma)
    radius = impl.certified_radius(p_a, p_b, sigma)
    distance = float(abs(mp_value(exact_margin(w, b, x))) / mp_norm(w))
    lo, hi = _radius_band(w, b, x, sigma)
    inputs = {"w": w, "b": b, "x": x, "sigma": sigma, "p_a": p_a, "p_b": p_b, "distance": distance}
    assert_true(lo <= distance <= hi, what="the exact identity lies in the band", inputs=inputs)
    assert_leq(lo, radius, what="band <= R", inputs=inputs)
    assert_leq(radius, hi, what="R <= band", inputs=inputs)


@pytest.mark.claim
@given(linear_points(), st.floats(1e-3, 0.5))
def test_radius_is_tight(impl, problem, delta):
    """A step of R(1 + δ) toward the hyperplane flips g; a step of R(1 − δ) does not."""
    w, b, x, sigma = problem
    p_a, p_b = _class_probabilities(impl, w, b, x, sigma)
    radius = impl.certified_radius(p_a, p_b, sigma)
    sign = 1 if exact_margin(w, b, x) > 0 else -1
    toward = -sign * w / np.linalg.norm(w)
    inputs = {"w": w, "b": b, "x": x, "sigma": sigma, "R": radius, "delta": delta}
    beyond = impl.smoothed_linear_classifier(w, b, x + radius * (1 + delta) * toward, sigma)
    within = impl.smoothed_linear_classifier(w, b, x + radius * (1 - delta) * toward, sigma)
    assert_true(beyond == -sign, what="g flips after a step of R(1 + δ)", inputs=inputs)
    assert_true(within == sign, what="g holds after a step of R(1 − δ)", inputs=inputs)


@pytest.mark.claim
@given(open_probabilities(), log_uniform(1e-3, 1e3))
def test_radius_is_zero_at_a_tie(impl, p, sigma):
    """R(p, p, σ) = 0 for every p in (0, 1): nothing is certified when the classes tie."""
    # (σ/2)(Φ⁻¹(p) − Φ⁻¹(p)) is exactly 0 for a deterministic Φ⁻¹; allow its rounding anyway.
    z = mp_phi_inv(p)
    assert_close(
        impl.certified_radius(p, p, sigma),
        0.0,
        rtol=0,
        atol=_radius_error(z, z, sigma),
        what="R at p_a = p_b",
        inputs={"p": p, "sigma": sigma},
    )


@pytest.mark.claim
@given(st.lists(open_probabilities(), min_size=3, max_size=3), log_uniform(1e-3, 1e3))
def test_radius_grows_with_p_a_and_shrinks_with_p_b(impl, ps, sigma):
    """For p_b <= p_a <= p_a': R(p_a, p_b) <= R(p_a', p_b) and R(p_a', p_a) <= R(p_a', p_b)."""
    p_b, p_a, p_top = sorted(ps)
    inputs = {"p_b": p_b, "p_a": p_a, "p_a'": p_top, "sigma": sigma}
    # equal arguments give exactly equal results; otherwise allow the formula's rounding
    slack = _radius_error(mp_phi_inv(p_top), mp_phi_inv(p_b), sigma)
    slack += sigma * max(backward_quantile_error(p) for p in (p_b, p_a, p_top))
    assert_leq(
        impl.certified_radius(p_a, p_b, sigma),
        impl.certified_radius(p_top, p_b, sigma),
        atol=slack,
        what="R grows with p_a",
        inputs=inputs,
    )
    assert_leq(
        impl.certified_radius(p_top, p_a, sigma),
        impl.certified_radius(p_top, p_b, sigma),
        atol=slack,
        what="R shrinks as p_b grows",
        inputs=inputs,
    )
    half = [impl.certified_radius(q, 1.0 - q, sigma) for q in (0.5, 0.75, 0.9, 0.99)]
    assert_true(
        np.all(np.diff(half) > 0),
        what="R(p, 1 − p) strictly increasing on [1/2, 1)",
        inputs={"radii": half, "sigma": sigma},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(probabilities())
def test_normal_ppf_is_accurate_at_the_ends_and_near_one(impl, p):
    """Φ⁻¹(p) to 1e-14 relative everywhere, near p = 1 and at subnormal p; ∓inf at p = 0, 1."""
    _check_normal_ppf(impl, p, backward=False)


@pytest.mark.numerics
@given(ordered_pairs(), log_uniform(1e-3, 1e3))
def test_radius_is_accurate_at_the_ends(impl, pair, sigma):
    """R to 1e-14 relative in both tails; +inf when p_a = 1 or p_b = 0 (no tie), 0 at a tie."""
    _check_radius(impl, pair, sigma, backward=False)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(st.lists(probabilities(), min_size=1, max_size=6), log_uniform(1e-3, 1e3))
def test_radius_and_quantile_work_elementwise_with_their_special_values(impl, ps, sigma):
    """R(p, p, σ) = 0 elementwise, at p = 0 and 1 too (a float 0.0); Φ⁻¹(0), Φ⁻¹(1) = ∓inf."""
    p = np.array(ps)
    assert_close(
        impl.certified_radius(p, p, sigma),
        np.zeros_like(p),
        rtol=0,
        atol=0,
        what="R at p_a = p_b on an array",
        inputs={"p": p, "sigma": sigma},
    )
    for end in (0.0, 1.0):
        radius = impl.certified_radius(end, end, sigma)
        assert_true(
            isinstance(radius, float) and radius == 0.0,
            what=f"R({end}, {end}) is the float 0.0, got {radius!r}",
            inputs={"sigma": sigma},
        )
    quantiles = impl.normal_ppf(np.array([0.0, 0.5, 1.0]))
    assert_close(
        quantiles, np.array([-np.inf, 0.0, np.inf]), rtol=0, atol=0, what="Φ⁻¹ at 0, 1/2, 1"
    )


@pytest.mark.contract
@given(ordered_pairs(), st.sampled_from([0.0, -1.0, np.nan]), st.floats(1e-6, 1.0))
def test_rejects_invalid_inputs(impl, pair, bad_sigma, excess):
    """p outside [0, 1], NaN, p_a < p_b and σ <= 0 raise ValueError naming the argument."""
    p_a, p_b = pair
    for bad in (-excess, 1.0 + excess, np.nan):
        because = f"{bad} is not a probability in [0, 1]"
        assert_rejects(impl.normal_ppf, np.array([0.5, bad]), argument="p", because=because)
        assert_rejects(
            impl.certified_radius,
            bad,
            p_b if np.isnan(bad) else 0.0,
            1.0,
            argument="p_a",
            because=f"p_a = {because}",
        )
        assert_rejects(
            impl.certified_radius, 1.0, bad, 1.0, argument="p_b", because=f"p_b = {because}"
        )
    assert_rejects(
        impl.certified_radius,
        p_a,
        p_b,
        bad_sigma,
        argument="sigma",
        because=f"σ = {bad_sigma} is not > 0",
    )
    low, high = sorted((0.5 * excess, 0.5 + 0.5 * excess))
    assert_rejects(impl.certified_radius, low, high, 1.0, argument="p_a", because="p_a < p_b")
