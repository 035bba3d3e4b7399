r"""Exercise 7.22 — for 0 < p < 1 the ℓp functional is not a norm.

Statement
    On R^n put ‖x‖_p = (Σ_i |x_i|^p)^(1/p) for p > 0 and ‖x‖_∞ = max_i |x_i|.
    For p ≥ 1 this is a norm; for 0 < p < 1 it is positive definite and
    absolutely homogeneous but violates the triangle inequality, so it is not a
    norm.  What survives is a quasi-norm: the triangle inequality with a
    constant, and subadditivity of ‖·‖_p^p.

    .. math::

       \|x\|_p = \Bigl(\sum_i |x_i|^p\Bigr)^{1/p}, \qquad
       0 < p < 1: \ \|e_1 + e_2\|_p = 2^{1/p} > 2 = \|e_1\|_p + \|e_2\|_p

       \|x + y\|_p^p \le \|x\|_p^p + \|y\|_p^p, \qquad
       \|x + y\|_p \le 2^{1/p - 1} \bigl(\|x\|_p + \|y\|_p\bigr) \qquad (0 < p \le 1)

Assumptions
    p ∈ (0, ∞]; vectors are finite float64 arrays, normed over the last axis.

Natural range
    n ≤ 8 entries, each 0 or of magnitude in [1e-5, 1e6]; p ∈ [0.05, 20] or p = ∞;
    scale factors |c| ∈ [1e-3, 1e3].  There every |x_i|^p lies within 1e±120, so
    the plain formula (Σ|x_i|^p)^(1/p) neither overflows nor underflows.

Argument
    Homogeneity: Σ|c x_i|^p = |c|^p Σ|x_i|^p, so ‖cx‖_p = |c| ‖x‖_p for every p.
    Failure of the triangle inequality: if x and y are nonzero with disjoint
    supports, then ‖x + y‖_p^p = ‖x‖_p^p + ‖y‖_p^p.  Put a = ‖x‖_p, b = ‖y‖_p.
    Since t ↦ t^p is strictly concave on [0, ∞) for p < 1 and vanishes at 0, it is
    strictly subadditive: (a + b)^p < a^p + b^p, so ‖x + y‖_p > a + b.  For
    x = e_1, y = e_2 this reads 2^(1/p) > 2.  Geometrically, e_1 and e_2 lie on
    the unit sphere but their midpoint has norm 2^(1/p − 1) > 1: the unit ball is
    not convex, and a norm's unit ball always is.
    Subadditivity of the p-th power: for p ≤ 1, |s + t|^p ≤ |s|^p + |t|^p for reals
    (the same concavity), so summing over coordinates ‖x + y‖_p^p ≤ ‖x‖_p^p + ‖y‖_p^p.
    Quasi-triangle inequality: from subadditivity and the power-mean inequality
    ((a^p + b^p)/2)^(1/p) ≤ (a + b)/2 for p ≤ 1,
        ‖x + y‖_p ≤ (a^p + b^p)^(1/p) ≤ 2^(1/p − 1) (a + b),
    with equality at x = e_1, y = e_2, so the constant cannot be improved.
    For p ≥ 1 the triangle inequality is Minkowski's inequality.
    Violations are not rare corner cases: besides the properties below, the spec
    lets Hypothesis search blindly over pairs of small vectors (``hypothesis.find``),
    and it finds a violating pair within a few dozen examples for every p < 1 tried.

Numerics
    Claim tier.  On the natural range any evaluation of the formula is accurate:
    each |x_i|^p carries a relative error ≤ u (u = 2^-53), the sum of n positive
    terms ≤ (n − 1) u, and the final power s^(1/p) multiplies the sum's error by
    1/p and adds u (1 + |log s| / p) for the rounding of 1/p and of the power,
    where |log s| / p ≤ |log max_i |x_i|| + log(n) / p ≤ 14 + n / p.  So one norm
    is within ((2n + 1) / p + 16) u relative of the truth; the claims allow four
    times that per norm (``_rtol``), with one such allowance per norm compared.
    Numerics tier.  Entries range from 1e-300 to 1e300 and p from 1e-3 to 100: a
    naive (Σ|x_i|^p)^(1/p) overflows ((1e300)^2), underflows ((1e-300)^2 = 0) or
    overflows in the final power (2^(1/p) with p = 1e-3 times 1e-300).  The
    oracle is mpmath at 50 significant digits.  A careful float64 evaluation
    divides by max |x_i| (ratios in [0, 1], sum in [1, n]), takes the p-th power
    of a ratio that underflows (entries more than ~308 orders apart, where
    (1e-310)^0.001 is still ≈ 0.5) through logarithms, and evaluates an
    overflowing final power as exp(log max + log(sum)/p).  It makes a relative
    error of a few ulp per term; the final power multiplies the relative error of
    the sum by 1/p.  Hence the tolerance there: 8 (n + 2) u · max(1, 1/p).

Errata
    The notes' statement is garbled ("ℓ_p is a norm for x ... For 0 the
    functional ... is not a norm"): it should read "ℓ_p is a norm for p ≥ 1; for
    0 < p < 1 the functional ‖x‖_p = (Σ|x_i|^p)^(1/p) is not a norm".

References
    G. H. Hardy, J. E. Littlewood, G. Pólya, Inequalities, 2nd ed., 1952 (power means,
    Minkowski's inequality).  N. J. Kalton, N. T. Peck, J. W. Roberts, An F-space
    Sampler, 1984 (quasi-normed spaces, ℓp for p < 1).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import Phase, example, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true
from spec.strategies import vectors

mpmath.mp.dps = 50

EPS = np.finfo(np.float64).eps

#: Exponents of the natural range: log-uniform over [0.05, 20] plus the landmarks and ∞.
orders = st.one_of(
    st.floats(np.log10(0.05), np.log10(20.0)).map(lambda e: 10.0**e),
    st.sampled_from([0.05, 0.5, 1.0, 2.0, 20.0]),
    st.just(np.inf),
)
#: Exponents of the numerics tier: log-uniform over [1e-3, 100] plus the landmarks and ∞.
extreme_orders = st.one_of(
    st.floats(-3.0, 2.0).map(lambda e: 10.0**e),
    st.sampled_from([1e-3, 0.5, 1.0, 2.0, 100.0]),
    st.just(np.inf),
)
norm_orders = st.one_of(st.floats(0.0, np.log10(20.0)).map(lambda e: 10.0**e), st.just(np.inf))
quasi_orders = st.floats(np.log10(0.05), np.log10(0.95)).map(lambda e: 10.0**e)
#: Scale factors ±10^u for u in [-3, 3], and 0.
scalars = st.one_of(
    st.just(0.0),
    st.tuples(st.sampled_from([-1.0, 1.0]), st.floats(-3, 3)).map(lambda su: su[0] * 10.0 ** su[1]),
)


SIZES = st.integers(1, 8)


@st.composite
def wide_vectors(draw, n=SIZES, max_exponent=299):
    """Vectors with entries ±m·10^k, 1 ≤ m < 10, |k| ≤ max_exponent, and exact zeros.

    Every nonzero entry is a normal float, so the input itself carries no
    subnormal rounding.
    """
    size = draw(n) if isinstance(n, st.SearchStrategy) else n
    mantissas = draw(hnp.arrays(np.float64, size, elements=st.floats(1.0, 10.0, exclude_max=True)))
    signs = draw(hnp.arrays(np.float64, size, elements=st.sampled_from([-1.0, 0.0, 1.0])))
    exponents = draw(hnp.arrays(np.int64, size, elements=st.integers(-max_exponent, max_exponent)))
    return signs * mantissas * 10.0 ** exponents.astype(np.float64)


def natural_vectors(n=SIZES):
    """Vectors of the natural range: entries 0 or of magnitude in [1e-5, 1e6)."""
    return wide_vectors(n, max_exponent=5)


def natural_pairs():
    """Two natural-range vectors of one length from 1 to 6."""
    return st.integers(1, 6).flatmap(lambda n: st.tuples(natural_vectors(n), natural_vectors(n)))


@st.composite
def disjoint_pairs(draw):
    """Two nonzero vectors with disjoint supports, entries of magnitude 1e-2 to 1e2.

    The magnitudes are kept moderate so the strict gap ‖x + y‖_p − ‖x‖_p − ‖y‖_p
    stays far above round-off (it tends to 0 when one vector dwarfs the other).
    """
    size = draw(st.integers(2, 8))
    owner = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
    owner[0], owner[1] = True, False  # both supports nonempty
    magnitudes = 10.0 ** np.array(draw(st.lists(st.floats(-2, 2), min_size=size, max_size=size)))
    signs = np.array(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=size, max_size=size)))
    values = signs * magnitudes
    return np.where(owner, values, 0.0), np.where(owner, 0.0, values)


def _mp_norm(x, p):
    if p == np.inf:
        return float(max(abs(v) for v in x))
    total = mpmath.fsum(abs(mpmath.mpf(v)) ** mpmath.mpf(p) for v in x)
    return float(total ** (1 / mpmath.mpf(p)))


def _rtol(n, p):
    """Relative round-off of one plain evaluation on the natural range (module docstring)."""
    inverse = 0.0 if p == np.inf else 1.0 / p
    return 4 * ((2 * n + 1) * inverse + 16) * EPS


def _careful_rtol(n, p):
    """Relative round-off of one careful evaluation at extreme inputs (module docstring)."""
    return 8 * (n + 2) * EPS * max(1.0, 1.0 / p)


def _check_against_mpmath(impl, x, p, rtol):
    assert_close(
        impl.lp_norm(x, p),
        _mp_norm(x, p),
        rtol=rtol,
        atol=0.0,
        what="‖x‖_p against mpmath",
        inputs={"x": x, "p": p},
    )


def _violates_triangle(impl, x, y, p):
    """‖x + y‖_p > ‖x‖_p + ‖y‖_p by a relative margin of 1e-9, far above round-off."""
    return impl.lp_norm(x + y, p) > (impl.lp_norm(x, p) + impl.lp_norm(y, p)) * (1 + 1e-9)


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(natural_vectors(), orders)
def test_lp_norm_matches_50_digit_evaluation(impl, x, p):
    """‖x‖_p = (Σ|x_i|^p)^(1/p) (max |x_i| for p = ∞), against mpmath on the natural range."""
    _check_against_mpmath(impl, x, p, _rtol(len(x), p))


@pytest.mark.claim
@given(
    st.integers(2, 6).flatmap(lambda n: st.permutations(range(n))),
    st.sampled_from([-1.0, 1.0]),
    st.sampled_from([-1.0, 1.0]),
    orders,
)
def test_two_signed_unit_vectors_have_norm_two_to_the_one_over_p(impl, order, s, t, p):
    """‖±e_i ± e_j‖_p = 2^(1/p): above 2 for p < 1, exactly 2 for p = 1, below for p > 1."""
    x = np.zeros(len(order))
    x[order[0]], x[order[1]] = s, t
    expected = 1.0 if p == np.inf else 2.0 ** (1.0 / p)
    # 2.0 ** (1/p) itself errs by u (1 + log(2)/p): within one allowance too.
    assert_close(
        impl.lp_norm(x, p),
        expected,
        rtol=2 * _rtol(len(x), p),
        atol=0.0,
        what="‖±e_i ± e_j‖_p",
        inputs={"x": x, "p": p},
    )


@pytest.mark.claim
@given(natural_pairs(), norm_orders)
def test_triangle_inequality_holds_for_p_at_least_one(impl, xy, p):
    """For p ≥ 1 (and p = ∞), ‖x + y‖_p ≤ ‖x‖_p + ‖y‖_p (Minkowski)."""
    x, y = xy
    # Three norms, each within one allowance (x + y is rounded too: one more u).
    assert_leq(
        impl.lp_norm(x + y, p),
        impl.lp_norm(x, p) + impl.lp_norm(y, p),
        rtol=3 * _rtol(len(x), p),
        what="Minkowski",
        inputs={"x": x, "y": y, "p": p},
    )


@pytest.mark.claim
@given(disjoint_pairs(), quasi_orders)
def test_triangle_inequality_fails_on_disjoint_supports_for_p_below_one(impl, xy, p):
    """For p < 1 and nonzero x, y with disjoint supports, ‖x + y‖_p > ‖x‖_p + ‖y‖_p."""
    x, y = xy
    # With magnitudes within 1e±2 and p ≤ 0.95 the relative gap exceeds 1e-8, far
    # above the 1e-9 margin, which in turn is far above 3 · _rtol ≤ 3e-12.
    assert_true(
        _violates_triangle(impl, x, y, p),
        what="strict violation of the triangle inequality",
        inputs={"x": x, "y": y, "p": p},
    )


@pytest.mark.claim
@pytest.mark.parametrize("p", [0.1, 0.5, 0.9, 0.99])
def test_hypothesis_finds_a_triangle_violation_for_p_below_one(impl, p):
    """For p < 1, a blind search over pairs of small vectors finds ‖x + y‖_p > ‖x‖_p + ‖y‖_p."""
    # A deterministic search (derandomized, no example database), so the outcome
    # does not depend on the run; find raises NoSuchExample if it comes back empty.
    # Any violation will do, so the search skips shrinking it to a minimal one.
    search = settings(
        max_examples=1000,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
    )
    x, y = find(
        st.tuples(vectors(3, -10.0, 10.0), vectors(3, -10.0, 10.0)),
        lambda xy: _violates_triangle(impl, *xy, p),
        settings=search,
    )
    assert_true(
        _violates_triangle(impl, x, y, p), what="the counterexample found", inputs={"x": x, "y": y}
    )


@pytest.mark.claim
@given(natural_vectors(), orders, scalars)
def test_homogeneity_holds_for_every_p(impl, x, p, c):
    """‖c x‖_p = |c| ‖x‖_p for every p > 0, quasi-norms included."""
    # c·x stays within 1e±9, where |·|^p ≤ 1e±180 for p ≤ 20: two norms, each within
    # one allowance (the rounding of c·x adds one u, ≪ the 64 u in each).
    assert_close(
        impl.lp_norm(c * x, p),
        abs(c) * impl.lp_norm(x, p),
        rtol=2 * _rtol(len(x), p),
        atol=0.0,
        what="‖c x‖_p against |c| ‖x‖_p",
        inputs={"x": x, "p": p, "c": c},
    )


@pytest.mark.claim
@given(natural_pairs(), quasi_orders)
def test_quasi_triangle_inequality_holds_with_constant_two_to_the_one_over_p_minus_one(impl, xy, p):
    """For p < 1, ‖x + y‖_p ≤ 2^(1/p − 1) (‖x‖_p + ‖y‖_p)."""
    x, y = xy
    constant = 2.0 ** (1.0 / p - 1.0)
    # Three norms and the constant (relative error u (1 + log(2)/p)): four allowances.
    assert_leq(
        impl.lp_norm(x + y, p),
        constant * (impl.lp_norm(x, p) + impl.lp_norm(y, p)),
        rtol=4 * _rtol(len(x), p),
        what="quasi-triangle inequality",
        inputs={"x": x, "y": y, "p": p},
    )


@pytest.mark.claim
@given(natural_pairs(), st.floats(0.05, 1.0))
def test_pth_power_is_subadditive_for_p_below_one(impl, xy, p):
    """For p ≤ 1, ‖x + y‖_p^p ≤ ‖x‖_p^p + ‖y‖_p^p."""
    x, y = xy
    # Raising to the power p ≤ 1 shrinks relative errors: three norms' allowances.
    assert_leq(
        impl.lp_norm(x + y, p) ** p,
        impl.lp_norm(x, p) ** p + impl.lp_norm(y, p) ** p,
        rtol=3 * _rtol(len(x), p),
        what="subadditivity of ‖·‖_p^p",
        inputs={"x": x, "y": y, "p": p},
    )


@pytest.mark.claim
@given(disjoint_pairs(), quasi_orders)
def test_unit_ball_is_not_convex_for_p_below_one(impl, xy, p):
    """For p < 1, two unit vectors with disjoint supports have a midpoint of norm 2^(1/p−1) > 1."""
    x, y = xy
    u, v = x / impl.lp_norm(x, p), y / impl.lp_norm(y, p)
    midpoint = impl.lp_norm((u + v) / 2, p)
    inputs = {"x": x, "y": y, "p": p}
    # Three norms, the divisions (one u each, amplified by 1/p through the last norm)
    # and the constant 2^(1/p − 1): six allowances.
    assert_close(
        midpoint,
        2.0 ** (1.0 / p - 1.0),
        rtol=6 * _rtol(len(x), p),
        atol=0.0,
        what="norm of the midpoint of two unit vectors",
        inputs=inputs,
    )
    assert_true(midpoint > 1.0, what="midpoint outside the unit ball", inputs=inputs)


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(wide_vectors(), extreme_orders)
# Ratios below the smallest normal float (598 orders apart), and a p below 1e-3 where
# s^(1/p) overflows (s = 1.997 < 2) though ‖x‖_p ≈ 1e129 does not.
@example(np.array([1e299, -1e-299]), 0.01)
@example(np.array([1e-300, 1e-302]), 7e-4)
@example(np.array([1.0, -1e-10]), 1e307)  # p·log(m_i/m) overflows to −inf: no warning
@example(np.array([-1.0, -1.0, -1.0]), 1e-3)  # 3^1000 overflows though ‖x‖_p = 3^1000 does not
def test_lp_norm_matches_50_digit_evaluation_at_extremes(impl, x, p):
    """‖x‖_p agrees with mpmath for entries from 1e-300 to 1e300 and p from 1e-3 to ∞."""
    _check_against_mpmath(impl, x, p, _careful_rtol(len(x), p))


@pytest.mark.numerics
@given(
    st.integers(1, 4).flatmap(lambda b: st.lists(wide_vectors(st.just(3)), min_size=b, max_size=b)),
    extreme_orders,
)
# Only the first row's sum of powers overflows (3^1000): each row keeps its own formula.
@example([np.full(3, 1e-300), np.array([1.0, 0.0, 0.0])], 1e-3)
def test_extreme_rows_of_a_batch_match_50_digit_evaluation(impl, rows, p):
    """On a batch (m, n) of extreme rows, each row's norm agrees with mpmath."""
    assert_close(
        impl.lp_norm(np.stack(rows), p),
        [_mp_norm(row, p) for row in rows],
        rtol=_careful_rtol(3, p),
        atol=0.0,
        what="‖·‖_p on a batch against mpmath",
        inputs={"x": np.stack(rows), "p": p},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(
    st.integers(1, 4).flatmap(
        lambda b: st.lists(natural_vectors(st.just(3)), min_size=b, max_size=b)
    ),
    orders,
)
def test_batches_are_normed_row_by_row(impl, rows, p):
    """A vector gives a float (logarithmic path too); a batch (m, n) its m row norms (float64)."""
    batch = np.stack(rows)
    # The same formula on the same row: only the summation order may differ.
    assert_close(
        impl.lp_norm(batch, p),
        [impl.lp_norm(row, p) for row in rows],
        rtol=2 * _rtol(3, p),
        atol=0.0,
        what="‖·‖_p on a batch",
        inputs={"x": batch, "p": p},
    )
    # Tiny entries and p near 0: s^(1/p) overflows, m·s^(1/p) = 3^1000 · 1e-300 does not.
    tiny = impl.lp_norm(np.full(3, 1e-300), 1e-3)
    assert_true(isinstance(tiny, float), what=f"one vector gives a float, got {tiny!r}")


@pytest.mark.contract
@given(vectors(st.integers(1, 5)), st.sampled_from([0.0, -1.0, -np.inf, np.nan]))
def test_rejects_invalid_input(impl, x, bad_p):
    """Non-positive, NaN or text p, and NaN, infinite, empty or scalar x raise naming it."""
    assert_rejects(impl.lp_norm, x, bad_p, argument="p", because=f"p = {bad_p} is not positive")
    assert_rejects(impl.lp_norm, x, "not a number", argument="p", because="p is text")
    for bad_x, because in (
        (np.append(x, np.nan), "x holds a NaN"),
        (np.append(x, np.inf), "x holds an infinity"),
        (np.zeros(0), "x is empty"),
        (1.0, "x is a scalar, not a vector"),
    ):
        assert_rejects(impl.lp_norm, bad_x, 2.0, argument="x", because=because)
