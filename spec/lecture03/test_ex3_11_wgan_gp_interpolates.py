r"""Exercise 3.11 — why WGAN-GP penalizes the critic's gradient at interpolates.

Statement
    WGAN-GP trains a critic D against a generator G with the loss
        E_z D(G(z)) − E_x D(x) + λ E_s (‖∇_s D(s)‖₂ − 1)²,
    minimized over D (and maximized over G), where x ~ p_data, y = G(z) and
    s = t x + (1 − t) y with t ~ U[0, 1].  Explain, with a derivation, why the
    gradient norm is pushed to 1 at the interpolates s rather than at the data x.

    .. math::

       \min_D \; \mathbb{E}_z D(G(z)) - \mathbb{E}_x D(x)
       + \lambda\, \mathbb{E}_{s} \bigl(\|\nabla_s D(s)\|_2 - 1\bigr)^2

       s = t x + (1 - t) G(z), \qquad t \sim U[0, 1]

Assumptions
    The critic acts row by row on a batch (no batch normalization), so the
    gradient of the summed scores holds each row's own gradient.  The 1-D
    examples use samples on the dyadic grid k/8 and interpolation weights j/16:
    every interpolate, CDF comparison and integral below is then exact in float64,
    and the only tolerances are for implementations that round differently.

Natural range
    Batches of n ≤ 5 rows in dimension d ≤ 3 with entries in [-10, 10], weights
    t ∈ [0, 1], penalty weights λ = 0 or λ ∈ [1e-3, 100]; linear critics with
    |w_i| ≤ 3; 1-D samples of at most 8 points on the grid k/8 in [-10, 10].
    The default λ = 10, scalar t, tensor data and critics whose scores are not
    computed from s at all are contract properties.

Argument
    .. math::

       f^*(x) - f^*(y) = \|x - y\| \quad \pi\text{-almost surely}

       \nabla f^*(s) = \frac{x - s}{\|x - s\|}, \quad \|\nabla f^*(s)\| = 1
       \qquad (s = t x + (1 - t) y, \ 0 \le t < 1)

    Kantorovich–Rubinstein duality: W1(P_r, P_g) = sup over 1-Lipschitz f of
    E_{P_r} f − E_{P_g} f, so the critic should be 1-Lipschitz, and a smooth f is
    1-Lipschitz iff ‖∇f‖ ≤ 1 everywhere — a constraint that cannot be imposed on
    the whole space.  Which points matter?  Take an optimal f* and an optimal
    coupling π.  For (x, y) ~ π, W1 = E_π[f*(x) − f*(y)] and f*(x) − f*(y) ≤ ‖x − y‖
    while W1 = E_π‖x − y‖, so f*(x) − f*(y) = ‖x − y‖ π-almost surely: f* rises at
    the maximal rate 1 along the whole segment from y to x.  Hence at every
    s = t x + (1 − t) y on such a segment, ∇f*(s) = (x − s)/‖x − s‖, a unit vector
    pointing at the real point (Gulrajani et al. 2017, Proposition 1).  Off the
    segments the optimal critic is not pinned: there it may be flat.

    On the line this is explicit.  Sort both samples; the quantile coupling pairs
    the i-th smallest real point with the i-th smallest fake point and is optimal.
    The potential f(z) = ∫_{−∞}^z sign(F_fake(u) − F_real(u)) du is 1-Lipschitz and
    E_real f − E_fake f = ∫ (F_fake − F_real) · sign(F_fake − F_real) = ∫ |F_fake − F_real|
    = W1 (integration by parts), so no 1-Lipschitz critic does better.  Strictly
    between a fake point g_(i) < r_(i), at least i fake points but at most i − 1 real
    points lie to the left, so F_fake > F_real and f′ = +1 (and f′ = −1 if
    r_(i) < g_(i)): |f′| = 1 at every interpolate of a coupled pair.  But where the
    two samples agree locally — say both contain the same points above every
    coupled segment — F_fake = F_real and f′ = 0 at those data points.

    Why s and not x, then: the optimal critic has unit gradient norm exactly on the
    segments between coupled real and fake points, so enforcing ‖∇D‖ = 1 there
    is consistent with optimality and is where the Lipschitz constraint binds.
    At the data x it need not hold (f′ = 0 above), and penalizing there would push
    the critic away from the optimum; the test below shows the optimal critic
    paying no penalty on its coupled segment and the full λ at such data points.
    The two-sided (‖∇‖ − 1)² rather than max(0, ‖∇‖ − 1)² is justified by the
    same fact: on the segments the optimal norm is exactly 1.

    The penalty itself is checked on critics whose gradients are known in closed
    form: a linear critic ⟨w, s⟩ has gradient w everywhere, so the penalty is
    λ(‖w‖ − 1)², zero iff ‖w‖ = 1; ½‖s‖² has gradient s, which tells whether the
    gradient is taken at the interpolates; relu(⟨e, s⟩) has gradient e or 0 row by
    row, which tells whether rows are averaged.  As a training loss, the penalty
    must back-propagate into the critic's parameters:
    ∂/∂w λ(‖w‖ − 1)² = 2λ(‖w‖ − 1) w/‖w‖.

Errata
    Not an error in the notes, but a caveat they omit: WGAN-GP draws x and y
    independently, not from the optimal coupling, so its segments only partly
    cover the ones Proposition 1 speaks of; Gulrajani et al. present the
    sampling as a tractable heuristic that works well in practice.

References
    I. Gulrajani, F. Ahmed, M. Arjovsky, V. Dumoulin and A. Courville, "Improved
    training of Wasserstein GANs", NeurIPS 2017, Proposition 1 and Algorithm 1.
    M. Arjovsky, S. Chintala and L. Bottou, "Wasserstein generative adversarial
    networks", ICML 2017 (Kantorovich–Rubinstein duality for the critic).
    C. Villani, Optimal Transport: Old and New, 2009, Chapters 5–6.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as scipy_stats

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.strategies import floats, unit_vectors

# Results of order <= 1e2 built from a few float64 operations: 1e-12 absolute and relative
# allow an implementation to round in another order (dyadic inputs make ours exact).
RTOL, ATOL = 1e-12, 1e-12


#: Points k/8 in [-10, 10]: sums, differences and midpoints stay exact in float64.
dyadic_points = st.integers(-80, 80).map(lambda k: k / 8.0)


#: Interpolation weights j/16 strictly inside (0, 1).
inner_weights = st.integers(1, 15).map(lambda j: j / 16.0)


#: Penalty weights of the natural range.
lams = st.one_of(st.just(0.0), floats(1e-3, 100.0))


def dyadic_samples(size=None):
    """1-D float64 samples of dyadic points (sizes 1..8 unless given)."""
    sizes = st.integers(1, 8) if size is None else st.just(size)
    return sizes.flatmap(lambda n: hnp.arrays(np.float64, n, elements=dyadic_points))


@st.composite
def batches(draw, d=None):
    """x, y of shape (n, d) with entries in [-10, 10] and one t in [0, 1] per row."""
    n = draw(st.integers(1, 5))
    d = draw(st.integers(1, 3)) if d is None else d
    x, y = (draw(hnp.arrays(np.float64, (n, d), elements=floats(-10.0, 10.0))) for _ in "xy")
    t = draw(hnp.arrays(np.float64, n, elements=floats(0.0, 1.0)))
    return x, y, t


@st.composite
def dyadic_batches(draw):
    """x, y of shape (n, d) on the grid k/8 and t on the grid j/16: s is exact."""
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 3))
    x, y = (draw(hnp.arrays(np.float64, (n, d), elements=dyadic_points)) for _ in "xy")
    t = draw(hnp.arrays(np.float64, n, elements=st.integers(0, 16).map(lambda j: j / 16.0)))
    return x, y, t


def _tensor(a) -> torch.Tensor:
    return torch.as_tensor(np.asarray(a, dtype=np.float64))


def _penalty(impl, critic, x, y, t, lam) -> float:
    """The penalty as a float, with the default lam when ``lam`` is None."""
    kwargs = {} if lam is None else {"lam": lam}
    return float(impl.gradient_penalty(critic, x, y, t, **kwargs).detach())


def _lam_value(lam) -> float:
    return 10.0 if lam is None else lam


def _cdf_sign(real: np.ndarray, fake: np.ndarray, u: float) -> int:
    """sign(F_fake(u) − F_real(u)), compared as exact fractions."""
    gap = Fraction(int(np.sum(fake <= u)), len(fake)) - Fraction(int(np.sum(real <= u)), len(real))
    return (gap > 0) - (gap < 0)


def _potential(real: np.ndarray, fake: np.ndarray, z: np.ndarray) -> np.ndarray:
    """∫_{-∞}^z sign(F_fake − F_real): the CDFs are constant between consecutive data points."""
    knots = np.unique(np.concatenate([real, fake]))
    value = np.zeros_like(z)
    for lo, hi in zip(knots[:-1], knots[1:], strict=True):
        value += _cdf_sign(real, fake, lo) * (np.clip(z, lo, hi) - lo)
    return value


def _slope(f, s: np.ndarray, h: float) -> np.ndarray:
    return (f(s + h) - f(s - h)) / (2.0 * h)


def _torch_piecewise_linear(knots: np.ndarray, values: np.ndarray):
    """A torch critic on (n, 1) inputs interpolating ``values`` at ``knots``, flat outside."""
    a, v = _tensor(knots), _tensor(values)
    slopes = (v[1:] - v[:-1]) / (a[1:] - a[:-1])

    def critic(s: torch.Tensor) -> torch.Tensor:
        pieces = torch.clamp(s[:, :1], a[:-1], a[1:]) - a[:-1]
        return v[0] + (pieces * slopes).sum(dim=1)

    return critic


#: Critic weights: unit vectors (zero penalty) or arbitrary ones (positive penalty).
weights3 = st.one_of(unit_vectors(3), hnp.arrays(np.float64, 3, elements=floats(-3.0, 3.0)))


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(batches())
def test_interpolates_lie_on_the_segments_from_y_at_t0_to_x_at_t1(impl, batch):
    """Row i of s is y_i + t_i (x_i − y_i): y at t = 0, x at t = 1."""
    x, y, t = batch
    s = impl.wgan_interpolates(x, y, t)
    inputs = {"x": x, "y": y, "t": t}
    # Entries are <= 10 in magnitude, so a few roundings cost <= 1e-14 each; t x + (1 − t) y
    # and y + t (x − y) differ by that much, which is why even the endpoints get ATOL.
    assert_close(
        s - y, t[:, None] * (x - y), rtol=RTOL, atol=ATOL, what="s − y = t (x − y)", inputs=inputs
    )
    assert_leq(np.minimum(x, y), s, atol=ATOL, what="s inside the segment's box", inputs=inputs)
    assert_leq(s, np.maximum(x, y), atol=ATOL, what="s inside the segment's box", inputs=inputs)
    for weight, endpoint, name in ((0.0, y, "s at t = 0"), (1.0, x, "s at t = 1")):
        assert_close(
            impl.wgan_interpolates(x, y, np.full(len(x), weight)),
            endpoint,
            rtol=RTOL,
            atol=ATOL,
            what=name,
            inputs=inputs,
        )


@pytest.mark.claim
@given(batches(d=3), weights3, lams)
@example(  # ‖w‖ < 1 is penalized too: the two-sided (‖∇D‖ − 1)², not max(0, ‖∇D‖ − 1)²
    batch=(np.ones((1, 3)), np.zeros((1, 3)), np.full(1, 0.5)), w=np.array([0.5, 0, 0]), lam=1.0
)
def test_penalty_of_a_linear_critic_is_zero_iff_its_weight_has_unit_norm(impl, batch, w, lam):
    """For D(s) = ⟨w, s⟩, ∇D = w: the penalty is λ(‖w‖ − 1)², 0 iff ‖w‖ = 1."""
    weight = _tensor(w)
    penalty = _penalty(impl, lambda s: s @ weight, *batch, lam)
    norm_gap = np.linalg.norm(w) - 1.0
    expected = lam * norm_gap**2
    inputs = {"w": w, "lam": lam, "penalty": penalty}
    # ‖w‖ (3 terms, ‖w‖ ≤ 5.2) is within a few u·‖w‖ ≈ 1e-15 of its value, so (‖w‖ − 1)² is off
    # by ≤ 2·|‖w‖ − 1|·1e-15 + 1e-30 and the penalty by λ times that: relative 1e-10 once
    # |‖w‖ − 1| ≥ 1e-5, and an absolute floor λ · 1e-20 covers unit w (penalty ≤ λ · 1e-29).
    assert_close(penalty, expected, rtol=1e-10, atol=lam * 1e-20, what="λ(‖w‖ − 1)²", inputs=inputs)
    if abs(norm_gap) > 1e-6 and lam > 0:
        assert_true(penalty > 0.0, what="penalty > 0 for ‖w‖ ≠ 1", inputs=inputs)


@pytest.mark.claim
@given(batches(), lams)
def test_penalty_is_taken_at_the_interpolates(impl, batch, lam):
    """For D(s) = ½‖s‖², ∇D(s) = s: the penalty is λ mean_i (‖t_i x_i + (1 − t_i) y_i‖ − 1)²."""
    x, y, t = batch
    s = t[:, None] * x + (1.0 - t[:, None]) * y
    expected = lam * np.mean((np.linalg.norm(s, axis=1) - 1.0) ** 2)
    penalty = _penalty(impl, lambda v: 0.5 * (v**2).sum(dim=1), x, y, t, lam)
    # Norms up to 20: a few-ulp difference in s or ‖s‖ moves (‖s‖ − 1)² by <= 2·20·1e-14, so
    # λ(...) by <= 100 · 1e-12 absolutely; 1e-10 relative and absolute cover it.
    assert_close(
        penalty,
        expected,
        rtol=1e-10,
        atol=1e-10,
        what="penalty of ½‖s‖²",
        inputs={"x": x, "y": y, "t": t, "lam": lam},
    )


@pytest.mark.claim
@given(dyadic_batches(), st.data())
def test_penalty_averages_over_the_rows(impl, batch, data):
    """For D(s) = relu(±s_j), ‖∇D‖ is 1 or 0 per row: the penalty is λ · (share of rows at 0)."""
    x, y, t = batch
    j = data.draw(st.integers(0, x.shape[1] - 1))
    sign = data.draw(st.sampled_from([-1.0, 1.0]))
    s = t[:, None] * x + (1.0 - t[:, None]) * y  # exact on the dyadic grid
    expected = 10.0 * np.mean(sign * s[:, j] <= 0.0)  # torch's relu has slope 0 at 0
    penalty = _penalty(impl, lambda v: torch.relu(sign * v[:, j]), x, y, t, None)
    assert_close(
        penalty,
        expected,
        rtol=RTOL,
        atol=ATOL,
        what="penalty of relu(±s_j)",
        inputs={"x": x, "y": y, "t": t, "j": j, "sign": sign},
    )


@pytest.mark.claim
@settings(max_examples=20)  # the same exact gradient formula on every input
@given(batches(d=3), hnp.arrays(np.float64, 3, elements=floats(-3.0, 3.0)), floats(0.0, 100.0))
def test_penalty_backpropagates_into_the_critic_parameters(impl, batch, w, lam):
    """As a loss, λ(‖w‖ − 1)² for D(s) = ⟨w, s⟩ gives ∂/∂w = 2λ(‖w‖ − 1) w/‖w‖."""
    norm = np.linalg.norm(w)
    assume(norm > 1e-3)
    weight = _tensor(w).requires_grad_(True)
    impl.gradient_penalty(lambda s: s @ weight, *batch, lam=lam).backward()
    assert_true(
        weight.grad is not None, what="the penalty reaches the critic's weight", inputs={"w": w}
    )
    assert_close(
        weight.grad.numpy(),
        2.0 * lam * (norm - 1.0) * w / norm,
        rtol=1e-10,
        atol=1e-10,
        what="∂ penalty / ∂w",
        inputs={"w": w, "lam": lam},
    )


@pytest.mark.claim
@given(dyadic_samples(), dyadic_samples(), hnp.arrays(np.float64, 6, elements=dyadic_points))
def test_optimal_critic_is_the_integral_of_the_cdf_sign(impl, real, fake, extra):
    """f(z) = ∫_{−∞}^z sign(F_fake − F_real), at data, midpoints and beyond."""
    f = impl.optimal_critic_1d(real, fake)
    z = np.concatenate([real, fake, real + 1 / 16, fake - 1 / 16, extra, [-20.0, 20.0]])
    inputs = {"real": real, "fake": fake, "z": z}
    assert_close(f(z), _potential(real, fake, z), rtol=RTOL, atol=ATOL, what="f(z)", inputs=inputs)


@pytest.mark.claim
@given(dyadic_samples(), dyadic_samples(), hnp.arrays(np.float64, 12, elements=floats(-20.0, 20.0)))
def test_optimal_critic_is_1_lipschitz(impl, real, fake, z):
    """|f(a) − f(b)| ≤ |a − b| for all pairs of points."""
    values = impl.optimal_critic_1d(real, fake)(z)
    assert_leq(
        np.abs(values[:, None] - values[None, :]),
        np.abs(z[:, None] - z[None, :]),
        atol=ATOL,
        what="|f(a) − f(b)| <= |a − b|",
        inputs={"real": real, "fake": fake, "z": z},
    )


@pytest.mark.claim
@given(dyadic_samples(), dyadic_samples())
def test_optimal_critic_attains_w1(impl, real, fake):
    """Kantorovich–Rubinstein: E_real f − E_fake f = W1(real, fake)."""
    f = impl.optimal_critic_1d(real, fake)
    assert_close(
        np.mean(f(real)) - np.mean(f(fake)),
        scipy_stats.wasserstein_distance(real, fake),
        rtol=RTOL,
        atol=ATOL,
        what="E_real f − E_fake f against W1",
        inputs={"real": real, "fake": fake},
    )


@pytest.mark.claim
@given(
    dyadic_samples(),
    dyadic_samples(),
    st.integers(1, 5).flatmap(
        lambda k: st.tuples(
            hnp.arrays(np.float64, k, elements=floats(-12.0, 12.0), unique=True),
            hnp.arrays(np.float64, k + 1, elements=floats(-1.0, 1.0)),
        )
    ),
)
def test_no_1_lipschitz_critic_beats_the_optimal_one(impl, real, fake, critic_shape):
    """A random piecewise-linear critic with slopes in [−1, 1] never exceeds E_real f − E_fake f."""
    interior, slopes = critic_shape
    knots = np.concatenate([[-12.0], np.sort(interior), [12.0]])  # covers the data in [-10, 10]
    knots = np.unique(knots)
    values = np.concatenate([[0.0], np.cumsum(slopes[: len(knots) - 1] * np.diff(knots))])

    def contender(z):
        return np.interp(z, knots, values)

    f = impl.optimal_critic_1d(real, fake)
    best = np.mean(f(real)) - np.mean(f(fake))
    assert_leq(
        np.mean(contender(real)) - np.mean(contender(fake)),
        best,
        atol=1e-10,
        what="contender's E_real − E_fake <= optimal critic's",
        inputs={"real": real, "fake": fake, "knots": knots, "values": values},
    )


@pytest.mark.claim
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            dyadic_samples(n), dyadic_samples(n), hnp.arrays(np.float64, n, elements=inner_weights)
        )
    )
)
def test_optimal_critic_has_unit_slope_toward_the_real_point_between_coupled_pairs(impl, sample):
    """At s = t r_(i) + (1 − t) g_(i), sorted pairs, f′(s) = sign(r_(i) − g_(i)): |f′| = 1."""
    real, fake, t = sample
    r, g = np.sort(real), np.sort(fake)
    s = impl.wgan_interpolates(r[:, None], g[:, None], t)[:, 0]
    data = np.concatenate([real, fake])
    # s lies on the grid 1/128 and the data on 1/8: an s that is not a data point is at
    # least 1/128 from every kink of f, so a central difference with h = 1/512 is exact.
    inside = (r != g) & ~np.isin(s, data)
    slope = _slope(impl.optimal_critic_1d(real, fake), s[inside], 1 / 512)
    assert_close(
        slope,
        np.sign(r - g)[inside],
        rtol=0.0,
        atol=1e-9,
        what="f′ at coupled interpolates",
        inputs={"real": real, "fake": fake, "t": t},
    )


@pytest.mark.claim
@given(
    dyadic_points,
    dyadic_points,
    st.lists(st.integers(1, 40), min_size=1, max_size=5),
    inner_weights,
    lams,
)
def test_optimal_critic_pays_no_penalty_on_its_segment_but_lam_at_data_off_it(
    impl, r, g, steps, t, lam
):
    """Real = {r} ∪ C, fake = {g} ∪ C with C above r and g: f′ = ±1 on [g, r] but f′ = 0 on C."""
    assume(r != g)
    shared = max(r, g) + np.cumsum(steps) / 8.0  # C: strictly above both, on the grid 1/8
    real, fake = np.append(shared, r), np.append(shared, g)
    f = impl.optimal_critic_1d(real, fake)
    inputs = {"r": r, "g": g, "C": shared, "t": t}
    assert_close(
        _slope(f, shared, 1 / 16),
        np.zeros_like(shared),
        rtol=0.0,
        atol=1e-9,
        what="f′ on C",
        inputs=inputs,
    )
    knots = np.unique(np.concatenate([real, fake]))
    critic = _torch_piecewise_linear(knots, f(knots))  # f is linear between data points
    weight = lam
    on_segment = _penalty(impl, critic, [[r]], [[g]], t, lam)
    at_data = _penalty(impl, critic, shared[:, None], shared[:, None], t, lam)
    assert_close(on_segment, 0.0, rtol=0.0, atol=1e-12, what="penalty on [g, r]", inputs=inputs)
    assert_close(
        at_data, weight, rtol=RTOL, atol=ATOL, what="penalty at real data in C", inputs=inputs
    )


@pytest.mark.claim
@settings(max_examples=10)  # one exact value on every batch
@given(batches(), lams)
def test_penalty_of_a_critic_with_zero_gradient_is_lam(impl, batch, lam):
    """A critic whose gradient in s vanishes (here c + 0·Σ s_j) pays λ (0 − 1)² = λ."""
    x, y, t = batch
    weight = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    assert_close(
        _penalty(impl, lambda s: weight + 0.0 * s.sum(dim=1), x, y, t, lam),
        lam,
        rtol=RTOL,
        atol=ATOL,
        what="penalty of a critic with zero gradient",
        inputs={"x": x, "y": y, "t": t, "lam": lam},
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@settings(max_examples=10)  # a calling convention: a few batches show it
@given(batches(), floats(0.0, 1.0))
def test_interpolates_accept_one_scalar_t_for_every_row(impl, batch, scalar_t):
    """A scalar t serves every row: it gives the interpolates of the same t repeated."""
    x, y, _ = batch
    inputs = {"x": x, "y": y}
    assert_close(
        impl.wgan_interpolates(x, y, scalar_t),
        impl.wgan_interpolates(x, y, np.full(len(x), scalar_t)),
        rtol=RTOL,
        atol=ATOL,
        what="a scalar t against the same t on every row",
        inputs={**inputs, "scalar t": scalar_t},
    )


@pytest.mark.contract
@settings(max_examples=10)  # a calling convention: a few samples show it
@given(dyadic_samples(), dyadic_samples(), hnp.arrays(np.float64, 6, elements=dyadic_points))
def test_optimal_critic_keeps_the_shape_of_z(impl, real, fake, extra):
    """The returned f is vectorized: f(z) has z's shape, and a scalar z gives a float."""
    f = impl.optimal_critic_1d(real, fake)
    z = extra.reshape(2, 3)
    inputs = {"real": real, "fake": fake, "z": z}
    assert_close(f(z), _potential(real, fake, z), rtol=RTOL, atol=ATOL, what="f(z)", inputs=inputs)
    assert_close(
        f(float(z[0, 0])),
        _potential(real, fake, z[0, 0]),
        rtol=RTOL,
        atol=ATOL,
        what="f at a scalar z",
        inputs=inputs,
    )


@pytest.mark.contract
@settings(max_examples=10)  # a calling convention: a few batches show it
@given(batches(), st.one_of(st.none(), lams))
def test_penalty_of_a_critic_not_computed_from_s_is_lam(impl, batch, lam):
    """A critic whose scores are not computed from s at all (autograd sees no path) pays λ."""
    x, y, t = batch
    n = x.shape[0]
    weight = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    for critic in (lambda s: torch.zeros(n, dtype=torch.float64), lambda s: weight * torch.ones(n)):
        assert_close(
            _penalty(impl, critic, x, y, t, lam),
            _lam_value(lam),
            rtol=RTOL,
            atol=ATOL,
            what="penalty of a critic not computed from s",
            inputs={"x": x, "y": y, "t": t, "lam": lam},
        )


@pytest.mark.contract
@settings(max_examples=10)  # a calling convention: a few batches show it
@given(batches(d=3), weights3)
def test_penalty_defaults_to_lam_10_and_returns_a_tensor(impl, batch, w):
    """Without lam the penalty is 10 (‖w‖ − 1)² for D(s) = ⟨w, s⟩, returned as a 0-d tensor."""
    weight = _tensor(w)
    x, y, t = batch
    penalty = impl.gradient_penalty(lambda s: s @ weight, x, y, t)
    inputs = {"w": w, "x": x, "y": y, "t": t}
    assert_true(
        isinstance(penalty, torch.Tensor) and penalty.dim() == 0,
        what="the penalty is a 0-d torch tensor",
        inputs=inputs,
    )
    expected = 10.0 * (np.linalg.norm(w) - 1.0) ** 2
    assert_close(
        float(penalty.detach()),
        expected,
        rtol=1e-10,
        atol=1e-19,
        what="default λ = 10",
        inputs=inputs,
    )


@pytest.mark.contract
@settings(max_examples=10)  # a structural property: a few batches show it
@given(batches(d=3), weights3)
def test_penalty_treats_tensor_data_as_constants(impl, batch, w):
    """x, y and t given as tensors (even requiring grad) give the penalty of their values."""
    x, y, t = batch
    weight = _tensor(w)

    def critic(s):
        return s @ weight

    tensors = [_tensor(a).requires_grad_() for a in batch]
    assert_close(
        _penalty(impl, critic, *tensors, None),
        _penalty(impl, critic, x, y, t, None),
        rtol=RTOL,
        atol=ATOL,
        what="penalty with tensor data",
        inputs={"x": x, "y": y, "t": t},
    )


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few inputs show it
@given(batches())
def test_interpolates_reject_invalid_input(impl, batch):
    """t outside [0, 1] or of the wrong length, mismatched y, or NaN in x raise ValueError."""
    x, y, t = batch
    with_nan = x.copy()
    with_nan[0, 0] = np.nan
    assert_rejects(impl.wgan_interpolates, x, y, 1.5, argument="t", because="t = 1.5 > 1")
    assert_rejects(impl.wgan_interpolates, x, y, t - 2.0, argument="t", because="t < 0")
    assert_rejects(
        impl.wgan_interpolates, x, y, np.append(t, 0.5), argument="t", because="t has n + 1 values"
    )
    assert_rejects(
        impl.wgan_interpolates, x, np.hstack([y, y]), t, argument="y", because="y is (n, 2d)"
    )
    assert_rejects(impl.wgan_interpolates, with_nan, y, t, argument="x", because="x has a NaN")
    assert_rejects_bad_arrays(impl.wgan_interpolates, x, y, t, names=("x", "y", "t"))
    assert_rejects(
        impl.wgan_interpolates, x, y, t[:, None], argument="t", because="t is (n, 1), not (n,)"
    )
    assert_rejects(
        impl.wgan_interpolates, x[None], y[None], 0.5, argument="x", because="x and y are 3-D"
    )
    empty = np.zeros((0, x.shape[1]))
    assert_rejects(
        impl.wgan_interpolates, empty, empty, 0.5, argument="x", because="x has no rows (n = 0)"
    )


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few inputs show it
@given(batches(d=2))
def test_penalty_rejects_invalid_input(impl, batch):
    """A negative λ, t outside [0, 1], a non-callable critic or a wrong score count raise."""
    x, y, t = batch

    def critic(s):
        return s.sum(dim=1)

    assert_rejects(
        impl.gradient_penalty, critic, x, y, t, lam=-1.0, argument="lam", because="lam = -1 < 0"
    )
    assert_rejects(impl.gradient_penalty, critic, x, y, t + 1.5, argument="t", because="t > 1")
    assert_rejects(
        impl.gradient_penalty,
        "not a critic",
        x,
        y,
        t,
        argument="critic",
        because="critic is a string",
    )
    assert_rejects_bad_arrays(impl.gradient_penalty, critic, x, y, t, names=(None, "x", "y", "t"))
    assert_rejects(
        impl.gradient_penalty,
        lambda s: torch.cat([critic(s), critic(s)]),
        x,
        y,
        t,
        argument="critic",
        because="critic returns 2n scores for n rows",
    )


@pytest.mark.contract
@settings(max_examples=10)  # validation at the boundary: a few inputs show it
@given(dyadic_samples(), dyadic_samples())
def test_optimal_critic_rejects_invalid_samples(impl, real, fake):
    """Empty, NaN or 2-D samples, and a NaN point z of the critic, raise ValueError by name."""
    assert_rejects(impl.optimal_critic_1d, [], fake, argument="real", because="real is empty")
    assert_rejects(impl.optimal_critic_1d, real, [], argument="fake", because="fake is empty")
    assert_rejects_bad_arrays(impl.optimal_critic_1d, real, fake, names=("real", "fake"))
    critic = impl.optimal_critic_1d(real, fake)
    assert_rejects(critic, np.nan, argument="z", because="z is NaN")
    assert_rejects(critic, np.append(real, np.nan), argument="z", because="z has a NaN")
