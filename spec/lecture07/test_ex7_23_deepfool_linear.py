"""Exercise 7.23 — DeepFool on a linear binary classifier: the minimal perturbation is a projection.

Statement
    A linear binary classifier predicts sign(f(x)) with f(x) = wᵀx + b, w ≠ 0.
    Find the smallest (in ℓ2) perturbation r that moves a point x0 onto the
    decision boundary, i.e. minimize ‖r‖_2 subject to wᵀ(x0 + r) + b = 0.
    DeepFool extends the answer to any differentiable classifier by iterating
    it on the model's linearization.

    .. math::

       r^* = -(w^T x_0 + b)~w / ‖w‖_2^2

       ‖r^*‖_2 = |w^T x_0 + b| / ‖w‖_2 ~~~~ (w^T (x_0 + r^*) + b = 0)

Assumptions
    w ≠ 0, all inputs finite float64.  For the DeepFool iteration: the model is a
    torch callable giving one score (binary, label = score > 0) or K scores
    (label = argmax); overshoot η ≥ 0.

Natural range
    d ≤ 6; entries of w and x0 0 or of magnitude in [1e-6, 10], max |w_i| ≥ 1e-3,
    |b| ≤ 10.  DeepFool: affine models with K ≤ 4 scores (weights standard
    normal or integers in [−2, 2]) and one-hidden-layer ReLU networks (d ≤ 4, up
    to 6 hidden units, K ≤ 4, standard normal weights), x0 standard normal,
    overshoot η ∈ [0.01, 0.5], max_iter ≤ 50.  Hyperplanes scaled to ‖w‖ of
    1e±180 belong to the numerics tier.

Argument
    The constraint is one affine equation, so the feasible set is a hyperplane H
    with normal w.  Lagrange: ∇(½‖r‖²) = λ ∇(wᵀ(x0 + r)) gives r = λ w, and
    substituting, λ‖w‖² = −(wᵀx0 + b), so
        r* = −(wᵀx0 + b) w / ‖w‖²,     ‖r*‖ = |wᵀx0 + b| / ‖w‖.
    Optimality without multipliers: for any z ∈ H, z − x0 = r* + (z − x0 − r*)
    where the second term lies in H − (x0 + r*) ⟂ w while r* ∥ w, so by
    Pythagoras ‖z − x0‖² = ‖r*‖² + ‖z − x0 − r*‖² ≥ ‖r*‖².
    The point x0 + r* lies exactly on the boundary (f = 0), so it is not yet
    misclassified; stepping (1 + η) r* gives f = −η f(x0), of the opposite sign:
    the label flips for every η > 0.
    DeepFool (binary): r_i = −f(x_i) ∇f(x_i) / ‖∇f(x_i)‖² at x_i = x0 + (1 + η) Σ_{j<i} r_j,
    until the label changes; it returns r = (1 + η) Σ r_j.  Multi-class: with k0
    the label of x0, step towards the nearest linearized boundary f_l − f_k0 = 0,
    l minimizing |f_l − f_k0| / ‖∇f_l − ∇f_k0‖, by the same formula applied to
    f_l − f_k0.  On an affine model the linearization is exact, so the first step
    is r*, and the overshoot makes it flip: DeepFool stops after one iteration with
    (1 + η) r*.  On a ReLU network the model is piecewise affine; each iteration is
    the affine answer for the piece containing x_i, which the spec recomputes from
    the network's weights in NumPy.
    Where DeepFool linearizes is a choice the exercise leaves open: the paper's
    Algorithm 2 iterates x_{i+1} = x_i + r_i and overshoots only the returned
    perturbation, while the authors' code linearizes at, and tests the label of,
    the overshot point x0 + (1 + η) Σ r_j.  The claims accept both (each iteration
    adds (1 + η) × the linearized step at x0 + r_n or at x0 + r_n / (1 + η), and
    stops once the label has flipped at both points); the contract fixes the
    authors' choice.

Round-off
    A score or a Jacobian entry of the network is a sum of at most m = d + hidden
    + 2 products; any float64 evaluation of it errs by at most m u times the sum
    of the absolute values of those products (u = 2^-53), computed here from the
    absolute weights.  A step −g n / ‖n‖² then errs by (δg + 2 |g| δn / ‖n‖) / ‖n‖
    for gap and normal errors δg, δn, plus the error δp of the point it is taken
    at; the claims allow four times that, and treat a label as undecided where
    the scores are within their round-off of a tie.  For the hyperplane, f(x0)
    is a dot product of d terms: it errs by (d + 2) u (‖w‖ ‖x0‖ + |b|); the
    claims allow 16 times that (``_roundoff``).

Contract
    ``deepfool(model, x0, overshoot, max_iter)`` returns ``(r, success)``: the
    perturbation (float64, shaped like x0) and whether the label of x0 + r differs
    from that of x0.  It stops at the first iteration that flips the label, after
    ``max_iter`` ≥ 1 iterations, or when the linearization has no boundary to step
    to (zero gradient).  The reference linearizes at the overshot iterate
    x0 + r_n, as the authors' code does; it calls the model on (n, d) float64
    tensors (one row, or a batch: the claims accept either).

Errata
    None in the statement.  The notes date DeepFool to 2015 (its arXiv preprint);
    the paper appeared at CVPR 2016.  Note that the minimizer x1 = x0 + r* lies on
    the boundary, where sign(f) = 0: it does not change the prediction by itself,
    which is why DeepFool overshoots.

References
    S.-M. Moosavi-Dezfooli, A. Fawzi, P. Frossard, DeepFool: a simple and accurate
    method to fool deep neural networks, CVPR 2016 (arXiv:1511.04599).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
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
from spec.lecture07._adversarial_support import AffineModel, ReluNetwork, label
from spec.strategies import floats, seeds, vectors

EPS = np.finfo(np.float64).eps
DIMS = st.integers(1, 6)


def _norm(v, axis=-1):
    """The Euclidean norm over ``axis`` without underflow or overflow (np.linalg.norm
    squares the entries, so it returns 0 for a vector of 1e-200s)."""
    return np.hypot.reduce(np.asarray(v, dtype=np.float64), axis=axis)


def _natural_vectors(d):
    """Vectors with entries 0 or of magnitude in [1e-6, 10].

    Tinier entries would put the spec's own oracles (points of the hyperplane, f(x0))
    near the subnormal range, where no relative tolerance holds.
    """
    values = hnp.arrays(np.float64, d, elements=floats(-10.0, 10.0))
    return values.map(lambda v: np.where(np.abs(v) < 1e-6, 0.0, v))


@st.composite
def linear_problems(draw, min_relative_margin=0.0):
    """(w, b, x0) with w ≠ 0 and |f(x0)| ≥ min_relative_margin · (‖w‖ (‖x0‖ + 1) + |b|).

    The margin is relative to the round-off of f(x0), with an absolute floor
    (the + 1) that keeps x0 + r out of the subnormal range.
    """
    d = draw(DIMS)
    w = draw(_natural_vectors(d).filter(lambda v: np.abs(v).max() >= 1e-3))
    b = draw(floats(-10.0, 10.0))
    x0 = draw(_natural_vectors(d))
    scale = _norm(w) * (_norm(x0) + 1.0) + abs(b)
    if abs(w @ x0 + b) < min_relative_margin * scale:
        # Push x0 off the boundary along w (keeps the draw instead of filtering it away).
        x0 = x0 + np.sign(w @ x0 + b or 1.0) * min_relative_margin * 2 * scale * w / (w @ w)
    return w, b, x0


def _roundoff(d, *magnitudes):
    """Absolute round-off allowance for length-d dot products of these magnitudes.

    Results in the subnormal range are multiples of 2^-1074 whatever their size,
    hence the floor of a few such units.
    """
    return 16 * (d + 2) * EPS * sum(magnitudes) + 16 * np.finfo(np.float64).smallest_subnormal


def _projection(w, b, x0):
    """The spec's own r* = −(wᵀx0 + b) w / ‖w‖², in NumPy."""
    return -(w @ x0 + b) * w / (w @ w)


def _check_projection(impl, w, b, x0, scale=1.0):
    """deepfool_linear(s w, s b, x0) = r*(w, b, x0): s scales f and w alike, not r."""
    r = impl.deepfool_linear(scale * w, scale * b, x0)
    # r* errs by (d + 2) u relative, plus |δf| / ‖w‖ from the rounding of f(x0).
    assert_close(
        r,
        _projection(w, b, x0),
        rtol=16 * (len(w) + 2) * EPS,
        atol=_roundoff(len(w), _norm(x0), abs(b) / _norm(w)),
        what="r against −(wᵀx0 + b) w / ‖w‖²",
        inputs={"w": scale * w, "b": scale * b, "x0": x0},
    )


# --------------------------------------------------------------------------- DeepFool helpers


@st.composite
def affine_models(draw):
    """(model, x0, (w', b')) for a random affine model with K = 1 to 4 scores.

    (w', b') is the hyperplane w'ᵀx + b' = 0 that DeepFool must cross: the
    decision boundary itself for K = 1, else the pairwise boundary f_l = f_k0
    nearest to x0 (k0 the label of x0).  The weights come from a seeded
    generator, standard normal or small integers (so that a pairwise normal
    w_l − w_k0 of length exactly 1 or 0 occurs); the biases and x0 are standard
    normal, so ties between classes have probability zero.
    """
    rng = np.random.default_rng(draw(seeds))
    d, k = draw(DIMS), draw(st.integers(1, 4))
    if draw(st.booleans()):
        weights = rng.integers(-2, 3, size=(k, d)).astype(np.float64)
        if (weights == weights[0]).all() and (k > 1 or not weights.any()):
            weights[0, 0] += 1.0  # some boundary must exist
    else:
        weights = rng.standard_normal((k, d))
    model = AffineModel(weights, rng.standard_normal(k))
    x0 = rng.standard_normal(d)
    k0 = label(model.scores(x0))
    if k == 1:
        return model, x0, (model.weights[0], model.bias[0])
    normals = model.weights - model.weights[k0]
    offsets = model.bias - model.bias[k0]
    with np.errstate(divide="ignore", invalid="ignore"):
        distances = np.abs(normals @ x0 + offsets) / _norm(normals, axis=1)
    distances[k0] = np.inf
    nearest = int(np.argmin(distances))
    return model, x0, (normals[nearest], offsets[nearest])


relu_networks = st.builds(
    lambda seed, d, hidden, k: (
        ReluNetwork(np.random.default_rng(seed), d, hidden, k),
        np.random.default_rng(seed + 1).standard_normal(d),
    ),
    seeds,
    st.integers(1, 4),
    st.integers(1, 6),
    st.sampled_from([1, 2, 3, 4]),
)


def _sizes(network, x):
    """(score sizes (K,), Jacobian sizes (K, d), terms per sum): what rounding scales with."""
    hidden = np.abs(network.w1) @ np.abs(x) + np.abs(network.b1)
    scores = np.abs(network.w2) @ hidden + np.abs(network.b2)
    jacobian = np.abs(network.w2) @ np.abs(network.w1)
    return scores, jacobian, len(x) + len(network.b1) + 2


def _label_status(network, x, k0, point_error=0.0):
    """Whether the label at x differs from k0: True, False, or None within round-off of a tie.

    ``point_error`` bounds how far the implementation's x may be from this one.
    """
    scores = network.scores(x)
    score_sizes, jacobian_sizes, terms = _sizes(network, x)
    slack = 4 * terms * EPS * score_sizes + _norm(jacobian_sizes, axis=1) * point_error
    if len(scores) == 1:
        margin, allowance = scores[0], slack[0]
        if abs(margin) <= allowance:
            return None
        return int(margin > 0) != k0
    others = np.delete(np.arange(len(scores)), k0)
    lead = scores[others] - scores[k0]
    allowance = slack[others] + slack[k0]
    if (lead > allowance).any():
        return True
    if (lead < -allowance).all():
        return False
    return None


def _linearized_step(network, x, k0, point_error=0.0):
    """(step, error): the minimal step to the nearest boundary of the network linearized at x.

    ``step`` is None when the linearization has no boundary (zero gradient); ``error``
    bounds the distance from it of any float64 evaluation at a point within
    ``point_error`` of x (module docstring, Round-off).
    """
    scores, jacobian = network.scores(x), network.jacobian(x)
    score_sizes, jacobian_sizes, terms = _sizes(network, x)
    if len(scores) == 1:
        gaps, normals = scores, jacobian
        gap_sizes, normal_sizes = score_sizes, _norm(jacobian_sizes, axis=1)
    else:
        gaps, normals = scores - scores[k0], jacobian - jacobian[k0]
        gap_sizes = score_sizes + score_sizes[k0]
        normal_sizes = _norm(jacobian_sizes + jacobian_sizes[k0], axis=1)
    lengths = _norm(normals, axis=1)
    reachable = lengths > 0
    if len(scores) > 1:
        reachable[k0] = False
    if not reachable.any():
        return None, 0.0
    distances = np.where(reachable, np.abs(gaps) / np.where(reachable, lengths, 1.0), np.inf)
    nearest = int(np.argmin(distances))
    gap, normal, length = gaps[nearest], normals[nearest], lengths[nearest]
    gap_error = terms * EPS * gap_sizes[nearest] + length * point_error
    normal_error = terms * EPS * normal_sizes[nearest]
    error = 4 * (gap_error + 2 * abs(gap) * normal_error / length) / length
    return -gap * normal / length**2, error


def _step_matches(r, previous, overshoot, x0, k0, network, point, point_error):
    """Whether r = previous + (1 + η) × the linearized step at ``point`` (within round-off)."""
    step, error = _linearized_step(network, point, k0, point_error)
    if step is None:
        return False
    expected = previous + (1 + overshoot) * step
    rounding = 4 * EPS * (_norm(previous) + _norm(expected))
    return _norm(r - expected) <= (1 + overshoot) * error + rounding


class _ExpModel:
    """x ↦ exp(x_1), one binary score that is positive everywhere: DeepFool never flips it.

    Every linearized step is −e₁ (up to rounding), so r after m iterations is about −m(1 + η)e₁.
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x[..., :1])


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(linear_problems())
def test_projection_lies_on_hyperplane(impl, problem):
    """wᵀ(x0 + r) + b = 0: the perturbed point lies on the decision boundary."""
    w, b, x0 = problem
    r = impl.deepfool_linear(w, b, x0)
    assert_close(
        w @ (x0 + r) + b,
        0.0,
        rtol=0.0,
        atol=_roundoff(len(w), _norm(w) * _norm(x0), _norm(w) * _norm(r), abs(b)),
        what="f(x0 + r)",
        inputs={"w": w, "b": b, "x0": x0},
    )


@pytest.mark.claim
@given(linear_problems())
def test_perturbation_norm_is_distance_to_hyperplane(impl, problem):
    """‖r‖_2 = |wᵀx0 + b| / ‖w‖_2."""
    w, b, x0 = problem
    distance = abs(w @ x0 + b) / _norm(w)
    # Relative error (d + 2) u of the norms and the division, plus |δf| / ‖w‖ absolute.
    assert_close(
        _norm(impl.deepfool_linear(w, b, x0)),
        distance,
        rtol=16 * (len(w) + 2) * EPS,
        atol=_roundoff(len(w), _norm(x0), abs(b) / _norm(w)),
        what="‖r‖ against |f(x0)| / ‖w‖",
        inputs={"w": w, "b": b, "x0": x0},
    )


@pytest.mark.claim
@given(linear_problems())
def test_perturbation_is_parallel_to_w_and_points_to_the_boundary(impl, problem):
    """r has no component orthogonal to w, and wᵀr has the sign of −f(x0)."""
    w, b, x0 = problem
    r = impl.deepfool_linear(w, b, x0)
    unit = w / _norm(w)
    inputs = {"w": w, "b": b, "x0": x0}
    assert_leq(
        _norm(r - (r @ unit) * unit),
        0.0,
        atol=_roundoff(len(w), _norm(r)),
        what="‖r − (rᵀŵ)ŵ‖",
        inputs=inputs,
    )
    # wᵀr = −f(x0) up to |δf|: the product may be positive only by δf · |f(x0)|.
    slack = _roundoff(len(w), _norm(w) * _norm(x0), _norm(w) * _norm(r), abs(b))
    assert_leq(
        (w @ r) * (w @ x0 + b),
        0.0,
        atol=slack * abs(w @ x0 + b),
        what="(wᵀr) f(x0) ≤ 0",
        inputs=inputs,
    )


@pytest.mark.claim
@given(linear_problems(), seeds)
def test_no_point_of_the_hyperplane_is_closer(impl, problem, seed):
    """Every point of the hyperplane (projections of random points) is at least ‖r‖ from x0."""
    w, b, x0 = problem
    r = impl.deepfool_linear(w, b, x0)
    # Work in coordinates centred at x0, where the hyperplane is {u : wᵀu + f(x0) = 0},
    # and scatter the points on the scale of the distance, so the projections are
    # accurate relative to it whatever its size.
    f0, length = w @ x0 + b, _norm(w)
    spread = max(abs(f0) / length, np.finfo(np.float64).tiny)
    u = spread * np.random.default_rng(seed).standard_normal((64, len(w)))
    on_plane = u - np.outer(u @ w + f0, w) / length**2
    # Both sides err by (d + 2) u relative and |δf| / ‖w‖ absolute (see the norm claim).
    assert_leq(
        _norm(r),
        _norm(on_plane, axis=1).min(),
        rtol=32 * (len(w) + 2) * EPS,
        atol=_roundoff(len(w), _norm(x0), abs(b) / length),
        what="‖r‖ against the distance to other points of the hyperplane",
        inputs={"w": w, "b": b, "x0": x0, "seed": seed},
    )


@pytest.mark.claim
@given(linear_problems(min_relative_margin=1e-6), st.floats(0.01, 1.0))
def test_overshooting_the_projection_flips_the_label(impl, problem, overshoot):
    """sign f(x0 + (1 + η) r) = −sign f(x0) for every overshoot η > 0."""
    w, b, x0 = problem
    # f(x0 + (1 + η) r) = −η f(x0), of size ≥ 1e-8 (‖w‖(‖x0‖ + 1) + |b|): far above
    # round-off.
    moved = x0 + (1 + overshoot) * impl.deepfool_linear(w, b, x0)
    assert_true(
        np.sign(w @ moved + b) == -np.sign(w @ x0 + b),
        what="label flipped",
        inputs={"w": w, "b": b, "x0": x0, "overshoot": overshoot},
    )


@pytest.mark.claim
@given(affine_models(), st.floats(0.01, 0.5))
@example(  # the boundary's normal w_1 − w_0 = (1, 0) has length exactly 1
    problem=(
        AffineModel(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([0.5, 0.0])),
        np.zeros(2),
        (np.array([1.0, 0.0]), -0.5),
    ),
    overshoot=0.02,
)
def test_deepfool_on_an_affine_model_is_one_overshot_projection(impl, problem, overshoot):
    """On an affine model DeepFool returns (1 + η) × the projection, and succeeds."""
    model, x0, (w, b) = problem
    expected = (1 + overshoot) * _projection(w, b, x0)
    inputs = {"x0": x0, "W": model.weights, "b": model.bias, "overshoot": overshoot}
    # The linearization is exact, so the first step is r* with the hyperplane's round-off
    # (16 (d + 2) u (‖w'‖ ‖x0‖ + |b'|) / ‖w'‖, w' a row or a difference of two rows of W).
    # An implementation that linearizes at x0 + r* (on the boundary) may add further
    # steps, each the size of that round-off: max_iter of them at most.
    terms = np.abs(model.weights) @ np.abs(x0) + np.abs(model.bias)
    size = 2 * terms.max() + 2 * np.abs(model.weights).sum(axis=1).max() * _norm(expected)
    for max_iter in (1, 50):
        r, success = impl.deepfool(model, x0, overshoot=overshoot, max_iter=max_iter)
        assert_close(
            r,
            expected,
            rtol=16 * (len(x0) + 2) * EPS,
            atol=(1 + max_iter) * _roundoff(len(x0), size / _norm(w)),
            what=f"r with max_iter={max_iter}",
            inputs=inputs,
        )
        assert_true(success, what=f"success with max_iter={max_iter}", inputs=inputs)


@pytest.mark.claim
@settings(max_examples=25)
@given(relu_networks, st.floats(0.01, 0.5))
def test_success_is_reported_exactly_when_the_label_flips(impl, problem, overshoot):
    """On random ReLU networks, success ⇔ the model labels x0 + r differently from x0."""
    network, x0 = problem
    k0 = label(network.scores(x0))
    r, success = impl.deepfool(network, x0, overshoot=overshoot)
    flipped = _label_status(network, x0 + r, k0)
    if flipped is not None:  # undecided only within round-off of a tie: probability ~1e-13
        assert_true(
            success == flipped,
            what="success ⇔ label(x0 + r) ≠ label(x0)",
            inputs={"x0": x0, "r": r, "success": success, "overshoot": overshoot},
        )


@pytest.mark.claim
@settings(max_examples=25)
@given(relu_networks, st.floats(0.01, 0.5))
def test_each_iteration_adds_one_overshot_linearized_step(impl, problem, overshoot):
    """Each iteration adds (1 + η) × the linearized step at x0 + r_n or x0 + r_n/(1 + η)."""
    # The first is the step at x0; DeepFool stops once the label has flipped at both
    # points, and keeps stepping while it has flipped at neither (module docstring).
    network, x0 = problem
    k0 = label(network.scores(x0))
    previous = np.zeros_like(x0)
    for max_iter in range(1, 6):
        r, _ = impl.deepfool(network, x0, overshoot=overshoot, max_iter=max_iter)
        inputs = {"x0": x0, "overshoot": overshoot, "max_iter": max_iter, "r_before": previous}
        # The implementation's own point may differ from ours by a few roundings.
        point_error = 4 * EPS * (_norm(x0) + _norm(previous))
        points = (x0 + previous, x0 + previous / (1 + overshoot))
        flipped = [_label_status(network, p, k0, point_error) for p in points]
        no_step = [_linearized_step(network, p, k0)[0] is None for p in points]
        may_stop = any(f is not False for f in flipped) or any(no_step)
        must_stop = all(f is True for f in flipped)
        stopped = _norm(r - previous) <= 4 * EPS * (_norm(previous) + _norm(x0))
        stepped = not must_stop and any(
            _step_matches(r, previous, overshoot, x0, k0, network, p, point_error) for p in points
        )
        assert_true(
            (may_stop and stopped) or stepped,
            what=(
                "a step (1 + η) × the linearized step at x0 + r_n or x0 + r_n/(1 + η)"
                if not may_stop
                else "a stop (the label flipped)"
                if must_stop
                else "a stop or such a step"
            ),
            inputs={**inputs, "r": r},
        )
        if stopped and may_stop:
            return
        previous = r


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(linear_problems(min_relative_margin=1e-6), st.sampled_from([2.0**-600, 2.0**600]))
def test_projection_is_exact_for_hyperplanes_scaled_to_extremes(impl, problem, scale):
    """(s w, s b) is the same hyperplane: for s = 2^±600 (‖w‖ near 1e±180) r is unchanged."""
    # The margin keeps s f(x0) ≥ 1e-190, far from underflow: what is tested is ‖s w‖²,
    # which overflows (1e361) or underflows (1e-361) when formed directly.
    w, b, x0 = problem
    _check_projection(impl, w, b, x0, scale)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(
    st.integers(1, 4).flatmap(
        lambda m: st.tuples(linear_problems(), st.lists(vectors(1), min_size=m, max_size=m))
    )
)
def test_batches_are_projected_row_by_row(impl, problem_and_rows):
    """For a batch of points (m, d), each row gets its own perturbation, a float64 array."""
    (w, b, x0), shifts = problem_and_rows
    batch = np.stack([x0 + shift for shift in shifts])
    r = impl.deepfool_linear(w, b, batch)
    inputs = {"w": w, "b": b, "x0": batch}
    assert_true(
        isinstance(r, np.ndarray) and r.dtype == np.float64 and r.shape == batch.shape,
        what="r is a float64 array shaped like x0",
        inputs=inputs,
    )
    assert_close(
        r,
        np.stack([impl.deepfool_linear(w, b, row) for row in batch]),
        what="deepfool_linear on a batch",
        inputs=inputs,
    )


@pytest.mark.contract
@settings(max_examples=25)
@given(relu_networks, st.floats(0.01, 0.5))
def test_the_reference_linearizes_at_the_overshot_iterate(impl, problem, overshoot):
    """As in the authors' code, iterate n + 1 adds (1 + η) × the linearized step at x0 + r_n."""
    network, x0 = problem
    k0 = label(network.scores(x0))
    previous = np.zeros_like(x0)
    for max_iter in range(1, 6):
        r, success = impl.deepfool(network, x0, overshoot=overshoot, max_iter=max_iter)
        step, error = _linearized_step(network, x0 + previous, k0)
        expected = previous if step is None else previous + (1 + overshoot) * step
        inputs = {"x0": x0, "overshoot": overshoot, "max_iter": max_iter}
        assert_close(
            r,
            expected,
            rtol=4 * EPS,
            atol=(1 + overshoot) * error,
            what="DeepFool iterate",
            inputs=inputs,
        )
        if step is None:
            assert_true(not success, what="no success without a step", inputs=inputs)
        if success or step is None:
            return
        previous = r


@pytest.mark.contract
@given(st.integers(-20, 20), st.integers(1, 20), st.integers(-4, 4))
def test_a_binary_score_of_exactly_zero_has_the_negative_label(impl, b, score, exponent):
    """Label = 1[score > 0]: a step from a positive score exactly onto the boundary succeeds."""
    # f(x) = 2^e x + b at x0 = (score − b) / 2^e: every operation of the projection step
    # is exact (small integers over powers of two), so with η = 0, f(x0 + r) = 0 exactly.
    w = 2.0**exponent
    x0 = np.array([(score - b) / w])
    r, success = impl.deepfool(AffineModel([[w]], [float(b)]), x0, overshoot=0.0)
    inputs = {"w": w, "b": b, "x0": x0}
    assert_close(r, np.array([-score / w]), rtol=0.0, atol=0.0, what="r", inputs=inputs)
    assert_true(success, what="success: label(f = 0) = 0 ≠ label(f > 0) = 1", inputs=inputs)


@pytest.mark.contract
@settings(max_examples=10)
@given(vectors(DIMS, -5.0, 5.0))
def test_defaults_are_two_percent_overshoot_and_fifty_iterations(impl, x0):
    """deepfool(model, x0) = deepfool(model, x0, overshoot=0.02, max_iter=50)."""
    # The model never flips, so all max_iter iterations run and r ≈ −50 · 1.02 e₁ shows both.
    default = impl.deepfool(_ExpModel(), x0)
    explicit = impl.deepfool(_ExpModel(), x0, overshoot=0.02, max_iter=50)
    inputs = {"x0": x0}
    assert_close(default[0], explicit[0], rtol=0.0, atol=0.0, what="r", inputs=inputs)
    assert_true(not default[1] and not explicit[1], what="no success", inputs=inputs)


@pytest.mark.contract
@settings(max_examples=10)
@given(affine_models())
def test_deepfool_calls_the_model_on_float64_batches(impl, problem):
    """The model is only called on (n, d) float64 tensors; r is float64 like x0, success a bool."""
    model, x0, _ = problem
    shapes, dtypes = [], []

    def recording_model(x):
        shapes.append(tuple(x.shape))
        dtypes.append(x.dtype)
        return model(x)

    r, success = impl.deepfool(recording_model, x0)
    inputs = {"x0": x0}
    assert_true(
        shapes
        and all(len(shape) == 2 and shape[0] >= 1 and shape[1] == len(x0) for shape in shapes)
        and set(dtypes) == {torch.float64},
        what=f"input shapes {sorted(set(shapes))}, dtypes {set(dtypes)}",
        inputs=inputs,
    )
    assert_true(
        isinstance(r, np.ndarray) and r.dtype == np.float64 and r.shape == x0.shape,
        what="r is a float64 array shaped like x0",
        inputs=inputs,
    )
    assert_true(isinstance(success, bool | np.bool_), what="success is a bool", inputs=inputs)


@pytest.mark.contract
@settings(max_examples=10)
@given(linear_problems(), st.sampled_from(["w", "b", "x0"]))
def test_deepfool_linear_rejects_invalid_input(impl, problem, argument):
    """NaN entries, a zero or 2-D w, a 2-D b, a bad or scalar x0 raise naming the argument."""
    w, b, x0 = problem
    args = {"w": w, "b": b, "x0": x0}
    args[argument] = np.full_like(np.asarray(args[argument]), np.nan)
    assert_rejects(
        impl.deepfool_linear, *args.values(), argument=argument, because=f"{argument} is NaN"
    )
    assert_rejects(impl.deepfool_linear, np.zeros_like(w), b, x0, argument="w", because="w = 0")
    assert_rejects(
        impl.deepfool_linear,
        w,
        b,
        np.append(x0, 1.0),
        argument="x0",
        because="x0 has one entry more than w",
    )
    assert_rejects(impl.deepfool_linear, w[:1], b, x0[0], argument="x0", because="x0 is a scalar")
    assert_rejects_bad_arrays(
        impl.deepfool_linear, w, b, x0, names=("w", "b", "x0"), batched=("x0",)
    )


@pytest.mark.contract
@settings(max_examples=10)
@given(affine_models())
def test_deepfool_rejects_invalid_input(impl, problem):
    """Bad models (not callable, NaN scores), bad x0, overshoot < 0, max_iter < 1 raise by name."""
    model, x0, _ = problem
    assert_rejects(impl.deepfool, "not a model", x0, argument="model", because="model is a string")
    assert_rejects(
        impl.deepfool,
        lambda x: model(x) * np.nan,
        x0,
        argument="model",
        because="model returns NaN scores",
    )
    assert_rejects_bad_arrays(impl.deepfool, model, x0, names=(None, "x0"))
    assert_rejects(
        impl.deepfool,
        model,
        x0,
        overshoot=-0.1,
        argument="overshoot",
        because="overshoot = −0.1 is negative",
    )
    for bad, because in (
        (0, "max_iter = 0 steps"),
        (-3, "max_iter is negative"),
        (1.5, "max_iter is not an integer"),
    ):
        assert_rejects(impl.deepfool, model, x0, max_iter=bad, argument="max_iter", because=because)
