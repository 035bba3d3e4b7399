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

# Well-conditioned quadratics keep the round-off of the identities at ~kappa * eps.
problems = st.integers(1, 5).flatmap(
    lambda d: st.tuples(spd_matrices(d, max_condition=1e4), vectors(d), vectors(d))
)


def _relative_to(*scales: float) -> float:
    return 1e-9 * max(1.0, *scales)


@given(problems)
def test_consecutive_gradients_are_orthogonal(impl, problem):
    """∇R(w_{t+1}) · ∇R(w_t) = 0 along the exact-line-search iterates."""
    A, b, w0 = problem
    iterates = impl.steepest_descent(A, b, w0, 3)
    norm_a = np.linalg.norm(A, 2)
    for w_now, w_next in zip(iterates, iterates[1:], strict=False):
        g_now = impl.quadratic_gradient(A, b, w_now)
        g_next = impl.quadratic_gradient(A, b, w_next)
        # g_next = A w_next - b is a difference of terms of size ||A|| ||w|| + ||b||, so its
        # round-off is a few ulp of that (times kappa <= 1e4 through the step), not of |g_next|.
        scale = np.linalg.norm(g_now) * (
            norm_a * (np.linalg.norm(w_now) + np.linalg.norm(w_next)) + np.linalg.norm(b)
        )
        assert_close(
            g_next @ g_now,
            0.0,
            atol=max(1e-10 * scale, 1e-300),
            what="grad R(w_{t+1}) . grad R(w_t)",
            inputs={"A": A, "b": b, "w0": w0},
        )


@given(problems, floats(-3.0, 3.0))
def test_exact_step_minimizes_along_the_ray(impl, problem, other_factor):
    """No step η does better than the exact step: R(w − η*g) ≤ R(w − ηg)."""
    A, b, w = problem
    g = impl.quadratic_gradient(A, b, w)
    assume(np.linalg.norm(g) > 1e-6)
    step = impl.exact_line_search_step(A, g)
    best = impl.quadratic_loss(A, b, w - step * g)
    other = impl.quadratic_loss(A, b, w - other_factor * step * g)
    assert_leq(
        best,
        other,
        atol=_relative_to(abs(best), abs(other)),
        what="R(w - eta* g) <= R(w - eta g)",
        inputs={"A": A, "b": b, "w": w},
    )
    assert_close(
        step, (g @ g) / (g @ A @ g), rtol=1e-12, what="eta* = g.g / g.A.g", inputs={"A": A, "g": g}
    )


@given(problems)
def test_loss_decreases_monotonically(impl, problem):
    """R(w_{t+1}) ≤ R(w_t) at every step, strictly while the gradient is nonzero."""
    A, b, w0 = problem
    losses = impl.quadratic_loss(A, b, impl.steepest_descent(A, b, w0, 5))
    assert_leq(
        np.diff(losses),
        0.0,
        atol=_relative_to(*np.abs(losses)),
        what="R(w_{t+1}) - R(w_t) <= 0",
        inputs={"A": A, "b": b, "w0": w0},
    )


@given(problems)
def test_kantorovich_rate_holds(impl, problem):
    """R(w_{t+1}) − R* ≤ ((κ−1)/(κ+1))² (R(w_t) − R*) with κ the condition number of A."""
    A, b, w0 = problem
    w_star = np.linalg.solve(A, b)
    r_star = impl.quadratic_loss(A, b, w_star)
    eigenvalues = np.linalg.eigvalsh(A)
    kappa = eigenvalues[-1] / eigenvalues[0]
    rate = ((kappa - 1.0) / (kappa + 1.0)) ** 2
    # Exact excess loss ½ (w - w*)ᵀA(w - w*), free of the cancellation in R(w) - R*.
    excess = [0.5 * (w - w_star) @ A @ (w - w_star) for w in impl.steepest_descent(A, b, w0, 4)]
    for before, after in zip(excess, excess[1:], strict=False):
        assert_leq(
            after,
            rate * before,
            atol=1e-9 * max(1.0, abs(r_star)) * kappa,
            what="Kantorovich rate",
            inputs={"A": A, "b": b, "w0": w0, "kappa": kappa},
        )


@given(st.integers(1, 6), floats(1e-3, 1e3), st.data())
def test_one_step_suffices_for_scaled_identity(impl, d, c, data):
    """When A = cI, the exact step is 1/c and one step reaches w* = b/c."""
    b, w0 = data.draw(vectors(d)), data.draw(vectors(d))
    A = c * np.eye(d)
    assume(np.linalg.norm(A @ w0 - b) > 1e-9)
    iterates = impl.steepest_descent(A, b, w0, 1)
    # w_1 = w0 - (w0 - b/c) cancels w0: round-off is a few ulp of max |w0|, |b/c|.
    scale = max(np.abs(w0).max(), np.abs(b / c).max())
    assert_close(
        iterates[1],
        b / c,
        rtol=1e-12,
        atol=1e-14 * scale,
        what="w_1 = b / c",
        inputs={"c": c, "b": b, "w0": w0},
    )
    assert_close(
        impl.exact_line_search_step(A, A @ w0 - b),
        1.0 / c,
        rtol=1e-14,
        what="eta* = 1/c",
        inputs={"c": c},
    )


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
    y, w = data.draw(vectors(n)), data.draw(vectors(d))
    A, b = 2.0 * X.T @ X / n, 2.0 * X.T @ y / n
    g = A @ w - b
    assume(np.linalg.norm(g) > 1e-6)
    assert_close(
        impl.mse_exact_step(X, y, w),
        impl.exact_line_search_step(A, g),
        rtol=1e-9,
        what="MSE step against quadratic step",
        inputs={"X": X, "y": y, "w": w},
    )


@example(3e153)  # ||grad R||^2 = 3.6e307 and 2||Xg||^2 = 1.4e308: just inside the float range
@given(floats(1e-150, 3e153))
def test_mse_step_is_one_half_for_two_equal_rows_up_to_the_top_of_the_float_range(impl, t):
    """For X = (1, 1)ᵀ, y = 0 (so A = 2) the step is 1/2 at every w = ±t with t ≤ 3e153."""
    X, y = np.ones((2, 1)), np.zeros(2)
    for w in (np.array([t]), np.array([-t])):
        assert_close(
            impl.mse_exact_step(X, y, w),
            0.5,
            rtol=1e-15,
            what="eta* = 1/2 for A = 2",
            inputs={"X": X, "y": y, "w": w},
        )


@given(problems)
def test_iterates_have_the_documented_shape_and_start(impl, problem):
    """steepest_descent returns n_steps + 1 iterates of dimension d, starting at w0."""
    A, b, w0 = problem
    iterates = impl.steepest_descent(A, b, w0, 3)
    assert_true(
        iterates.shape == (4, len(w0)), what=f"shape (4, d) of the iterates, got {iterates.shape}"
    )
    assert_close(iterates[0], w0, what="first iterate is w0", inputs={"w0": w0})


@given(st.integers(2, 4))
def test_rejects_invalid_quadratics(impl, d):
    """Non-SPD or mismatched A, NaN vectors, zero gradients and negative step counts raise."""
    A, b, w = np.eye(d), np.ones(d), np.zeros(d)
    indefinite = np.diag([1.0] * (d - 1) + [-1.0])
    assert_rejects(impl.quadratic_loss, indefinite, b, w, argument="A")
    assert_rejects(impl.quadratic_loss, np.triu(np.ones((d, d))), b, w, argument="A")
    assert_rejects(impl.quadratic_gradient, A, np.full(d, np.nan), w, argument="b")
    assert_rejects(impl.quadratic_gradient, A, b, np.ones(d + 1), argument="w")
    assert_rejects(impl.exact_line_search_step, A, np.zeros(d), argument="g")
    assert_rejects(impl.steepest_descent, A, b, w, -1, argument="n_steps")
    assert_rejects(impl.steepest_descent, indefinite, b, w, 2, argument="A")
    assert_rejects(impl.mse_exact_step, np.ones((d, d)), np.ones(d - 1), np.ones(d), argument="y")
    assert_rejects(impl.mse_exact_step, np.eye(d), b, np.linalg.solve(np.eye(d), b), argument="w")


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
    assert_rejects(impl.exact_line_search_step, A, np.ones(d + 1), argument="g")
    assert_rejects(impl.quadratic_loss, A, 1.0, w, argument="b")
    assert_rejects(impl.quadratic_gradient, A, b, 0.0, argument="w")
    assert_rejects(impl.steepest_descent, A, b, np.zeros((2, d)), 1, argument="w0")
    assert_close(impl.steepest_descent(A, b, w, 0), w[None], what="zero steps give [w0]")
    X = np.vstack([np.eye(d), np.ones((1, d))])  # full column rank, n = d + 1 rows
    y = np.arange(d + 1.0)
    assert_rejects_bad_arrays(impl.mse_exact_step, X, y, w, names=("X", "y", "w"))


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
    assert_rejects(impl.quadratic_loss, A + 1e-9 * corner, b, w, argument="A")
    assert_rejects(impl.quadratic_loss, np.ones((d, d + 1)), b, w, argument="A")
    assert_rejects(impl.quadratic_loss, np.ones(d), b, w, argument="A")
    assert_rejects(impl.quadratic_loss, np.zeros((0, 0)), np.zeros(0), np.zeros(0), argument="A")
