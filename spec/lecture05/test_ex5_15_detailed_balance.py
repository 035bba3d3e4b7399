r"""Exercise 5.15 — detailed balance makes a stationary chain reversible.

Statement
    A Markov chain on a finite set of states has transition matrix
    T(x, y) = P(X_{t+1} = y | X_t = x) and a stationary distribution pi.  If
    X_t ~ pi and pi(x) T(x, y) = pi(y) T(y, x) for all x, y (detailed balance),
    then every stretch of the chain is as likely forwards as backwards:
        P(X_t = x_0, ..., X_{t+k} = x_k) = P(X_t = x_k, ..., X_{t+k} = x_0)
    for every k >= 0 and every path x_0, ..., x_k.

    .. math::

       \pi(x) T(x, y) = \pi(y) T(y, x) \ \ \forall x, y
       \implies
       \pi(x_0) \prod_{i=1}^k T(x_{i-1}, x_i) = \pi(x_k) \prod_{i=1}^k T(x_i, x_{i-1})

Assumptions
    T is row-stochastic on K states, pi a probability vector on them, states
    are the integers 0..K-1 and a path is a sequence of them.  For
    Metropolis–Hastings, the proposal Q is stochastic with Q(x, y) > 0 exactly
    when Q(y, x) > 0.

Natural range
    K <= 4 states; transition weights 0 or within 6 decades of each other;
    masses of pi 0 or within 12 decades of the largest; paths of at most 12
    steps.  Masses down to 1e-300 (whose MH ratios overflow and whose path
    probabilities are subnormal) are numerics.

Argument
    Path probabilities.  With X_t ~ pi the Markov property gives
        P(x_0, ..., x_k) = pi(x_0) T(x_0, x_1) ... T(x_{k-1}, x_k).
    Reversibility.  Apply detailed balance to the first factor pair,
    pi(x_0) T(x_0, x_1) = pi(x_1) T(x_1, x_0), then to pi(x_1) T(x_1, x_2), and
    so on: after k swaps the product reads
    pi(x_k) T(x_k, x_{k-1}) ... T(x_1, x_0) = P(x_k, ..., x_0).  For k = 0 both
    sides are pi(x_0).  Detailed balance also gives stationarity: summing
    pi(x) T(x, y) = pi(y) T(y, x) over x yields (pi T)(y) = pi(y).
    The converse.  Paths of length k = 1 say pi(x) T(x, y) = pi(y) T(y, x), so
    a chain whose paths all reverse is in detailed balance: a stationary T is
    reversible iff the flow matrix diag(pi) T is symmetric.  In general the
    reversed path has the probability of the forward path under the
    time-reversed chain T^(x, y) = pi(y) T(y, x) / pi(x), and reversibility
    means T^ = T.  Stationarity alone does not suffice: adding a circulation
    delta around the cycle 0 -> 1 -> 2 -> 0 to a symmetric flow leaves every row
    and column sum, hence pi, unchanged, but makes P(0, 1) - P(1, 0) = 2 delta.
    The biased 3-cycle T(x, x+1) = p, T(x, x-1) = 1 - p (mod 3) is the simplest
    case: pi is uniform, yet P(0, 1) = p/3 while P(1, 0) = (1 - p)/3.
    Constructions.  A symmetric weight matrix W gives the reversible chain
    T = W / (row sums) with pi proportional to the row sums, since then
    pi(x) T(x, y) = W(x, y) / sum(W).  Metropolis–Hastings,
    T(x, y) = Q(x, y) min(1, r(x, y)) with r(x, y) = pi(y) Q(y, x) / (pi(x) Q(x, y)),
    is in detailed balance with any pi: if r(x, y) <= 1 then r(y, x) >= 1 and
    pi(x) T(x, y) = pi(y) Q(y, x) = pi(y) T(y, x).
    Spectrum.  For reversible T with pi > 0, D^(1/2) T D^(-1/2) (D = diag pi)
    is symmetric, so T has real eigenvalues, all in [-1, 1] (T is stochastic).
    Checks.  All of this is exact; every path is enumerated up to the longest
    length that keeps the number of paths within a budget of 90 in total
    (k <= 4 for K = 2, k <= 2 for K = 3 and K = 4).

Errata
    None.  (The notes' "for some t" should be read with the chain's law fixed
    by X_t ~ pi; the identity is about the joint law from time t on.)

References
    N. Metropolis, A. W. Rosenbluth, M. N. Rosenbluth, A. H. Teller and
    E. Teller, "Equation of state calculations by fast computing machines", 1953.
    W. K. Hastings, "Monte Carlo sampling methods using Markov chains and their
    applications", Biometrika 1970.
    D. A. Levin and Y. Peres, "Markov chains and mixing times", 2nd ed., 2017, §1.6.
"""

from __future__ import annotations

from itertools import product

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.strategies import floats, log_uniform, probability_vectors

EPS = np.finfo(np.float64).eps

# A path probability is a product of at most 6 factors, each a few ulp from the exact
# flow ratio it stands for: ~20 ulp relative.  Products of masses near 1e-300 can fall
# into the subnormal range, where only an absolute floor makes sense.
PATH_RTOL, PATH_ATOL = 1e-13, 1e-300


# Failure messages name only derived values: Hypothesis prints the drawn inputs itself.

# --------------------------------------------------------------------------- strategies


@st.composite
def weight_matrices(
    draw, k: int, *, symmetric_support: bool = False, zeros: bool = True, decades: float = 6.0
) -> np.ndarray:
    """Non-negative K x K weights spanning ``decades`` orders of magnitude.

    Exact zeros are allowed (in a symmetric pattern if asked) except on the ring
    0 - 1 - ... - K-1 - 0 (both directions), which keeps every state reachable.
    """
    weights = 10.0 ** -draw(hnp.arrays(np.float64, (k, k), elements=st.floats(0.0, decades)))
    if zeros:
        bits = draw(st.integers(0, 2 ** (k * k) - 1))
        mask = ((bits >> np.arange(k * k)) & 1).astype(bool).reshape(k, k)
        if symmetric_support:
            mask = np.triu(mask) | np.triu(mask).T
        ring = np.arange(k)
        mask[ring, (ring + 1) % k] = mask[(ring + 1) % k, ring] = False
        weights[mask] = 0.0
    return weights


@st.composite
def stochastic_matrices(draw, k: int, **kwargs) -> np.ndarray:
    """Irreducible K x K stochastic matrices: rows of ``weight_matrices`` normalized."""
    weights = draw(weight_matrices(k, **kwargs))
    return weights / weights.sum(axis=1, keepdims=True)


@st.composite
def reversible_chains(draw, sizes=st.integers(2, 4)) -> tuple[np.ndarray, np.ndarray]:
    """(T, pi) with T = W / row sums and pi = row sums / sum(W) for a symmetric weight matrix W."""
    weights = draw(weight_matrices(draw(sizes), symmetric_support=True))
    weights = np.triu(weights) + np.triu(weights, 1).T
    totals = weights.sum(axis=1)
    return weights / totals[:, None], totals / totals.sum()


CYCLE = np.array([[0, 1, -1], [-1, 0, 1], [1, -1, 0]], dtype=np.float64)


@st.composite
def circulation_chains(draw, min_fraction: float = 1e-3) -> tuple[np.ndarray, np.ndarray, float]:
    """(T, pi, delta): the flow W / sum(W) of a symmetric W plus delta times the circulation
    0 -> 1 -> 2 -> 0.  Row and column sums are unchanged, so pi is stationary for every delta;
    delta = 0 gives a reversible chain, delta > 0 a non-reversible one.  The cycle's flows are
    at least 0.1 / 32, so delta >= min_fraction * 3e-3."""
    k = draw(st.integers(3, 4))
    weights = draw(hnp.arrays(np.float64, (k, k), elements=floats(0.0, 1.0)))
    # The flow is built from the upper triangle: (0, 1), (1, 2), (0, 2) carry the cycle.
    weights[[0, 1, 0], [1, 2, 2]] = draw(hnp.arrays(np.float64, 3, elements=floats(0.1, 1.0)))
    weights[:3, 3:] = np.maximum(weights[:3, 3:], 0.1)  # keep state 3, if any, connected
    flow = np.triu(weights) + np.triu(weights, 1).T
    flow /= flow.sum()
    fraction = draw(st.one_of(st.just(0.0), log_uniform(min_fraction, 1.0)))
    delta = fraction * flow[[1, 2, 0], [0, 1, 2]].min()  # keeps the backward flows >= 0
    flow[:3, :3] += delta * CYCLE
    pi = flow.sum(axis=1)
    return flow / pi[:, None], pi, delta


@st.composite
def natural_probability_vectors(draw, k: int, zeros: bool = True) -> np.ndarray:
    """Probability vectors on k states with masses 0 (if ``zeros``, never all) or within 12
    decades of the largest: the natural range of the claims."""
    masses = 10.0 ** -draw(
        hnp.arrays(np.float64, k, elements=st.one_of(st.floats(0.0, 12.0), st.just(12.0)))
    )
    if zeros and k > 1:
        mask = np.array(draw(st.lists(st.booleans(), min_size=k, max_size=k)))
        mask[int(np.argmax(masses))] = False
        masses[mask] = 0.0
    return masses / masses.sum()


def mh_inputs(min_mass: float = 0.0, zeros: bool = True, extreme: bool = False):
    """(pi, Q) on K in 2..4 states, Q with symmetric support; pi with masses 0 or within 12
    decades of the largest, or down to 1e-300 if ``extreme``."""

    def distributions(k):
        if extreme:
            return probability_vectors(k, zeros=zeros, min_mass=min_mass)
        return natural_probability_vectors(k, zeros=zeros).map(
            lambda p: (p + min_mass) / (1.0 + k * min_mass)
        )

    return st.integers(2, 4).flatmap(
        lambda k: st.tuples(distributions(k), stochastic_matrices(k, symmetric_support=True))
    )


def all_paths(k: int, budget: int = 90) -> list[tuple[int, ...]]:
    """Every path over k states, length by length, while the total number stays within budget."""
    paths: list[tuple[int, ...]] = []
    length = 1
    while len(paths) + k**length <= budget:
        paths += list(product(range(k), repeat=length))
        length += 1
    return paths


def oracle_stationary(T: np.ndarray) -> np.ndarray:
    """pi solving pi (I - T + J) = 1 (J all ones), valid for irreducible T."""
    k = len(T)
    return np.linalg.solve((np.eye(k) - T + 1.0).T, np.ones(k))


def path_probabilities(impl, T, pi, paths) -> np.ndarray:
    return np.array([impl.path_probability(T, pi, path) for path in paths])


def reversal_pairs(impl, T, pi) -> tuple[np.ndarray, np.ndarray]:
    """P(path) and P(reversed path) for every path of ``all_paths`` (a reversed path has the
    same length, so it is in the list too: each probability is computed once)."""
    paths = all_paths(len(T))
    probability = dict(zip(paths, path_probabilities(impl, T, pi, paths), strict=True))
    return (
        np.array([probability[path] for path in paths]),
        np.array([probability[path[::-1]] for path in paths]),
    )


def stationary_error_bound(T: np.ndarray, pi: np.ndarray, residual: float) -> float:
    """Bound on |estimate - pi|_inf for an estimate whose |pi T - pi|_1 and |sum - 1| are at
    most ``residual``: with e = estimate - pi, r its residual and s = sum(e),
    e (I - T + 1 pi) = r + s pi, so |e|_inf <= 2 residual |(I - T + 1 pi)^-1|_inf."""
    k = len(T)
    amplification = np.abs(np.linalg.inv(np.eye(k) - T + np.outer(np.ones(k), pi)))
    return 2.0 * residual * amplification.sum(axis=1).max()


# A backward-stable solver (solve, least squares, eigenvector) returns pi with a residual
# |pi T - pi|_1 and |sum(pi) - 1| of a few K u |T| |pi|: K <= 4, so 1e-14 ~ 45 u.
RESIDUAL = 1e-14


def assert_is_the_stationary_distribution(estimate, T, pi):
    """The estimate solves pi T = pi, sums to 1, is >= 0 and equals pi, all up to the
    round-off of a backward-stable solver, amplified by the condition of the system."""
    k = len(T)
    bound = stationary_error_bound(T, pi, RESIDUAL + 4 * EPS)
    assert_close(estimate @ T - estimate, np.zeros(k), atol=RESIDUAL, what="pi T - pi")
    assert_close(estimate.sum(), 1.0, rtol=0.0, atol=RESIDUAL, what="sum of pi")
    assert_leq(-bound, estimate.min(), what="pi >= 0 up to round-off")
    assert_close(estimate, pi, rtol=0.0, atol=bound, what="pi against the exact distribution")


def assert_every_path_reverses(impl, T, pi, inputs=None):
    forward, backward = reversal_pairs(impl, T, pi)
    assert_close(
        backward,
        forward,
        rtol=PATH_RTOL,
        atol=PATH_ATOL,
        what="P(reversed path) against P(path), paths in all_paths order",
        inputs=inputs,
    )


def every_path_reverses(impl, T, pi) -> bool:
    forward, backward = reversal_pairs(impl, T, pi)
    return bool(np.all(np.abs(backward - forward) <= PATH_ATOL + PATH_RTOL * np.abs(forward)))


def assert_balance_decided_by_flow_symmetry(impl, chain):
    T, pi, delta = chain
    flow = pi[:, None] * T
    symmetric = bool(np.abs(flow - flow.T).max() <= 1e-12)  # 0 or >= 3e-11 by construction
    assert_true(symmetric == (delta == 0.0), what="oracle: diag(pi) T symmetric iff delta = 0")
    assert_true(
        impl.detailed_balance_holds(T, pi) == symmetric,
        what="detailed_balance_holds against symmetry of diag(pi) T",
    )


def nonnegative(T: np.ndarray) -> np.ndarray:
    """T with a rejection mass rounded below 0 (by <= 2K u, allowed by the claims) set to 0,
    so that a solution whose other functions insist on T >= 0 can take its own kernel back."""
    return np.maximum(T, 0.0)


def assert_metropolis_hastings_kernel_is_balanced(impl, pi, Q):
    T = impl.metropolis_hastings_kernel(pi, Q)
    k = len(pi)
    flow = pi[:, None] * T
    inputs = {"T": T}
    # The rejection mass 1 - sum_y T(x, y) is known to K u absolutely: it may round below 0.
    assert_leq(-2 * k * EPS, T.min(), what="T >= 0 up to round-off", inputs=inputs)
    assert_close(T.sum(axis=1), np.ones(k), atol=4 * k * EPS, what="row sums")
    # Each off-diagonal flow is a few rounded products of the exact common value; the
    # diagonal flows are the same number on both sides.
    assert_close(flow, flow.T, rtol=16 * EPS, atol=PATH_ATOL, what="flow symmetry")
    assert_true(
        impl.detailed_balance_holds(nonnegative(T), pi),
        what="detailed_balance_holds",
        inputs=inputs,
    )
    # pi T sums K products of numbers <= 1, each entry within 2 K u of its exact value.
    assert_close(pi @ T, pi, atol=8 * k * EPS, what="pi T = pi")


@mpmath.workdps(40)
def _mh_oracle(pi, Q) -> np.ndarray:
    """Metropolis–Hastings at 40 digits, for pi with full support."""
    k = len(pi)
    T = mpmath.matrix(k, k)
    for x, y in product(range(k), repeat=2):
        if x != y and Q[x, y] > 0:
            ratio = (mpmath.mpf(pi[y]) * Q[y, x]) / (mpmath.mpf(pi[x]) * Q[x, y])
            T[x, y] = mpmath.mpf(Q[x, y]) * min(mpmath.mpf(1), ratio)
    for x in range(k):
        T[x, x] = 1 - mpmath.fsum(T[x, y] for y in range(k) if y != x)
    return np.array(T.tolist(), dtype=np.float64)


def assert_metropolis_hastings_kernel_matches_40_digits(impl, pi, Q):
    T, expected = impl.metropolis_hastings_kernel(pi, Q), _mh_oracle(pi, Q)
    off = ~np.eye(len(pi), dtype=bool)
    # The acceptance ratio is three rounded operations, the product with Q one more: 4u.
    assert_close(
        T[off], expected[off], rtol=8 * EPS, atol=PATH_ATOL, what="off-diagonal MH entries"
    )
    # 1 - (sum of K - 1 entries <= 1) is known to K u absolutely.
    assert_close(
        np.diag(T),
        np.diag(expected),
        atol=4 * len(pi) * EPS,
        what="diagonal MH entries (rejection mass)",
    )


@mpmath.workdps(40)
def _mp_path_probability(T, pi, path) -> mpmath.mpf:
    steps = zip(path, path[1:], strict=False)
    return mpmath.mpf(pi[path[0]]) * mpmath.fprod(mpmath.mpf(T[x, y]) for x, y in steps)


def chains_and_paths(distributions):
    return st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            stochastic_matrices(k),
            distributions(k),
            st.lists(st.integers(0, k - 1), min_size=1, max_size=12),
        )
    )


def assert_path_probability_is_the_product(impl, T, pi, path):
    expected = _mp_path_probability(T, pi, path)
    # At most 12 rounded multiplications: 12 u = 6 eps relative; results below the normal
    # range (products of masses near 1e-300) need the absolute floor.
    assert_close(
        impl.path_probability(T, pi, path),
        float(expected),
        rtol=16 * EPS,
        atol=PATH_ATOL,
        what="path probability",
    )


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(reversible_chains())
def test_paths_reverse_under_detailed_balance(impl, chain):
    """For T built from symmetric weights, P(path) = P(reversed path) for every enumerated path."""
    T, pi = chain
    assert_every_path_reverses(impl, T, pi)


@pytest.mark.claim
@given(mh_inputs())
def test_metropolis_hastings_paths_reverse(impl, pi_and_q):
    """For a Metropolis–Hastings kernel of any pi and Q, every enumerated path reverses."""
    pi, Q = pi_and_q
    T = nonnegative(impl.metropolis_hastings_kernel(pi, Q))
    assert_every_path_reverses(impl, T, pi, {"T": T})


@pytest.mark.claim
@given(st.integers(2, 4).flatmap(lambda k: stochastic_matrices(k, zeros=False, decades=3.0)))
def test_reversed_path_follows_the_time_reversed_chain(impl, T):
    """For any stationary chain, P_T(reversed path) = P_T^(path), T^(x, y) = pi(y)T(y, x)/pi(x)."""
    pi = oracle_stationary(T)
    reversal = (pi[None, :] * T.T) / pi[:, None]
    paths = all_paths(len(T))
    assert_close(
        path_probabilities(impl, T, pi, [path[::-1] for path in paths]),
        path_probabilities(impl, reversal, pi, paths),
        rtol=PATH_RTOL,
        atol=PATH_ATOL,
        what="P_T(reversed path) against P_T^(path), paths in all_paths order",
    )


@pytest.mark.claim
@given(floats(0.0, 1.0).filter(lambda p: abs(p - 0.5) > 1e-3))
def test_biased_three_cycle_is_stationary_but_not_reversible(impl, p):
    """The biased 3-cycle has uniform pi, fails detailed balance, and P(0,1) = p/3 != (1-p)/3."""
    T = np.array([[0.0, p, 1.0 - p], [1.0 - p, 0.0, p], [p, 1.0 - p, 0.0]])
    uniform = np.full(3, 1.0 / 3.0)
    assert_is_the_stationary_distribution(impl.stationary_distribution(T), T, uniform)
    assert_true(not impl.detailed_balance_holds(T, uniform), what="no detailed balance")
    # pi(0) T(0, 1) is one rounded product of a rounded 1/3: 2u of the exact p / 3; the
    # 3-step paths multiply three more factors: 5u.
    for path, expected in (
        ((0, 1), p / 3),
        ((1, 0), (1 - p) / 3),
        ((0, 1, 2, 0), p**3 / 3),
        ((0, 2, 1, 0), (1 - p) ** 3 / 3),
    ):
        assert_close(
            impl.path_probability(T, uniform, path),
            expected,
            rtol=8 * EPS,
            atol=0.0,
            what=f"P{path} on the biased 3-cycle",
        )


@pytest.mark.claim
@given(circulation_chains())
def test_circulation_keeps_pi_stationary_but_breaks_reversal(impl, chain):
    """Adding a circulation delta keeps pi T = pi, and all paths reverse iff delta = 0."""
    T, pi, delta = chain
    assert_is_the_stationary_distribution(impl.stationary_distribution(T), T, pi)
    assert_true(
        every_path_reverses(impl, T, pi) == (delta == 0.0),
        what="'every path reverses' iff delta = 0",
    )


@pytest.mark.claim
@given(circulation_chains())
def test_detailed_balance_holds_tells_balance_from_a_circulation(impl, chain):
    """detailed_balance_holds(T, pi) is True for delta = 0 and False for a circulation delta > 0."""
    # Circulations of >= 1e-3 of the flows (>= 3e-6 absolutely): a violation of detailed
    # balance under any reading of "equal up to round-off".
    assert_balance_decided_by_flow_symmetry(impl, chain)


# W = [[12, 1], [1, 12]]: T - I has no numerical null space at scipy.linalg.null_space's
# default rcond (max(M, N) eps relative), so a solver built on it finds no stationary pi.
@pytest.mark.claim
@example(chain=(np.array([[12.0, 1.0], [1.0, 12.0]]) / 13.0, np.array([0.5, 0.5])))
@given(reversible_chains())
def test_stationary_distribution_of_reversible_chain(impl, chain):
    """stationary_distribution(T) solves pi T = pi and is the normalized row sums of W."""
    T, pi = chain
    assert_is_the_stationary_distribution(impl.stationary_distribution(T), T, pi)


@st.composite
def chains_with_transient_states(draw) -> tuple[np.ndarray, int]:
    """(T, m): states 0..m-1 are transient and leak into the closed class m..K-1 (K in 2..4).

    Zeroing W[m:, :m] closes the class; the ring of ``weight_matrices`` keeps it irreducible
    and leads every transient state i to i + 1, so pi is unique and vanishes on 0..m-1.
    """
    k = draw(st.integers(2, 4))
    m = draw(st.integers(1, k - 1))
    weights = draw(weight_matrices(k))
    weights[m:, :m] = 0.0
    if m == k - 1:  # a closed class of one state, whose ring edges are gone: absorbing
        weights[-1, -1] = 1.0
    return weights / weights.sum(axis=1, keepdims=True), m


def exact_pi_with_transient_states(T, m):
    return np.concatenate([np.zeros(m), oracle_stationary(T[m:, m:])])


@pytest.mark.claim
@given(chains_with_transient_states())
def test_stationary_distribution_vanishes_on_transient_states(impl, chain):
    """With transient states, pi is the closed class's distribution and ~0 on the others."""
    T, m = chain
    pi = exact_pi_with_transient_states(T, m)
    assert_is_the_stationary_distribution(impl.stationary_distribution(T), T, pi)


@pytest.mark.claim
@example(pi_and_q=(np.array([1.0, 1e-12]), np.array([[0.5, 0.5], [1e-6, 1.0 - 1e-6]])))
@given(mh_inputs())
def test_metropolis_hastings_kernel_is_stochastic_in_detailed_balance(impl, pi_and_q):
    """An MH kernel is a stochastic matrix whose flow diag(pi) T is symmetric, so pi T = pi."""
    assert_metropolis_hastings_kernel_is_balanced(impl, *pi_and_q)


@pytest.mark.claim
@given(mh_inputs(zeros=False))
def test_metropolis_hastings_kernel_matches_40_digit_evaluation(impl, pi_and_q):
    """Off the diagonal T(x, y) = Q(x, y) min(1, pi(y) Q(y, x) / (pi(x) Q(x, y))); rows sum to 1."""
    assert_metropolis_hastings_kernel_matches_40_digits(impl, *pi_and_q)


@pytest.mark.claim
@given(mh_inputs(min_mass=1e-3, zeros=False))
def test_reversible_kernels_have_real_spectrum(impl, pi_and_q):
    """A Metropolis–Hastings kernel has real eigenvalues in [-1, 1], one of them 1."""
    pi, Q = pi_and_q
    eigenvalues = np.linalg.eigvals(impl.metropolis_hastings_kernel(pi, Q))
    # Bauer–Fike: T = V L V^-1 with cond(V) <= sqrt(max pi / min pi) <~ 32 here, and a
    # backward-stable eigensolver moves eigenvalues by <= cond(V) * K * eps * |T| ~ 1e-13.
    assert_close(eigenvalues.imag, np.zeros(len(pi)), atol=1e-11, what="imaginary parts")
    assert_leq(np.abs(eigenvalues.real), 1.0, atol=1e-11, what="|eigenvalue| <= 1")
    assert_close(eigenvalues.real.max(), 1.0, atol=1e-11, what="largest eigenvalue")


@pytest.mark.claim
@given(chains_and_paths(natural_probability_vectors))
def test_path_probability_is_initial_mass_times_transitions(impl, chain_and_path):
    """path_probability(T, pi, path) = pi(x_0) T(x_0, x_1) ... T(x_{k-1}, x_k) (40-digit oracle)."""
    assert_path_probability_is_the_product(impl, *chain_and_path)


# --- numerics tier: accuracy and robustness at extreme inputs ---


# pi(0) Q(0, 1) / (pi(1) Q(1, 0)) = 5e309 overflows float64: the move 1 -> 0 is accepted.
@pytest.mark.numerics
@example(pi_and_q=(np.array([1.0, 1e-300]), np.array([[0.5, 0.5], [1e-10, 1.0 - 1e-10]])))
@given(mh_inputs(extreme=True))
def test_metropolis_hastings_kernel_is_balanced_for_masses_down_to_1e_300(impl, pi_and_q):
    """With masses down to 1e-300 (ratios that overflow), the MH kernel is still balanced."""
    assert_metropolis_hastings_kernel_is_balanced(impl, *pi_and_q)


@pytest.mark.numerics
@given(mh_inputs(zeros=False, extreme=True))
def test_metropolis_hastings_kernel_matches_40_digits_for_masses_down_to_1e_300(impl, pi_and_q):
    """The MH entries keep 8-ulp accuracy when pi(x) Q(x, y) underflows or the ratio overflows."""
    assert_metropolis_hastings_kernel_matches_40_digits(impl, *pi_and_q)


@pytest.mark.numerics
@given(chains_and_paths(probability_vectors))
def test_path_probability_with_masses_down_to_1e_300(impl, chain_and_path):
    """path_probability keeps its accuracy for masses down to 1e-300 and subnormal products."""
    assert_path_probability_is_the_product(impl, *chain_and_path)


# --- contract tier: the interface and the reference's choices among valid answers ---


# Circulations down to 3e-11, far above atol = 1e-12 yet a relative 1e-8 of the flows: a
# check with a relative tolerance (np.allclose's default rtol = 1e-5) calls them balanced.
@pytest.mark.contract
@given(circulation_chains(min_fraction=1e-8))
def test_detailed_balance_holds_iff_flow_matrix_is_symmetric(impl, chain):
    """atol is absolute: a circulation of 1e-8 relative (3e-11 absolute) is not balance."""
    assert_balance_decided_by_flow_symmetry(impl, chain)


@st.composite
def symmetric_stochastic_matrices(draw) -> np.ndarray:
    """Symmetric stochastic K x K matrices (K in 2..4): symmetric off-diagonal weights scaled
    so that no row sum exceeds 1, and the rest of each row on the diagonal."""
    weights = draw(weight_matrices(draw(st.integers(2, 4)), symmetric_support=True))
    weights = np.triu(weights, 1) + np.triu(weights, 1).T
    T = weights / max(weights.sum(axis=1).max(), 1.0)
    np.fill_diagonal(T, np.maximum(0.0, 1.0 - T.sum(axis=1)))  # no -1e-16 on a full row
    return T


@pytest.mark.contract
@given(symmetric_stochastic_matrices())
def test_detailed_balance_holds_with_zero_tolerance_for_exactly_symmetric_flow(impl, T):
    """atol = 0 accepts an exactly symmetric flow: symmetric T with uniform pi is balanced."""
    uniform = np.full(len(T), 1.0 / len(T))  # pi(x) T(x, y) and pi(y) T(y, x) are one product
    result = impl.detailed_balance_holds(T, uniform, atol=0.0)
    assert_true(isinstance(result, bool | np.bool_) and result, what="balance at atol = 0")


# W = [[1, 9, 1], [0, 4, 9], [0, 5, 6]]: the least-squares solution leaves -1.7e-15 on state 0
# and sums to 1 + 2.7e-15 (12 ulp), so both the clipping and the final normalization show.
@pytest.mark.contract
@example(
    chain=(
        np.array([[1.0, 9.0, 1.0], [0.0, 4.0, 9.0], [0.0, 5.0, 6.0]]) / [[11.0], [13.0], [11.0]],
        1,
    )
)
@given(chains_with_transient_states())
def test_stationary_distribution_is_nonnegative_and_normalized_to_rounding(impl, chain):
    """stationary_distribution returns a float64 K-vector >= 0 that sums to 1 within 2K ulp."""
    T, m = chain
    k = len(T)
    estimate = impl.stationary_distribution(T)
    assert_true(
        isinstance(estimate, np.ndarray)
        and estimate.dtype == np.float64
        and estimate.shape == (k,),
        what="a float64 vector of length K",
    )
    assert_leq(0.0, estimate.min(), what="pi >= 0 (round-off clipped, no -1e-17 masses)")
    # A final normalization pi / sum(pi) sums to 1 within k ulp, whatever the solver's error.
    assert_close(estimate.sum(), 1.0, rtol=0.0, atol=2 * k * EPS, what="sum of pi")


@pytest.mark.contract
@given(mh_inputs())
def test_metropolis_hastings_kernel_is_a_nonnegative_float64_matrix(impl, pi_and_q):
    """The MH kernel is a K x K float64 matrix with entries >= 0 exactly (no -2e-16 diagonal)."""
    pi, Q = pi_and_q
    T = impl.metropolis_hastings_kernel(pi, Q)
    assert_true(
        isinstance(T, np.ndarray) and T.dtype == np.float64 and T.shape == Q.shape,
        what="a float64 K x K matrix",
    )
    assert_leq(0.0, T.min(), what="T >= 0 exactly")
    path = impl.path_probability(T, pi, [0, 1, 0])
    assert_true(isinstance(path, float), what="path_probability returns a float")


@pytest.mark.contract
@settings(max_examples=10)  # input validation needs no breadth; each example makes 17 calls
@given(mh_inputs(), floats(1.01, 3.0), floats(-1.0, -1e-12))
def test_rejects_bad_input(impl, pi_and_q, factor, negative):
    """Bad T, pi, Q, path or atol raise ValueError naming the argument, in all four functions."""
    pi, T = pi_and_q
    k = len(T)
    for bad_T, because in (
        (T * factor, "rows of T sum to more than 1"),
        (T[:, :-1], "T is not square"),
        (np.eye(k), "T has several closed classes"),
        (np.kron(np.eye(2), T), "T has two closed classes"),
    ):
        assert_rejects(impl.stationary_distribution, bad_T, argument="T", because=because)
    assert_rejects(
        impl.detailed_balance_holds, T, pi, atol=negative, argument="atol", because="atol < 0"
    )
    assert_rejects(
        impl.detailed_balance_holds,
        T,
        np.append(pi, 0.0),
        argument="pi",
        because="pi has one entry more than T has states",
    )
    assert_rejects(
        impl.detailed_balance_holds, -T, pi, argument="T", because="T has negative entries"
    )
    for path, because in (
        ([], "the path is empty"),
        ([0, k], "the path leaves the state space"),
        ([-1], "the path visits a negative state"),
        ([0.5], "the path visits a non-integer state"),
    ):
        assert_rejects(impl.path_probability, T, pi, path, argument="path", because=because)
    assert_rejects(
        impl.path_probability, T, factor * pi, [0], argument="pi", because="pi sums to more than 1"
    )
    one_way = T.copy()  # T(0, 1) > 0 on the ring; make T(1, 0) = 0 by moving its mass
    one_way[1, 1] += one_way[1, 0]
    one_way[1, 0] = 0.0
    assert_rejects(
        impl.metropolis_hastings_kernel,
        pi,
        one_way,
        argument="Q",
        because="Q(0, 1) > 0 but Q(1, 0) = 0",
    )
    assert_rejects(
        impl.metropolis_hastings_kernel,
        pi,
        factor * T,
        argument="Q",
        because="rows of Q sum to more than 1",
    )
    assert_rejects(
        impl.metropolis_hastings_kernel,
        factor * pi,
        T,
        argument="pi",
        because="pi sums to more than 1",
    )


@pytest.mark.contract
@settings(max_examples=10)  # input validation needs no breadth
@given(mh_inputs())
def test_rejects_nan_misshapen_or_non_square_chains_and_nested_paths(impl, pi_and_q):
    """NaN, extra axes, 1-D or non-square stochastic T and Q, and nested or empty paths raise."""
    pi, T = pi_and_q
    wide = np.hstack([T, np.zeros((len(T), 1))])  # rows still sum to 1
    for function, args, names in (
        (impl.stationary_distribution, (T,), ("T",)),
        (impl.detailed_balance_holds, (T, pi), ("T", "pi")),
        (impl.path_probability, (T, pi, [0]), ("T", "pi", None)),
        (impl.metropolis_hastings_kernel, (pi, T), ("pi", "Q")),
    ):
        assert_rejects_bad_arrays(function, *args, names=names)
        matrix = names.index("Q") if "Q" in names else 0
        for bad, because in ((wide, "the matrix is not square"), (T[0], "the matrix is 1-D")):
            bad_args = args[:matrix] + (bad,) + args[matrix + 1 :]
            assert_rejects(function, *bad_args, argument=names[matrix], because=because)
    for path, because in (
        ([[0, 1]], "the path is nested"),
        (np.array([], dtype=int), "the path is empty"),
    ):
        assert_rejects(impl.path_probability, T, pi, path, argument="path", because=because)
