r"""Exercise 4.13 — the VAE loss: a closed-form KL plus a scaled squared reconstruction error.

Statement
    With prior p(z) = N(0, I_K), encoder q(z|x) = N(μ(x), diag σ²(x)) and decoder
    p(x|z) = N(g(z), c² I_D), show that the negative ELBO of one data point is,
    up to the constant (D/2) log(2πc²),
        L = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²) + E_q ‖x − g(z)‖² / (2c²).

    .. math::

       L = \frac12 \sum_{j=1}^K \bigl(\mu_j^2 + \sigma_j^2 - 1 - \log \sigma_j^2\bigr)
       + \frac{\mathbb{E}_{q(z \mid x)} \|x - g(z)\|^2}{2 c^2}
       = -\mathrm{ELBO}(x) - \frac{D}{2} \log(2\pi c^2)

Assumptions
    c > 0; the encoder outputs μ and log σ² (``log_var``) of shape (K,); the
    expectation is estimated with the reparameterization z_s = μ + σ ⊙ ε_s,
    one row ε_s of the (S, K) array eps per sample; the decoder g maps an
    (S, K) array of latents to an (S, D) array of means (spec/contract/bayesian.py).

Natural range
    K ≤ 6 latent dimensions, |μ_j| ≤ 1e3 and |log σ_j²| ≤ 30 (0 and tiny values
    included: the claims allow the round-off of the terms μ², e^t, 1, |t| of the
    Kingma–Welling formula, which is all a direct evaluation of e^t − 1 − t gets);
    data and decoders as in the strategies (|x| ≤ 3, |A| ≤ 2, c ∈ [1e-2, 1e2]),
    S ≤ 2000 noise rows.  Full relative precision of the KL for |log σ²| down to
    1e-300 and log σ² up to the overflow of e^t are numerics properties.

Argument
    ELBO = E_q log p(x|z) − KL(q(z|x) ‖ p(z)).
    1. Reconstruction: log N(x; g(z), c² I) = −(D/2) log(2πc²) − ‖x − g(z)‖²/(2c²).
    2. KL: both Gaussians factorize, so the KL is a sum over j of
       E_q[log q − log p] = E[−½ log σ_j² − ½ε_j² + ½ z_j²]
                          = −½ log σ_j² − ½ + ½(μ_j² + σ_j²),
       using E ε_j² = 1 and E z_j² = μ_j² + σ_j².
    Hence −ELBO = L + (D/2) log(2πc²), and with the same eps on both sides the
    Monte-Carlo versions agree *exactly*: vae_loss = −ELBO − (D/2) log(2πc²).
    Each KL term is h(log σ_j²) + μ_j² with h(t) = e^t − 1 − t ≥ 0, zero only at
    t = 0 (h is convex with h(0) = h′(0) = 0), so KL ≥ 0 with equality iff μ = 0
    and σ = 1.
    3. Per sample, log q(z|x) − log p(z) = KL + Σ_j [μ_j σ_j ε_j + ½(σ_j² − 1)(ε_j² − 1)]:
       the KL plus a centred Gaussian linear form and a centred quadratic form.
    4. Linear decoder g(z) = Az + b, r = x − Aμ − b, D_σ = diag σ:
       ‖x − g(z)‖² = ‖r‖² − 2 rᵀA D_σ ε + εᵀ D_σ AᵀA D_σ ε, whose expectation is
       ‖r‖² + Σ_j σ_j² ‖A_{:,j}‖² (the trace of D_σ AᵀA D_σ).  Items 3 and 4 are
       polynomials of degree ≤ 2 in ε, so their average over the sigma points
       ±√K e_j equals their expectation exactly (spec/lecture04/_bayesian_support.py).

Statistical checks and their false-alarm probability (spec/stats.py)
    The Monte-Carlo mean of item 3 (or 4) minus its expectation is a Gaussian
    linear part plus a centred Gaussian quadratic form.  The linear part is
    bounded with gaussian_mean_halfwidth at 1e-12 / 2 (exact: it is Gaussian),
    the quadratic part with the Laurent–Massart bound at 1e-12 / 2; by the union
    bound each check false-alarms with probability at most 1e-12.

Numerics
    For |log σ²| ≪ 1 the term e^t − 1 − t ≈ t²/2 is far below the rounding of
    e^t − 1 − t evaluated as written: that form returns values off by ~1e-16,
    even negative KLs (−3.6e-275 at t = 7e-275).  That is correct mathematics
    rounded, so the claim properties allow it: KL ≥ −(round-off of the terms μ²,
    e^t, 1, |t|), and agreement with the closed form within the same round-off.
    The numerics properties ask for KL ≥ 0 exactly and full relative precision
    down to |log σ²| = 1e-300, against an mpmath oracle whose working precision
    grows with 1/|log σ²|; expm1(t) − t, or a series for small t, meets them.

Errata
    The notes write the prior as p(z) = N(0, 1); for a K-dimensional latent it is
    N(0, I_K), as in the statement above (the KL is then a sum over the K
    coordinates).  The notes write E ‖x − g(z)‖² as (x − g(z))²: for D > 1 it is the squared
    Euclidean norm.  Also, L equals −ELBO only up to the additive constant
    (D/2) log(2πc²), which the notes drop silently.

References
    D. P. Kingma and M. Welling, Auto-encoding variational Bayes, 2013 (Appendix B
    for the Gaussian KL, Section 2.4 for the reparameterization).
    B. Laurent and P. Massart, Adaptive estimation of a quadratic functional by model
    selection, Annals of Statistics, 2000 (Lemma 1).
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from spec.assertions import (
    SUBNORMAL_SPACING,
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture04._bayesian_support import (
    costly,
    mean_quadratic_form_halfwidth,
    sigma_points,
)
from spec.stats import FALSE_ALARM, gaussian_mean_halfwidth
from spec.strategies import floats, matrices, seeds, vectors

#: log σ² with magnitudes from 1e-300 (cancellation in e^t − 1 − t) to 700 (e^t near overflow).
log_variances = st.one_of(
    floats(-700.0, 700.0),
    floats(-1e-3, 1e-3),
    st.sampled_from([0.0, 1e-300, -1e-300, 1e-20, -1e-8, 1e-8]),
)


means = st.one_of(floats(-1e3, 1e3), floats(-1e-3, 1e-3))


#: log σ² of the natural range: |t| ≤ 30, with tiny and zero values.
natural_log_variances = st.one_of(
    floats(-30.0, 30.0),
    floats(-1e-3, 1e-3),
    st.sampled_from([0.0, 7e-275, 1e-300, -1e-300, 1e-20, -1e-8, 1e-8]),
)


U = 2.0**-53


def gaussians(k=st.integers(1, 6), mu=means, log_var=log_variances):
    """(mu, log_var) pairs of one shape (K,)."""
    return k.flatmap(
        lambda n: st.tuples(
            st.lists(mu, min_size=n, max_size=n).map(np.array),
            st.lists(log_var, min_size=n, max_size=n).map(np.array),
        )
    )


def natural_gaussians():
    """(mu, log_var) in the natural range."""
    return gaussians(log_var=natural_log_variances)


def kl_round_off(mu, log_var) -> float:
    """Absolute round-off of ½ Σ (μ² + e^t − 1 − t) evaluated term by term as written.

    4K terms of sizes μ², e^t, 1, |t|, each within ~u relative (e^t of an exact t is
    accurate to an ulp), then summed: at most 4K · 2u times the sum of their magnitudes.
    """
    terms = mu**2 + np.exp(log_var) + 1.0 + np.abs(log_var)
    return float(8 * mu.size * U * np.sum(terms))


def moderate_gaussians():
    """Encoders with |μ| ≤ 3 and |log σ²| ≤ 4: the Monte-Carlo checks stay informative."""
    return gaussians(st.integers(1, 4), floats(-3.0, 3.0), floats(-4.0, 4.0))


def mp_kl(mu, log_var):
    """½ Σ (μ² + e^t − 1 − t) with enough digits to resolve e^t − 1 − t ≈ t²/2 for tiny t."""
    total = mpmath.mpf(0)
    for m, t in zip(mu, log_var, strict=True):
        digits = 40 + (2 * int(-math.log10(abs(t))) if 0 < abs(t) < 1 else 0)
        with mpmath.workdps(digits):
            total += mpmath.mpf(m) ** 2 + mpmath.expm1(mpmath.mpf(t)) - mpmath.mpf(t)
    return float(total / 2)


def normal_log_density(x, mean, sd):
    """log N(x; mean, diag sd²), summed over the last axis, written out."""
    return np.sum(-0.5 * np.log(2 * np.pi * sd**2) - (x - mean) ** 2 / (2 * sd**2), axis=-1)


def latent_samples(mu, log_var, eps):
    """The oracle's own z = μ + σ ε (the spec's reparameterization, independent of impl)."""
    return mu + np.sqrt(np.exp(log_var)) * eps


def _reparameterization_case(gaussian, data):
    mu, log_var = gaussian
    eps = data.draw(matrices(data.draw(st.integers(1, 4)), mu.size, -5.0, 5.0))
    # σ from exp(t/2) or sqrt(e^t): each within ~1 ulp; then a multiply and an add,
    # so a few ulp of the largest term.
    atol = 1e-15 * np.max(np.abs(mu) + np.sqrt(np.exp(log_var)) * np.abs(eps))
    return mu, log_var, eps, latent_samples(mu, log_var, eps), atol


def _largest_finite_sigma_log_var() -> float:
    """The largest float t with e^{t/2} finite."""
    t = 2.0 * math.log(np.finfo(np.float64).max)
    with np.errstate(over="ignore"):  # the search steps to the overflow boundary of exp
        while not np.isfinite(np.exp(t / 2.0)):
            t = np.nextafter(t, -np.inf)
        while np.isfinite(np.exp(np.nextafter(t, np.inf) / 2.0)):
            t = np.nextafter(t, np.inf)
    return float(t)


@st.composite
def vae_cases(draw):
    """(x, mu, log_var, weights, bias, c): a data point, an encoder output and a decoder."""
    k, d = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    mu, log_var = draw(gaussians(st.just(k), floats(-3.0, 3.0), floats(-6.0, 6.0)))
    return (
        draw(vectors(d, -3.0, 3.0)),
        mu,
        log_var,
        draw(matrices(d, k, -2.0, 2.0)),
        draw(vectors(d, -1.0, 1.0)),
        draw(st.sampled_from([1e-2, 1.0, 1e2]) | st.floats(0.1, 10.0)),
    )


def tanh_decoder(weights, bias):
    return lambda z: 2.0 * np.tanh(z @ weights.T + bias)


def linear_decoder(weights, bias):
    return lambda z: z @ weights.T + bias


def linear_reconstruction(x, mu, log_var, weights, bias, c):
    """E_q ‖x − Az − b‖² / (2c²) = (‖x − Aμ − b‖² + Σ_j σ_j² ‖A_{:,j}‖²) / (2c²) (item 4)."""
    r = x - weights @ mu - bias
    return (r @ r + np.sum(np.exp(log_var) * (weights**2).sum(0))) / (2 * c**2)


def _check_reparameterization(impl, gaussian, data):
    """reparameterize(μ, log σ², eps) against μ + σ ⊙ ε within the case's rounding bound."""
    mu, log_var, eps, expected, atol = _reparameterization_case(gaussian, data)
    assert_close(
        impl.reparameterize(mu, log_var, eps),
        expected,
        rtol=0.0,
        atol=atol,
        what="reparameterize",
        inputs={"mu": mu, "log_var": log_var, "eps": eps},
    )


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@costly(0.5)
@given(gaussians(mu=floats(-1e3, 1e3), log_var=floats(-30.0, 30.0)), st.data())
def test_reparameterized_sample_is_mean_plus_std_times_noise(impl, gaussian, data):
    """reparameterize(μ, log σ², eps) = μ + σ ⊙ ε_s for each row of an (S, K) eps."""
    _check_reparameterization(impl, gaussian, data)


@pytest.mark.claim
@given(natural_gaussians())
@example((np.zeros(1), np.array([7e-275])))  # e^t − 1 − t as written gives −3.6e-275 here
def test_kl_is_nonnegative(impl, gaussian):
    """KL(q ‖ N(0, I)) ≥ 0, up to the round-off of its terms μ², e^t, 1, |t|."""
    mu, log_var = gaussian
    kl = impl.gaussian_kl_to_standard_normal(mu, log_var)
    assert_leq(
        0.0,
        kl,
        atol=kl_round_off(mu, log_var),
        what="0 ≤ KL",
        inputs={"mu": mu, "log_var": log_var},
    )


@pytest.mark.claim
@given(
    st.integers(1, 6).flatmap(lambda k: st.tuples(st.integers(0, k - 1), st.just(k))),
    st.one_of(floats(1e-6, 30.0), floats(-30.0, -1e-6)),
    st.booleans(),
)
def test_kl_is_zero_exactly_at_the_standard_normal(impl, where, value, in_mean):
    """KL = 0 exactly at μ = 0, σ = 1, and KL > 0 once one |μ_j| or |log σ_j²| is ≥ 1e-6."""
    j, k = where
    mu, log_var = np.zeros(k), np.zeros(k)
    assert_close(
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        0.0,
        rtol=0.0,
        atol=0.0,
        what="KL at the standard normal",
        inputs={"k": k},
    )
    (mu if in_mean else log_var)[j] = value
    kl = impl.gaussian_kl_to_standard_normal(mu, log_var)
    assert_true(kl > 0, what="KL > 0 away from N(0, I)", inputs={"mu": mu, "log_var": log_var})


@pytest.mark.claim
@given(natural_gaussians())
@example((np.zeros(1), np.array([7e-275])))  # as written e^t − 1 − t gives −3.6e-275 here
def test_kl_is_the_kingma_welling_closed_form(impl, gaussian):
    """KL = ½ Σ (μ² + σ² − 1 − log σ²), within the round-off of its terms."""
    mu, log_var = gaussian
    # Relative 1e-13 where the sum is large; the absolute floor is the round-off of the
    # terms μ², e^t, 1, |t| (kl_round_off), all a direct evaluation can promise for tiny t.
    assert_close(
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        mp_kl(mu, log_var),
        rtol=1e-13,
        atol=kl_round_off(mu, log_var),
        what="KL against mpmath",
        inputs={"mu": mu, "log_var": log_var},
    )


@pytest.mark.claim
@costly(0.5)
@given(moderate_gaussians(), seeds)
def test_kl_is_the_monte_carlo_mean_of_the_log_density_ratio(impl, gaussian, seed):
    """KL = E_q[log q(z) − log p(z)]: the Monte-Carlo mean is within its 1e-12 bound (item 3)."""
    mu, log_var = gaussian
    samples = 2000
    sigma = np.sqrt(np.exp(log_var))
    z = latent_samples(mu, log_var, np.random.default_rng(seed).standard_normal((samples, mu.size)))
    ratio = normal_log_density(z, mu, sigma) - normal_log_density(z, 0.0, 1.0)
    linear = gaussian_mean_halfwidth(samples, np.linalg.norm(mu * sigma), FALSE_ALARM / 2)
    quadratic = mean_quadratic_form_halfwidth(np.diag((sigma**2 - 1) / 2), samples, FALSE_ALARM / 2)
    # The log-densities of |z| ≤ 50 round terms of size ≤ 1e3 to ~1e-13 each.
    assert_close(
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        ratio.mean(),
        rtol=0.0,
        atol=linear + quadratic + 1e-10,
        what="KL against the Monte-Carlo mean",
        inputs={"mu": mu, "log_var": log_var, "seed": seed},
    )


@pytest.mark.claim
@costly(0.5)
@given(vae_cases(), st.data())
def test_vae_loss_is_negative_elbo_minus_the_gaussian_constant(impl, case, data):
    """vae_loss = −ELBO − (D/2) log(2πc²) exactly, for the same eps and the closed-form KL."""
    x, mu, log_var, weights, bias, c = case
    eps = data.draw(matrices(data.draw(st.integers(1, 4)), mu.size, -4.0, 4.0))
    decoder = tanh_decoder(weights, bias)
    log_lik = normal_log_density(x, decoder(latent_samples(mu, log_var, eps)), c)
    elbo = log_lik.mean() - mp_kl(mu, log_var)
    constant = x.size / 2 * math.log(2 * math.pi * c**2)
    # Round-off relative to the terms that cancel: the constant, −ELBO itself.
    atol = 1e-13 * (abs(elbo) + abs(constant) + 1.0)
    assert_close(
        impl.vae_loss(x, mu, log_var, decoder, c, eps),
        -elbo - constant,
        rtol=0.0,
        atol=atol,
        what="vae_loss against −ELBO − (D/2) log 2πc²",
        inputs={"x": x, "mu": mu, "log_var": log_var, "c": c, "eps": eps},
    )


@pytest.mark.claim
@costly(0.5)
@given(vae_cases())
def test_linear_decoder_expected_reconstruction_has_closed_form(impl, case):
    """For g(z) = Az + b, E_ε vae_loss = KL + (‖x − Aμ − b‖² + Σ_j σ_j²‖A_{:,j}‖²)/(2c²)."""
    x, mu, log_var, weights, bias, c = case
    loss = impl.vae_loss(x, mu, log_var, linear_decoder(weights, bias), c, sigma_points(mu.size))
    expected = mp_kl(mu, log_var) + linear_reconstruction(*case)
    # Sigma points make the average exact; round-off on terms of size ≤ expected, and the
    # KL's own round-off (kl_round_off) where the loss is near 0.
    assert_close(
        loss,
        expected,
        rtol=1e-12,
        atol=1e-13 + kl_round_off(mu, log_var),
        what="sigma-point vae_loss",
        inputs={"x": x, "mu": mu, "log_var": log_var, "c": c},
    )


@pytest.mark.claim
@costly(0.5)
@given(vae_cases(), seeds)
@example(  # decoder weights near 1e-85 once underflowed the tolerance to ~1e-168
    case=(
        np.zeros(1),
        np.zeros(1),
        np.zeros(1),
        np.full((1, 1), 1.0025484e-85),
        np.full(1, 1.0025484e-85),
        0.01,
    ),
    seed=0,
)
@example(  # a zero decoder and μ = 2e-161: the whole loss is the subnormal KL μ²/2
    case=(
        np.zeros(1),
        np.full(1, 2.00540436e-161),
        np.zeros(1),
        np.zeros((1, 1)),
        np.zeros(1),
        0.01,
    ),
    seed=0,
)
def test_linear_decoder_monte_carlo_loss_converges_to_the_closed_form(impl, case, seed):
    """For g(z) = Az + b, the Monte-Carlo vae_loss is within its 1e-12 bound (∝ 1/√S) of item 4."""
    x, mu, log_var, weights, bias, c = case
    samples = 2000
    eps = np.random.default_rng(seed).standard_normal((samples, mu.size))
    loss = impl.vae_loss(x, mu, log_var, linear_decoder(weights, bias), c, eps)
    expected = mp_kl(mu, log_var) + linear_reconstruction(*case)
    # Item 4 divided by 2c²: linear coefficients −D_σAᵀr / c², quadratic D_σAᵀAD_σ / (2c²).
    a_sigma = weights * np.sqrt(np.exp(log_var))
    r = x - weights @ mu - bias
    # Both halfwidths are homogeneous of degree 1 in their coefficients: evaluate them on
    # coefficients scaled to order 1, so that weights near 1e-85 do not underflow the norms.
    coefficients = a_sigma.T @ r / c**2
    linear = gaussian_mean_halfwidth(samples, float(np.hypot.reduce(coefficients)), FALSE_ALARM / 2)
    form = a_sigma.T @ a_sigma / (2 * c**2)
    scale = np.abs(form).max()
    quadratic = (
        scale * mean_quadratic_form_halfwidth(form / scale, samples, FALSE_ALARM / 2)
        if scale
        else 0.0
    )
    # The KL is only known to the round-off of its terms μ², e^t, 1, |t| (kl_round_off: a
    # KL of μ²/2 = 2e-322 may come out as 0); the mean over the samples adds a few roundings
    # of SUBNORMAL_SPACING / 2 where the reconstruction is subnormal.
    assert_close(
        loss,
        expected,
        rtol=1e-12,
        atol=linear + quadratic + kl_round_off(mu, log_var) + 16 * SUBNORMAL_SPACING,
        what="Monte-Carlo vae_loss against the closed form",
        inputs={"x": x, "mu": mu, "log_var": log_var, "c": c, "seed": seed},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@costly(0.5)
@given(gaussians(mu=floats(-1e3, 1e3), log_var=floats(-700.0, 700.0)), st.data())
def test_reparameterized_sample_is_accurate_for_extreme_variances(impl, gaussian, data):
    """z = μ + σ ⊙ ε to a few ulp for |log σ²| up to 700, without warnings."""
    _check_reparameterization(impl, gaussian, data)


@pytest.mark.numerics
def test_reparameterize_accepts_log_var_exactly_while_its_sigma_is_finite(impl):
    """log σ² up to the largest t with finite e^{t/2} gives z = e^{t/2} ε, without overflow."""
    t = _largest_finite_sigma_log_var()
    eps = np.array([[0.5], [-1.0]])
    assert_close(
        impl.reparameterize([0.0], [t], eps),
        np.exp(t / 2.0) * eps,
        rtol=1e-15,
        atol=0.0,
        what="reparameterize at the largest log_var",
        inputs={"log_var": t},
    )


@pytest.mark.numerics
@given(gaussians())
def test_kl_is_nonnegative_without_round_off(impl, gaussian):
    """KL ≥ 0 exactly, down to |log σ²| = 1e-300 and up to log σ² = 700."""
    mu, log_var = gaussian
    kl = impl.gaussian_kl_to_standard_normal(mu, log_var)
    assert_leq(0.0, kl, what="0 ≤ KL", inputs={"mu": mu, "log_var": log_var})


@pytest.mark.numerics
@given(gaussians())
@example((np.array([0.0]), np.array([1.49])))  # e^t − 1 − t where a Taylor series is slow
@example((np.array([0.0]), np.array([710.0])))  # e^t overflows, yet KL = 1.1e308 is finite
@example((np.array([0.0]), np.array([720.0])))  # e^t / 2 overflows: KL = +inf, and no warning
def test_kl_matches_high_precision_evaluation(impl, gaussian):
    """½ Σ (μ² + σ² − 1 − log σ²) to 1e-13 relative, for |log σ²| from 1e-300 to 700."""
    mu, log_var = gaussian
    # A sum of K ≤ 6 non-negative terms, each within a few ulp: relative error
    # ~1e-15; the floor covers results near the smallest normal floats.
    assert_close(
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        mp_kl(mu, log_var),
        rtol=1e-13,
        atol=1e-300,
        what="KL against mpmath",
        inputs={"mu": mu, "log_var": log_var},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@costly(0.25)
@given(natural_gaussians(), st.data())
def test_reparameterize_broadcasts_eps_of_any_leading_shape(impl, gaussian, data):
    """eps of shape (K,), (S, K) or (1, S, K) gives z of the same shape (eps broadcasts)."""
    mu, log_var, eps, expected, atol = _reparameterization_case(gaussian, data)
    for noise, result in ((eps[0], expected[0]), (eps[None], expected[None])):  # (K,), (1, S, K)
        assert_close(
            impl.reparameterize(mu, log_var, noise),
            result,
            rtol=0.0,
            atol=atol,
            what=f"reparameterize for eps of shape {noise.shape}",
            inputs={"mu": mu, "log_var": log_var, "eps": noise},
        )


@pytest.mark.contract
@costly(0.25)
@given(gaussians())
def test_reparameterize_rejects_invalid_arguments(impl, gaussian):
    """reparameterize raises ValueError naming mu, log_var or eps for NaN or mismatched shapes."""
    mu, log_var = gaussian
    eps = np.zeros((2, mu.size))
    longer = np.append(log_var, 0.0)
    assert_rejects(
        impl.reparameterize,
        mu,
        longer,
        eps,
        argument="log_var",
        because="log_var has K + 1 entries",
    )
    wide = np.zeros((2, mu.size + 1))
    assert_rejects(
        impl.reparameterize, mu, log_var, wide, argument="eps", because="eps has K + 1 columns"
    )
    nan = np.full_like(mu, np.nan)
    assert_rejects(impl.reparameterize, nan, log_var, eps, argument="mu", because="mu is NaN")
    batch = ("mu", "log_var", "eps")  # all three may carry leading batch axes
    assert_rejects_bad_arrays(impl.reparameterize, mu, log_var, eps, names=batch, batched=batch)
    assert_rejects(
        impl.reparameterize, mu, log_var, 0.5, argument="eps", because="eps has no last axis of K"
    )
    two_rows = np.stack([mu, mu]), np.stack([log_var, log_var])
    assert_rejects(
        impl.reparameterize,
        *two_rows,
        np.zeros((3, mu.size)),
        argument="eps",
        because="3 rows of eps against 2 rows of mu",
    )


@pytest.mark.contract
def test_reparameterize_rejects_log_var_whose_sigma_overflows(impl):
    """Beyond the largest t with finite e^{t/2}, log_var is rejected: σ would be +inf."""
    t = _largest_finite_sigma_log_var()
    eps = np.array([[0.5], [-1.0]])
    for beyond in (np.nextafter(t, np.inf), 1e4):
        assert_rejects(
            impl.reparameterize,
            [0.0],
            [beyond],
            eps,
            argument="log_var",
            because=f"e^(log_var/2) overflows at log_var = {beyond}",
        )


@pytest.mark.contract
@costly(0.5)
@given(st.integers(1, 4).flatmap(lambda b: st.lists(gaussians(st.just(3)), min_size=b, max_size=b)))
def test_kl_sums_over_the_last_axis_of_a_batch(impl, rows):
    """On (B, K) inputs the KL is computed row by row: one value per row."""
    mu = np.stack([m for m, _ in rows])
    log_var = np.stack([v for _, v in rows])
    expected = [impl.gaussian_kl_to_standard_normal(m, v) for m, v in rows]
    assert_close(
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        expected,
        rtol=1e-15,
        atol=0.0,
        what="KL on a batch",
        inputs={"mu": mu, "log_var": log_var},
    )


@pytest.mark.contract
@costly(0.25)
@given(gaussians())
def test_kl_rejects_invalid_arguments(impl, gaussian):
    """gaussian_kl_to_standard_normal raises ValueError naming mu or log_var."""
    mu, log_var = gaussian
    assert_rejects(
        impl.gaussian_kl_to_standard_normal,
        mu,
        log_var[:-1],
        argument="log_var",
        because="log_var has K − 1 entries",
    )
    assert_rejects(
        impl.gaussian_kl_to_standard_normal,
        mu,
        log_var * np.nan,
        argument="log_var",
        because="log_var is NaN",
    )
    assert_rejects(
        impl.gaussian_kl_to_standard_normal,
        mu + np.inf,
        log_var,
        argument="mu",
        because="mu is infinite",
    )
    with pytest.raises(ValueError, match=r"\b(mu|log_var)\b"):  # no last axis to sum over
        impl.gaussian_kl_to_standard_normal(0.0, 0.0)


@pytest.mark.contract
@costly(0.25)
@given(vae_cases())
def test_vae_loss_rejects_invalid_arguments(impl, case):
    """vae_loss raises ValueError naming c, decoder, eps or x for invalid values or shapes."""
    x, mu, log_var, weights, bias, c = case
    decoder = linear_decoder(weights, bias)
    eps = np.zeros((2, mu.size))
    assert_rejects(impl.vae_loss, x, mu, log_var, decoder, -c, eps, argument="c", because="c < 0")
    assert_rejects(impl.vae_loss, x, mu, log_var, decoder, 0.0, eps, argument="c", because="c = 0")

    def too_wide(z):
        return np.zeros((len(z), x.size + 1))

    assert_rejects(
        impl.vae_loss,
        x,
        mu,
        log_var,
        too_wide,
        c,
        eps,
        argument="decoder",
        because="decoder gives D + 1",
    )
    wide = np.zeros((2, mu.size + 1))
    assert_rejects(
        impl.vae_loss,
        x,
        mu,
        log_var,
        decoder,
        c,
        wide,
        argument="eps",
        because="eps has K + 1 columns",
    )
    no_rows = np.zeros((0, mu.size))
    assert_rejects(
        impl.vae_loss,
        x,
        mu,
        log_var,
        decoder,
        c,
        no_rows,
        argument="eps",
        because="eps has no rows (S = 0)",
    )
    assert_rejects(
        impl.vae_loss, x * np.nan, mu, log_var, decoder, c, eps, argument="x", because="x is NaN"
    )
    assert_rejects_bad_arrays(
        impl.vae_loss,
        *(x, mu, log_var, decoder, c, eps),
        names=("x", "mu", "log_var", None, "c", "eps"),
    )
    assert_rejects(
        impl.vae_loss,
        x,
        mu,
        log_var,
        decoder,
        c,
        eps[0],
        argument="eps",
        because="eps is (K,), not (S, K)",
    )
    assert_rejects(
        impl.vae_loss,
        x,
        mu,
        log_var,
        "not callable",
        c,
        eps,
        argument="decoder",
        because="not callable",
    )
    with pytest.raises(ValueError, match=r"\b(mu|log_var)\b"):  # both (1, K): either named
        impl.vae_loss(x, mu[None], log_var[None], decoder, c, eps)


@pytest.mark.contract
@costly(0.25)
@given(vae_cases(), st.integers(1, 3))
def test_vae_loss_returns_a_float(impl, case, samples):
    """vae_loss of one data point is a float (the contract tier checks the type)."""
    x, mu, log_var, weights, bias, c = case
    eps = np.zeros((samples, mu.size))
    loss = impl.vae_loss(x, mu, log_var, linear_decoder(weights, bias), c, eps)
    assert_true(np.isfinite(loss), what="vae_loss is finite", inputs={"x": x, "mu": mu})
