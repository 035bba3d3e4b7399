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


def mh_inputs(min_mass: float = 0.0, zeros: bool = True):
    """(pi, Q) on K in 2..4 states: pi with masses down to 1e-300, Q with symmetric support."""
    return st.integers(2, 4).flatmap(
        lambda k: st.tuples(
            probability_vectors(k, zeros=zeros, min_mass=min_mass),
            stochastic_matrices(k, symmetric_support=True),
        )
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


# --------------------------------------------------------------------------- reversibility


@given(reversible_chains())
def test_paths_reverse_under_detailed_balance(impl, chain):
    """For T built from symmetric weights, P(path) = P(reversed path) for every enumerated path."""
    T, pi = chain
    assert_every_path_reverses(impl, T, pi)


@given(mh_inputs())
def test_metropolis_hastings_paths_reverse(impl, pi_and_q):
    """For a Metropolis–Hastings kernel of any pi and Q, every enumerated path reverses."""
    pi, Q = pi_and_q
    T = impl.metropolis_hastings_kernel(pi, Q)
    assert_every_path_reverses(impl, T, pi, {"T": T})


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


# --------------------------------------------------------------------------- the converse


@given(floats(0.0, 1.0).filter(lambda p: abs(p - 0.5) > 1e-3))
def test_biased_three_cycle_is_stationary_but_not_reversible(impl, p):
    """The biased 3-cycle has uniform pi, fails detailed balance, and P(0,1) = p/3 != (1-p)/3."""
    T = np.array([[0.0, p, 1.0 - p], [1.0 - p, 0.0, p], [p, 1.0 - p, 0.0]])
    uniform = np.full(3, 1.0 / 3.0)
    # The 3 x 3 system is well conditioned (eigenvalues of I - T away from 0 but for one).
    assert_close(
        impl.stationary_distribution(T),
        uniform,
        atol=1e-13,
        what="stationary distribution of the 3-cycle",
    )
    assert_true(not impl.detailed_balance_holds(T, uniform), what="no detailed balance")
    # pi(0) T(0, 1) is one rounded product: 2 ulp of the exact p / 3.
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


@given(circulation_chains())
def test_circulation_keeps_pi_stationary_but_breaks_reversal(impl, chain):
    """Adding a circulation delta keeps pi T = pi, and all paths reverse iff delta = 0."""
    T, pi, delta = chain
    assert_close(
        impl.stationary_distribution(T),
        pi,
        atol=1e-12,
        what="stationary distribution with a circulation",
    )
    assert_true(
        every_path_reverses(impl, T, pi) == (delta == 0.0),
        what="'every path reverses' iff delta = 0",
    )


# Circulations down to 3e-11, far above atol = 1e-12 yet a relative 1e-8 of the flows: a
# check with a relative tolerance (np.allclose's default rtol = 1e-5) calls them balanced.
@given(circulation_chains(min_fraction=1e-8))
def test_detailed_balance_holds_iff_flow_matrix_is_symmetric(impl, chain):
    """detailed_balance_holds(T, pi) is True exactly when diag(pi) T is symmetric (delta = 0)."""
    T, pi, delta = chain
    flow = pi[:, None] * T
    symmetric = bool(np.abs(flow - flow.T).max() <= 1e-12)  # 0 or >= 3e-11 by construction
    assert_true(symmetric == (delta == 0.0), what="oracle: diag(pi) T symmetric iff delta = 0")
    assert_true(
        impl.detailed_balance_holds(T, pi) == symmetric,
        what="detailed_balance_holds against symmetry of diag(pi) T",
    )


@st.composite
def symmetric_stochastic_matrices(draw) -> np.ndarray:
    """Symmetric stochastic K x K matrices (K in 2..4): symmetric off-diagonal weights scaled
    so that no row sum exceeds 1, and the rest of each row on the diagonal."""
    weights = draw(weight_matrices(draw(st.integers(2, 4)), symmetric_support=True))
    weights = np.triu(weights, 1) + np.triu(weights, 1).T
    T = weights / max(weights.sum(axis=1).max(), 1.0)
    np.fill_diagonal(T, np.maximum(0.0, 1.0 - T.sum(axis=1)))  # no -1e-16 on a full row
    return T


@given(symmetric_stochastic_matrices())
def test_detailed_balance_holds_with_zero_tolerance_for_exactly_symmetric_flow(impl, T):
    """atol = 0 accepts an exactly symmetric flow: symmetric T with uniform pi is balanced."""
    uniform = np.full(len(T), 1.0 / len(T))  # pi(x) T(x, y) and pi(y) T(y, x) are one product
    assert_true(impl.detailed_balance_holds(T, uniform, atol=0.0), what="balance at atol = 0")


# ------------------------------------------------------------------- stationary distribution


# W = [[12, 1], [1, 12]]: T - I has no numerical null space at scipy.linalg.null_space's
# default rcond (max(M, N) eps relative), so a solver built on it finds no stationary pi.
@example(chain=(np.array([[12.0, 1.0], [1.0, 12.0]]) / 13.0, np.array([0.5, 0.5])))
@given(reversible_chains())
def test_stationary_distribution_of_reversible_chain(impl, chain):
    """stationary_distribution(T) solves pi T = pi and is the normalized row sums of W."""
    T, pi = chain
    estimate = impl.stationary_distribution(T)
    # A backward-stable solve leaves a residual of a few ulp, whatever the conditioning.
    residual = estimate @ T - estimate
    assert_close(residual, np.zeros_like(pi), atol=1e-14, what="pi T - pi")
    assert_close(estimate.sum(), 1.0, atol=1e-14, what="sum of pi")
    assert_leq(0.0, estimate.min(), what="pi >= 0")
    # Error from residual: with e = estimate - pi, r = residual and s = sum(e),
    # e (I - T + 1 pi) = r + s pi, so |e|_inf <= |e|_1 <= (|r|_1 + |s|) |(I - T + 1 pi)^-1|_inf.
    amplification = np.abs(np.linalg.inv(np.eye(len(T)) - T + np.outer(np.ones(len(T)), pi)))
    bound = (len(T) * 1e-14 + 1e-14 + 4 * EPS) * amplification.sum(axis=1).max()
    assert_close(estimate, pi, atol=bound, what="pi against normalized row sums")


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


# W = [[1, 9, 1], [0, 4, 9], [0, 5, 6]]: the least-squares solution leaves -1.7e-15 on state 0
# and sums to 1 + 2.7e-15 (12 ulp), so both the clipping and the final normalization show.
@example(
    chain=(
        np.array([[1.0, 9.0, 1.0], [0.0, 4.0, 9.0], [0.0, 5.0, 6.0]]) / [[11.0], [13.0], [11.0]],
        1,
    )
)
@given(chains_with_transient_states())
def test_stationary_distribution_is_a_distribution_vanishing_on_transient_states(impl, chain):
    """With transient states, pi is >= 0, sums to 1 within 2k ulp and has ~0 mass on them."""
    T, m = chain
    k = len(T)
    estimate = impl.stationary_distribution(T)
    assert_leq(0.0, estimate.min(), what="pi >= 0 (round-off must not leave negative masses)")
    # A final normalization pi / sum(pi) sums to 1 within k ulp, whatever the solver's error.
    assert_close(estimate.sum(), 1.0, rtol=0.0, atol=2 * k * EPS, what="sum of pi")
    assert_close(estimate @ T - estimate, np.zeros(k), atol=1e-14, what="pi T - pi")
    # The error bound of the reversible case, with the exact pi = (0, pi of the closed class).
    pi = np.concatenate([np.zeros(m), oracle_stationary(T[m:, m:])])
    amplification = np.abs(np.linalg.inv(np.eye(k) - T + np.outer(np.ones(k), pi)))
    bound = (k * 1e-14 + 2 * k * EPS + 4 * EPS) * amplification.sum(axis=1).max()
    assert_leq(estimate[:m], bound, what="mass on the transient states")


# --------------------------------------------------------------------------- Metropolis–Hastings


# pi(0) Q(0, 1) / (pi(1) Q(1, 0)) = 5e309 overflows float64: the move 1 -> 0 is accepted.
@example(pi_and_q=(np.array([1.0, 1e-300]), np.array([[0.5, 0.5], [1e-10, 1.0 - 1e-10]])))
@given(mh_inputs())
def test_metropolis_hastings_kernel_is_stochastic_in_detailed_balance(impl, pi_and_q):
    """An MH kernel is a stochastic matrix whose flow diag(pi) T is symmetric, so pi T = pi."""
    pi, Q = pi_and_q
    T = impl.metropolis_hastings_kernel(pi, Q)
    flow = pi[:, None] * T
    inputs = {"T": T}
    assert_leq(0.0, T.min(), what="T >= 0", inputs=inputs)
    assert_close(T.sum(axis=1), np.ones(len(pi)), atol=4 * len(pi) * EPS, what="row sums")
    # Each flow entry is a few rounded products of the exact common value.
    assert_close(flow, flow.T, rtol=16 * EPS, atol=PATH_ATOL, what="flow symmetry")
    assert_true(impl.detailed_balance_holds(T, pi), what="detailed_balance_holds", inputs=inputs)
    assert_close(pi @ T, pi, atol=8 * len(pi) * EPS, what="pi T = pi")


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


@given(mh_inputs(zeros=False))
def test_metropolis_hastings_kernel_matches_40_digit_evaluation(impl, pi_and_q):
    """Off the diagonal T(x, y) = Q(x, y) min(1, pi(y) Q(y, x) / (pi(x) Q(x, y))); rows sum to 1."""
    pi, Q = pi_and_q
    T, expected = impl.metropolis_hastings_kernel(pi, Q), _mh_oracle(pi, Q)
    off = ~np.eye(len(pi), dtype=bool)
    # The acceptance ratio is four rounded operations, the product one more: 8 ulp.
    assert_close(
        T[off], expected[off], rtol=8 * EPS, atol=PATH_ATOL, what="off-diagonal MH entries"
    )
    assert_close(
        np.diag(T),
        np.diag(expected),
        atol=4 * len(pi) * EPS,
        what="diagonal MH entries (rejection mass)",
    )


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


# --------------------------------------------------------------------------- path probability


@mpmath.workdps(40)
def _mp_path_probability(T, pi, path) -> mpmath.mpf:
    steps = zip(path, path[1:], strict=False)
    return mpmath.mpf(pi[path[0]]) * mpmath.fprod(mpmath.mpf(T[x, y]) for x, y in steps)


@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(
            stochastic_matrices(k),
            probability_vectors(k),
            st.lists(st.integers(0, k - 1), min_size=1, max_size=12),
        )
    )
)
def test_path_probability_is_initial_mass_times_transitions(impl, chain_and_path):
    """path_probability(T, pi, path) = pi(x_0) T(x_0, x_1) ... T(x_{k-1}, x_k) (40-digit oracle)."""
    T, pi, path = chain_and_path
    expected = _mp_path_probability(T, pi, path)
    # At most 12 rounded multiplications; subnormal results need the absolute floor.
    assert_close(
        impl.path_probability(T, pi, path),
        float(expected),
        rtol=16 * EPS,
        atol=PATH_ATOL,
        what="path probability",
    )


# --------------------------------------------------------------------------- bad input


@settings(max_examples=10)  # input validation needs no breadth; each example makes 17 calls
@given(mh_inputs(), floats(1.01, 3.0), floats(-1.0, -1e-12))
def test_rejects_bad_input(impl, pi_and_q, factor, negative):
    """Bad T, pi, Q, path or atol raise ValueError naming the argument, in all four functions."""
    pi, T = pi_and_q
    k = len(T)
    for bad_T in (T * factor, T[:, :-1], np.eye(k), np.kron(np.eye(2), T)):  # last two: reducible
        assert_rejects(impl.stationary_distribution, bad_T, argument="T")
    assert_rejects(impl.detailed_balance_holds, T, pi, atol=negative, argument="atol")
    assert_rejects(impl.detailed_balance_holds, T, np.append(pi, 0.0), argument="pi")
    assert_rejects(impl.detailed_balance_holds, -T, pi, argument="T")
    for path in ([], [0, k], [-1], [0.5]):
        assert_rejects(impl.path_probability, T, pi, path, argument="path")
    assert_rejects(impl.path_probability, T, factor * pi, [0], argument="pi")
    one_way = T.copy()  # T(0, 1) > 0 on the ring; make T(1, 0) = 0 by moving its mass
    one_way[1, 1] += one_way[1, 0]
    one_way[1, 0] = 0.0
    assert_rejects(impl.metropolis_hastings_kernel, pi, one_way, argument="Q")
    assert_rejects(impl.metropolis_hastings_kernel, pi, factor * T, argument="Q")
    assert_rejects(impl.metropolis_hastings_kernel, factor * pi, T, argument="pi")


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
        for bad in (wide, T[0]):
            bad_args = args[:matrix] + (bad,) + args[matrix + 1 :]
            assert_rejects(function, *bad_args, argument=names[matrix])
    for path in ([[0, 1]], np.array([], dtype=int)):
        assert_rejects(impl.path_probability, T, pi, path, argument="path")
