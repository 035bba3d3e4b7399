r"""Exercise 1.3 — cross-entropy and KL divergence have no finite maximum.

Statement
    What is the largest value that the cross-entropy H(p, q) = −Σ p_i log q_i,
    or the divergence KL(p‖q) = Σ p_i log(p_i / q_i), can take?

Answer
    Neither has a finite maximum.  Fix p and an outcome i with p_i > 0.  As
    q_i → 0 (the lost mass moved elsewhere) the term −p_i log q_i grows without
    bound, so for every M there is q with H(p, q) > M and KL(p‖q) > M; at
    q_i = 0 both are +∞.  The maximum exists only on a restricted domain: when
    every q_i ≥ ε, −log q_i ≤ −log ε, hence H(p, q) ≤ −log ε (and
    KL(p‖q) = H(p, q) − H(p) ≤ −log ε too).  By contrast the entropy is
    bounded: 0 ≤ H(p) ≤ log K, with H(p) = log K exactly at the uniform p
    (by Jensen, H(p) = E_p log(1/p) ≤ log E_p(1/p) = log |supp p| ≤ log K)
    and H(p) = 0 exactly at point masses.  Gibbs' inequality KL(p‖q) ≥ 0, with
    equality iff p = q, follows from log x ≤ x − 1:
    −KL(p‖q) = Σ p_i log(q_i/p_i) ≤ Σ_{p_i>0} (q_i − p_i) ≤ 0.

    In a classifier the cross-entropy is evaluated on q = softmax(z), which is
    never exactly 0 for finite logits but underflows in float64 for logit gaps
    beyond about 745: the log-softmax must be computed as z − logsumexp(z),
    never as log(softmax(z)), to report the large-but-finite loss.  The
    properties below check that softmax and log-softmax are shift invariant and
    finite for logits up to 1e300 in magnitude.

    .. math::

       \sup_q H(p, q) = \sup_q \mathrm{KL}(p \,\|\, q) = +\infty, \qquad 0 \le H(p) \le \log K

       q_i \ge \varepsilon \ \text{for all } i \implies H(p, q) \le -\log \varepsilon

Assumptions
    p, q probability vectors on K ≥ 1 outcomes; logits finite float64.

Natural range
    K ≤ 8 outcomes; masses 0 or down to 1e-300 (the masked sums p·log p handle them, and
    q_i is pushed toward 0 by construction); logits |z| ≤ 30 for the softmax claims.
    Logits up to 1e300, where exp overflows unless the maximum is subtracted first, and
    the shift invariance of logits of that size are numerics.

References
    T. M. Cover and J. A. Thomas, Elements of Information Theory, 2nd ed., 2006,
    Theorems 2.6.3 (Gibbs' inequality) and 2.6.4 (H ≤ log K).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import special

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.strategies import floats, logits, probability_vectors

# Entropy sums K <= 8 float64 terms of size <= 1/e: absolute round-off ~1e-15.
ATOL = 1e-12


def _with_mass_near_zero(p: np.ndarray, i: int, q_i: float) -> np.ndarray:
    """A distribution q with q_i = q_i and the rest spread uniformly."""
    q = np.full_like(p, (1.0 - q_i) / (len(p) - 1))
    q[i] = q_i
    return q


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(st.integers(2, 8).flatmap(probability_vectors), floats(0.0, 80.0))
def test_cross_entropy_and_kl_exceed_every_bound(impl, p, bound):
    """For p_i > 0 and any M, moving q_i toward 0 pushes H(p, q) and KL(p‖q) above M."""
    # Take the largest mass, p_i >= 1/K >= 1/8, and q_i = exp(-(M + 1 + log K)/p_i) >= exp(-665),
    # a normal float64.  Then H(p, q) >= -p_i log q_i = M + 1 + log K (the other terms are >= 0)
    # and KL(p‖q) = H(p, q) - H(p) >= M + 1, since H(p) <= log K.
    i = int(np.argmax(p))
    q = _with_mass_near_zero(p, i, float(np.exp(-(bound + 1.0 + np.log(len(p))) / p[i])))
    inputs = {"p": p, "q": q, "M": bound}
    assert_true(impl.cross_entropy(p, q) > bound, what="H(p, q) > M", inputs=inputs)
    assert_true(impl.kl_divergence(p, q) > bound, what="KL(p‖q) > M", inputs=inputs)


@pytest.mark.claim
@given(
    st.integers(2, 8).flatmap(lambda k: st.tuples(probability_vectors(k), st.integers(0, k - 1)))
)
def test_zero_mass_in_q_where_p_charges_gives_infinity(impl, p_and_index):
    """q_i = 0 < p_i makes H(p, q) = KL(p‖q) = +∞: the supremum is attained only at infinity."""
    p, i = p_and_index
    assume(p[i] > 0)
    q = _with_mass_near_zero(p, i, 0.0)
    assert_close(impl.cross_entropy(p, q), np.inf, what="H(p, q)", inputs={"p": p, "q": q})
    assert_close(impl.kl_divergence(p, q), np.inf, what="KL(p‖q)", inputs={"p": p, "q": q})


@pytest.mark.claim
@given(
    st.integers(1, 8).flatmap(
        lambda k: st.tuples(probability_vectors(k), probability_vectors(k, min_mass=1e-3))
    )
)
def test_cross_entropy_is_at_most_minus_log_of_smallest_mass(impl, pq):
    """When every q_i ≥ ε, H(p, q) ≤ −log ε and KL(p‖q) ≤ −log ε."""
    p, q = pq
    bound = -np.log(q.min())
    assert_leq(
        impl.cross_entropy(p, q),
        bound,
        atol=ATOL,
        what="H(p, q) <= -log min q",
        inputs={"p": p, "q": q},
    )
    assert_leq(
        impl.kl_divergence(p, q),
        bound,
        atol=ATOL,
        what="KL(p‖q) <= -log min q",
        inputs={"p": p, "q": q},
    )


@pytest.mark.claim
@given(probability_vectors())
def test_entropy_lies_between_zero_and_log_k(impl, p):
    """0 ≤ H(p) ≤ log K for every distribution on K outcomes."""
    h = impl.entropy(p)
    assert_leq(0.0, h, atol=ATOL, what="0 <= H(p)", inputs={"p": p})
    assert_leq(h, np.log(len(p)), atol=ATOL, what="H(p) <= log K", inputs={"p": p})


@pytest.mark.claim
@given(st.integers(1, 64), probability_vectors())
def test_entropy_attains_log_k_only_at_uniform(impl, k, p):
    """H(uniform on K) = log K, and a non-uniform p of the same size has H(p) < log K."""
    assert_close(impl.entropy(np.full(k, 1.0 / k)), np.log(k), what="H(uniform)", inputs={"K": k})
    # log K - H(p) = KL(p‖uniform) >= (1/2)||p - u||_1^2 >= (1/2)||p - u||_2^2 (Pinsker); the
    # property claims that gap wherever it exceeds round-off.
    gap = 0.5 * np.sum((p - 1.0 / len(p)) ** 2)
    assume(gap > 1e-9)
    assert_leq(
        impl.entropy(p),
        np.log(len(p)) - gap,
        atol=ATOL,
        what="H(p) < log K away from uniform",
        inputs={"p": p},
    )


@pytest.mark.claim
@given(st.integers(1, 8).flatmap(lambda k: st.tuples(st.just(k), st.integers(0, k - 1))))
def test_entropy_of_point_mass_is_zero(impl, k_and_index):
    """A point mass has zero entropy (0·log 0 = 0)."""
    k, i = k_and_index
    p = np.zeros(k)
    p[i] = 1.0
    assert_close(impl.entropy(p), 0.0, what="H(point mass)", inputs={"p": p})


@pytest.mark.claim
@given(
    st.integers(1, 8).flatmap(lambda k: st.tuples(probability_vectors(k), probability_vectors(k)))
)
def test_cross_entropy_is_at_least_entropy_and_kl_nonnegative(impl, pq):
    """Gibbs: H(p, q) ≥ H(p) and KL(p‖q) ≥ 0, with KL(p‖p) = 0."""
    p, q = pq
    inputs = {"p": p, "q": q}
    assert_leq(
        impl.entropy(p), impl.cross_entropy(p, q), atol=ATOL, what="H(p) <= H(p, q)", inputs=inputs
    )
    assert_leq(0.0, impl.kl_divergence(p, q), atol=ATOL, what="KL(p‖q) >= 0", inputs=inputs)
    assert_close(impl.kl_divergence(p, p), 0.0, what="KL(p‖p)", inputs=inputs)


@pytest.mark.claim
@given(
    st.integers(2, 8).flatmap(
        lambda k: st.tuples(
            probability_vectors(k, zeros=False), probability_vectors(k, zeros=False)
        )
    )
)
def test_kl_is_positive_when_distributions_differ(impl, pq):
    """KL(p‖q) > 0 whenever p ≠ q; its size is at least (1/2)‖p − q‖₁² (Pinsker)."""
    p, q = pq
    pinsker = 0.5 * np.sum(np.abs(p - q)) ** 2
    assume(pinsker > 1e-9)
    assert_leq(
        pinsker,
        impl.kl_divergence(p, q),
        rtol=1e-9,
        atol=ATOL,
        what="Pinsker: (1/2)||p - q||_1^2 <= KL(p‖q)",
        inputs={"p": p, "q": q},
    )


@pytest.mark.claim
@given(
    st.integers(1, 8).flatmap(
        lambda k: st.tuples(
            logits(k, batch=(4,), max_magnitude=30.0),
            st.lists(st.integers(0, k - 1), min_size=4, max_size=4),
        )
    ),
    floats(-30.0, 30.0),
)
def test_softmax_and_its_cross_entropy_are_their_formulas(impl, z_and_labels, shift):
    """softmax, log_softmax and the loss are exp(z)/Σexp(z), z − lse(z) and lse(z) − z_y."""
    z, labels = z_and_labels
    labels = np.array(labels)
    k = z.shape[1]
    inputs = {"z": z, "labels": labels, "c": shift}
    lse = special.logsumexp(z, axis=-1, keepdims=True)
    # z − logsumexp(z) is a difference of terms of size <= 30 + log K + 30 (with the shift):
    # known to (K + 4) u of that absolutely (safety factor 8); exp turns that absolute error
    # into the same relative error of the probabilities.
    atol = 8 * (k + 4) * 2.0**-53 * (2 * 30.0 + np.log(k) + 1)
    assert_close(
        impl.log_softmax(z), z - lse, rtol=0.0, atol=atol, what="log_softmax", inputs=inputs
    )
    assert_close(
        impl.softmax(z), np.exp(z - lse), rtol=atol, atol=0.0, what="softmax", inputs=inputs
    )
    assert_close(
        impl.softmax(z + shift),
        np.exp(z - lse),
        rtol=atol,
        atol=0.0,
        what="softmax(z + c)",
        inputs=inputs,
    )
    assert_close(
        impl.softmax_cross_entropy(z, labels),
        (lse[:, 0] - z[np.arange(4), labels]),
        rtol=0.0,
        atol=atol,
        what="loss = logsumexp(z) - z_y",
        inputs=inputs,
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(logits(batch=(3,)), floats(-1e300, 1e300))
def test_softmax_is_shift_invariant_and_finite(impl, z, shift):
    """softmax(z + c) = softmax(z), finite and summing to 1, for logits up to 1e300."""
    shifted = z + shift
    assume(np.all(np.isfinite(shifted)))
    # Adding c to logits of size ~1e300 rounds them: compare where the shift is exact.
    assume(np.all(shifted - shift == z))
    s = impl.softmax(z)
    inputs = {"z": z, "c": shift}
    assert_close(impl.softmax(shifted), s, atol=1e-15, what="softmax(z + c)", inputs=inputs)
    assert_close(s.sum(axis=-1), np.ones(3), rtol=1e-14, what="sum of softmax", inputs=inputs)
    assert_true(s >= 0, what="softmax >= 0", inputs=inputs)


@pytest.mark.numerics
@given(logits(batch=(3,)), floats(-1e3, 1e3))
def test_log_softmax_is_shift_invariant_and_finite(impl, z, shift):
    """log_softmax(z + c) = log_softmax(z), finite, and exp(log_softmax) = softmax."""
    ls = impl.log_softmax(z)
    inputs = {"z": z, "c": shift}
    assert_true(np.isfinite(ls), what="log_softmax is finite", inputs=inputs)
    if np.all(np.abs(z) <= 1e12):  # the shift is exact only where it does not round z away
        assert_close(
            impl.log_softmax(z + shift),
            ls,
            rtol=1e-9,
            atol=1e-9,
            what="log_softmax(z + c)",
            inputs=inputs,
        )
    assert_close(
        np.exp(ls),
        impl.softmax(z),
        rtol=1e-12,
        atol=1e-300,
        what="exp(log_softmax(z)) = softmax(z)",
        inputs=inputs,
    )


@pytest.mark.numerics
@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            logits(k, batch=(4,)), st.lists(st.integers(0, k - 1), min_size=4, max_size=4)
        )
    )
)
def test_softmax_cross_entropy_is_cross_entropy_of_one_hot(impl, z_and_labels):
    """softmax_cross_entropy(z, y) = H(onehot(y), softmax(z)) = −log_softmax(z)[y], finite."""
    z, labels = z_and_labels
    labels = np.array(labels)
    loss = impl.softmax_cross_entropy(z, labels)
    inputs = {"logits": z, "labels": labels}
    assert_close(
        loss,
        -impl.log_softmax(z)[np.arange(4), labels],
        rtol=1e-12,
        what="loss against -log_softmax[y]",
        inputs=inputs,
    )
    assert_true(np.isfinite(loss) & (loss >= 0), what="the loss is finite and >= 0", inputs=inputs)
    onehot = np.eye(z.shape[1])[labels]
    q = impl.softmax(z)
    representable = np.all(q[np.arange(4), labels] > 1e-300, axis=-1)
    if representable:  # beyond that, softmax underflows and only log_softmax keeps the value
        assert_close(
            loss,
            impl.cross_entropy(onehot, q),
            rtol=1e-9,
            atol=1e-12,
            what="loss against H(onehot, softmax)",
            inputs=inputs,
        )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(st.sampled_from([(), (2,), (2, 3)]).flatmap(lambda b: logits(batch=b, max_magnitude=1e3)))
def test_log_softmax_acts_on_the_last_axis_at_any_rank(impl, z):
    """log_softmax(z) = z − logsumexp(z) on the last axis, for a vector or a batch of any rank."""
    expected = z - special.logsumexp(z, axis=-1, keepdims=True)
    inputs = {"z": z}
    # z - logsumexp(z) cancels terms of size <= 1e3: round-off is a few ulp of that.
    assert_close(impl.log_softmax(z), expected, atol=1e-12, what="log_softmax", inputs=inputs)
    assert_close(impl.softmax(z), np.exp(expected), atol=1e-12, what="softmax", inputs=inputs)


@pytest.mark.contract
@given(st.integers(2, 6))
def test_softmax_functions_reject_bad_input(impl, k):
    """NaN or infinite logits, labels out of range or of the wrong shape raise ValueError."""
    z = np.zeros((2, k))
    bad = z.copy()
    bad[0, 0] = np.nan
    assert_rejects(impl.softmax, bad, argument="z", because="z has a NaN logit")
    assert_rejects(
        impl.log_softmax, np.where(z == 0, np.inf, z), argument="z", because="z has infinite logits"
    )
    assert_rejects(
        impl.softmax_cross_entropy,
        bad,
        np.array([0, 1]),
        argument="logits",
        because="the logits have a NaN",
    )
    assert_rejects(
        impl.softmax_cross_entropy,
        z,
        np.array([0, k]),
        argument="labels",
        because="a label equals K",
    )
    assert_rejects(
        impl.softmax_cross_entropy,
        z,
        np.array([0]),
        argument="labels",
        because="one label for two rows",
    )
    assert_rejects(
        impl.softmax_cross_entropy,
        z,
        np.array([0.0, 1.0]),
        argument="labels",
        because="the labels are floats",
    )


@pytest.mark.contract
@settings(max_examples=5)  # validation at the boundary: a few sizes show it
@given(st.integers(2, 6))
def test_softmax_functions_reject_scalars_and_misshapen_logits_by_name(impl, k):
    """A 0-d z, and a NaN or an extra axis in the logits of the loss, raise naming the argument."""
    assert_rejects(impl.log_softmax, 1.0, argument="z", because="z is a scalar")
    assert_rejects(impl.softmax, 1.0, argument="z", because="z is a scalar")
    z, labels = np.zeros((2, k)), np.array([0, k - 1])
    assert_rejects_bad_arrays(impl.softmax_cross_entropy, z, labels, names=("logits", None))
    assert_rejects(
        impl.softmax_cross_entropy,
        z[0],
        labels,
        argument="logits",
        because="the logits are one vector, not (n, K)",
    )
