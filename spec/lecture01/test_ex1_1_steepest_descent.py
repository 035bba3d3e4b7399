r"""Exercise 1.1 — steepest descent with exact line search makes consecutive gradients orthogonal.

Statement
    Gradient descent w_{t+1} = w_t − η_t ∇R(w_t) with the step η_t chosen to
    minimize R along the ray (exact line search) satisfies
    ∇R(w_{t+1}) · ∇R(w_t) = 0.  For a quadratic R the optimal step has a
    closed form; give it, e.g. for the mean squared error.

    .. math::

       \nabla R(w_{t+1})^\top \nabla R(w_t) = 0, \qquad
       w_{t+1} = w_t - \eta_t \nabla R(w_t), \quad
       \eta_t = \operatorname*{arg\,min}_{\eta \ge 0} R\bigl(w_t - \eta \nabla R(w_t)\bigr)

       R(w) = \tfrac12 w^\top A w - b^\top w: \qquad
       \eta_t = \frac{g^\top g}{g^\top A g}, \quad g = \nabla R(w_t) = A w_t - b

Assumptions
    R(w) = ½ wᵀAw − bᵀw with A symmetric positive definite (d × d), so R is
    strictly convex with minimizer w* = A⁻¹b and R* = −½ bᵀA⁻¹b.  The mean
    squared error R(w) = (1/n)‖Xw − y‖² is of this form with A = 2XᵀX/n and
    b = 2Xᵀy/n (plus a constant); it is positive definite when X has full
    column rank.

Natural range
    d ≤ 5, A with condition number κ ≤ 1e4, entries of b and w0 zero or of
    magnitude in [1e-6, 10]; X of n ≤ 8 rows with entries in [-3, 3] and
    cond(X) < 1e4; the two-equal-rows MSE at |w| in [1e-3, 1e3].  Starting points
    down to 1e-300 and up to 1e153, where g·g under- or overflows, are numerics.
    The iterate claims take at most 5 steps and stop before the gradient falls
    below 1e-30 of its first size: at the minimizer the exact step gᵀg/gᵀAg is
    0/0, outside the exercise.  Step counts n_steps ≥ 1 (0 is rejected, a
    contract convention).

Argument
    Let g = ∇R(w_t) ≠ 0 and φ(η) = R(w_t − ηg).  At the minimizing η,
    φ′(η) = −∇R(w_t − ηg)·g = −∇R(w_{t+1})·∇R(w_t) = 0: this is the
    orthogonality condition, for any differentiable R.  For the quadratic,
    φ(η) = R(w_t) − η gᵀg + ½ η² gᵀAg, a parabola with minimum at
        η* = gᵀg / gᵀAg,
    and φ(η*) = R(w_t) − ½ (gᵀg)² / gᵀAg < R(w_t): R decreases strictly until
    the gradient vanishes.  If A = cI, then η* = 1/c and one step lands on w*.
    Kantorovich's inequality (gᵀg)² / (gᵀAg · gᵀA⁻¹g) ≥ 4κ/(κ+1)², with κ the
    condition number of A, gives the linear rate
        R(w_{t+1}) − R* ≤ ((κ − 1)/(κ + 1))² (R(w_t) − R*).
    For the MSE, substituting A = 2XᵀX/n gives η* = n gᵀg / (2‖Xg‖²).

References
    J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed., 2006, §3.3
    (steepest descent on quadratics, Theorem 3.3).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.strategies import floats, matrices, spd_matrices, vectors

#: float64 unit roundoff.
U = 2.0**-53
#: Safety factor over the first-order rounding bounds written beside each tolerance.
SAFETY = 8.0


def natural_vectors(d):
    """Vectors with entries 0 or of magnitude in [1e-6, 10] (the claims' natural range)."""
    return vectors(d).map(lambda v: np.where(np.abs(v) < 1e-6, 0.0, v))


def _problems(vector_strategy):
    # Condition numbers kappa <= 1e4 keep every claim's round-off at ~kappa * d * u.
    return st.integers(1, 5).flatmap(
        lambda d: st.tuples(
            spd_matrices(d, max_condition=1e4), vector_strategy(d), vector_strategy(d)
        )
    )


problems = _problems(natural_vectors)


def _steps_short_of_the_minimizer(A, b, w0, most):
    """How many exact-line-search steps (at most ``most``) keep |g| above 1e-30 |g_0|.

    Near the minimizer the step gᵀg/gᵀAg tends to 0/0 and a plain evaluation of it is
    undefined; the iterate claims stop short of that.  Our own float64 iterates differ from
    any backward-stable implementation's by about κ d u relatively, far from the 1e-30 margin.
    """
    w, g0 = np.array(w0, dtype=np.float64), np.linalg.norm(A @ w0 - b)
    for step in range(most):
        g = A @ w - b
        if not np.linalg.norm(g) > 1e-30 * g0 or not g @ A @ g > 0:
            return step
        w = w - (g @ g) / (g @ A @ g) * g
    return most


def _iterates(impl, A, b, w0, most):
    """The implementation's iterates, short of the minimizer (the problem is discarded if
    the first step would already reach it)."""
    n_steps = _steps_short_of_the_minimizer(A, b, w0, most)
    assume(n_steps >= 1)
    return impl.steepest_descent(A, b, w0, n_steps)


def _roundoff_of_r(A, b, w):
    """Absolute rounding bound of R(w) = ½wᵀAw − bᵀw in float64: sums of d + 2 terms of size
    at most ‖A‖‖w‖² and ‖b‖‖w‖, each off by (d + 2) u of that size (any summation order)."""
    d = len(b)
    size = np.linalg.norm(A, 2) * (w @ w) + np.linalg.norm(b) * np.linalg.norm(w)
    return SAFETY * (d + 2) * U * size


def _roundoff_of_grad(A, b, w):
    """Absolute rounding bound of each entry of Aw − b: d products and one difference."""
    return (
        SAFETY * (len(b) + 2) * U * (np.linalg.norm(A, 2) * np.linalg.norm(w) + np.linalg.norm(b))
    )


# --- claim tier: the exercise's mathematics on its natural range ---


# ½wᵀAw − bᵀw = 0.5 at A = 1, b = 0, w = 1: a loss scaled by 1 + 1e-4 or shifted by 1e-4,
# and a gradient Aw − b scaled or shifted alike, are off by >= 5e-5, far above round-off.
@pytest.mark.claim
@example(problem=(np.eye(1), np.zeros(1), np.ones(1)))
@example(problem=(np.diag([2.0, 1.0]), np.array([1.0, -1.0]), np.array([0.5, 2.0])))
@given(problems)
def test_loss_and_gradient_are_the_quadratic_formulas(impl, problem):
    """quadratic_loss(A, b, w) = ½wᵀAw − bᵀw and quadratic_gradient(A, b, w) = Aw − b."""
    A, b, w = problem
    inputs = {"A": A, "b": b, "w": w}
    # The spec's and the implementation's evaluations are each within the bounds above.
    assert_close(
        impl.quadratic_loss(A, b, w),
        0.5 * w @ A @ w - b @ w,
        rtol=0.0,
        atol=2 * _roundoff_of_r(A, b, w) + 1e-300,
        what="R(w) = 1/2 w.A.w - b.w",
        inputs=inputs,
    )
    assert_close(
        impl.quadratic_gradient(A, b, w),
        A @ w - b,
        rtol=0.0,
        atol=2 * _roundoff_of_grad(A, b, w) + 1e-300,
        what="grad R(w) = A w - b",
        inputs=inputs,
    )


def _check_gradients_orthogonal(impl, A, b, w0, iterates):
    norm_a = np.linalg.norm(A, 2)
    eigenvalues = np.linalg.eigvalsh(A)
    kappa = eigenvalues[-1] / eigenvalues[0]
    for w_now, w_next in zip(iterates, iterates[1:], strict=False):
        g_now = impl.quadratic_gradient(A, b, w_now)
        g_next = impl.quadratic_gradient(A, b, w_next)
        # Exactly, g_next . g_now = (eta* - eta) g.A.g with eta the step used, so a step with
        # relative error (d + 2) u kappa (g.A.g is known to (d + 1) u ||A|| |g|^2 <= (d + 1) u
        # kappa g.A.g) leaves (d + 2) u kappa |g|^2; computing g_next = A w_next - b adds
        # (d + 2) u (||A|| |w_next| + |b|) per entry, times |g_now|.
        d = len(b)
        atol = (
            SAFETY
            * (d + 2)
            * U
            * (
                kappa * (g_now @ g_now)
                + np.linalg.norm(g_now) * (norm_a * np.linalg.norm(w_next) + np.linalg.norm(b))
            )
        )
        assert_close(
            g_next @ g_now,
            0.0,
            atol=max(atol, 1e-300),
            what="grad R(w_{t+1}) . grad R(w_t)",
            inputs={"A": A, "b": b, "w0": w0},
        )


@pytest.mark.claim
@given(problems)
def test_consecutive_gradients_are_orthogonal(impl, problem):
    """∇R(w_{t+1}) · ∇R(w_t) = 0 along the exact-line-search iterates."""
    _check_gradients_orthogonal(impl, *problem, _iterates(impl, *problem, 3))


@pytest.mark.claim
@given(problems, floats(-3.0, 3.0))
def test_exact_step_minimizes_along_the_ray(impl, problem, other_factor):
    """No step η does better than the exact step: R(w − η*g) ≤ R(w − ηg)."""
    A, b, w = problem
    g = impl.quadratic_gradient(A, b, w)
    assume(np.linalg.norm(g) > 1e-6)
    step = impl.exact_line_search_step(A, g)
    best_point, other_point = w - step * g, w - other_factor * step * g
    assert_leq(
        impl.quadratic_loss(A, b, best_point),
        impl.quadratic_loss(A, b, other_point),
        atol=_roundoff_of_r(A, b, best_point) + _roundoff_of_r(A, b, other_point),
        what="R(w - eta* g) <= R(w - eta g)",
        inputs={"A": A, "b": b, "w": w},
    )


@pytest.mark.claim
@given(problems)
def test_exact_step_is_g_dot_g_over_g_dot_a_g(impl, problem):
    """exact_line_search_step(A, g) = gᵀg / gᵀAg."""
    A, b, w = problem
    g = A @ w - b
    assume(np.linalg.norm(g) > 1e-6)
    # gᵀAg is known to (d + 1) u ||A|| |g|^2 absolutely, i.e. to (d + 1) u times the ratio
    # below relatively, in both evaluations; gᵀg and the division add a few ulps.
    ratio = np.linalg.norm(A, 2) * (g @ g) / (g @ A @ g)
    assert_close(
        impl.exact_line_search_step(A, g),
        (g @ g) / (g @ A @ g),
        rtol=2 * SAFETY * (len(g) + 2) * U * ratio,
        what="eta* = g.g / g.A.g",
        inputs={"A": A, "g": g},
    )


@pytest.mark.claim
@given(problems)
def test_loss_decreases_monotonically(impl, problem):
    """R(w_{t+1}) ≤ R(w_t) at every step."""
    A, b, w0 = problem
    iterates = _iterates(impl, A, b, w0, 5)
    for before, after in zip(iterates, iterates[1:], strict=False):
        assert_leq(
            impl.quadratic_loss(A, b, after),
            impl.quadratic_loss(A, b, before),
            atol=_roundoff_of_r(A, b, before) + _roundoff_of_r(A, b, after),
            what="R(w_{t+1}) <= R(w_t)",
            inputs={"A": A, "b": b, "w0": w0},
        )


@pytest.mark.claim
@given(problems)
def test_kantorovich_rate_holds(impl, problem):
    """R(w_{t+1}) − R* ≤ ((κ−1)/(κ+1))² (R(w_t) − R*) with κ the condition number of A."""
    A, b, w0 = problem
    w_star = np.linalg.solve(A, b)
    eigenvalues = np.linalg.eigvalsh(A)
    kappa = eigenvalues[-1] / eigenvalues[0]
    rate = ((kappa - 1.0) / (kappa + 1.0)) ** 2
    norm_a, d = np.linalg.norm(A, 2), len(b)
    # Exact excess loss ½ (w - w*)ᵀA(w - w*), free of the cancellation in R(w) - R*.
    iterates = _iterates(impl, A, b, w0, 4)
    excess = [0.5 * (w - w_star) @ A @ (w - w_star) for w in iterates]
    for w_prev, w, before, after in zip(iterates, iterates[1:], excess, excess[1:], strict=False):
        # Each step is backward stable: it lands within (d + 2) u kappa (|w_prev| + |w|) of the
        # exact step from w_prev, and the solve puts w* within (d + 2) u kappa |w*|; moving w or
        # w* by delta moves the excess by at most ||A|| delta (|w - w*| + delta).
        shift = (
            (d + 2)
            * U
            * kappa
            * (np.linalg.norm(w_prev) + np.linalg.norm(w) + np.linalg.norm(w_star))
        )
        atol = SAFETY * norm_a * shift * (np.linalg.norm(w - w_star) + shift)
        assert_leq(
            after,
            rate * before,
            atol=atol,
            what="Kantorovich rate",
            inputs={"A": A, "b": b, "w0": w0, "kappa": kappa},
        )


@pytest.mark.claim
@given(st.integers(1, 6), floats(1e-3, 1e3), st.data())
def test_one_step_suffices_for_scaled_identity(impl, d, c, data):
    """When A = cI, the exact step is 1/c and one step reaches w* = b/c."""
    b, w0 = data.draw(natural_vectors(d)), data.draw(natural_vectors(d))
    A = c * np.eye(d)
    assume(np.linalg.norm(A @ w0 - b) > 1e-9)
    iterates = impl.steepest_descent(A, b, w0, 1)
    # g = c w0 - b has entries off by 2 u (c|w0| + |b|); the step 1/c by (2d + 4) u; so
    # w_1 = w0 - g/c is off by (2d + 8) u (|w0| + |b|/c) per entry (w0 cancels against g/c).
    scale = max(np.abs(w0).max(), np.abs(b / c).max())
    assert_close(
        iterates[1],
        b / c,
        rtol=0.0,
        atol=SAFETY * (2 * d + 8) * U * 2 * scale,
        what="w_1 = b / c",
        inputs={"c": c, "b": b, "w0": w0},
    )
    assert_close(
        impl.exact_line_search_step(A, A @ w0 - b),
        1.0 / c,
        rtol=SAFETY * (2 * d + 4) * U,
        what="eta* = 1/c",
        inputs={"c": c},
    )


@pytest.mark.claim
@given(
    st.integers(1, 4).flatmap(
        lambda d: st.tuples(
            st.integers(d, d + 4).flatmap(lambda n: matrices(n, d, -3, 3)), st.just(d)
        )
    ),
    st.data(),
)
def test_mse_step_is_the_quadratic_step_with_a_equal_2xtx_over_n(impl, x_and_d, data):
    """mse_exact_step(X, y, w) equals exact_line_search_step(2XᵀX/n, ∇R(w))."""
    X, d = x_and_d
    n = X.shape[0]
    assume(np.linalg.cond(X) < 1e4)
    y, w = data.draw(natural_vectors(n)), data.draw(natural_vectors(d))
    A, b = 2.0 * X.T @ X / n, 2.0 * X.T @ y / n
    g = A @ w - b
    assume(np.linalg.norm(g) > 1e-6)
    # Both sides compute g to (n + d + 4) u (||A|| |w| + ||X|| |y|) per entry, in different
    # orders; the step g.g / g.A.g moves by 2 ||A|| |g| / g.A.g times a change of g, and by
    # (n + d + 4) u ||A|| |g|^2 / g.A.g relative through the curvature.
    curvature = g @ A @ g
    norm_a = np.linalg.norm(A, 2)
    g_error = (
        (n + d + 4) * U * (norm_a * np.linalg.norm(w) + np.linalg.norm(X, 2) * np.linalg.norm(y))
    )
    rtol = (
        2
        * SAFETY
        * (
            2 * norm_a * np.sqrt(d) * g_error * np.linalg.norm(g) / curvature
            + (n + d + 4) * U * norm_a * (g @ g) / curvature
        )
    )
    assert_close(
        impl.mse_exact_step(X, y, w),
        impl.exact_line_search_step(A, g),
        rtol=rtol,
        what="MSE step against quadratic step",
        inputs={"X": X, "y": y, "w": w},
    )


def _check_mse_step_of_two_equal_rows(impl, t):
    X, y = np.ones((2, 1)), np.zeros(2)
    for w in (np.array([t]), np.array([-t])):
        # g = 2t and ||Xg||^2 = 8t^2 are exact up to a few ulps: the step 1/2 to 8 u.
        assert_close(
            impl.mse_exact_step(X, y, w),
            0.5,
            rtol=8 * U,
            what="eta* = 1/2 for A = 2",
            inputs={"X": X, "y": y, "w": w},
        )


@pytest.mark.claim
@given(floats(1e-3, 1e3))
def test_mse_step_is_one_half_for_two_equal_rows(impl, t):
    """For X = (1, 1)ᵀ, y = 0 (so A = 2) the step is 1/2 at every w = ±t."""
    _check_mse_step_of_two_equal_rows(impl, t)


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@example(3e153)  # ||grad R||^2 = 3.6e307 and 2||Xg||^2 = 1.4e308: just inside the float range
@given(floats(1e-150, 3e153))
def test_mse_step_is_one_half_for_two_equal_rows_over_the_whole_float_range(impl, t):
    """For X = (1, 1)ᵀ, y = 0 the step is 1/2 at every w = ±t, 1e-150 ≤ t ≤ 3e153."""
    _check_mse_step_of_two_equal_rows(impl, t)


@pytest.mark.numerics
@example(problem=(np.eye(2), np.zeros(2), np.array([2e-172, -3e-172])))
@given(_problems(lambda d: vectors(d).map(lambda v: v * 1e-170)))
def test_iterates_stay_finite_from_starting_points_near_the_underflow_threshold(impl, problem):
    """From w0 and b of size 1e-170, where gᵀg underflows, the iterates stay finite (no NaN)."""
    A, b, w0 = problem
    iterates = impl.steepest_descent(A, b, w0, 3)
    assert_true(np.all(np.isfinite(iterates)), what="finite iterates", inputs={"A": A, "w0": w0})
    _check_gradients_orthogonal(impl, A, b, w0, impl.steepest_descent(A, b, w0, 3))


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(problems)
def test_functions_return_the_documented_types_and_shapes(impl, problem):
    """Each function returns its documented type; the iterates are (n_steps + 1, d), w0 first."""
    A, b, w0 = problem
    d = len(w0)
    iterates = impl.steepest_descent(A, b, w0, 3)
    assert_true(
        iterates.shape == (4, d), what=f"shape (4, d) of the iterates, got {iterates.shape}"
    )
    assert_close(iterates[0], w0, what="first iterate is w0", inputs={"w0": w0})
    losses = impl.quadratic_loss(A, b, iterates)
    assert_true(np.shape(losses) == (4,), what=f"one loss per row of a batch, got {losses!r}")
    for t, w in enumerate(iterates):
        assert_close(losses[t], impl.quadratic_loss(A, b, w), what="batched loss row by row")
    g = impl.quadratic_gradient(A, b, w0 + 1.0)
    assert_true(np.shape(g) == (d,), what=f"gradient of shape (d,), got {np.shape(g)}")
    if np.any(g != 0):
        impl.exact_line_search_step(A, g)
    X = np.vstack([np.eye(d), np.ones((1, d))])
    impl.mse_exact_step(X, np.arange(d + 1.0), np.zeros(d))


@pytest.mark.contract
@given(st.integers(1, 5), st.integers(1, 4))
def test_iterates_stop_moving_once_the_gradient_is_exactly_zero(impl, d, n_steps):
    """With A = I the first step lands exactly on w* = b; later iterates stay there, finite."""
    b = np.arange(1.0, d + 1)
    iterates = impl.steepest_descent(np.eye(d), b, np.zeros(d), n_steps)
    assert_close(iterates[1:], np.tile(b, (n_steps, 1)), what="iterates at w* = b", inputs={"b": b})


@pytest.mark.contract
@given(st.integers(2, 4))
def test_rejects_invalid_quadratics(impl, d):
    """Non-SPD or mismatched A, NaN vectors, zero gradients and step counts below 1 raise."""
    A, b, w = np.eye(d), np.ones(d), np.zeros(d)
    indefinite = np.diag([1.0] * (d - 1) + [-1.0])
    assert_rejects(impl.quadratic_loss, indefinite, b, w, argument="A", because="A is indefinite")
    assert_rejects(
        impl.quadratic_loss, np.triu(np.ones((d, d))), b, w, argument="A", because="A is asymmetric"
    )
    assert_rejects(
        impl.quadratic_gradient, A, np.full(d, np.nan), w, argument="b", because="b is NaN"
    )
    assert_rejects(
        impl.quadratic_gradient, A, b, np.ones(d + 1), argument="w", because="w has length d + 1"
    )
    assert_rejects(impl.exact_line_search_step, A, np.zeros(d), argument="g", because="g is zero")
    for bad_count in (-1, 0):
        assert_rejects(
            impl.steepest_descent,
            A,
            b,
            w,
            bad_count,
            argument="n_steps",
            because=f"n_steps = {bad_count} < 1",
        )
    assert_rejects(
        impl.steepest_descent, A, b, w, 1.5, argument="n_steps", because="n_steps is not an integer"
    )
    assert_rejects(
        impl.steepest_descent, indefinite, b, w, 2, argument="A", because="A is indefinite"
    )
    assert_rejects(
        impl.mse_exact_step,
        np.ones((d, d)),
        np.ones(d - 1),
        np.ones(d),
        argument="y",
        because="y has n - 1 entries",
    )
    assert_rejects(
        impl.mse_exact_step,
        np.eye(d),
        b,
        np.linalg.solve(np.eye(d), b),
        argument="w",
        because="w is the minimizer, so the gradient is zero",
    )


@pytest.mark.contract
@settings(max_examples=5)  # validation at the boundary: a few sizes show it
@given(st.integers(2, 4))
def test_rejects_nan_or_misshapen_arrays_by_name(impl, d):
    """A NaN or an extra axis in A, b, w, g, X or y, or a g of the wrong length, is named."""
    A, b, w = np.diag(np.arange(1.0, d + 1)), np.ones(d), np.zeros(d)
    assert_rejects_bad_arrays(impl.quadratic_loss, A, b, w, names=("A", "b", "w"), batched=("w",))
    assert_rejects_bad_arrays(
        impl.quadratic_gradient, A, b, w, names=("A", "b", "w"), batched=("w",)
    )
    assert_rejects_bad_arrays(impl.exact_line_search_step, A, b, names=("A", "g"))
    assert_rejects(
        impl.exact_line_search_step, A, np.ones(d + 1), argument="g", because="g has length d + 1"
    )
    assert_rejects(impl.quadratic_loss, A, 1.0, w, argument="b", because="b is a scalar")
    assert_rejects(impl.quadratic_gradient, A, b, 0.0, argument="w", because="w is a scalar")
    assert_rejects(
        impl.steepest_descent, A, b, np.zeros((2, d)), 1, argument="w0", because="w0 is a matrix"
    )
    X = np.vstack([np.eye(d), np.ones((1, d))])  # full column rank, n = d + 1 rows
    y = np.arange(d + 1.0)
    assert_rejects_bad_arrays(impl.mse_exact_step, X, y, w, names=("X", "y", "w"))


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few sizes and scales show it
@given(st.integers(2, 4), st.sampled_from([1e-6, 1.0, 1e6]))
def test_symmetry_of_a_is_checked_relative_to_its_largest_entry(impl, d, scale):
    """A asymmetric by 1e-14 of its largest entry is accepted; by 1e-9, or misshapen, it raises."""
    A, b, w = scale * (np.eye(d) + np.full((d, d), 0.1)), np.ones(d), np.ones(d)
    corner = np.zeros((d, d))
    corner[0, -1] = 1.1 * scale  # the largest entry of A, times the relative asymmetry below
    exact = impl.quadratic_loss(A, b, w)
    rounded = impl.quadratic_loss(A + 1e-14 * corner, b, w)
    assert_close(rounded, exact, rtol=1e-12, what="R(w) for A symmetric to round-off")
    assert_rejects(
        impl.quadratic_loss,
        A + 1e-9 * corner,
        b,
        w,
        argument="A",
        because="A is asymmetric by 1e-9 of its largest entry",
    )
    assert_rejects(
        impl.quadratic_loss, np.ones((d, d + 1)), b, w, argument="A", because="A is not square"
    )
    assert_rejects(impl.quadratic_loss, np.ones(d), b, w, argument="A", because="A is a vector")
    assert_rejects(
        impl.quadratic_loss,
        np.zeros((0, 0)),
        np.zeros(0),
        np.zeros(0),
        argument="A",
        because="A is empty",
    )
