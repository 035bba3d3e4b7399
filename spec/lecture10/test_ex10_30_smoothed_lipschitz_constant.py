r"""Exercise 10.30 — the smoothing of any [0, 1]-valued f is Lipschitz, with constant 1/(σ√(2π)).

Statement
    For a (measurable) f: R^d → [0, 1] and g(x) = E f(x + ε), ε ~ N(0, σ²I), find
    a Lipschitz constant of g.  Any L >= 1/(σ√(2π)) = φ(0)/σ is valid for every
    such f, and 1/(σ√(2π)) is the best one (1/√(2π) ≈ 0.399 for the notes'
    σ = 1).  The hint's paper (Salman et al.) gives √(2/π)/σ: a valid answer,
    twice the best one.  For f with values in [l, u] the constants scale by u − l.
    The claims check validity (|g(x) − g(y)| <= L‖x − y‖, and L at least the
    slope of the worst f); that the reference returns the best constant is
    contract.

    .. math::

       |g(x) - g(y)| \le \frac{\|x - y\|_2}{\sigma \sqrt{2\pi}}, \qquad
       L = \frac{1}{\sigma \sqrt{2\pi}} = \frac{\varphi(0)}{\sigma}
       < \frac{\sqrt{2/\pi}}{\sigma} = 2L \ \ \text{(Salman et al.)}

Assumptions
    σ > 0; Euclidean norm on R^d; φ and Φ are the standard normal density and CDF.

Natural range
    σ in [1e-3, 1e3] (the contract's exact value also on [1e-100, 1e100]);
    ranges [l, u] as in 10.29; d <= 3, points within 8σ of where the smoothed
    families change, steps from 1e-4σ to 3σ; g in [1e-9, 1 − 1e-9] and radii up
    to 100σ where (9) is compared.  The exercise has no extreme inputs of its
    own, so there is no numerics tier.

Argument
    Write φ_σ for the N(0, σ²I) density, so g(x) = ∫ f(z) φ_σ(z − x) dz and
        ∇g(x) = ∫ f(z) (z − x)/σ² φ_σ(z − x) dz = E[f(x + ε) ε] / σ².
    Fix a unit vector v and put s = vᵀε ~ N(0, σ²).  Since 0 <= f <= 1,
        −E[s₋] <= E[f(x + ε) s] <= E[s₊],   s₊ = max(s, 0), s₋ = max(−s, 0),
    (keep f = 1 exactly where s > 0, resp. s < 0), and
    E[s₊] = E[s₋] = ∫₀^∞ t e^{−t²/(2σ²)} dt / (σ√(2π)) = σ/√(2π).  Hence
    |vᵀ∇g(x)| <= 1/(σ√(2π)) for all x and v, and by the mean value theorem
    |g(x) − g(y)| <= ‖x − y‖/(σ√(2π)).
    The constant is attained: for the half-space f = 1[vᵀz > 0],
    g(x) = Φ(vᵀx/σ), whose slope at vᵀx = 0 is φ(0)/σ = 1/(σ√(2π)).
    Quantitatively, Φ(h/σ) − Φ(−h/σ) = 2∫₀^{h/σ} φ >= 2φ(0)(h/σ − (h/σ)³/6)
    (as e^{−t²/2} >= 1 − t²/2), so the difference quotient over [−h, h] is at
    least L(1 − h²/(6σ²)): no constant below L is valid.
    Salman et al. (2019, Lemma 1, proof in Appendix A) bound |E[f(x + ε) s]| <=
    E|s| = σ√(2/π), which uses only |f| <= 1 and so also covers f with values in
    [−1, 1]; for [0, 1] it is valid but loose by E|s| / E[s₊] = 2, i.e.
    √(2/π)/σ = 2/(σ√(2π)).
    The same constant follows from 10.29: g = Φ(η/σ) with η 1-Lipschitz, so
    |∇g| <= φ(η/σ)/σ <= φ(0)/σ; the bounds (9) are therefore at least as sharp
    as the Lipschitz bound g(x) ± L‖δ‖, and match it to first order where g = 1/2.

    The claims check the Lipschitz inequality with the returned L on smoothed
    half-spaces, boxes and cosines (closed forms in
    spec/lecture10/_lipschitz_support.py, g rescaled to [l, u]) on random pairs
    and steps along ∇g, that L is at least the half-space's difference quotient,
    and that (9) stays within g ± L‖δ‖.  The contract checks that L is the best
    constant: its value, attainment by the half-space, and first-order
    agreement with (9) at g = 1/2.

Numerics
    The closed forms carry a rounding error bounded per point (see the support
    module); it enters the slack of each comparison, together with the rounding
    of y − x times the constant.  The constant itself is a product and a square
    root: relative error a few ulp (rtol 4u).  No property is statistical.

Errata
    The notes write f: R_n → [0, 1] (R^n) and ε ~ N(0, 1), i.e. σ = 1 and identity
    covariance N(0, I); the answer for general σ is 1/(σ√(2π)).  The hint's paper
    (Salman et al.) gives √(2/π)/σ, valid but not tight (factor 2).

References
    H. Salman, G. Yang, J. Li, P. Zhang, H. Zhang, I. Razenshteyn and S. Bubeck,
    Provably robust deep learning via adversarially trained smoothed classifiers,
    NeurIPS 2019 (Lemma 1 and its proof, Appendix A).
    P. Chiang, M. Curry, A. Abdelkader, A. Kumar, J. Dickerson and T. Goldstein,
    Detection as regression: certified object detection with median smoothing,
    NeurIPS 2020.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import special

from spec.assertions import assert_close, assert_leq, assert_rejects
from spec.lecture10._lipschitz_support import (
    UNIT_ROUNDOFF,
    ExactScore,
    cases,
    sigmas,
)
from spec.strategies import log_uniform

mpmath.mp.dps = 50

#: The constant is 1/(σ·√(2π)): two roundings and a square root.
CONSTANT_RTOL = 4 * UNIT_ROUNDOFF

wide_sigmas = st.one_of(st.just(1.0), log_uniform(1e-100, 1e100))


def _half_space_quotient(sigma, h_in_sigmas):
    """(g(he₁) − g(−he₁))/(2h) for f = 1[z₁ > 0]: g(x) = Φ(x₁/σ), so the difference is
    erf(h/(σ√2)), which erf keeps to full relative accuracy."""
    return special.erf(h_in_sigmas / math.sqrt(2)) / (2 * h_in_sigmas * sigma)


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(cases())
def test_smoothed_bounded_functions_are_lipschitz_with_that_constant(impl, case):
    """|g(x) − g(y)| <= (u − l)L‖x − y‖ for smoothed half-spaces, boxes, cosines, along ∇g too."""
    width = case.levels.upper - case.levels.lower
    x, y = case.pairs(32)
    (g_x, e_x), (g_y, e_y) = case.value(x), case.value(y)
    constant = width * impl.smoothed_lipschitz_constant(case.sigma)
    slack = e_x + e_y + case.shift_rounding(x, y)
    assert_leq(
        np.abs(g_x - g_y),
        constant * np.linalg.norm(x - y, axis=1) * (1 + CONSTANT_RTOL) + slack,
        what="|g(x) − g(y)| <= (u − l)L‖x − y‖",
        inputs={"family": case.family, "levels": case.levels, "x": x, "y": y},
    )


@pytest.mark.claim
@given(sigmas, log_uniform(1e-6, 1e-2))
def test_constant_is_at_least_the_slope_of_a_smoothed_half_space(impl, sigma, h_in_sigmas):
    """L >= (g(he₁) − g(−he₁))/(2h) for f = 1[z₁ > 0]: no smaller constant is valid."""
    # The quotient is within a few ulp of its exact value; allow 1e-13 relative.
    quotient = _half_space_quotient(sigma, h_in_sigmas)
    assert_leq(
        quotient,
        impl.smoothed_lipschitz_constant(sigma),
        rtol=1e-13,
        what="the half-space's difference quotient <= L",
        inputs={"sigma": sigma, "h": h_in_sigmas * sigma},
    )


@pytest.mark.claim
@given(
    sigmas,
    st.lists(st.one_of(st.just(0.5), st.floats(1e-9, 1 - 1e-9)), min_size=1, max_size=6),
    st.lists(log_uniform(1e-6, 1e2), min_size=1, max_size=4),
)
def test_value_bounds_are_at_least_as_sharp_as_the_lipschitz_bound(impl, sigma, gs, radii):
    """For [0, 1]-valued f, g − L‖δ‖ <= lo <= hi <= g + L‖δ‖: (9) is at least as sharp."""
    g = np.array(gs)[:, None]
    delta_norm = sigma * np.array(radii)
    constant = impl.smoothed_lipschitz_constant(sigma)
    lo, hi = impl.smoothed_value_bounds(g, delta_norm, 0.0, 1.0, sigma)
    # hi − g = Φ(z + r/σ) − Φ(z), rounded: the quantile's error moves Φ by φ(z)·error <= 0.4·error.
    z_error = np.array([[ExactScore.of(v, 0.0, 1.0).quantile_error()] for v in g[:, 0]])
    rounding = 8 * UNIT_ROUNDOFF + z_error
    inputs = {"g_x": g, "delta_norm": delta_norm, "sigma": sigma}
    assert_leq(hi - g, constant * delta_norm + rounding, what="hi − g <= L‖δ‖", inputs=inputs)
    assert_leq(g - lo, constant * delta_norm + rounding, what="g − lo <= L‖δ‖", inputs=inputs)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(wide_sigmas)
def test_constant_is_one_over_sigma_root_two_pi(impl, sigma):
    """smoothed_lipschitz_constant(σ) = 1/(σ√(2π)), the best constant (≈ 0.3989 at σ = 1)."""
    expected = 1 / (mpmath.mpf(sigma) * mpmath.sqrt(2 * mpmath.pi))
    assert_close(
        impl.smoothed_lipschitz_constant(sigma),
        float(expected),
        rtol=CONSTANT_RTOL,
        atol=0,
        inputs={"sigma": sigma},
    )


@pytest.mark.contract
@given(sigmas, log_uniform(1e-6, 1e-2))
def test_a_smoothed_half_space_attains_the_constant(impl, sigma, h_in_sigmas):
    """The returned L is the best: L(1 − h²/(6σ²)) <= the half-space's quotient over [−h, h]."""
    quotient = _half_space_quotient(sigma, h_in_sigmas)
    constant = impl.smoothed_lipschitz_constant(sigma)
    inputs = {"sigma": sigma, "h": h_in_sigmas * sigma}
    assert_leq(
        constant * (1 - h_in_sigmas**2 / 6),
        quotient,
        rtol=1e-13,
        what="L(1 − h²/(6σ²)) <= the half-space's difference quotient",
        inputs=inputs,
    )


@pytest.mark.contract
@given(sigmas)
def test_value_bounds_match_the_constant_to_first_order_at_one_half(impl, sigma):
    """At g = 1/2 and ‖δ‖ = 1e-4σ, hi − 1/2 and 1/2 − lo are at least L‖δ‖(1 − 1e-8/6)."""
    # Φ(r) − 1/2 >= φ(0)(r − r³/6) for r = 1e-4: the bounds (9) grow at slope exactly φ(0)/σ.
    small = sigma * 1e-4
    constant = impl.smoothed_lipschitz_constant(sigma)
    lo, hi = impl.smoothed_value_bounds(0.5, small, 0.0, 1.0, sigma)
    first_order = constant * small * (1 - 1e-8 / 6)
    inputs = {"sigma": sigma, "delta_norm": small, "L": constant}
    assert_leq(first_order, hi - 0.5 + 8 * UNIT_ROUNDOFF, what="hi − 1/2 ≈ L‖δ‖", inputs=inputs)
    assert_leq(first_order, 0.5 - lo + 8 * UNIT_ROUNDOFF, what="1/2 − lo ≈ L‖δ‖", inputs=inputs)


@pytest.mark.contract
@given(st.sampled_from([0.0, -1.0, -1e-300, np.nan, np.inf, -np.inf]))
def test_rejects_a_non_positive_or_non_finite_sigma(impl, sigma):
    """σ <= 0, NaN, ±inf or an array raise ValueError naming sigma."""
    assert_rejects(
        impl.smoothed_lipschitz_constant,
        sigma,
        argument="sigma",
        because=f"σ = {sigma} is not a positive finite number",
    )
    assert_rejects(
        impl.smoothed_lipschitz_constant,
        np.array([1.0, 2.0]),
        argument="sigma",
        because="σ is an array, not a scalar",
    )
