r"""Exercise 6.20 — the KL divergence between two Gaussians.

Statement
    For Gaussians q = N(mu_q, S_q) and p = N(mu_p, S_p) on R^d with symmetric
    positive definite covariances,
        KL(q || p) = 1/2 [ log(det S_p / det S_q) - d + tr(S_p^{-1} S_q)
                           + (mu_p - mu_q)^T S_p^{-1} (mu_p - mu_q) ].

    .. math::

       \mathrm{KL}(q \,\|\, p) = \frac12 \Bigl[\log \frac{\det S_p}{\det S_q} - d
       + \operatorname{tr}(S_p^{-1} S_q) + (\mu_p - \mu_q)^\top S_p^{-1} (\mu_p - \mu_q)\Bigr]

Assumptions
    mu_q, mu_p are vectors of length d >= 1, S_q and S_p are d x d symmetric
    positive definite.

Natural range
    Dimensions 1 <= d <= 4, mean entries in [-10, 10], covariances of condition number up to
    1e8 and overall scale 1e-3, 1 or 1e3 (the tolerances grow with the condition number).

Argument
    KL(q || p) = E_q[log q(X) - log p(X)].  Both log-densities are
    -1/2 log det(2 pi S) - 1/2 (X - mu)^T S^{-1} (X - mu).  Under q,
    E_q[(X - mu_q)^T S_q^{-1} (X - mu_q)] = tr(S_q^{-1} S_q) = d and, writing
    X - mu_p = (X - mu_q) + (mu_q - mu_p),
    E_q[(X - mu_p)^T S_p^{-1} (X - mu_p)]
        = tr(S_p^{-1} S_q) + (mu_q - mu_p)^T S_p^{-1} (mu_q - mu_p)
    (the cross term has mean 0; E[Y^T A Y] = tr(A Cov Y) for centred Y).  Subtracting
    gives the formula.  Properties checked: KL >= 0 with equality iff q = p
    (Gibbs), the one-dimensional case log(s_p / s_q) + (s_q^2 + (m_q - m_p)^2) / (2 s_p^2) - 1/2,
    invariance under one invertible affine map x -> A x + b applied to both
    (KL is invariant under any bijection; in the formula, det, trace and
    quadratic form are all similarity invariants), additivity over
    independent blocks (densities factorize, logs add), agreement with a
    Monte-Carlo average of log q(X) - log p(X) and with
    ``torch.distributions.kl_divergence``, and, for S_p = I, mu_p = 0 and diagonal
    S_q, agreement with the VAE regularizer of Exercise 4.13.

Numerics
    Exact arithmetic is not attainable for ill-conditioned covariances: a
    backward-stable evaluation (Cholesky, triangular solves) computes the KL
    of covariances perturbed by ||E|| <= d (d + 1) u ||S|| (u = 2^-53; Higham,
    "Accuracy and Stability of Numerical Algorithms", Thm. 10.3).  To first
    order that moves the KL by at most
        d (d + 1) u / 2 [ kappa(S_p) (d + T + m) + kappa(S_q) (d + T) ],
    with T = tr(S_p^{-1} S_q) and m the Mahalanobis term (the gradient of KL
    with respect to S_p is (S_p^{-1} - S_p^{-1}(S_q + delta delta^T) S_p^{-1}) / 2,
    with respect to S_q it is (S_p^{-1} - S_q^{-1}) / 2).  The tolerance
    ``kl_tolerance`` is four times that plus the rounding of the final sum.
    For well-conditioned inputs it is ~1e-13 relative; at condition 1e8,
    ~1e-6 relative, which is what float64 can promise.  The oracle is mpmath
    at 50 digits.  Each log-determinant and the final sum are sums of terms that may cancel
    (KL ~ 0 for nearly equal Gaussians): they are known only to ~4 d u times the size of
    their terms, |log det S_p| + |log det S_q| + d + T + m, which ``kl_tolerance`` adds.  So
    the claim KL >= 0 allows -kl_tolerance: a slogdet/solve evaluation returns -4e-16 for
    KL(q || q).  That KL is never negative, not even by a rounding, is a numerics
    property: computed as a sum of non-negative terms (see the reference) it is exactly >= 0.

Statistical check
    Y = log q(X) - log p(X) with X = mu_q + L_q z, z ~ N(0, I), is the Gaussian
    chaos z^T B z / 2 + v^T z + const with B = M^T M - I, M = L_p^{-1} L_q and
    v = M^T L_p^{-1} (mu_q - mu_p).  Laurent–Massart's chi-square bounds and the
    Gaussian tail give a radius for the mean of n draws that it exceeds with
    probability <= 1e-12 (``gaussian_chaos_mean_halfwidth``, derived there).
    n = 20000.

Errata
    The quadratic form in (7) lacks a transpose: (mu_p - mu_q)^T S_p^{-1} (mu_p - mu_q).

References
    C. Luo, "Understanding Diffusion Models: A Unified Perspective", 2022 (the KL terms of the
    diffusion ELBO).
    J. Ho, A. Jain and P. Abbeel, "Denoising Diffusion Probabilistic Models", 2020, §3.2.
    B. Laurent and P. Massart, "Adaptive estimation of a quadratic functional by model
    selection", Annals of Statistics, 2000, Lemma 1.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import linalg, stats

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.contract import CONTRACT
from spec.lecture06._diffusion_support import UNIT_ROUNDOFF, gaussian_chaos_mean_halfwidth
from spec.strategies import floats, seeds, spd_matrices

mpmath.mp.dps = 50
N_SAMPLES = 20_000


def means(d: int, bound: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """Mean vectors of length d with entries in [-bound, bound]."""
    return hnp.arrays(np.float64, d, elements=floats(-bound, bound), fill=st.nothing())


@st.composite
def gaussian_pairs(draw, d=st.integers(1, 4), max_condition: float = 1e8):
    """(mu_q, S_q, mu_p, S_p) on R^d with condition numbers up to max_condition."""
    n = draw(d)
    return (
        draw(means(n)),
        draw(spd_matrices(n, max_condition)),
        draw(means(n)),
        draw(spd_matrices(n, max_condition)),
    )


def _inputs(pair) -> dict:
    return dict(zip(("mu_q", "cov_q", "mu_p", "cov_p"), pair, strict=True))


def _parts(mu_q, cov_q, mu_p, cov_p):
    """(T = tr(S_p^-1 S_q), m = Mahalanobis term, |log det S_p| + |log det S_q|), for tolerances.

    The last is the size of the terms a log-determinant is summed from: |log det S_p| and
    |log det S_q| may be large while their difference is 0.
    """
    chol_p, chol_q = np.linalg.cholesky(cov_p), np.linalg.cholesky(cov_q)
    m_factor = np.linalg.solve(chol_p, chol_q)
    whitened = np.linalg.solve(chol_p, mu_p - mu_q)
    log_dets = 2.0 * np.sum(np.abs(np.log(np.diag(chol_p)))) + 2.0 * np.sum(
        np.abs(np.log(np.diag(chol_q)))
    )
    return float(np.sum(m_factor**2)), float(whitened @ whitened), float(log_dets)


def _condition(cov) -> float:
    eigenvalues = np.linalg.eigvalsh(cov)
    return float(eigenvalues[-1] / eigenvalues[0])


def kl_tolerance(mu_q, cov_q, mu_p, cov_p) -> float:
    """Four times the first-order error of a backward-stable evaluation (module docstring)."""
    d = len(mu_q)
    trace, mahalanobis, log_dets = _parts(mu_q, cov_q, mu_p, cov_p)
    backward = d * (d + 1) * UNIT_ROUNDOFF / 2.0
    first_order = backward * (
        _condition(cov_p) * (d + trace + mahalanobis) + _condition(cov_q) * (d + trace)
    )
    # The final sum and each log-determinant (a sum of d logs of pivots): absolute error
    # <= 4 d u times the size of the terms (cancellation makes KL ~ 0 possible).
    summation = 4 * d * UNIT_ROUNDOFF * (d + trace + mahalanobis + log_dets)
    return 4.0 * first_order + summation


def _mp_kl(mu_q, cov_q, mu_p, cov_p) -> float:
    """Formula (7) at 50 significant digits."""
    s_q, s_p = mpmath.matrix(cov_q.tolist()), mpmath.matrix(cov_p.tolist())
    delta = mpmath.matrix((mu_p - mu_q).tolist())
    s_p_inv = mpmath.inverse(s_p)
    trace = sum((s_p_inv * s_q)[i, i] for i in range(len(mu_q)))
    log_det = mpmath.log(mpmath.det(s_p)) - mpmath.log(mpmath.det(s_q))
    return float((log_det - len(mu_q) + trace + (delta.T * s_p_inv * delta)[0]) / 2)


def _symmetric(a: np.ndarray) -> np.ndarray:
    return (a + a.T) / 2.0


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(gaussian_pairs())
def test_kl_matches_50_digit_evaluation(impl, pair):
    """gaussian_kl agrees with (7) at 50 digits within the backward-error bound (cond <= 1e8)."""
    assert_close(
        impl.gaussian_kl(*pair),
        _mp_kl(*pair),
        rtol=0.0,
        atol=kl_tolerance(*pair),
        what="KL against mpmath",
        inputs=_inputs(pair),
    )


#: Nearly equal pairs: the second Gaussian moved by eta in mean and covariance.
near_pairs = st.tuples(
    gaussian_pairs(),
    spd_matrices(st.just(4)),
    means(4),
    st.sampled_from([0.0, 1e-14, 1e-10, 1e-6, 1e-2]),
)


def _pair_and_its_neighbour(pair, spd, shift, eta):
    """The drawn pair, and q with a p moved by eta (relative) in mean and covariance."""
    mu_q, cov_q, _, _ = pair
    d = len(mu_q)
    bump = spd[:d, :d] / np.linalg.norm(spd[:d, :d]) * np.linalg.norm(cov_q)
    return pair, (mu_q, cov_q, mu_q + eta * shift[:d], _symmetric(cov_q + eta * bump))


@pytest.mark.claim
@given(near_pairs)
def test_kl_is_never_negative(impl, near):
    """KL >= 0 (Gibbs), within the rounding of its terms, also for nearly equal Gaussians."""
    for candidate in _pair_and_its_neighbour(*near):
        assert_leq(
            0.0,
            impl.gaussian_kl(*candidate),
            atol=kl_tolerance(*candidate),
            what="KL >= 0",
            inputs=_inputs(candidate),
        )


@pytest.mark.claim
@given(gaussian_pairs(), st.sampled_from([0.25, 0.5, 2.0, 4.0]))
def test_kl_is_zero_exactly_when_the_gaussians_coincide(impl, pair, c):
    """KL(q || q) = 0, while a rescaled covariance or a shifted mean makes KL > 0."""
    mu, cov = pair[:2]
    d = len(mu)
    same = (mu, cov, mu, cov)
    assert_close(
        impl.gaussian_kl(*same),
        0.0,
        rtol=0.0,
        atol=kl_tolerance(*same),
        what="KL(q || q)",
        inputs=_inputs(same),
    )
    # c is a power of 2, so c S is exact and KL(N(mu, S) || N(mu, c S)) = d/2 (log c - 1 + 1/c).
    scaled = (mu, cov, mu, c * cov)
    expected = float(d * (mpmath.log(c) - 1 + 1 / mpmath.mpf(c)) / 2)
    assert_close(
        impl.gaussian_kl(*scaled),
        expected,
        rtol=0.0,
        atol=kl_tolerance(*scaled),
        what="KL to c S",
        inputs=_inputs(scaled),
    )
    moved = mu.copy()
    moved[0] += max(np.sqrt(cov[0, 0]), 1e-6 * abs(mu[0]))  # a float64-visible shift
    shifted = (mu, cov, moved, cov)
    assert_true(
        impl.gaussian_kl(*shifted) > 0, what="KL > 0 for different means", inputs=_inputs(shifted)
    )


@pytest.mark.claim
@given(floats(-10.0, 10.0), floats(-10.0, 10.0), floats(-4.0, 4.0), floats(-4.0, 4.0))
def test_one_dimensional_formula(impl, m_q, m_p, log10_s_q, log10_s_p):
    """In 1-D: KL = log(s_p / s_q) + (s_q^2 + (m_q - m_p)^2) / (2 s_p^2) - 1/2."""
    s_q, s_p = 10.0**log10_s_q, 10.0**log10_s_p
    args = (np.array([m_q]), np.array([[s_q**2]]), np.array([m_p]), np.array([[s_p**2]]))
    mq, mp_, vq, vp = (mpmath.mpf(m_q), mpmath.mpf(m_p), mpmath.mpf(s_q**2), mpmath.mpf(s_p**2))
    expected = mpmath.log(vp / vq) / 2 + (vq + (mq - mp_) ** 2) / (2 * vp) - mpmath.mpf(1) / 2
    assert_close(
        impl.gaussian_kl(*args),
        float(expected),
        rtol=0.0,
        atol=kl_tolerance(*args),
        what="1-D KL",
        inputs=_inputs(args),
    )


@st.composite
def affine_maps(draw, d: int):
    """(A, b): A = Q diag(s), Q orthogonal, s in [0.5, 2] (so cond A <= 4), b in [-10, 10]^d."""
    raw = draw(hnp.arrays(np.float64, (d, d), elements=floats(-1.0, 1.0), fill=st.nothing()))
    q, _ = np.linalg.qr(raw + 3.0 * np.eye(d))
    s = draw(hnp.arrays(np.float64, d, elements=floats(0.5, 2.0), fill=st.nothing()))
    return q * s, draw(means(d))


@pytest.mark.claim
@given(
    st.integers(1, 4).flatmap(
        lambda d: st.tuples(gaussian_pairs(st.just(d), max_condition=1e6), affine_maps(d))
    )
)
def test_kl_is_invariant_under_a_shared_affine_map(impl, pair_and_map):
    """KL(A q + b || A p + b) = KL(q || p) for invertible A."""
    pair, (a, b) = pair_and_map
    mu_q, cov_q, mu_p, cov_p = pair
    moved = (a @ mu_q + b, _symmetric(a @ cov_q @ a.T), a @ mu_p + b, _symmetric(a @ cov_p @ a.T))
    # Forming A mu + b rounds the means by <= 4u (|A||mu| + |b|); whitened by S_p' that moves
    # the Mahalanobis term by <= sqrt(2 m) w + w^2.  Forming A S A^T is a backward error of
    # the kind kl_tolerance already covers (cond A^2 <= 16 enters through cond S').
    rounding = 4 * UNIT_ROUNDOFF * (np.abs(a) @ (np.abs(mu_q) + np.abs(mu_p)) + 2 * np.abs(b))
    w = np.linalg.norm(rounding) / np.sqrt(np.linalg.eigvalsh(moved[3])[0])
    mahalanobis = _parts(*moved)[1]
    atol = kl_tolerance(*pair) + kl_tolerance(*moved) + np.sqrt(2 * mahalanobis) * w + w**2
    assert_close(
        impl.gaussian_kl(*moved),
        impl.gaussian_kl(*pair),
        rtol=0.0,
        atol=atol,
        what="KL after x -> A x + b",
        inputs={**_inputs(pair), "A": a, "b": b},
    )


def _unit_scale(pair):
    """The pair with covariances divided by their mean eigenvalue (keeps the block's condition)."""
    mu_q, cov_q, mu_p, cov_p = pair
    d = len(mu_q)
    return mu_q, cov_q / (np.trace(cov_q) / d), mu_p, cov_p / (np.trace(cov_p) / d)


@pytest.mark.claim
@given(
    gaussian_pairs(st.integers(1, 3)).map(_unit_scale),
    gaussian_pairs(st.integers(1, 3)).map(_unit_scale),
)
def test_kl_adds_over_independent_blocks(impl, first, second):
    """For block-diagonal covariances, KL of the joint = sum of the KLs of the blocks."""
    joint = (
        np.concatenate([first[0], second[0]]),
        linalg.block_diag(first[1], second[1]),
        np.concatenate([first[2], second[2]]),
        linalg.block_diag(first[3], second[3]),
    )
    atol = kl_tolerance(*first) + kl_tolerance(*second) + kl_tolerance(*joint)
    assert_close(
        impl.gaussian_kl(*joint),
        impl.gaussian_kl(*first) + impl.gaussian_kl(*second),
        rtol=0.0,
        atol=atol,
        what="KL over independent blocks",
        inputs=_inputs(joint),
    )


@pytest.mark.claim
@given(gaussian_pairs(st.integers(1, 3), max_condition=100.0).map(_unit_scale), seeds)
def test_kl_agrees_with_monte_carlo(impl, pair, seed):
    """The mean of log q(X) - log p(X) over 20000 draws X ~ q lies within the chaos radius of KL."""
    mu_q, cov_q, mu_p, cov_p = pair
    chol_q, chol_p = np.linalg.cholesky(cov_q), np.linalg.cholesky(cov_p)
    x = mu_q + np.random.default_rng(seed).standard_normal((N_SAMPLES, len(mu_q))) @ chol_q.T
    log_ratio = stats.multivariate_normal(mu_q, cov_q).logpdf(x) - stats.multivariate_normal(
        mu_p, cov_p
    ).logpdf(x)
    m = np.linalg.solve(chol_p, chol_q)
    v = m.T @ np.linalg.solve(chol_p, mu_q - mu_p)
    radius = gaussian_chaos_mean_halfwidth(N_SAMPLES, m.T @ m - np.eye(len(mu_q)), v)
    kl = impl.gaussian_kl(*pair)
    # log-densities of well-conditioned Gaussians are accurate to ~1e-13 of their size.
    assert_close(
        float(np.mean(log_ratio)),
        kl,
        rtol=1e-9,
        atol=radius + 1e-9,
        what="Monte-Carlo KL",
        inputs={**_inputs(pair), "seed": seed},
    )


@pytest.mark.claim
@settings(max_examples=10)  # ~10 ms per torch call; the mpmath test carries the accuracy claim
@given(gaussian_pairs())
def test_kl_agrees_with_torch(impl, pair):
    """gaussian_kl agrees with torch.distributions.kl_divergence (float64) within both bounds."""
    mvn = torch.distributions.MultivariateNormal
    q, p = (
        mvn(torch.from_numpy(m), covariance_matrix=torch.from_numpy(c), validate_args=False)
        for m, c in (pair[:2], pair[2:])
    )
    expected = float(torch.distributions.kl_divergence(q, p))
    assert_close(
        impl.gaussian_kl(*pair),
        expected,
        rtol=0.0,
        atol=2 * kl_tolerance(*pair),
        what="KL against torch",
        inputs=_inputs(pair),
    )


@pytest.mark.claim
@given(st.integers(1, 5).flatmap(lambda d: st.tuples(means(d), means(d))))
def test_kl_to_standard_normal_matches_lecture_4(impl, mu_and_log_var):
    """gaussian_kl(mu, diag exp(log_var), 0, I) = gaussian_kl_to_standard_normal(mu, log_var)."""
    if "gaussian_kl_to_standard_normal" not in CONTRACT:
        pytest.skip("gaussian_kl_to_standard_normal (Exercise 4.13) is not in the contract yet")
    mu, log_var = mu_and_log_var
    d = len(mu)
    full = impl.gaussian_kl(mu, np.diag(np.exp(log_var)), np.zeros(d), np.eye(d))
    # Diagonal case: four terms per coordinate, each to a few ulp of its magnitude.
    magnitude = np.sum(np.exp(log_var) + mu**2 + np.abs(log_var) + 1.0)
    assert_close(
        full,
        impl.gaussian_kl_to_standard_normal(mu, log_var),
        rtol=0.0,
        atol=16 * UNIT_ROUNDOFF * magnitude,
        what="KL to N(0, I)",
        inputs={"mu": mu, "log_var": log_var},
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(near_pairs)
def test_kl_is_never_negative_even_by_a_rounding(impl, near):
    """KL >= 0 exactly, also where its terms cancel (nearly equal, ill-conditioned Gaussians)."""
    for candidate in _pair_and_its_neighbour(*near):
        assert_leq(0.0, impl.gaussian_kl(*candidate), what="KL >= 0", inputs=_inputs(candidate))


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(gaussian_pairs())
def test_returns_a_float(impl, pair):
    """gaussian_kl of one pair of Gaussians returns a float."""
    assert_true(
        isinstance(impl.gaussian_kl(*pair), float),
        what="gaussian_kl returns a float",
        inputs=_inputs(pair),
    )


@pytest.mark.contract
@settings(max_examples=20)  # deterministic checks: the values of the Gaussians hardly matter
@given(gaussian_pairs(st.integers(2, 4)))
def test_rejects_invalid_gaussians(impl, pair):
    """Non-symmetric, indefinite, misshapen or NaN arguments raise ValueError naming them."""
    mu_q, cov_q, mu_p, cov_p = pair
    skewed = cov_q.copy()
    skewed[0, 1] += 0.5 * np.abs(cov_q).max() + 1.0
    cases = [
        ((mu_q, skewed, mu_p, cov_p), "cov_q", "cov_q is not symmetric"),
        ((mu_q, cov_q, mu_p, -cov_p), "cov_p", "cov_p is negative definite"),
        ((mu_q, cov_q[:-1, :-1], mu_p, cov_p), "cov_q", "cov_q is (d-1, d-1)"),
        ((mu_q, cov_q, mu_p[:-1], cov_p), "mu_p", "mu_p is shorter than mu_q"),
        ((np.full_like(mu_q, np.nan), cov_q, mu_p, cov_p), "mu_q", "mu_q is NaN"),
    ]
    for args, name, why in cases:
        assert_rejects(impl.gaussian_kl, *args, argument=name, because=why)


@pytest.mark.contract
@settings(max_examples=20)  # input validation needs no breadth
@given(gaussian_pairs(st.integers(2, 4)))
def test_rejects_nan_or_batched_arguments_and_mis_sized_cov_p(impl, pair):
    """NaN or extra axes in any argument, 2-D means or a cov_p of another size raise ValueError."""
    mu_q, cov_q, mu_p, cov_p = pair
    assert_rejects_bad_arrays(impl.gaussian_kl, *pair, names=("mu_q", "cov_q", "mu_p", "cov_p"))
    assert_rejects(
        impl.gaussian_kl,
        mu_q[None],
        cov_q,
        mu_p[None],
        cov_p,
        argument="mu_q",
        because="the means are 2-D",
    )
    assert_rejects(
        impl.gaussian_kl,
        mu_q,
        cov_q,
        mu_p,
        np.eye(len(mu_q) + 1),
        argument="cov_p",
        because="cov_p is (d+1, d+1)",
    )
