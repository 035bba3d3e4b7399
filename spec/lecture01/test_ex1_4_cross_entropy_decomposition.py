r"""Exercise 1.4 — cross-entropy is entropy plus KL: H(p, q) = H(p) + KL(p‖q).

Statement
    For discrete distributions p and q on the same K outcomes,
    H(p, q) = H(p) + KL(p‖q).

    .. math::

       H(p, q) = -\sum_i p_i \log q_i
       = \underbrace{-\sum_i p_i \log p_i}_{H(p)}
       + \underbrace{\sum_i p_i \log \frac{p_i}{q_i}}_{\mathrm{KL}(p \,\|\, q)}

Assumptions
    p and q are probability vectors (non-negative, summing to 1).  We use the
    conventions 0·log 0 = 0 and 0·log(0/q) = 0, and KL(p‖q) = H(p, q) = +∞
    as soon as some outcome has p_i > 0 = q_i.

Argument
    Termwise, for p_i > 0 and q_i > 0,
        −p_i log q_i = −p_i log p_i + p_i log(p_i / q_i),
    and summing over i gives the identity.  Outcomes with p_i = 0 contribute 0
    to all three sums.  If some p_i > 0 = q_i, both H(p, q) and KL(p‖q) are
    +∞ while H(p) ≤ log K is finite, so the identity holds in the extended
    reals.  Consequently H(p, q) ≥ H(p) (Gibbs' inequality, KL ≥ 0, see 1.3):
    a model q pays the data's own uncertainty H(p) plus the mismatch KL(p‖q).

Natural range
    K ≤ 8 outcomes, masses 0 or down to 1e-300 (a masked p·log p and log(p/q) handle
    them); the claims compare with an absolute floor of a few ulps of the terms.  Agreement
    with a 50-digit evaluation to 1e-12 relative, beyond what the cancellation in KL allows
    a plain sum, is numerics; batches and validation are contract.

Numerics
    Masses in the strategies run down to 1e-300, where a naive p·log p
    underflows and log(p/q) taken as log p − log q loses digits.  The oracle is
    mpmath at 50 significant digits; the reference uses ``xlogy`` and
    ``rel_entr``.

References
    T. M. Cover and J. A. Thomas, Elements of Information Theory, 2nd ed., 2006, §2.3.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_rejects, assert_rejects_bad_arrays
from spec.strategies import distribution_pairs, probability_vectors

mpmath.mp.dps = 50


def _mp_entropy(p):
    return -mpmath.fsum(mpmath.mpf(x) * mpmath.log(x) for x in p if x > 0)


def _mp_cross_entropy(p, q):
    if any(x > 0 and y == 0 for x, y in zip(p, q, strict=True)):
        return mpmath.inf
    return -mpmath.fsum(mpmath.mpf(x) * mpmath.log(y) for x, y in zip(p, q, strict=True) if x > 0)


def _mp_kl(p, q):
    if any(x > 0 and y == 0 for x, y in zip(p, q, strict=True)):
        return mpmath.inf
    return mpmath.fsum(
        mpmath.mpf(x) * mpmath.log(mpmath.mpf(x) / mpmath.mpf(y))
        for x, y in zip(p, q, strict=True)
        if x > 0
    )


# A 50-digit value rounded to float64 is within 1/2 ulp; the float64 sums of
# K <= 8 terms of either sign lose a few ulp relative to the largest term, and
# near 0 (p ≈ q) relative error is meaningless, hence the absolute floor.
RTOL, ATOL = 1e-12, 1e-15


# --- claim tier: the exercise's mathematics on its natural range ---


def _identity_atol(p, q):
    """Rounding bound of H(p, q) − H(p) − KL(p‖q) for any backward-stable evaluation.

    Each term p_i log q_i, p_i log p_i, p_i log(p_i/q_i) is off by a few ulps of
    p_i (|log p_i| + |log q_i| + 1), whether log(p/q) is taken as a ratio or as a
    difference of logs; sums of K terms add (K + 2) u of the summed magnitudes.
    """
    both = (p > 0) & (q > 0)
    size = np.sum(p[both] * (np.abs(np.log(p[both])) + np.abs(np.log(q[both])) + 1.0))
    return 8 * (len(p) + 2) * 2.0**-53 * size


@pytest.mark.claim
@given(distribution_pairs())
def test_cross_entropy_is_entropy_plus_kl(impl, pq):
    """H(p, q) = H(p) + KL(p‖q) for all p and q, zeros and support mismatch included."""
    p, q = pq
    assert_close(
        impl.cross_entropy(p, q),
        impl.entropy(p) + impl.kl_divergence(p, q),
        rtol=0.0,
        atol=_identity_atol(p, q),
        what="H(p, q) against H(p) + KL(p‖q)",
        inputs={"p": p, "q": q},
    )


def _sums_atol(p, q):
    """Rounding bound of each of the three sums, as in ``_identity_atol`` but counting the
    terms p_i log p_i where q_i = 0 too (they make up H(p) alone)."""
    charged = p > 0
    logs = np.abs(np.log(p[charged])) + np.abs(np.log(np.where(q[charged] > 0, q[charged], 1.0)))
    return 8 * (len(p) + 2) * 2.0**-53 * np.sum(p[charged] * (logs + 1.0))


# The identity alone cannot tell nats from bits (all three in bits satisfy it too), nor a
# function that returns 0: each quantity is also pinned to its defining sum.
@pytest.mark.claim
@given(distribution_pairs())
def test_each_quantity_is_its_defining_sum(impl, pq):
    """H(p) = −Σ p log p, H(p, q) = −Σ p log q and KL(p‖q) = Σ p log(p/q), in nats."""
    p, q = pq
    atol, inputs = _sums_atol(p, q), {"p": p, "q": q}
    for name, value, exact in (
        ("H(p)", impl.entropy(p), _mp_entropy(p)),
        ("H(p, q)", impl.cross_entropy(p, q), _mp_cross_entropy(p, q)),
        ("KL(p‖q)", impl.kl_divergence(p, q), _mp_kl(p, q)),
    ):
        assert_close(value, float(exact), rtol=0.0, atol=atol, what=name, inputs=inputs)


@pytest.mark.claim
@given(
    st.integers(2, 8).flatmap(lambda k: st.tuples(probability_vectors(k), st.integers(0, k - 1)))
)
def test_identity_is_infinite_on_both_sides_when_q_misses_support(impl, p_and_index):
    """If q_i = 0 < p_i for some i, then H(p, q) = KL(p‖q) = +∞ while H(p) is finite."""
    p, i = p_and_index
    q = np.full_like(p, 1.0 / (len(p) - 1))
    q[i] = 0.0
    p = p.copy()
    p[i] += 0.25  # make sure p charges the outcome q misses
    p /= p.sum()
    inputs = {"p": p, "q": q}
    assert_close(impl.cross_entropy(p, q), np.inf, what="H(p, q)", inputs=inputs)
    assert_close(impl.kl_divergence(p, q), np.inf, what="KL(p‖q)", inputs=inputs)
    assert_close(np.isfinite(impl.entropy(p)), 1.0, what="H(p) is finite", inputs=inputs)


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(probability_vectors())
def test_entropy_matches_50_digit_evaluation(impl, p):
    """H(p) agrees with a 50-digit mpmath evaluation, masses down to 1e-300 included."""
    assert_close(
        impl.entropy(p),
        float(_mp_entropy(p)),
        rtol=RTOL,
        atol=ATOL,
        what="H(p) against mpmath",
        inputs={"p": p},
    )


@pytest.mark.numerics
@given(distribution_pairs())
def test_cross_entropy_matches_50_digit_evaluation(impl, pq):
    """H(p, q) agrees with a 50-digit mpmath evaluation, masses down to 1e-300 included."""
    p, q = pq
    assert_close(
        impl.cross_entropy(p, q),
        float(_mp_cross_entropy(p, q)),
        rtol=RTOL,
        atol=ATOL,
        what="H(p, q) against mpmath",
        inputs={"p": p, "q": q},
    )


@pytest.mark.numerics
@given(distribution_pairs())
def test_kl_matches_50_digit_evaluation(impl, pq):
    """KL(p‖q) agrees with a 50-digit mpmath evaluation, masses down to 1e-300 included."""
    p, q = pq
    assert_close(
        impl.kl_divergence(p, q),
        float(_mp_kl(p, q)),
        rtol=RTOL,
        atol=ATOL,
        what="KL(p‖q) against mpmath",
        inputs={"p": p, "q": q},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(
    st.integers(1, 5).flatmap(
        lambda b: st.lists(distribution_pairs(st.just(4)), min_size=b, max_size=b)
    )
)
def test_identity_holds_rowwise_on_batches(impl, pairs):
    """On a batch (n, K) every function works row by row and the identity holds per row."""
    p = np.stack([a for a, _ in pairs])
    q = np.stack([b for _, b in pairs])
    for name in ("entropy", "cross_entropy", "kl_divergence"):
        args = (p,) if name == "entropy" else (p, q)
        rows = [getattr(impl, name)(*(a[i] for a in args)) for i in range(len(p))]
        assert_close(
            getattr(impl, name)(*args), rows, what=f"{name} on a batch", inputs={"p": p, "q": q}
        )


@pytest.mark.contract
@given(distribution_pairs(st.integers(2, 6)), st.floats(1.01, 3.0))
def test_rejects_invalid_distributions(impl, pq, factor):
    """Negative, non-normalized, NaN or mismatched inputs raise ValueError naming the argument."""
    p, q = pq
    negative = p.copy()
    negative[0] = -0.5
    for bad, name in ((p * factor, "p"), (negative, "p"), (np.full_like(p, np.nan), "p")):
        assert_rejects(
            impl.entropy, bad, argument="p", because="p is negative, NaN or does not sum to 1"
        )
        assert_rejects(
            impl.cross_entropy,
            bad,
            q,
            argument=name,
            because="p is negative, NaN or does not sum to 1",
        )
        assert_rejects(
            impl.kl_divergence,
            bad,
            q,
            argument=name,
            because="p is negative, NaN or does not sum to 1",
        )
    assert_rejects(impl.cross_entropy, p, q * factor, argument="q", because="q sums to more than 1")
    assert_rejects(
        impl.kl_divergence, p, np.append(q, 0.0), argument="q", because="q is longer than p"
    )


@pytest.mark.contract
@settings(max_examples=5)  # validation at the boundary: a few sizes show it
@given(st.integers(2, 5))
def test_rejects_nan_in_either_distribution_and_mismatched_lengths_by_name(impl, k):
    """A NaN in p or q, or p and q of different lengths, raise ValueError naming p and q."""
    p = q = np.full(k, 1.0 / k)
    longer = np.append(q, 0.0)
    for divergence in (impl.cross_entropy, impl.kl_divergence):
        assert_rejects_bad_arrays(divergence, p, q, names=("p", "q"), batched=("p", "q"))
        assert_rejects(divergence, p, longer, argument="p", because="q is longer than p")
        assert_rejects(divergence, p, longer, argument="q", because="q is longer than p")


@pytest.mark.contract
@settings(max_examples=5)  # validation at the boundary: a few sizes show it
@given(st.integers(2, 5))
def test_rejects_text_bare_numbers_and_negative_masses_that_sum_to_one(impl, k):
    """Text, a bare number, and masses summing to 1 with one negative raise ValueError naming p."""
    assert_rejects(impl.entropy, ["half"] * k, argument="p", because="p is text")
    assert_rejects(impl.entropy, 1.0, argument="p", because="p is a bare number")
    assert_rejects(
        impl.entropy,
        np.r_[1.5, -0.5, np.zeros(k - 2)],
        argument="p",
        because="p has a negative mass",
    )
    assert_rejects(
        impl.kl_divergence,
        np.full(k, 1 / k),
        np.r_[1.5, -0.5, np.zeros(k - 2)],
        argument="q",
        because="q has a negative mass",
    )
