r"""Exercise 6.21 — Tweedie's formula and the score form of mu_q.

Statement
    Let x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps with eps ~ N(0, I) independent
    of x_0, and let s(x_t) = grad log p(x_t) be the score of the marginal law of
    x_t.  Tweedie's formula gives the posterior mean
        E[x_0 | x_t] = (x_t + (1 - abar_t) s(x_t)) / sqrt(abar_t).
    Substituting it for x_0 in the posterior mean mu_q(x_t, x_0) of 6.19 yields
        mu_q = x_t / sqrt(alpha_t) + (1 - alpha_t) / sqrt(alpha_t) s(x_t).

    .. math::

       \mathbb{E}[x_0 \mid x_t]
       = \frac{x_t + (1 - \bar\alpha_t) \nabla \log p(x_t)}{\sqrt{\bar\alpha_t}},
       \qquad
       \mu_q = \frac{1}{\sqrt{\alpha_t}}\, x_t
       + \frac{1 - \alpha_t}{\sqrt{\alpha_t}}\, \nabla \log p(x_t)

Assumptions
    Time is 1-based, ``alphas[t - 1]`` is alpha_t in (0, 1), abar_0 = 1; abar_t in (0, 1].
    The law of x_0 is arbitrary (here: Gaussian mixtures, point masses included).

Natural range
    alpha_t and alpha_bar_t in [1e-6, 1 - 1e-6] (alpha_bar_t = 1 too for tweedie_denoise),
    schedules of 1 <= T <= 12 such steps; points and scores in [-10, 10]^2; mixtures of
    1-3 components with weights down to 1e-300, means in [-5, 5]^2 and variances 0 or in
    [0.01, 4].

Argument
    Tweedie (Robbins 1956; Efron 2011): write y = x_t, m = sqrt(abar_t),
    v = 1 - abar_t, so p(y) = ∫ N(y; m x_0, v I) dP(x_0).  Differentiating under the
    integral, grad_y N(y; m x_0, v I) = N(y; m x_0, v I) (m x_0 - y) / v, hence
        grad p(y) = (m E[x_0 | y] - y) p(y) / v,   i.e.   E[x_0 | y] = (y + v s(y)) / m.
    It is the posterior mean, not x_0: x_0 itself is not a function of x_t.
    For the substitution (8), put x_0 = (x_t + (1 - abar_t) s) / sqrt(abar_t) into
        [sqrt(alpha_t)(1 - abar_{t-1}) x_t + sqrt(abar_{t-1})(1 - alpha_t) x_0] / (1 - abar_t).
    With abar_t = alpha_t abar_{t-1}, sqrt(abar_{t-1}) / sqrt(abar_t) = 1 / sqrt(alpha_t), so the
    coefficient of x_t is [alpha_t - abar_t + 1 - alpha_t] / (sqrt(alpha_t)(1 - abar_t))
    = 1 / sqrt(alpha_t), and that of s is (1 - alpha_t) / sqrt(alpha_t).
    Since mu_q is affine in x_0, E[mu_q(x_t, x_0) | x_t] = mu_q(x_t, E[x_0 | x_t]):
    the score form is exactly the true reverse mean E[x_{t-1} | x_t] (which is
    also Tweedie's formula applied to the single step x_{t-1} -> x_t).

    The tests check the algebra of (8) for arbitrary score vectors, and
    Tweedie's formula exactly where everything is closed form: for a mixture
    x_0 ~ sum_k pi_k N(m_k, v_k I), x_t is the mixture of N(sqrt(abar_t) m_k,
    (abar_t v_k + 1 - abar_t) I), whose score, responsibilities and
    per-component Gaussian conditional means are explicit.

Numerics
    (x_t + (1 - abar_t) s) cancels when abar_t is small (the score nearly
    undoes x_t), so errors are relative to |x_t| + (1 - abar_t)|s|, divided by
    sqrt(abar_t).  The test's responsibilities exp(l_k - logsumexp l) carry a
    relative error of about u |l_k| (u = 2^-53).  Tolerances are 64 u times
    these magnitudes; where an implementation may form 1 - abar_t by
    subtraction (losing <= 3.4e-10 relatively for our schedules), 2e-9 (``SCHEDULE_RTOL``,
    derived in ``_diffusion_support``).

Errata
    The notes say Tweedie's formula gives "x_0 = ..."; it gives E[x_0 | x_t],
    and the substituted mu_q is E[x_{t-1} | x_t].  "Tweede" is Tweedie.

References
    B. Efron, "Tweedie's Formula and Selection Bias", JASA, 2011.
    C. Luo, "Understanding Diffusion Models: A Unified Perspective", 2022, section
    "Three Equivalent Interpretations" (Tweedie's formula and the score form).
    J. Ho, A. Jain and P. Abbeel, "Denoising Diffusion Probabilistic Models", 2020, §3.2
    (the noise-prediction form of the same reverse mean).
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import special

from spec.assertions import assert_rejects, assert_rejects_bad_arrays, assert_true
from spec.lecture06._diffusion_support import (
    ALPHA,
    SCHEDULE_RTOL,
    UNIT_ROUNDOFF,
    assert_close_to_terms,
    exact_alpha_bar,
    schedules_and_steps,
)
from spec.strategies import floats, probability_vectors

mpmath.mp.dps = 50
D = 2
#: See "Numerics".
RTOL_ROUNDING = 64 * UNIT_ROUNDOFF
RTOL_SCHEDULE = SCHEDULE_RTOL

#: A point x_t and a score vector s (batches of two 2-vectors).
points_and_scores = hnp.arrays(
    np.float64, (2, 2, D), elements=floats(-10.0, 10.0), fill=st.nothing()
).map(tuple)


def _mp_combination(x, s, coefficient_s, divisor):
    """(x + coefficient_s s) / divisor at 50 digits, elementwise, and its terms' magnitude."""
    c, r = mpmath.mpf(coefficient_s), mpmath.sqrt(mpmath.mpf(divisor))
    value = [
        float((mpmath.mpf(a) + c * mpmath.mpf(b)) / r) for a, b in zip(x.flat, s.flat, strict=True)
    ]
    return np.reshape(value, x.shape), (np.abs(x) + float(c) * np.abs(s)) / float(r)


@dataclass(frozen=True)
class Mixture:
    """x_0 ~ sum_k weights[k] N(means[k], variances[k] I) in R^D (variance 0: a point mass)."""

    weights: np.ndarray
    means: np.ndarray
    variances: np.ndarray

    def _components(self, x, alpha_bar):
        """Per component: log N(x; sqrt(abar) m_k, s_k^2 I), s_k^2, |log-density|."""
        spread = alpha_bar * self.variances + (1.0 - alpha_bar)
        residual = x - np.sqrt(alpha_bar) * self.means
        quadratic = np.sum(residual**2, axis=-1) / (2.0 * spread)
        log_norm = 0.5 * D * np.log(2.0 * np.pi * spread)
        with np.errstate(divide="ignore"):
            log_weights = np.log(self.weights)
        return log_weights - quadratic - log_norm, spread, residual, quadratic + np.abs(log_norm)

    def posterior(self, x, alpha_bar):
        """(score of p(x_t) at x, responsibilities, their log-density magnitudes).

        x_t = sqrt(abar) x_0 + sqrt(1 - abar) eps makes x_t a mixture of N(sqrt(abar) m_k, s_k^2 I).
        """
        log_joint, spread, residual, magnitude = self._components(x, alpha_bar)
        responsibilities = np.exp(log_joint - special.logsumexp(log_joint))
        score = -np.sum(responsibilities[:, None] * residual / spread[:, None], axis=0)
        return score, responsibilities, magnitude

    def conditional_mean(self, x, alpha_bar, alpha_bar_prev, alpha):
        """E[x_{t-1} | x_t = x] for abar_t = alpha abar_{t-1} (E[x_0 | x_t] when abar_{t-1} = 1).

        Given component k, (x_{t-1}, x_t) is jointly Gaussian: x_{t-1} ~ N(sqrt(abar_{t-1}) m_k,
        r_k^2 I), r_k^2 = abar_{t-1} v_k + 1 - abar_{t-1}, and x_t = sqrt(alpha_t) x_{t-1} + noise
        with Cov(x_{t-1}, x_t) = sqrt(alpha_t) r_k^2, Var x_t = s_k^2.
        """
        _, responsibilities, magnitude = self.posterior(x, alpha_bar)
        _, spread, residual, _ = self._components(x, alpha_bar)
        prev_spread = alpha_bar_prev * self.variances + (1.0 - alpha_bar_prev)
        gain = np.sqrt(alpha) * prev_spread / spread
        component_means = np.sqrt(alpha_bar_prev) * self.means + gain[:, None] * residual
        mean = np.sum(responsibilities[:, None] * component_means, axis=0)
        return mean, np.max(np.abs(component_means), axis=0), responsibilities, magnitude


@st.composite
def mixtures(draw) -> Mixture:
    """1-3 components, weights down to 1e-300, means in [-5, 5]^D, variances 0 or in [0.01, 4]."""
    k = draw(st.integers(1, 3))
    variances = draw(hnp.arrays(np.float64, k, elements=floats(0.0, 4.0), fill=st.nothing()))
    return Mixture(
        weights=draw(probability_vectors(k, zeros=False)),
        means=draw(hnp.arrays(np.float64, (k, D), elements=floats(-5.0, 5.0), fill=st.nothing())),
        variances=np.where(variances < 0.01, 0.0, variances),
    )


def _tolerance(
    x, score, coefficient, root, component_scale, mixture, responsibilities, magnitude, alpha_bar
):
    """64u (1 + max w_k|l_k|) [(|x| + sqrt(abar) max|m_k| + c|s|/(1 - abar))/root + max|E_k|].

    The float64 oracle divides by 1 - abar, which it knows only to u absolute, i.e. to
    u / (1 - abar) relative: for abar near 1 the score term carries that amplification
    (the soak run found abar = 1 - 2e-6 exceeding the bound without it).
    """
    weight_error = 1.0 + np.max(responsibilities * magnitude)
    spread = (
        np.abs(x)
        + np.sqrt(alpha_bar) * np.max(np.abs(mixture.means), axis=0)
        + coefficient * np.abs(score) / (1.0 - alpha_bar)
    ) / root + component_scale
    return RTOL_ROUNDING * weight_error * spread


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(points_and_scores, st.one_of(ALPHA, st.just(1.0)))
def test_tweedie_denoise_is_the_formula(impl, pair, alpha_bar):
    """tweedie_denoise(x_t, s, abar) = (x_t + (1 - abar) s) / sqrt(abar), elementwise."""
    x_t, score = pair
    expected, terms = _mp_combination(x_t, score, 1 - mpmath.mpf(alpha_bar), alpha_bar)
    assert_close_to_terms(
        impl.tweedie_denoise(x_t, score, alpha_bar),
        expected,
        terms,
        rtol=16 * UNIT_ROUNDOFF,
        what="tweedie_denoise",
        inputs={"x_t": x_t, "score": score, "alpha_bar_t": alpha_bar},
    )


@pytest.mark.claim
@given(points_and_scores, schedules_and_steps())
def test_score_form_is_the_formula(impl, pair, schedule):
    """posterior_mean_from_score = x_t / sqrt(alpha_t) + (1 - alpha_t) / sqrt(alpha_t) s."""
    (x_t, score), (alphas, t) = pair, schedule
    alpha = alphas[t - 1]
    expected, terms = _mp_combination(x_t, score, 1 - mpmath.mpf(alpha), alpha)
    assert_close_to_terms(
        impl.posterior_mean_from_score(x_t, score, alphas, t),
        expected,
        terms,
        rtol=16 * UNIT_ROUNDOFF,
        what="posterior_mean_from_score",
        inputs={"x_t": x_t, "score": score, "alphas": alphas, "t": t},
    )


@pytest.mark.claim
@given(points_and_scores, schedules_and_steps())
def test_substituting_tweedie_into_mu_q_gives_the_score_form(impl, pair, schedule):
    """mu_q(x_t, tweedie_denoise(x_t, s, abar_t)) = posterior_mean_from_score(x_t, s), any s."""
    (x_t, score), (alphas, t) = pair, schedule
    alpha_bar = exact_alpha_bar(alphas, t)[0]
    x0_hat = impl.tweedie_denoise(x_t, score, alpha_bar)
    substituted = impl.diffusion_posterior(x_t, x0_hat, alphas, t)[0]
    alpha = alphas[t - 1]
    # Both sides are bounded by (2|x_t| + (1 - alpha_t)|s|) / sqrt(alpha_t) term by term.
    magnitude = (2 * np.abs(x_t) + (1 - alpha) * np.abs(score)) / np.sqrt(alpha)
    assert_close_to_terms(
        substituted,
        impl.posterior_mean_from_score(x_t, score, alphas, t),
        magnitude,
        rtol=RTOL_SCHEDULE,
        what="mu_q with Tweedie's x_0",
        inputs={"x_t": x_t, "score": score, "alphas": alphas, "t": t},
    )


@pytest.mark.claim
@given(mixtures(), points_and_scores, ALPHA)
def test_tweedie_is_the_posterior_mean_for_gaussian_mixtures(impl, mixture, pair, alpha_bar):
    """With the exact score of p(x_t), tweedie_denoise equals E[x_0 | x_t] from Bayes' rule."""
    x_t = pair[0][0]
    score, _, _ = mixture.posterior(x_t, alpha_bar)
    expected, component_scale, responsibilities, magnitude = mixture.conditional_mean(
        x_t, alpha_bar, 1.0, alpha_bar
    )
    tol = _tolerance(
        x_t,
        score,
        1 - alpha_bar,
        np.sqrt(alpha_bar),
        component_scale,
        mixture,
        responsibilities,
        magnitude,
        alpha_bar,
    )
    assert_close_to_terms(
        impl.tweedie_denoise(x_t, score, alpha_bar),
        expected,
        tol,
        rtol=1.0,
        what="Tweedie against Bayes' rule",
        inputs={"x_t": x_t, "alpha_bar_t": alpha_bar, **mixture.__dict__},
    )


@pytest.mark.claim
@given(points_and_scores, ALPHA)
def test_tweedie_recovers_a_point_mass(impl, pair, alpha_bar):
    """For a point mass x_0 = c, score -(x_t - sqrt(abar) c) / (1 - abar), Tweedie returns c."""
    (x_t, c), _ = pair
    score = -(x_t - np.sqrt(alpha_bar) * c) / (1.0 - alpha_bar)
    magnitude = (np.abs(x_t) + np.sqrt(alpha_bar) * np.abs(c)) / np.sqrt(alpha_bar)
    assert_close_to_terms(
        impl.tweedie_denoise(x_t, score, alpha_bar),
        c,
        magnitude,
        rtol=RTOL_ROUNDING,
        what="Tweedie for a point mass",
        inputs={"x_t": x_t, "c": c, "alpha_bar_t": alpha_bar},
    )


@pytest.mark.claim
@given(mixtures(), points_and_scores, schedules_and_steps())
def test_score_form_is_the_reverse_conditional_mean(impl, mixture, pair, schedule):
    """With the exact score, posterior_mean_from_score equals E[x_{t-1} | x_t] by Bayes' rule."""
    x_t, (alphas, t) = pair[0][0], schedule
    alpha, alpha_bar = alphas[t - 1], exact_alpha_bar(alphas, t)[0]
    score, _, _ = mixture.posterior(x_t, alpha_bar)
    expected, component_scale, responsibilities, magnitude = mixture.conditional_mean(
        x_t, alpha_bar, exact_alpha_bar(alphas, t - 1)[0], alpha
    )
    tol = _tolerance(
        x_t,
        score,
        1 - alpha,
        np.sqrt(alpha),
        component_scale,
        mixture,
        responsibilities,
        magnitude,
        alpha_bar,
    )
    assert_close_to_terms(
        impl.posterior_mean_from_score(x_t, score, alphas, t),
        expected,
        tol,
        rtol=1.0,
        what="score form against E[x_{t-1} | x_t]",
        inputs={"x_t": x_t, "alphas": alphas, "t": t, **mixture.__dict__},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(points_and_scores, schedules_and_steps())
def test_both_keep_the_shape_of_their_points(impl, pair, schedule):
    """Batches of points (..., d) and scores of the same shape give arrays of that shape."""
    (x_t, score), (alphas, t) = pair, schedule
    shapes = (
        np.shape(impl.tweedie_denoise(x_t, score, 0.5)),
        np.shape(impl.posterior_mean_from_score(x_t, score, alphas, t)),
    )
    assert_true(
        shapes == (x_t.shape, x_t.shape),
        what=f"outputs of shape {x_t.shape}",
        inputs={"x_t": x_t, "score": score, "alphas": alphas, "t": t},
    )


@pytest.mark.contract
@given(points_and_scores, schedules_and_steps(), st.sampled_from([0.0, 1.5, -1.0, np.nan]))
def test_rejects_invalid_arguments(impl, pair, schedule, bad):
    """abar outside (0, 1], t outside 1..T, alphas outside (0, 1), mismatched or NaN data raise."""
    (x_t, score), (alphas, t) = pair, schedule
    pm = impl.posterior_mean_from_score
    cases = [
        (impl.tweedie_denoise, (x_t, score, bad), "alpha_bar_t", f"alpha_bar_t = {bad}"),
        (impl.tweedie_denoise, (x_t, score[..., :-1], 0.5), "score", "score has d - 1 entries"),
        (impl.tweedie_denoise, (np.full_like(x_t, np.nan), score, 0.5), "x_t", "x_t is NaN"),
        (pm, (x_t, score, alphas, 0), "t", "t = 0"),
        (pm, (x_t, score, alphas, len(alphas) + 1), "t", "t = T + 1"),
        (pm, (x_t, score, np.append(alphas, bad), t), "alphas", f"an alpha of {bad}"),
        (pm, (x_t, score[..., :-1], alphas, t), "score", "score has d - 1 entries"),
    ]
    for function, args, name, why in cases:
        assert_rejects(function, *args, argument=name, because=why)


@pytest.mark.contract
@settings(max_examples=20)  # input validation needs no breadth
@given(points_and_scores, schedules_and_steps())
def test_rejects_nan_points_and_scores_and_points_without_an_axis(impl, pair, schedule):
    """NaN x_t or score, a 0-d x_t (shape (..., d)) or a batch of schedules raise ValueError."""
    (x_t, score), (alphas, t) = pair, schedule
    for function, rest in (
        (impl.tweedie_denoise, (0.5,)),
        (impl.posterior_mean_from_score, (alphas, t)),
    ):
        names = ("x_t", "score") + (None,) * len(rest)
        assert_rejects_bad_arrays(function, x_t, score, *rest, names=names, batched=names[:2])
        assert_rejects(function, 0.0, 0.0, *rest, argument="x_t", because="x_t is 0-d")
    assert_rejects(
        impl.posterior_mean_from_score,
        x_t,
        score,
        alphas[None],
        t,
        argument="alphas",
        because="alphas is a batch of schedules",
    )
