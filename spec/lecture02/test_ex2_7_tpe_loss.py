r"""Exercise 2.7 — the TPE loss is a logistic loss on a learned similarity gap.

Statement
    A face network gives embeddings h(x) in R^d; Triplet Probabilistic Embedding
    (TPE) learns a linear map T: R^d -> R^k and scores a pair by the inner product
    of the mapped embeddings h' = T h.  For triplets (anchor a_i, positive p_i of the
    anchor's identity, negative n_i of another identity), i = 1..m, the loss is

        L(T) = -(1/m) sum_i log( e^{s_i^p} / (e^{s_i^p} + e^{s_i^n}) ),
        s_i^p = <T a_i, T p_i>,   s_i^n = <T a_i, T n_i>.

    Explain where the loss comes from, and compute its gradient in T.

    .. math::

       L(T) = -\frac{1}{m} \sum_{i=1}^m \log \frac{e^{s_i^p}}{e^{s_i^p} + e^{s_i^n}}, \qquad
       s_i^p = \langle T a_i, T p_i\rangle, \quad s_i^n = \langle T a_i, T n_i\rangle

Assumptions
    The contract's shapes: T is (k, d); anchors, positives and negatives are (m, d)
    arrays with one triplet per row and m >= 1.  ``tpe_loss`` returns L as a float,
    ``tpe_loss_gradient`` returns dL/dT as a (k, d) array.

Argument
    .. math::

       L(T) = \frac{1}{m} \sum_{i=1}^m \log\bigl(1 + e^{g_i}\bigr), \qquad
       g_i = s_i^n - s_i^p = \langle T a_i, T D_i\rangle, \quad D_i = n_i - p_i

       \frac{\partial L}{\partial T} = \frac{1}{m}\, T \sum_{i=1}^m \sigma(g_i)
       \bigl(a_i D_i^\top + D_i a_i^\top\bigr)

    Probabilistic reading.  Model the event "the anchor is closer to its positive than
    to its negative" as a two-way softmax over the similarities: its probability is
    q_i = e^{s^p} / (e^{s^p} + e^{s^n}) = sigma(s^p - s^n), sigma the logistic function.
    L is the mean negative log-likelihood of observing every triplet ordered correctly,
    and since -log sigma(-g) = log(1 + e^{g}) = softplus(g),

        L = (1/m) sum_i softplus(g_i),   g_i = s_i^n - s_i^p   (the similarity gap),

    a logistic loss on the gap: about |g_i| for violated triplets, about e^{-|g_i|} for
    well-ordered ones, and exactly log 2 when the negative equals the positive (g = 0).
    Evaluated this way the loss is finite for every finite gap, while the quotient of
    exponentials overflows beyond gaps of about 700.

    Symmetry.  s(u, v) = u^T (T^T T) v depends on T only through T^T T, which an
    orthogonal Q (k x k) leaves unchanged: L(QT) = L(T).  Differentiating
    L(QT) = L(T) gives dL/dT (QT) = Q dL/dT (T).

    Gradient (derived in ``impl.metric_learning.tpe_loss_gradient``).  For
    T -> T + E the similarity changes to first order by u^T (E^T T + T^T E) v =
    <E, T (u v^T + v u^T)>, softplus' = sigma, and g_i = s(a_i, n_i - p_i), so

        dL/dT = (1/m) T sum_i sigma(g_i) (a_i D_i^T + D_i a_i^T),   D_i = n_i - p_i.

    The weights sigma(g_i) lie in [0, 1], so the gradient is finite for every gap.
    The spec compares it with torch autograd run on the definition (an independent
    derivation) and with central finite differences of ``tpe_loss`` (consistency).

Natural range
    k, d ≤ 4, m ≤ 5 triplets, entries of T and of the embeddings in [-1, 1] (uniform,
    on a coarse grid, or with magnitudes spread over six orders), so similarities and
    gaps stay below 64 in magnitude and log(1 + e^g) may be evaluated literally; with
    n = p the entries go to 1e3 (the gap is 0 however large the similarities).  Gaps of
    ±1e4, where e^g overflows, are numerics.

Numerics
    A float64 similarity is a sum of products whose magnitudes add up to at most
    scale_i = <|T||a_i|, |T|(|p_i| + |n_i|)> (|.| entrywise); summing k + d + 2 terms
    errs by at most (k + d + 2) u scale_i, u = 2^-53, and the loss and the gradient
    inherit that error (sigma' <= 1/4).  Tolerances below are these first-order bounds
    times a safety factor of 8; every wrong formula tried is off by O(1).

Errata
    None.  (The notes sum from i = 0 to m - 1; we number the triplets 1..m.)

References
    S. Sankaranarayanan, A. Alavi, C. D. Castillo and R. Chellappa, "Triplet
    probabilistic embedding for face verification and clustering", BTAS 2016
    (arXiv:1604.05417).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_rejects
from spec.strategies import seeds

#: float64 unit roundoff.
U = np.finfo(np.float64).eps / 2


#: Safety factor over the first-order rounding bounds of the module docstring.
SAFETY = 8.0


mpmath.mp.dps = 50


@st.composite
def triplet_batches(draw, bound=1.0, max_k=4, max_d=4, max_m=5):
    """(T, anchors, positives, negatives), T (k, d) and the others (m, d), entries in ±bound.

    Entries come from a seeded generator (drawing them one by one through Hypothesis
    costs more than the whole property) in one of three styles: uniform; multiples of
    bound/2, so that exact zeros, repeated rows and n = p occur; or magnitudes spread
    over six orders, so that large and tiny similarities meet in one batch.
    """
    k, d, m = draw(st.integers(1, max_k)), draw(st.integers(1, max_d)), draw(st.integers(1, max_m))
    rng = np.random.default_rng(draw(seeds))
    entries = rng.uniform(-1.0, 1.0, (k + 3 * m, d))
    style = draw(st.sampled_from(["uniform", "coarse", "magnitudes"]))
    if style == "coarse":
        entries = np.round(2.0 * entries) / 2.0
    elif style == "magnitudes":
        entries *= 10.0 ** rng.uniform(-6.0, 0.0, entries.shape)
    T, A, P, N = np.split(bound * entries, [k, k + m, k + 2 * m])
    return T, A, P, N


def _gaps(T, A, P, N):
    """The similarity gaps g_i = <T a_i, T n_i> - <T a_i, T p_i>, by the test's own route."""
    ta = A @ T.T
    return np.sum(ta * (N @ T.T), axis=1) - np.sum(ta * (P @ T.T), axis=1)


def _similarity_scales(T, A, P, N):
    """Per triplet, the summed magnitudes of the float64 terms behind s^p and s^n."""
    ta, tp, tn = (np.abs(X) @ np.abs(T).T for X in (A, P, N))
    return np.sum(ta * (tp + tn), axis=1)


def _loss_atol(T, A, P, N):
    k, d = T.shape
    return SAFETY * (k + d + 4) * U * (np.mean(_similarity_scales(T, A, P, N)) + 1.0)


def _gradient_atol(T, A, P, N):
    """Rounding bound for dL/dT: product errors plus the weights' error sigma' * gap error."""
    (k, d), m = T.shape, A.shape[0]
    B = np.abs(P) + np.abs(N)
    outer = np.abs(A).T @ B + B.T @ np.abs(A)
    magnitude = np.max(np.abs(T) @ outer) / m
    return SAFETY * (k + d + m + 4) * U * (1.0 + np.max(_similarity_scales(T, A, P, N))) * magnitude


def _definition_at_50_digits(T, A, P, N):
    """-(1/m) sum log(e^{s^p} / (e^{s^p} + e^{s^n})), literally, in 50-digit arithmetic."""
    T = mpmath.matrix(T.tolist())
    total = mpmath.mpf(0)
    for a, p, n in zip(A, P, N, strict=True):
        ta, tp, tn = (T * mpmath.matrix(v.tolist()) for v in (a, p, n))
        sp, sn = mpmath.fdot(ta, tp), mpmath.fdot(ta, tn)
        total -= mpmath.log(mpmath.exp(sp) / (mpmath.exp(sp) + mpmath.exp(sn)))
    return float(total / len(A))


def _autograd(T, A, P, N):
    """dL/dT from torch autograd applied to the definition (a two-way log-softmax)."""
    # These tensors are tiny: with the default intra-op thread pool, hand-offs between
    # threads dominate and stall on a loaded machine (pytest -n auto), so run on one
    # thread and restore the setting for other spec files.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        t = torch.tensor(T, requires_grad=True)
        ta, tp, tn = (torch.from_numpy(X) @ t.T for X in (A, P, N))
        similarities = torch.stack([(ta * tp).sum(dim=1), (ta * tn).sum(dim=1)], dim=1)
        (-torch.log_softmax(similarities, dim=1)[:, 0].mean()).backward()
        return t.grad.numpy()
    finally:
        torch.set_num_threads(threads)


@st.composite
def orthogonal_matrices(draw, k):
    """Orthogonal k x k matrices: the Q factor of a well-conditioned drawn matrix."""
    rng = np.random.default_rng(draw(seeds))
    q, _ = np.linalg.qr(rng.uniform(-1.0, 1.0, (k, k)) + 3.0 * np.eye(k))
    return q


# Central differences with step H on entries in ±1, k, d <= 3: along T + tE_rc each gap
# is a quadratic g(t) with |g'| <= 2 |a| |T| |D| <= 36 and |g''| <= 4, so the loss's third
# derivative is at most 0.097 |g'|^3 + 0.75 |g'| |g''| < 4600 and the truncation error at
# most H^2/6 * 4600 < 1e-7; rounding the loss (|L| <= 60) adds at most ~1e-13 / H = 1e-8.
FD_STEP = 1e-5


FD_ATOL = 1e-6


GAP = 1e4


@st.composite
def batches_with_extreme_gaps(draw):
    """Gaussian triplets whose negatives are moved along n - p until each gap is ±GAP."""
    rng = np.random.default_rng(draw(seeds))
    k, d, m = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 5))
    T, A, P, N = rng.standard_normal((k, d)), *rng.standard_normal((3, m, d))
    gaps = _gaps(T, A, P, N)
    assume(np.all(np.abs(gaps) > 1e-3))  # fails with probability ~1e-3 per triplet
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=m, max_size=m)))
    # the gap is linear in n - p, so scaling n - p by GAP * sign / gap sets it to ±GAP
    return T, A, P, P + (GAP * signs / gaps)[:, None] * (N - P)


def _bad_batches(T, A, P, N):
    """(arguments, name of the offending argument, what is wrong) for malformed TPE batches."""
    nan_T = T.copy()
    nan_T[0, 0] = np.nan
    inf_N = N.copy()
    inf_N[-1, -1] = np.inf
    nan_A = A.copy()
    nan_A[0, -1] = np.nan
    nan_P = P.copy()
    nan_P[-1, 0] = np.nan
    wider = np.hstack([A, A[:, :1]])
    return [
        ((nan_T, A, P, N), "T", "T has a NaN"),
        ((T[0], A, P, N), "T", "T is a vector"),
        ((T[:0], A, P, N), "T", "T has no rows"),
        ((T, nan_A, P, N), "anchors", "anchors have a NaN"),
        ((T, A[0], P, N), "anchors", "anchors are one vector"),
        ((T, wider, P, N), "anchors", "anchors have d + 1 columns"),
        ((T, A[:0], P[:0], N[:0]), "anchors", "there are no triplets"),
        ((T, A, P[:, :, None], N), "positives", "positives have an extra axis"),
        ((T, A, nan_P, N), "positives", "positives have a NaN"),
        ((T, A, np.vstack([P, P]), N), "positives", "positives have 2m rows"),
        ((T, A, P, inf_N), "negatives", "negatives have an inf"),
        ((T, A, P, N[:, :-1]), "negatives", "negatives have d − 1 columns"),
    ]


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(triplet_batches())
def test_loss_matches_the_definition_at_50_digits(impl, batch):
    """L equals -(1/m) sum log(e^{s^p} / (e^{s^p} + e^{s^n})) evaluated in 50-digit arithmetic."""
    assert_close(
        impl.tpe_loss(*batch),
        _definition_at_50_digits(*batch),
        rtol=0.0,
        atol=_loss_atol(*batch),
        what="TPE loss against its definition",
    )


@pytest.mark.claim
@given(triplet_batches())
def test_loss_is_the_mean_logistic_loss_of_the_similarity_gaps(impl, batch):
    """Each triplet contributes softplus(s^n - s^p) and the batch loss is their mean."""
    T, A, P, N = batch
    singles = [impl.tpe_loss(T, A[i : i + 1], P[i : i + 1], N[i : i + 1]) for i in range(len(A))]
    atol = _loss_atol(*batch) * len(A)
    assert_close(
        singles,
        np.logaddexp(0.0, _gaps(*batch)),
        rtol=0.0,
        atol=atol,
        what="one triplet's loss against softplus(gap)",
    )
    assert_close(
        impl.tpe_loss(*batch),
        np.mean(singles),
        rtol=0.0,
        atol=atol,
        what="batch loss against the mean of single-triplet losses",
    )


@pytest.mark.claim
@given(triplet_batches(bound=1e3))
def test_loss_is_log_2_when_positive_equals_negative(impl, batch):
    """With n_i = p_i for every triplet the gap is 0 and L = log 2, whatever the similarities."""
    T, A, P, _ = batch
    assert_close(impl.tpe_loss(T, A, P, P), np.log(2.0), what="TPE loss with n = p")


@pytest.mark.claim
@given(triplet_batches(), st.data())
def test_loss_is_invariant_under_orthogonal_maps_of_the_embedding(impl, batch, data):
    """L(QT) = L(T) for every orthogonal k x k matrix Q: only T^T T matters."""
    T, A, P, N = batch
    Q = data.draw(orthogonal_matrices(len(T)))
    atol = _loss_atol(T, A, P, N) + _loss_atol(np.abs(Q) @ np.abs(T), A, P, N)
    assert_close(
        impl.tpe_loss(Q @ T, A, P, N),
        impl.tpe_loss(T, A, P, N),
        rtol=0.0,
        atol=atol,
        what="L(QT) against L(T)",
    )


@pytest.mark.claim
@given(triplet_batches())
def test_gradient_matches_torch_autograd(impl, batch):
    """The hand-derived dL/dT equals torch autograd's gradient of the definition."""
    assert_close(
        impl.tpe_loss_gradient(*batch),
        _autograd(*batch),
        rtol=0.0,
        atol=_gradient_atol(*batch),
        what="dL/dT against torch autograd",
    )


@pytest.mark.claim
@given(triplet_batches(bound=1.0, max_k=3, max_d=3, max_m=4))
def test_gradient_matches_central_finite_differences_of_the_loss(impl, batch):
    """Each entry of dL/dT equals (L(T + hE) - L(T - hE)) / 2h up to O(h^2)."""
    T, A, P, N = batch
    differences = np.zeros_like(T)
    for index in np.ndindex(*T.shape):
        step = np.zeros_like(T)
        step[index] = FD_STEP
        differences[index] = (
            impl.tpe_loss(T + step, A, P, N) - impl.tpe_loss(T - step, A, P, N)
        ) / (2 * FD_STEP)
    assert_close(
        impl.tpe_loss_gradient(*batch),
        differences,
        rtol=0.0,
        atol=FD_ATOL,
        what="dL/dT against central differences",
    )


@pytest.mark.claim
@given(triplet_batches(bound=1e3))
def test_gradient_vanishes_when_positive_equals_negative(impl, batch):
    """With n_i = p_i every gap is 0 identically in T, so dL/dT = 0."""
    T, A, P, _ = batch
    assert_close(
        impl.tpe_loss_gradient(T, A, P, P),
        np.zeros_like(T),
        rtol=0.0,
        atol=_gradient_atol(T, A, P, P),
        what="dL/dT with n = p",
    )


@pytest.mark.claim
@given(triplet_batches(), st.data())
def test_gradient_is_equivariant_under_orthogonal_maps_of_the_embedding(impl, batch, data):
    """dL/dT at QT equals Q times dL/dT at T for every orthogonal Q."""
    T, A, P, N = batch
    Q = data.draw(orthogonal_matrices(len(T)))
    atol = len(T) * (_gradient_atol(T, A, P, N) + _gradient_atol(np.abs(Q) @ np.abs(T), A, P, N))
    assert_close(
        impl.tpe_loss_gradient(Q @ T, A, P, N),
        Q @ impl.tpe_loss_gradient(T, A, P, N),
        rtol=0.0,
        atol=atol,
        what="dL/dT at QT against Q dL/dT at T",
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(batches_with_extreme_gaps())
def test_loss_is_finite_at_similarity_gaps_of_1e4(impl, batch):
    """At gaps ±1e4 the loss is the mean of max(gap, 0): e^{-1e4} vanishes, nothing overflows."""
    expected = np.mean(np.maximum(_gaps(*batch), 0.0))
    assert_close(
        impl.tpe_loss(*batch),
        expected,
        rtol=0.0,
        atol=_loss_atol(*batch),
        what="TPE loss at gaps ±1e4",
    )


@pytest.mark.numerics
@given(batches_with_extreme_gaps())
def test_gradient_is_finite_at_similarity_gaps_of_1e4(impl, batch):
    """At gaps ±1e4 dL/dT is finite and still equals torch autograd's gradient."""
    assert_close(
        impl.tpe_loss_gradient(*batch),
        _autograd(*batch),
        rtol=0.0,
        atol=_gradient_atol(*batch),
        what="dL/dT at gaps ±1e4",
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(triplet_batches(bound=1.0))
def test_loss_rejects_malformed_batches(impl, batch):
    """NaN/inf entries, wrong ranks, mismatched shapes or no triplets raise ValueError naming it."""
    for args, name, why in _bad_batches(*batch):
        assert_rejects(impl.tpe_loss, *args, argument=name, because=why)


@pytest.mark.contract
@given(triplet_batches(bound=1.0))
def test_gradient_rejects_malformed_batches(impl, batch):
    """The gradient validates its input exactly like the loss."""
    for args, name, why in _bad_batches(*batch):
        assert_rejects(impl.tpe_loss_gradient, *args, argument=name, because=why)
