r"""Exercise 7.24 — FGSM on a linear classifier: the best ℓ∞-bounded step is eps·sign(w).

Statement
    For a linear score f(x) = ⟨w, x⟩ + b, a perturbation δ changes the score by
    ⟨w, δ⟩.  Among all δ with ‖δ‖∞ ≤ eps (eps > 0), find one that changes the
    score the most, i.e. maximize ⟨w, δ⟩.  The fast gradient sign method (FGSM)
    applies the same recipe to any differentiable model by replacing w with the
    gradient of the loss with respect to the input.

    .. math::

       \max_{\|\delta\|_\infty \le \epsilon} \langle w, \delta\rangle = \epsilon \|w\|_1
       = \langle w, \delta^*\rangle, \quad \delta^* = \epsilon \operatorname{sign}(w); \qquad
       x' = x + \epsilon \operatorname{sign}\bigl(\nabla_x L(x)\bigr)

Assumptions
    eps > 0; finite float64 inputs.  For FGSM: a torch model and a loss
    loss_fn(scores, y) differentiable (almost everywhere) in the input.

Natural range
    d ≤ 8; weights 0 or of magnitude in [1e-3, 10]; eps ∈ [1e-6, 100] for the
    linear problem and [1e-3, 10] for FGSM; inputs |x_i| ≤ 10 (standard normal
    for the random models); models affine or one-hidden-layer ReLU networks with
    up to 6 hidden units and 4 classes, weights standard normal.  Extreme eps
    (1e-300, 1e300) belong to the numerics tier.

Argument
    ⟨w, δ⟩ = Σ_i w_i δ_i ≤ Σ_i |w_i| |δ_i| ≤ eps Σ_i |w_i| = eps ‖w‖₁ (Hölder with
    the dual pair ℓ∞/ℓ1), and δ* = eps·sign(w) attains it, since w_i sign(w_i) = |w_i|.
    Where w_i = 0 any δ_i ∈ [−eps, eps] is optimal; the contract fixes δ_i = 0.
    A linear function on the box [−eps, eps]^d attains its maximum at a vertex,
    so comparing with all 2^d vertices eps·s, s ∈ {±1}^d, checks optimality
    against every feasible δ.
    FGSM: x' = x + eps·sign(∇ₓ L(x)).  For a linear model with the logistic loss
    L = log(1 + exp(−y f(x))), y ∈ {±1}, ∇ₓ L = −y σ(−y f(x)) w with σ(·) > 0, so
    sign ∇ₓ L = sign(−y w) and FGSM is exactly x + fgsm_linear(−y w, eps): it
    pushes the margin y f down by eps ‖w‖₁.  When L is convex in x (a convex loss
    of an affine model: logistic, cross-entropy, squared error),
        L(x') ≥ L(x) + ⟨∇L(x), x' − x⟩ = L(x) + eps ‖∇L(x)‖₁ ≥ L(x):
    the loss does not decrease, and grows at least by the first-order gain.  For
    non-convex models FGSM is only the maximizer of the linearized loss, which the
    spec checks on ReLU networks against a NumPy gradient.

Contract
    ``fgsm(model, loss_fn, x, y, eps)`` returns the adversarial input (float64,
    shaped like x).  x is a vector (d,) or a batch (n, d); the model sees an (n, d)
    tensor ((1, d) for a vector); y reaches loss_fn as a tensor of shape (n,)
    (int64 for integer labels, float64 otherwise).  The claims do not rely on
    these conventions: their losses accept y in any shape and dtype, and their
    models any batch shape.

Errata
    The notes call r = ⟨w, δ⟩ "a perturbation": the perturbation is δ, and
    ⟨w, δ⟩ is the change of the score it causes.  Maximizing ⟨w, δ⟩ raises the
    score, which attacks points of the negative class only; for a point with label
    y ∈ {±1} the attack maximizes −y⟨w, δ⟩, i.e. δ = fgsm_linear(−y w, eps).
    The notes date the FGSM paper 2014 (its arXiv preprint); it appeared at ICLR 2015.

References
    I. J. Goodfellow, J. Shlens, C. Szegedy, Explaining and harnessing adversarial
    examples, ICLR 2015 (arXiv:1412.6572).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture07._adversarial_support import AffineModel, ReluNetwork
from spec.strategies import floats, seeds, vectors

EPS = np.finfo(np.float64).eps
#: eps of the natural range, log-uniform over [1e-6, 100].
epsilons = st.floats(-6.0, 2.0).map(lambda e: 10.0**e)


def _weights(d):
    """Weight vectors with entries 0 or of magnitude in [1e-3, 10].

    With eps ≥ 1e-300 every product eps·w_i stays a normal float, and logistic
    gradients cannot underflow to a wrong sign.
    """
    return vectors(d).map(lambda w: np.where(np.abs(w) < 1e-3, 0.0, w))


def _targets(y, dtype):
    """y as a flat tensor of ``dtype``, whatever form the implementation passed it in."""
    return (
        torch.as_tensor(np.asarray(y.detach() if torch.is_tensor(y) else y)).reshape(-1).to(dtype)
    )


def _logistic_loss(scores, y):
    """Mean of log(1 + exp(−y s)) over the batch, y ∈ {±1}."""
    return torch.nn.functional.softplus(-_targets(y, scores.dtype) * scores.reshape(-1)).mean()


def _cross_entropy(scores, y):
    """Mean of −log softmax(s)_y over the batch, y integer class labels."""
    labels = _targets(y, torch.int64)
    return torch.nn.functional.cross_entropy(scores.reshape(len(labels), -1), labels)


def _linear_loss(scores, y):
    """Σ_i y_i s_i: its gradient in x_i is y_i w for an affine model with weights w."""
    return (scores.reshape(-1) * _targets(y, scores.dtype)).sum()


def _check_box(impl, w, eps):
    assert_leq(
        np.abs(impl.fgsm_linear(w, eps)), eps, what="|δ*_i| ≤ eps", inputs={"w": w, "eps": eps}
    )


def _check_dual_norm(impl, w, eps):
    # A sum of d products, each rounded once, of terms of one sign (|w_i| eps): relative
    # error ≤ (d + 1) u, whatever eps·sign(w_i) the implementation rounds.
    assert_close(
        w @ impl.fgsm_linear(w, eps),
        eps * np.abs(w).sum(),
        rtol=4 * (len(w) + 1) * EPS,
        atol=0.0,
        what="⟨w, δ*⟩ against eps ‖w‖₁",
        inputs={"w": w, "eps": eps},
    )


def _check_vertices(impl, w, eps):
    vertices = eps * np.array(list(itertools.product([-1.0, 1.0], repeat=len(w))))
    # Both sides are sums of d rounded products of size ≤ eps |w_i|: (d + 1) u each.
    assert_leq(
        vertices @ w,
        w @ impl.fgsm_linear(w, eps),
        rtol=4 * (len(w) + 1) * EPS,
        what="⟨w, vertex⟩ ≤ ⟨w, δ*⟩",
        inputs={"w": w, "eps": eps},
    )


@st.composite
def logistic_problems(draw):
    """(w, b, x, y, eps) for a linear binary model, x a vector or a batch of up to 4 rows.

    |⟨w, x⟩ + b| ≤ 8·10·5 + 10 = 410, so σ(−y f) ≥ e^-410 ≈ 1e-178 and every
    nonzero gradient entry −y σ(−y f) w_i / n (|w_i| ≥ 1e-3) stays far from
    underflow: the gradient's signs are exactly those of −y w.
    """
    d = draw(st.integers(1, 8))
    w, b = draw(_weights(d)), draw(floats(-10.0, 10.0))
    rows = draw(st.integers(0, 4))
    points = vectors(d, -5.0, 5.0)
    x = (
        draw(points)
        if rows == 0
        else np.stack(draw(st.lists(points, min_size=rows, max_size=rows)))
    )
    y_values = st.sampled_from([-1.0, 1.0])
    y = (
        draw(y_values)
        if rows == 0
        else np.array(draw(st.lists(y_values, min_size=rows, max_size=rows)))
    )
    return w, b, x, y, draw(st.floats(-3.0, 1.0).map(lambda e: 10.0**e))


def _affine_losses(model, x, y):
    """(loss, gradient in x) in NumPy, for one input: logistic if K = 1, else cross-entropy."""
    scores = model.scores(x)
    if len(scores) == 1:
        margin = y * scores[0]
        return np.logaddexp(0.0, -margin), -y * special.expit(-margin) * model.weights[0]
    probabilities = special.softmax(scores)
    loss = special.logsumexp(scores) - scores[y]
    return loss, model.weights.T @ (probabilities - np.eye(len(scores))[y])


@st.composite
def convex_problems(draw):
    """(model, x, y, eps): an affine model with K = 1 (logistic) or K ≥ 2 (cross-entropy)."""
    rng = np.random.default_rng(draw(seeds))
    d, k = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    model = AffineModel(rng.standard_normal((k, d)), rng.standard_normal(k))
    y = draw(st.sampled_from([-1.0, 1.0])) if k == 1 else draw(st.integers(0, k - 1))
    return model, 2 * rng.standard_normal(d), y, draw(st.floats(-3.0, 0.5).map(lambda e: 10.0**e))


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(st.integers(1, 8).flatmap(_weights), epsilons)
def test_fgsm_linear_stays_in_the_eps_box(impl, w, eps):
    """‖δ*‖∞ ≤ eps: the optimal step is feasible."""
    _check_box(impl, w, eps)


@pytest.mark.claim
@given(st.integers(1, 8).flatmap(_weights), epsilons)
def test_fgsm_linear_attains_eps_times_the_dual_norm(impl, w, eps):
    """⟨w, δ*⟩ = eps ‖w‖₁, the dual (ℓ1) norm of w times eps."""
    _check_dual_norm(impl, w, eps)


@pytest.mark.claim
@given(st.integers(1, 8).flatmap(_weights), epsilons)
def test_no_vertex_of_the_eps_box_does_better(impl, w, eps):
    """⟨w, δ⟩ ≤ ⟨w, δ*⟩ for all 2^d vertices δ of the box, hence for every feasible δ."""
    _check_vertices(impl, w, eps)


@pytest.mark.claim
@given(logistic_problems())
def test_fgsm_on_a_logistic_linear_model_steps_along_minus_y_sign_w(impl, problem):
    """With the logistic loss, FGSM on x ↦ ⟨w, x⟩ + b gives x − eps·y·sign(w), row by row."""
    w, b, x, y, eps = problem
    adversarial = impl.fgsm(AffineModel(w, b), _logistic_loss, x, y, eps)
    expected = x + eps * np.sign(-np.reshape(y, (-1, 1)) * w).reshape(x.shape)
    # x + eps·s is rounded once, by u (|x| + eps) ≤ 1e-14, far within the 1e-12 allowed.
    assert_close(
        adversarial,
        expected,
        what="FGSM against x − eps·y·sign(w)",
        inputs={"w": w, "b": b, "x": x, "y": y, "eps": eps},
    )


@pytest.mark.claim
@given(convex_problems())
def test_loss_grows_at_least_by_the_first_order_gain(impl, problem):
    """For a loss convex in x, L(x') ≥ L(x) + eps ‖∇L(x)‖₁ ≥ L(x): FGSM never lowers the loss."""
    model, x, y, eps = problem
    loss_fn = _logistic_loss if len(model.bias) == 1 else _cross_entropy
    adversarial = impl.fgsm(model, loss_fn, x, y, eps)
    before, gradient = _affine_losses(model, x, y)
    after, _ = _affine_losses(model, adversarial, y)
    inputs = {"W": model.weights, "b": model.bias, "x": x, "y": y, "eps": eps}
    # Error model: the NumPy losses are sums of ≤ K + d + 2 ≤ 12 rounded terms of size
    # ≤ |L| + Σ|s|, so each errs by ≤ 12 u (1 + |L| + Σ|s|) ≈ 3e-15 (...); the rounding of
    # x' = x + eps·s moves L by ≤ ‖∇L‖₁ u (‖x‖∞ + eps), smaller still.  1e-12 covers both.
    slack = 1e-12 * (1.0 + abs(before) + np.abs(model.scores(x)).sum())
    assert_leq(
        before + eps * np.abs(gradient).sum(),
        after,
        atol=slack,
        what="L(x) + eps ‖∇L‖₁ ≤ L(x')",
        inputs=inputs,
    )
    assert_leq(before, after, atol=slack, what="L(x) ≤ L(x')", inputs=inputs)


@pytest.mark.claim
@given(seeds, st.integers(1, 5), st.integers(1, 6), st.integers(2, 4), st.floats(1e-3, 1.0))
def test_fgsm_steps_along_the_gradient_sign_on_relu_networks(impl, seed, d, hidden, k, eps):
    """On a ReLU network with cross-entropy, x' − x = eps·sign(∇ₓ L) (gradient from NumPy)."""
    rng = np.random.default_rng(seed)
    network, x = ReluNetwork(rng, d, hidden, k), rng.standard_normal(d)
    y = int(rng.integers(k))
    gradient = network.jacobian(x).T @ (special.softmax(network.scores(x)) - np.eye(k)[y])
    adversarial = impl.fgsm(network, _cross_entropy, x, y, eps)
    inputs = {"x": x, "y": y, "eps": eps, "seed": seed}
    # x' is x + eps·s rounded once: it sits within one ulp of |x| + eps of the exact point.
    ulp = np.spacing(np.abs(x) + eps)
    assert_leq(np.abs(adversarial - x), eps + 2 * ulp, what="‖x' − x‖∞ ≤ eps", inputs=inputs)
    # Each gradient entry sums ≤ hidden·k products of O(1) weights and probabilities: any
    # float64 evaluation (autograd or NumPy) errs by ≤ 4 (hidden + k) u max|∇L| ≈ 1e-14
    # relative.  Entries within 1e-9 max|∇L| of 0 may take either sign (or 0).
    clear = np.abs(gradient) > 1e-9 * np.abs(gradient).max(initial=0.0)
    assert_leq(
        np.abs(adversarial - (x + eps * np.sign(gradient)))[clear],
        ulp[clear],
        what="x' against x + eps·sign(∇L)",
        inputs=inputs,
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(st.integers(1, 8).flatmap(_weights), st.sampled_from([1e-300, 1e300]))
def test_fgsm_linear_is_optimal_for_extreme_eps(impl, w, eps):
    """For eps = 1e-300 and 1e300 the step stays in the box and attains eps ‖w‖₁."""
    _check_box(impl, w, eps)
    _check_dual_norm(impl, w, eps)
    _check_vertices(impl, w, eps)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(st.integers(1, 8).flatmap(_weights), epsilons)
def test_fgsm_linear_returns_a_float64_array_with_zeros_where_w_is_zero(impl, w, eps):
    """fgsm_linear returns a float64 array shaped like w, with δ_i = 0 where w_i = 0."""
    delta = impl.fgsm_linear(w, eps)
    inputs = {"w": w, "eps": eps}
    assert_true(
        isinstance(delta, np.ndarray) and delta.dtype == np.float64 and delta.shape == w.shape,
        what="δ* is a float64 array shaped like w",
        inputs=inputs,
    )
    # Any δ_i ∈ [−eps, eps] is optimal where w_i = 0; the contract picks 0.
    assert_true(delta[w == 0] == 0.0, what="δ*_i = 0 where w_i = 0", inputs=inputs)


@pytest.mark.contract
@settings(max_examples=20)
@given(logistic_problems(), st.lists(st.sampled_from([0, 1]), min_size=4, max_size=4))
def test_fgsm_calls_the_model_and_the_loss_by_the_conventions(impl, problem, classes):
    """The model sees (n, d) float64, loss_fn an (n,) int64 or float64 y; x' is float64 like x."""
    w, b, x, y, eps = problem
    n = 1 if x.ndim == 1 else len(x)
    seen = []

    def recording(model):
        def call(inputs):
            seen.append(("model", tuple(inputs.shape), inputs.dtype))
            return model(inputs)

        return call

    def recording_loss(loss):
        def call(scores, targets):
            seen.append(("y", tuple(targets.shape), targets.dtype))
            return loss(scores, targets)

        return call

    labels = classes[0] if x.ndim == 1 else np.array(classes[:n])
    for model, loss_fn, targets, dtype in (
        (AffineModel(w, b), _logistic_loss, y, torch.float64),
        (AffineModel(np.stack([w, -w]), np.array([b, -b])), _cross_entropy, labels, torch.int64),
    ):
        seen.clear()
        adversarial = impl.fgsm(recording(model), recording_loss(loss_fn), x, targets, eps)
        inputs = {"x": x, "y": targets, "eps": eps}
        assert_true(
            isinstance(adversarial, np.ndarray)
            and adversarial.dtype == np.float64
            and adversarial.shape == x.shape,
            what="x' is a float64 array shaped like x",
            inputs=inputs,
        )
        expected = {("model", (n, len(w)), torch.float64), ("y", (n,), dtype)}
        assert_true(
            set(seen) == expected, what=f"calls {sorted(set(seen), key=str)}", inputs=inputs
        )


@pytest.mark.contract
@given(
    logistic_problems(),
    st.lists(st.one_of(st.floats(1e-3, 2.0), st.floats(-2.0, -1e-3)), min_size=4, max_size=4),
)
def test_real_targets_reach_the_loss_unrounded(impl, problem, targets):
    """With L = Σ y_i s_i and real y_i (|y_i| < 1 included), FGSM gives x_i + eps·sign(y_i w)."""
    w, b, x, _, eps = problem
    y = targets[0] if x.ndim == 1 else np.array(targets[: len(x)])
    adversarial = impl.fgsm(AffineModel(w, b), _linear_loss, x, y, eps)
    expected = x + eps * np.sign(np.reshape(y, (-1, 1)) * w).reshape(x.shape)
    assert_close(
        adversarial,
        expected,
        what="FGSM against x + eps·sign(y w)",
        inputs={"w": w, "b": b, "x": x, "y": y, "eps": eps},
    )


@pytest.mark.contract
@given(st.integers(1, 6).flatmap(vectors), st.sampled_from([0.0, -1.0, np.nan, np.inf]))
def test_fgsm_linear_rejects_invalid_input(impl, w, bad_eps):
    """eps ≤ 0 or not finite, and NaN in w or a scalar w, raise ValueError naming the argument."""
    assert_rejects(
        impl.fgsm_linear, w, bad_eps, argument="eps", because=f"eps = {bad_eps} is not in (0, ∞)"
    )
    assert_rejects(
        impl.fgsm_linear, np.append(w, np.nan), 0.1, argument="w", because="w holds a NaN"
    )
    assert_rejects(impl.fgsm_linear, w[0], 0.1, argument="w", because="w is a scalar")


@pytest.mark.contract
@settings(max_examples=10)
@given(logistic_problems(), st.sampled_from([0.0, -0.5, np.nan]))
def test_fgsm_rejects_invalid_input(impl, problem, bad_eps):
    """Non-callables, a loss not one finite value, bad x, eps ≤ 0 or bad labels raise by name."""
    w, b, x, y, eps = problem
    model = AffineModel(w, b)
    assert_rejects(
        impl.fgsm,
        "not a model",
        _logistic_loss,
        x,
        y,
        eps,
        argument="model",
        because="model is a string, not callable",
    )
    assert_rejects(
        impl.fgsm,
        model,
        "not a loss",
        x,
        y,
        eps,
        argument="loss_fn",
        because="loss_fn is a string, not callable",
    )
    for bad_loss, because in (
        (lambda s, t: _logistic_loss(s, t) * np.nan, "loss_fn returns NaN"),
        (
            lambda s, t: torch.nn.functional.softplus(-t * s.reshape(-1)),
            "loss_fn returns one value per row, not one number",
        ),
    ):
        batch, labels = np.stack([x.reshape(-1, len(w))[0]] * 2), np.array([1.0, -1.0])
        assert_rejects(
            impl.fgsm, model, bad_loss, batch, labels, eps, argument="loss_fn", because=because
        )
    # x may be a vector or a batch: an extra leading axis is rejected only for a batch.
    batched = ("x",) if x.ndim == 1 else ()
    assert_rejects_bad_arrays(
        impl.fgsm,
        model,
        _logistic_loss,
        x,
        y,
        eps,
        names=(None, None, "x", None, "eps"),
        batched=batched,
    )
    assert_rejects(
        impl.fgsm,
        AffineModel(w[:1], b),
        _logistic_loss,
        1.0,
        1.0,
        eps,
        argument="x",
        because="x is a scalar, not a vector",
    )
    assert_rejects(
        impl.fgsm,
        model,
        _logistic_loss,
        np.full_like(x, np.nan),
        y,
        eps,
        argument="x",
        because="x is all NaN",
    )
    assert_rejects(
        impl.fgsm,
        model,
        _logistic_loss,
        x,
        y,
        bad_eps,
        argument="eps",
        because=f"eps = {bad_eps} is not positive",
    )
    assert_rejects(
        impl.fgsm,
        model,
        _logistic_loss,
        x,
        np.append(y, 1.0),
        eps,
        argument="y",
        because="y has one label more than x has rows",
    )
