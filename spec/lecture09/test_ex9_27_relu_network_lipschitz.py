r"""Exercise 9.27 — a Lipschitz constant for f(x) = W2·ReLU(W1 x + b1), global and local.

Statement
    For a network with one hidden ReLU layer, f(x) = W2·ReLU(W1 x + b1) with
    W1 ∈ R^{h×d}, b1 ∈ R^h, W2 ∈ R^{k×h}, find L with ‖f(x) − f(y)‖₂ <= L‖x − y‖₂
    for all x, y.  Then sharpen it on a ball B(x, eps), as Huang et al. do.

    .. math::

       \|f(x) - f(y)\|_2 \le \|W_2\|_2 \, \|W_1\|_2 \, \|x - y\|_2

       L_{\mathrm{loc}}(x, \epsilon) = \|W_2[:, A]\|_2 \, \|W_1[A]\|_2, \qquad
       A = \{i : w_i^\top x + b_i + \epsilon \|w_i\|_2 > 0\}

Assumptions
    Euclidean norms on vectors, spectral norms (largest singular value) on
    matrices.  The local bound is stated for the closed ball
    B(x, eps) = {y : ‖y − x‖ <= eps}, eps >= 0.  The exercise asks for *a*
    Lipschitz constant: any valid one (for instance the Frobenius product
    ‖W2‖_F‖W1‖_F >= ‖W2‖₂‖W1‖₂) passes the claims; that the reference returns the
    spectral product, and the particular local bound of Huang et al., is contract.

Natural range
    d <= 4 inputs, h <= 6 hidden units, k <= 3 outputs; weights and biases of
    scale 1e-3, 1 or 1e3 (half of them dyadic, so that units sit exactly at
    their kink); points in [−2, 2]^d; radii eps = 0 or in [1e-4, 10].  Every
    tier uses this range: the exercise has no extreme inputs of its own.

Argument
    Global bound.  ReLU acts coordinatewise and |ReLU(s) − ReLU(t)| <= |s − t|, so
    ‖ReLU(u) − ReLU(v)‖ <= ‖u − v‖ and
        ‖f(x) − f(y)‖ <= ‖W2‖₂ ‖(W1 x + b1) − (W1 y + b1)‖ <= ‖W2‖₂‖W1‖₂ ‖x − y‖.
    So L = ‖W2‖₂‖W1‖₂ works for every b1.  Equivalently: f is piecewise affine
    with slope J(x) = W2·D(x)·W1, D(x) = diag(1[W1 x + b1 > 0]), on each region of
    fixed activation pattern; the segment from x to y crosses finitely many
    regions, so ‖f(x) − f(y)‖ <= max ‖J‖₂ ‖x − y‖, and ‖W2 D W1‖₂ <= ‖W2‖₂‖D‖₂‖W1‖₂
    <= L.  With a single hidden unit J = w2 w1ᵀ has norm ‖w2‖‖w1‖ = L where the
    unit fires: the constant cannot be improved in general.

    Local bound (Huang et al. 2021).  On B(x, eps) the pre-activation of unit i,
    w_iᵀy + b_i, is largest at y = x + eps·w_i/‖w_i‖, where it is
    w_iᵀx + b_i + eps‖w_i‖ (Cauchy–Schwarz).  If that is <= 0, the unit outputs 0
    on the whole ball and f = W2[:, A]·ReLU(W1[A] y + b1[A]) there, A the other
    units; the global argument applied to this smaller network gives
    L_loc = ‖W2[:, A]‖₂‖W1[A]‖₂ for pairs inside the ball.  Submatrices have
    smaller spectral norms, so L_loc <= L, and L_loc grows with eps.

    The properties check the formulas against independent NumPy evaluations and
    the inequalities on pairs of points: random ones, points on the sphere of the
    ball, the points where each unit's pre-activation is largest or crosses 0,
    and steps along the top singular vector of the local slope J(y), where
    ‖f(y + t v) − f(y)‖/t = ‖J(y)‖₂ exactly as long as no unit switches.

Numerics
    Outputs are compared with an absolute slack of 2·(2γ_m)·|W2|(|W1||x| + |b1|),
    γ_m = m·u/(1 − m·u), m = d + h + k + 2, u = 2⁻⁵³: γ_m|W2|(|W1||x| + |b1|)
    bounds the rounding error of the products in any summation order (Higham,
    Accuracy and Stability of Numerical Algorithms, §3.5; ReLU is 1-Lipschitz, so
    errors in the pre-activations pass through it undamped at worst); it is
    doubled for margin and again because both the implementation and the oracle
    round.  A unit whose pre-activation (or, for the local bound,
    w_iᵀx + b_i + eps‖w_i‖) lies within 2γ_m(|W1||x| + |b1|) of 0 may be counted
    either way.  Spectral norms from an SVD are accurate to a few ulp relative:
    rtol 1e-12.  Networks and points come from a drawn seed; half of them are
    dyadic (multiples of 1/4), so that units sit exactly at their kink.

Errata
    None in the statement; the notes leave the norm implicit (ℓ2 here).

References
    Y. Huang, H. Zhang, Y. Shi, J. Z. Kolter and A. Anandkumar, Training certifiably
    robust neural networks with efficient local Lipschitz bounds, NeurIPS 2021.
    C. Szegedy et al., Intriguing properties of neural networks, 2014 (the product
    of layer norms as a Lipschitz bound).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture10._lipschitz_support import assert_close_within
from spec.strategies import floats, seeds

UNIT_ROUNDOFF = 2.0**-53
#: Relative accuracy of a spectral norm computed by an SVD (a few ulp, times a margin).
NORM_RTOL = 1e-12


@dataclass(frozen=True)
class Network:
    """f(x) = W2·ReLU(W1 x + b1) and the NumPy oracles the properties compare against."""

    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray

    @property
    def args(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.W1, self.b1, self.W2

    def gamma(self) -> float:
        m = sum(self.W1.shape) + self.W2.shape[0] + 2
        return 2.0 * m * UNIT_ROUNDOFF / (1.0 - m * UNIT_ROUNDOFF)

    def pre(self, x: np.ndarray) -> np.ndarray:
        return x @ self.W1.T + self.b1

    def pre_slack(self, x: np.ndarray) -> np.ndarray:
        """A bound on the rounding error of the pre-activations at x."""
        return self.gamma() * (np.abs(x) @ np.abs(self.W1).T + np.abs(self.b1))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(self.pre(x), 0.0) @ self.W2.T

    def slack(self, x: np.ndarray) -> np.ndarray:
        """A bound on |rounded f(x) − f(x)| per output, for the oracle and any implementation."""
        return self.pre_slack(x) @ np.abs(self.W2).T

    def jacobian(self, x: np.ndarray, active: np.ndarray) -> np.ndarray:
        """W2·diag(active)·W1."""
        return (self.W2 * active) @ self.W1

    def norm_of_kept(self, kept: np.ndarray) -> float:
        """‖W2[:, kept]‖₂‖W1[kept]‖₂ (0 when nothing is kept)."""
        if not kept.any():
            return 0.0
        return spectral_norm(self.W2[:, kept]) * spectral_norm(self.W1[kept])

    def reach(self, x: np.ndarray, eps: float) -> np.ndarray:
        """The largest pre-activation of each unit on B(x, eps): w_iᵀx + b_i + eps‖w_i‖."""
        return self.pre(x) + eps * np.linalg.norm(self.W1, axis=1)

    def reach_slack(self, x: np.ndarray, eps: float) -> np.ndarray:
        return self.pre_slack(x) + self.gamma() * eps * np.linalg.norm(self.W1, axis=1)


def spectral_norm(matrix: np.ndarray) -> float:
    return float(np.linalg.svd(matrix, compute_uv=False)[0])


def patterns(value: np.ndarray, slack: np.ndarray):
    """Every pattern 1[value > 0] that rounding allows: units within slack of 0 go either way."""
    undecided = np.flatnonzero(np.abs(value) <= slack)
    for choice in itertools.product([False, True], repeat=len(undecided)):
        pattern = value > slack
        pattern[undecided] = choice
        yield pattern


@st.composite
def networks_and_points(
    draw: st.DrawFn, n: int = 6, hidden: st.SearchStrategy[int] = st.integers(1, 6)
) -> tuple[Network, np.ndarray]:
    """A network (d <= 4 inputs, h <= 6 hidden units, k <= 3 outputs) and n inputs in [-2, 2]^d.

    Weights run from 1e-3 to 1e3 in scale.  Half of the cases are dyadic (multiples
    of 1/4 and 1/2), where many pre-activations are exactly 0: units at their kink.
    Some units are dead (zero weights, a non-positive bias) or constant (zero
    weights, a positive bias).  Entries come from a drawn seed: drawing them one by
    one through Hypothesis would cost most of the file's time budget.
    """
    d, h, k = draw(st.integers(1, 4)), draw(hidden), draw(st.integers(1, 3))
    scale_in, scale_out = (draw(st.sampled_from([1e-3, 1.0, 1e3])) for _ in range(2))
    rng = np.random.default_rng(draw(seeds))
    dyadic = draw(st.booleans())

    def entries(shape, half_range: float) -> np.ndarray:
        if dyadic:
            return rng.integers(-4, 5, size=shape) * (half_range / 4)
        return rng.uniform(-half_range, half_range, size=shape)

    W1 = entries((h, d), 1.0) * scale_in
    flat = np.array(draw(st.lists(st.booleans(), min_size=h, max_size=h)))
    W1[flat & (np.arange(h) > 0)] = 0.0  # keep unit 0 so that f is not constant
    b1 = entries(h, 1.0) * scale_in
    W2 = entries((k, h), 1.0) * scale_out
    return Network(W1, b1, W2), entries((n, d), 2.0)


def networks(hidden: st.SearchStrategy[int] = st.integers(1, 6)) -> st.SearchStrategy[Network]:
    return networks_and_points(1, hidden).map(lambda pair: pair[0])


radii = st.one_of(st.just(0.0), floats(-4.0, 1.0).map(lambda e: 10.0**e))


def unit_rows(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n random unit vectors in R^d (Gaussian directions)."""
    v = rng.standard_normal((n, d))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def top_singular_vectors(jacobians: np.ndarray) -> np.ndarray:
    """The top right singular vector of each k×d slope."""
    return np.linalg.svd(jacobians)[2][:, 0, :]


def assert_lipschitz_on_pairs(net: Network, y, z, constant: float, what: str) -> None:
    """‖f(y) − f(z)‖ <= constant·‖y − z‖ for each row pair, up to the rounding of f and of y − z."""
    gap = np.linalg.norm(net(y) - net(z), axis=-1)
    step = np.linalg.norm(y - z, axis=-1)
    rounding = np.linalg.norm(net.slack(y) + net.slack(z), axis=-1)
    rounding += (
        constant * 4 * UNIT_ROUNDOFF * (np.linalg.norm(y, axis=-1) + np.linalg.norm(z, axis=-1))
    )
    assert_leq(
        gap,
        constant * step * (1 + NORM_RTOL) + rounding,
        what=what,
        inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "y": y, "z": z, "L": constant},
    )


def ball_pairs(net: Network, x: np.ndarray, eps: float, seed: int) -> tuple[np.ndarray, ...]:
    """Pairs (y, z) of points of B(x, eps) chosen to stress a local Lipschitz bound.

    Random points of the ball and of its sphere; for every unit, the points of the
    diameter along w_i (where its pre-activation is largest and where it crosses 0,
    if it does); steps along the top singular vector of the local slope at random points.
    """
    rng = np.random.default_rng(seed)
    d = len(x)
    inside = 1.0 - 1e-9  # stay inside the closed ball despite rounding of x + eps·v
    radius = eps * inside * rng.uniform(size=(64, 1)) ** (1.0 / d)
    random_points = x + radius * unit_rows(rng, 64, d)
    sphere = x + eps * inside * unit_rows(rng, 32, d)
    ys = [random_points[:32], sphere[:16], random_points[:16]]
    zs = [random_points[32:], sphere[16:], sphere[:16]]
    norms = np.linalg.norm(net.W1, axis=1)
    for w, norm, pre in zip(net.W1, norms, net.pre(x), strict=True):
        if norm == 0:
            continue
        crossing = np.clip(-pre / (eps * norm) if eps > 0 else 0.0, -1.0, 1.0)
        t = np.array([-1.0, crossing, 0.0, 0.5, 1.0]) * inside
        line = x + eps * t[:, None] * (w / norm)
        first, second = np.triu_indices(len(t), k=1)  # every pair of points on the line
        ys.append(line[first])
        zs.append(line[second])
    starts = random_points[:8]
    directions = top_singular_vectors(np.stack([net.jacobian(y, net.pre(y) > 0) for y in starts]))
    for step in (1e-6, 1e-3):
        ends = starts + step * eps * directions
        keep = np.linalg.norm(ends - x, axis=1) <= eps * inside
        ys.append(starts[keep])
        zs.append(ends[keep])
    return np.concatenate(ys), np.concatenate(zs)


def _allowed_jacobians(net: Network, point: np.ndarray) -> list[np.ndarray]:
    """W2·D·W1 for every activation pattern D that rounding allows at ``point``."""
    return [net.jacobian(point, p) for p in patterns(net.pre(point), net.pre_slack(point))]


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(networks_and_points())
def test_network_is_w2_relu_of_w1x_plus_b1(impl, net_and_x):
    """relu_network evaluates W2·ReLU(W1 x + b1) on one point and on a batch of points."""
    net, x = net_and_x
    inputs = {"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": x}
    expected, slack = net(x), 2 * net.slack(x)
    actual = impl.relu_network(*net.args, x)
    assert_close_within(actual, expected, slack, what="f on a batch", inputs=inputs)
    actual = impl.relu_network(*net.args, x[0])
    assert_close_within(actual, expected[0], slack[0], what="f at one point", inputs=inputs)


@pytest.mark.claim
@given(networks_and_points())
def test_jacobian_is_w2_times_active_pattern_times_w1(impl, net_and_x):
    """The Jacobian at x is W2·diag(1[W1 x + b1 > 0])·W1 (units at their kink either way)."""
    net, x = net_and_x
    jacobians = impl.relu_network_jacobian(*net.args, x)
    # Each entry of W2·D·W1 is a sum of h products: rounding below γ·|W2||W1|.
    slack = net.gamma() * np.abs(net.W2) @ np.abs(net.W1)
    for point, jacobian in zip(x, jacobians, strict=True):
        assert_true(
            any(np.all(np.abs(jacobian - c) <= slack) for c in _allowed_jacobians(net, point)),
            what="the Jacobian equals W2·diag(1[W1 x + b1 > 0])·W1",
            inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": point, "J": jacobian},
        )


@pytest.mark.claim
@given(networks_and_points(1), seeds)
def test_network_is_affine_with_slope_jacobian_on_each_activation_region(impl, net_and_x, seed):
    """f(y) − f(x) = J(x)(y − x) whenever no pre-activation changes sign between x and y."""
    net, (x,) = net_and_x
    W1, b1, W2 = net.args
    b1 = np.where(np.abs(net.pre(x)) <= net.pre_slack(x), b1 + np.abs(W1).sum(axis=1) + 1.0, b1)
    net = Network(W1, b1, W2)  # lift units sitting at their kink at x off it
    direction = unit_rows(np.random.default_rng(seed), 1, len(x))[0]
    speeds = np.abs(W1 @ direction)
    room = np.min(np.abs(net.pre(x))[speeds > 0] / speeds[speeds > 0], initial=1.0)
    y = x + 0.5 * room * direction
    change = impl.relu_network(*net.args, y) - impl.relu_network(*net.args, x)
    predicted = impl.relu_network_jacobian(*net.args, x) @ (y - x)
    # Rounding of f at both points, and of J(x)(y − x), a sum of products of W2, W1, y − x.
    slack = 2 * (net.slack(x) + net.slack(y)) + net.gamma() * np.abs(W2) @ np.abs(W1) @ abs(y - x)
    assert_close_within(
        change,
        predicted,
        slack,
        what="f(y) − f(x) against J(x)(y − x)",
        inputs={"W1": W1, "b1": b1, "W2": W2, "x": x, "y": y},
    )


@pytest.mark.claim
@given(networks(), seeds)
def test_global_bound_holds_for_every_pair(impl, net, seed):
    """‖f(x) − f(y)‖ <= L‖x − y‖ for random pairs, near pairs and steps of steepest ascent."""
    rng = np.random.default_rng(seed)
    d = net.W1.shape[1]
    x = rng.uniform(-2.0, 2.0, size=(48, d))
    scales = 10.0 ** rng.uniform(-6.0, 1.0, size=(48, 1))
    y = x + scales * unit_rows(rng, 48, d)
    directions = top_singular_vectors(np.stack([net.jacobian(p, net.pre(p) > 0) for p in x]))
    y[24:] = x[24:] + scales[24:] * directions[24:]
    constant = impl.relu_network_lipschitz_bound(net.W1, net.W2)
    assert_lipschitz_on_pairs(net, x, y, constant, "‖f(x) − f(y)‖ <= L‖x − y‖")


@pytest.mark.claim
@given(networks_and_points(16))
def test_global_bound_dominates_every_jacobian(impl, net_and_x):
    """L >= ‖J(x)‖₂ at every x."""
    net, x = net_and_x
    norms = np.linalg.svd(impl.relu_network_jacobian(*net.args, x), compute_uv=False)[:, 0]
    slack = net.gamma() * spectral_norm(np.abs(net.W2) @ np.abs(net.W1))
    assert_leq(
        norms,
        impl.relu_network_lipschitz_bound(net.W1, net.W2) * (1 + NORM_RTOL) + slack,
        what="‖J(x)‖₂ <= L",
        inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2},
    )


@pytest.mark.claim
@given(networks_and_points(), radii)
def test_local_bound_never_exceeds_the_global_bound(impl, net_and_x, eps):
    """L_loc(x, eps) <= ‖W2‖₂‖W1‖₂ at every x and radius."""
    net, x = net_and_x
    assert_leq(
        impl.relu_network_local_lipschitz_bound(*net.args, x, eps),
        impl.relu_network_lipschitz_bound(net.W1, net.W2),
        rtol=NORM_RTOL,
        what="L_loc <= L",
        inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": x, "eps": eps},
    )


@pytest.mark.claim
@given(networks_and_points(1), radii, seeds)
def test_local_bound_holds_for_every_pair_in_the_ball(impl, net_and_x, eps, seed):
    """‖f(y) − f(z)‖ <= L_loc(x, eps)‖y − z‖ for y, z in B(x, eps), including worst-case pairs."""
    net, (x,) = net_and_x
    y, z = ball_pairs(net, x, eps, seed)
    constant = impl.relu_network_local_lipschitz_bound(*net.args, x, eps)
    assert_lipschitz_on_pairs(net, y, z, constant, "‖f(y) − f(z)‖ <= L_loc‖y − z‖ on B(x, eps)")


@pytest.mark.claim
@given(networks_and_points(1), radii, seeds)
@example(  # the one unit is off at x and on beyond y = 0.5 in the ball: L_loc = 1, not 0
    net_and_x=(Network(np.ones((1, 1)), np.array([-0.5]), np.ones((1, 1))), (np.zeros(1),)),
    eps=1.0,
    seed=0,
)
def test_local_bound_dominates_the_jacobian_on_the_ball(impl, net_and_x, eps, seed):
    """L_loc(x, eps) >= ‖J(y)‖₂ for every y in B(x, eps)."""
    net, (x,) = net_and_x
    rng = np.random.default_rng(seed)
    d = len(x)
    y = x + eps * (1 - 1e-9) * rng.uniform(size=(32, 1)) ** (1 / d) * unit_rows(rng, 32, d)
    # Each unit at its most active point of the ball: a unit that can switch on there is on.
    lengths = np.linalg.norm(net.W1, axis=1, keepdims=True)
    directions = net.W1[lengths[:, 0] > 0] / lengths[lengths[:, 0] > 0]
    y = np.concatenate([y, x + eps * (1 - 1e-9) * directions])
    norms = np.linalg.svd(impl.relu_network_jacobian(*net.args, y), compute_uv=False)[:, 0]
    slack = net.gamma() * spectral_norm(np.abs(net.W2) @ np.abs(net.W1))
    assert_leq(
        norms,
        impl.relu_network_local_lipschitz_bound(*net.args, x, eps) * (1 + NORM_RTOL) + slack,
        what="‖J(y)‖₂ <= L_loc(x, eps) for y in the ball",
        inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": x, "eps": eps},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(networks_and_points())
@example(  # unit 0 sits at its kink at x[0]; batch and single calls round it differently
    net_and_x=(
        Network(
            W1=np.array([[-3, -3], [2, 0], [0, 3], [2, 3], [2, -3]]) * 2.5e-4,
            b1=np.array([0, 0, 3, 0, -3]) * 2.5e-4,
            W2=np.array([[1, 2, -2, -1, -2], [-4, -3, -4, 2, 1], [3, -4, 4, -3, -3]]) * 2.5e-4,
        ),
        np.array([[1.5, -1.5], [2.0, 1.5], [0.5, -2.0], [-2.0, 1.5], [0.5, 0.0], [-1.5, 0.0]]),
    )
)
def test_jacobian_and_network_take_one_point_or_a_batch(impl, net_and_x):
    """On one point f and J give (k,) and (k, d), as the batch's row (either slope at a kink)."""
    net, x = net_and_x
    k, d = net.W2.shape[0], net.W1.shape[1]
    inputs = {"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": x[0]}
    batch_f, single_f = impl.relu_network(*net.args, x), impl.relu_network(*net.args, x[0])
    batch_j, single_j = (
        impl.relu_network_jacobian(*net.args, x),
        impl.relu_network_jacobian(*net.args, x[0]),
    )
    assert_true(
        np.shape(batch_f) == (len(x), k) and np.shape(single_f) == (k,),
        what="f has shape (n, k) on a batch and (k,) on one point",
        inputs=inputs,
    )
    assert_true(
        np.shape(batch_j) == (len(x), k, d) and np.shape(single_j) == (k, d),
        what="J has shape (n, k, d) on a batch and (k, d) on one point",
        inputs=inputs,
    )
    assert_close_within(
        single_f,
        batch_f[0],
        2 * net.slack(x[0]),
        what="f at one point against the batch",
        inputs=inputs,
    )
    slack = net.gamma() * np.abs(net.W2) @ np.abs(net.W1)
    allowed = _allowed_jacobians(net, x[0])
    assert_true(
        any(np.all(np.abs(single_j - c) <= slack) for c in allowed),
        what="J at one point is W2·D·W1 for a pattern D rounding allows there",
        inputs={**inputs, "J": single_j},
    )
    if len(allowed) == 1:  # no unit at its kink: the two calls must agree
        assert_close_within(
            single_j, batch_j[0], slack, what="J at one point against the batch", inputs=inputs
        )


@pytest.mark.contract
@given(networks())
def test_global_bound_is_product_of_spectral_norms(impl, net):
    """relu_network_lipschitz_bound(W1, W2) = ‖W2‖₂·‖W1‖₂ (largest singular values)."""
    assert_close(
        impl.relu_network_lipschitz_bound(net.W1, net.W2),
        spectral_norm(net.W2) * spectral_norm(net.W1),
        rtol=NORM_RTOL,
        atol=0,
        inputs={"W1": net.W1, "W2": net.W2},
    )


@pytest.mark.contract
@given(networks_and_points(1, hidden=st.just(1)))
def test_global_bound_is_attained_by_a_single_active_unit(impl, net_and_x):
    """With one hidden unit the returned L is attained: ‖f(x) − f(y)‖ = L‖x − y‖ along w1."""
    net, (x,) = net_and_x
    w = net.W1[0]
    net = Network(net.W1, np.array([1.0 + abs(w @ x)]), net.W2)  # the unit fires on [x, x + w]
    y = x + w
    gap = np.linalg.norm(net(y) - net(x))
    rounding = np.linalg.norm(net.slack(x) + net.slack(y)) + 4 * UNIT_ROUNDOFF * gap
    assert_close(
        impl.relu_network_lipschitz_bound(net.W1, net.W2) * np.linalg.norm(y - x),
        gap,
        rtol=NORM_RTOL,
        atol=rounding,
        what="L‖x − y‖ against ‖f(x) − f(y)‖",
        inputs={"W1": net.W1, "W2": net.W2, "x": x},
    )


@pytest.mark.contract
@given(networks_and_points(), radii)
def test_local_bound_drops_exactly_the_units_dead_on_the_ball(impl, net_and_x, eps):
    """L_loc(x, eps) = ‖W2[:, A]‖₂‖W1[A]‖₂, A = {i : w_iᵀx + b_i + eps‖w_i‖ > 0}, per point."""
    net, x = net_and_x
    bounds = impl.relu_network_local_lipschitz_bound(*net.args, x, eps)
    assert_true(np.shape(bounds) == (len(x),), what="one bound per point of the batch")
    for point, bound in zip(x, bounds, strict=True):
        candidates = [
            net.norm_of_kept(kept)
            for kept in patterns(net.reach(point, eps), net.reach_slack(point, eps))
        ]
        assert_true(
            any(abs(bound - c) <= NORM_RTOL * c for c in candidates),
            what=f"L_loc = {bound!r} is ‖W2[:, A]‖‖W1[A]‖ for one of {candidates}",
            inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": point, "eps": eps},
        )
    single = impl.relu_network_local_lipschitz_bound(*net.args, x[0], eps)
    assert_close(single, bounds[0], rtol=NORM_RTOL, what="a single point against the batch")


@pytest.mark.contract
@given(seeds, st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.integers(0, 2))
def test_local_bound_drops_a_unit_whose_largest_pre_activation_is_exactly_zero(
    impl, seed, d, h, k, eps
):
    """A unit with w_iᵀx + b_i + eps‖w_i‖ = 0 exactly is off on the whole ball: not in A."""
    # Integer data, and the units put at 0 have one nonzero weight (‖w_i‖ = |w_ij|), so the
    # reaches are computed exactly and the strict inequality of A is what is tested.
    rng = np.random.default_rng(seed)
    W1 = rng.integers(-3, 4, size=(h, d)).astype(np.float64)
    x = rng.integers(-3, 4, size=d).astype(np.float64)
    b1 = rng.integers(-5, 6, size=h).astype(np.float64)
    for i in np.flatnonzero(rng.integers(0, 2, size=h)):
        j, weight = rng.integers(d), rng.choice([-2.0, -1.0, 1.0, 2.0])
        W1[i] = 0.0
        W1[i, j] = weight
        b1[i] = -(weight * x[j] + eps * abs(weight))
    net = Network(W1, b1, rng.integers(-3, 4, size=(k, h)).astype(np.float64))
    expected = net.norm_of_kept(net.reach(x, eps) > 0)
    assert_close(
        impl.relu_network_local_lipschitz_bound(*net.args, x, float(eps)),
        expected,
        rtol=NORM_RTOL,
        atol=0.0,
        what="L_loc with the units at reach 0 left out",
        inputs={"W1": W1, "b1": b1, "W2": net.W2, "x": x, "eps": eps},
    )


@pytest.mark.contract
@given(networks_and_points(1), st.lists(radii, min_size=2, max_size=5))
def test_local_bound_grows_with_the_radius(impl, net_and_x, eps_list):
    """eps <= eps' implies L_loc(x, eps) <= L_loc(x, eps'): a bigger ball keeps more units."""
    net, (x,) = net_and_x
    bounds = [impl.relu_network_local_lipschitz_bound(*net.args, x, e) for e in sorted(eps_list)]
    assert_leq(
        bounds[:-1],
        bounds[1:],
        rtol=NORM_RTOL,
        what="L_loc is non-decreasing in eps",
        inputs={"W1": net.W1, "b1": net.b1, "W2": net.W2, "x": x, "eps": sorted(eps_list)},
    )


@pytest.mark.contract
@given(networks_and_points(1), radii)
def test_local_bound_is_zero_where_every_unit_is_dead_on_the_ball(impl, net_and_x, eps):
    """If every unit is off on B(x, eps), f is constant there and L_loc(x, eps) = 0."""
    net, (x,) = net_and_x
    W1, b1, W2 = net.args
    dead = Network(W1, b1 - net.reach(x, eps) - 1.0 - net.reach_slack(x, eps), W2)
    assert_close(
        impl.relu_network_local_lipschitz_bound(*dead.args, x, eps),
        0.0,
        atol=0,
        inputs={"W1": W1, "b1": dead.b1, "W2": W2, "x": x, "eps": eps},
    )


@pytest.mark.contract
@settings(max_examples=10)
@given(networks_and_points(1))
def test_rejects_mismatched_shapes_non_finite_weights_and_negative_radius(impl, net_and_x):
    """Mismatched, empty, wrong-rank or NaN weights, scalar x, eps < 0 raise naming the argument."""
    net, (x,) = net_and_x
    W1, b1, W2 = net.args
    wide_x, long_b1, wide_W2 = np.append(x, 0.0), np.append(b1, 0.0), np.hstack([W2, W2[:, :1]])
    nan_W1 = W1.copy()
    nan_W1[0, 0] = np.nan
    for name, args, because in (
        ("x", (W1, b1, W2, wide_x), "x has d + 1 entries"),
        ("b1", (W1, long_b1, W2, x), "b1 has h + 1 entries"),
        ("W2", (W1, b1, wide_W2, x), "W2 has h + 1 columns"),
        ("W1", (nan_W1, b1, W2, x), "W1 has a NaN entry"),
    ):
        assert_rejects(impl.relu_network, *args, argument=name, because=because)
        assert_rejects(impl.relu_network_jacobian, *args, argument=name, because=because)
        assert_rejects(
            impl.relu_network_local_lipschitz_bound, *args, 0.1, argument=name, because=because
        )
    assert_rejects(
        impl.relu_network_local_lipschitz_bound,
        W1,
        b1,
        W2,
        x,
        -0.1,
        argument="eps",
        because="eps = −0.1 is negative",
    )
    assert_rejects(
        impl.relu_network_lipschitz_bound,
        W1,
        wide_W2,
        argument="W2",
        because="W2 has h + 1 columns",
    )
    bound = impl.relu_network_lipschitz_bound
    assert_rejects(bound, nan_W1, W2, argument="W1", because="W1 has a NaN entry")
    assert_rejects(bound, W1[0], W2, argument="W1", because="W1 is a vector, not a matrix")
    assert_rejects(bound, W1[:0], W2[:, :0], argument="W1", because="W1 has no rows")
    assert_rejects(bound, W1, W2[:0], argument="W2", because="W2 has no rows")
    # A 3-D W2 whose axis 1 matches the h hidden units.
    cube_W2 = np.repeat(W2[:, None, :], len(b1), axis=1)
    assert_rejects(bound, W1, cube_W2, argument="W2", because="W2 is 3-D")
    for function in (impl.relu_network, impl.relu_network_jacobian):
        assert_rejects(function, W1, b1, cube_W2, x, argument="W2", because="W2 is 3-D")
        assert_rejects(
            function, W1[:, :1], b1, W2, x[0], argument="x", because="x is a scalar, not (d,)"
        )
        assert_rejects_bad_arrays(
            function, W1, b1, W2, x, names=("W1", "b1", "W2", "x"), batched=("x",)
        )
    assert_rejects_bad_arrays(
        impl.relu_network_local_lipschitz_bound,
        W1,
        b1,
        W2,
        x,
        0.1,
        names=("W1", "b1", "W2", "x", "eps"),
        batched=("x",),
    )
