r"""Exercise 2.8 — A-Softmax separates many classes only for margins m >= 3.

Statement
    A-Softmax (SphereFace) normalizes the class weights W_j (zero biases; see Errata
    for the feature x) and replaces the target logit cos(theta_y) by psi(theta_y), a
    monotone version of cos(m theta_y) with an integer angular margin m.  Show that,
    for many classes whose weights are evenly spread, the largest angle between two
    features of one class stays below the smallest angle between features of two
    classes exactly when m >= 3.

    .. math::

       \underbrace{\frac{4\pi}{K (m + 1)}}_{\text{largest intra-class angle}}
       \le \underbrace{\frac{2\pi (m - 1)}{K (m + 1)}}_{\text{smallest inter-class angle}}
       \iff m \ge 3

Assumptions
    psi(theta) = (-1)^k cos(m theta) - 2k on [k pi/m, (k+1) pi/m], k = 0, ..., m-1,
    for theta in [0, pi] and an integer m >= 1 (``asoftmax_psi``).
    As in SphereFace's analysis, the geometry is planar: K >= 3 unit weights evenly
    spaced on a circle, alpha = 2 pi/K apart, unit features x on the same circle,
    theta_j the angle between x and W_j.  Class i claims x when its margin logit beats
    every other logit, psi(theta_i) >= cos(theta_j) for all j != i; features claimed by
    no class fall in a margin gap.  ``asoftmax_angles(K, m)`` returns
    (largest intra-class angle, smallest inter-class angle) for that partition, and
    accepts any real m >= 1 since the rule below makes sense for real margins.

Natural range
    Integer margins 1 ≤ m ≤ 12 for psi, angles in [0, pi]; real margins in [1, 50] and
    3 ≤ K ≤ 10^6 for the angles.  Everything here is well conditioned: there are no
    numerics properties.

Argument
    psi.  On each piece psi is ±cos(m theta) shifted by -2k; at theta = k pi/m both
    neighbouring pieces equal 1 - 2k, so psi is continuous, and on each piece its slope
    is -m |sin(m theta)| <= 0, vanishing only at the breakpoints, so psi is strictly
    decreasing from psi(0) = 1 to psi(pi) = 1 - 2m, and m-Lipschitz.  On [0, pi/m],
    psi = cos(m theta) <= cos(theta) because theta <= m theta <= pi; beyond pi/m,
    psi < -1 <= cos(theta).  So psi(theta) <= cos(theta): the margin only ever makes
    the target logit harder to win with.

    The decision rule in angles.  If m theta_i <= pi, psi(theta_i) = cos(m theta_i) and,
    cos being decreasing on [0, pi], psi(theta_i) >= cos(theta_j) iff m theta_i <= theta_j.
    If m theta_i > pi, psi(theta_i) < -1 <= cos(theta_j) and m theta_i > pi >= theta_j:
    both sides are false.  Hence class i claims x iff m theta_i <= theta_j for all j != i.

    The angles.  Put x at angle phi in [0, alpha/2] from W_i (the other side is the
    mirror image).  The weight closest to x after W_i is a neighbour at angle
    alpha - phi, so class i claims x iff m phi <= alpha - phi, i.e. phi <= alpha/(m+1).
    Each class owns the arc of half-width alpha/(m+1) around its weight, so

        largest intra-class angle  = 2 alpha/(m+1)      = 4 pi / (K (m+1)),
        smallest inter-class angle = alpha - 2 alpha/(m+1) = 2 pi (m-1) / (K (m+1)),

    the gap between two neighbouring arcs; the two add up to alpha.  The first is at
    most the second iff 2 <= m - 1, i.e. m >= 3, whatever K >= 3: the K's cancel.
    The spec checks the closed form against a simulation (features on a fine grid of
    the circle, classified by the rule, angles measured pairwise).

Remark: two classes
    With K = 2 SphereFace does not assume the weights are opposite; with an angle
    theta_12 <= pi between them, class 1 also extends away from W_2, up to
    min(theta_12/(m-1), (2 pi - theta_12)/(m+1)), while the gap between the classes is
    still theta_12 (m-1)/(m+1).  For small theta_12 the condition becomes
    1/(m-1) <= (m-2)/(m+1), i.e. m^2 - 4m + 1 >= 0, i.e. m >= 2 + sqrt(3) ≈ 3.73: the
    binary case needs a larger margin than the evenly spaced multi-class case.

Errata
    The sheet says A-Softmax normalizes both the class weights W_j and the feature x.
    SphereFace normalizes the weights only and sets the biases to zero (‖W_j‖ = 1,
    b_j = 0, its "modified softmax loss"); the feature keeps its norm, and the logits
    are ‖x‖ psi(theta_y) and ‖x‖ cos(theta_j).  The decision rule and the angles below
    depend on the angles theta_j only, so they are the same either way.  (Normalizing x
    as well, with a fixed scale, is the later NormFace/CosFace practice.)
    The notes ask to use "the assumption of W_i uniform distribution": the weights are
    evenly spaced (a deterministic configuration), not drawn at random.  The bound is
    for integer m (cos(m theta) needs it); as a real threshold it is exactly m >= 3.

References
    W. Liu, Y. Wen, Z. Yu, M. Li, B. Raj and L. Song, "SphereFace: Deep hypersphere
    embedding for face recognition", CVPR 2017 (Properties 2 and 3 and their proofs).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from spec.assertions import assert_close, assert_leq, assert_rejects, assert_true

#: Integer angular margins for psi (SphereFace uses m = 4; m = 1 is the plain cosine).
margins = st.integers(1, 12)


#: Real margins for the angle rule; a few sit next to the threshold m = 3.
real_margins = st.one_of(
    st.integers(1, 8).map(float), st.floats(1.0, 50.0), st.sampled_from([3.0 - 1e-6, 3.0 + 1e-6])
)


#: Angles in [0, pi]; psi evaluates arrays of them in one call.
angle_arrays = st.lists(st.floats(0.0, np.pi), min_size=1, max_size=16).map(np.array)


#: psi is evaluated to a few ulp of its magnitude 2m - 1 <= 23 (and of m theta <= 12 pi).
PSI_ATOL = 1e-12


@st.composite
def angle_pairs(draw, m):
    """Two arrays of 8 angles, either anywhere in [0, pi] or within 1e-3 of one breakpoint."""
    if draw(st.booleans()):
        centre, width = draw(st.integers(0, m)) * np.pi / m, 1e-3
    else:
        centre, width = np.pi / 2, np.pi / 2
    offsets = st.lists(st.floats(-width, width), min_size=8, max_size=8).map(np.array)
    return tuple(np.clip(centre + draw(offsets), 0.0, np.pi) for _ in range(2))


# Over an interval of length D <= pi/m psi falls by at least 2 (1 - cos(m D/2)) (worst
# case: the interval is centred on a breakpoint, where the slope m |sin(m theta)| is 0),
# which for D >= MIN_SPACING is >= 0.99 (m D/2)^2 >= 2.4e-11, far above psi's rounding.
MIN_SPACING = 1e-5


#: Features simulated on the circle; measured angles are off by at most 2 grid steps.
GRID = 3600


GRID_STEP = 2 * np.pi / GRID


def _circular_distance(u, v):
    """The angle between the unit vectors at polar angles u and v (broadcasting)."""
    d = np.abs(u - v) % (2 * np.pi)
    return np.minimum(d, 2 * np.pi - d)


def _diameter(u):
    """The largest angle between two of the sorted polar angles u in [0, 2 pi)."""
    # d(x, y) = pi - d(x + pi, y): the point farthest from x is the one nearest x's
    # antipode, i.e. one of the antipode's two neighbours in circular order.
    after = np.searchsorted(u, (u + np.pi) % (2 * np.pi)) % len(u)
    return max(_circular_distance(u, u[after]).max(), _circular_distance(u, u[after - 1]).max())


def _simulated_angles(K, m, phase):
    """(largest intra-class, smallest inter-class) angle among GRID features on the circle."""
    phi = 2 * np.pi * (np.arange(GRID) + phase) / GRID
    beta = 2 * np.pi * np.arange(K) / K
    features = np.stack([np.cos(phi), np.sin(phi)], axis=1)
    weights = np.stack([np.cos(beta), np.sin(beta)], axis=1)
    theta = np.arccos(np.clip(features @ weights.T, -1.0, 1.0))
    claims = np.stack(
        [np.all(m * theta[:, [i]] <= np.delete(theta, i, axis=1), axis=1) for i in range(K)],
        axis=1,
    )
    intra = max(_diameter(phi[c]) for c in claims.T)
    if np.any(claims.sum(axis=1) > 1):  # a feature in two classes (a tie, possible at m = 1)
        return intra, 0.0
    # The closest features of two different classes are neighbours among the claimed
    # features (in angular order): a claimed feature between them would belong to a class
    # other than one of theirs and be closer to that one.
    claimed = np.flatnonzero(claims.any(axis=1))
    following = np.roll(claimed, -1)
    labels, next_labels = claims[claimed].argmax(axis=1), claims[following].argmax(axis=1)
    inter = _circular_distance(phi[claimed], phi[following])[labels != next_labels].min()
    return intra, inter


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@given(margins)
def test_psi_is_1_at_0_and_1_minus_2m_at_pi(impl, m):
    """psi(0) = 1 and psi(pi) = 1 - 2m, the range of the monotone extension."""
    assert_close(impl.asoftmax_psi(0.0, m), 1.0, atol=PSI_ATOL, what="psi(0)", inputs={"m": m})
    assert_close(
        impl.asoftmax_psi(np.pi, m), 1.0 - 2.0 * m, atol=PSI_ATOL, what="psi(pi)", inputs={"m": m}
    )


@pytest.mark.claim
@given(margins, angle_arrays)
def test_psi_is_cos_m_theta_on_the_first_piece(impl, m, angles):
    """psi(theta) = cos(m theta) for theta in [0, pi/m]."""
    theta = angles / m
    assert_close(
        impl.asoftmax_psi(theta, m),
        np.cos(m * theta),
        atol=PSI_ATOL,
        what="psi on [0, pi/m] against cos(m theta)",
        inputs={"theta": theta, "m": m},
    )


@pytest.mark.claim
@given(margins)
def test_psi_is_1_minus_2k_at_breakpoints_and_minus_2k_at_midpoints(impl, m):
    """psi(k pi/m) = 1 - 2k and psi((k + 1/2) pi/m) = -2k: the pieces are shifted by -2k."""
    k = np.arange(m + 1)
    breakpoints = np.minimum(k * np.pi / m, np.pi)  # m pi / m may round above pi
    assert_close(
        impl.asoftmax_psi(breakpoints, m),
        1.0 - 2.0 * k,
        atol=PSI_ATOL,
        what="psi at the breakpoints k pi/m",
        inputs={"m": m},
    )
    assert_close(
        impl.asoftmax_psi((k[:-1] + 0.5) * np.pi / m, m),
        -2.0 * k[:-1],
        atol=PSI_ATOL,
        what="psi at the midpoints (k + 1/2) pi/m",
        inputs={"m": m},
    )


@pytest.mark.claim
@given(margins, st.data())
def test_psi_is_m_lipschitz_so_continuous_across_breakpoints(impl, m, data):
    """|psi(x) - psi(y)| <= m |x - y|: no jump at any breakpoint k pi/m."""
    x, y = data.draw(angle_pairs(m))
    assert_leq(
        np.abs(impl.asoftmax_psi(x, m) - impl.asoftmax_psi(y, m)),
        m * np.abs(x - y),
        atol=2 * PSI_ATOL,
        what="|psi(x) - psi(y)| <= m |x - y|",
        inputs={"x": x, "y": y, "m": m},
    )


@pytest.mark.claim
@given(margins, angle_arrays)
def test_psi_is_strictly_decreasing_on_0_pi(impl, m, drawn):
    """psi(theta_1) > psi(theta_2) whenever 0 <= theta_1 < theta_2 <= pi."""
    theta = np.unique(np.concatenate([drawn, np.linspace(0.0, np.pi, 32 * m + 1)]))
    theta = theta[np.concatenate([[True], np.diff(theta) >= MIN_SPACING])]
    assert_true(
        np.diff(impl.asoftmax_psi(theta, m)) < 0,
        what="psi decreasing on sorted angles",
        inputs={"theta": theta, "m": m},
    )


@pytest.mark.claim
@given(margins, angle_arrays)
def test_psi_never_exceeds_cos(impl, m, theta):
    """psi(theta) <= cos(theta) on [0, pi]: the margin makes the target logit harder to win."""
    assert_leq(
        impl.asoftmax_psi(theta, m),
        np.cos(theta),
        atol=PSI_ATOL,
        what="psi <= cos",
        inputs={"theta": theta, "m": m},
    )


@pytest.mark.claim
@given(margins, angle_arrays, st.lists(st.floats(0.0, 2.0), min_size=16, max_size=16))
def test_psi_decision_is_the_angle_rule(impl, m, theta_j, ratios):
    """psi(theta_i) >= cos(theta_j) exactly when m theta_i <= theta_j."""
    theta_i = np.minimum(theta_j * np.array(ratios[: len(theta_j)]) / m, np.pi)
    # Compare only where the decision is not a rounding tie: there the logits differ by
    # more than 1e-9 (psi(theta_i) is cos(m theta_i) up to m theta_i = pi, below -1 after).
    clear = np.abs(np.cos(np.minimum(m * theta_i, np.pi)) - np.cos(theta_j)) > 1e-9
    decision = impl.asoftmax_psi(theta_i, m) >= np.cos(theta_j)
    assert_true(
        (decision == (m * theta_i <= theta_j))[clear],
        what="psi decision = angle rule",
        inputs={"theta_i": theta_i, "theta_j": theta_j, "m": m},
    )


@pytest.mark.claim
@given(
    st.integers(3, 12),
    st.one_of(st.integers(1, 6).map(float), st.floats(1.0, 6.0)),
    st.floats(0.0, 1.0),
)
def test_angles_agree_with_a_simulation_on_the_circle(impl, K, m, phase):
    """The closed-form angles match features on a fine grid classified by m theta_i <= theta_j."""
    # A grid feature lies within one step of each end of every arc, so both measured
    # angles are within two steps of the truth; arccos errors (~1e-8) are far smaller.
    simulated = _simulated_angles(K, m, phase)
    assert_close(
        impl.asoftmax_angles(K, m),
        simulated,
        rtol=0.0,
        atol=2 * GRID_STEP + 1e-6,
        what="(intra, inter) against the simulation",
        inputs={"K": K, "m": m},
    )


@pytest.mark.claim
@given(st.integers(3, 10**6), real_margins.filter(lambda m: not 3.0 - 1e-9 < m < 3.0))
def test_intra_class_angle_is_at_most_inter_class_angle_exactly_when_m_at_least_3(impl, K, m):
    """For every K >= 3, largest intra-class angle <= smallest inter-class angle iff m >= 3."""
    intra, inter = impl.asoftmax_angles(K, m)
    inputs = {"K": K, "m": m}
    if m >= 3:
        # equality at m = 3; two roundings may leave intra one ulp above inter
        assert_leq(intra, inter, rtol=1e-12, what="intra <= inter for m >= 3", inputs=inputs)
    else:
        # intra - inter = 2 pi (3 - m) / (K (m + 1)) >= 2.5e-10 * intra: well resolved
        assert_true(intra > inter, what="intra > inter for m < 3", inputs=inputs)


@pytest.mark.claim
@given(st.integers(3, 10**6), real_margins)
def test_class_arc_and_margin_gap_add_up_to_the_weight_spacing(impl, K, m):
    """intra + inter = 2 pi/K: one class's arc plus one margin gap span two neighbouring weights."""
    intra, inter = impl.asoftmax_angles(K, m)
    assert_close(
        intra + inter, 2 * np.pi / K, what="intra + inter against 2 pi/K", inputs={"K": K, "m": m}
    )


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(margins, angle_arrays, st.integers(3, 12), real_margins)
def test_psi_and_angles_return_the_documented_types(impl, m, theta, K, real_m):
    """psi of a scalar angle is a float, of an array an array of its shape; the angles a pair."""
    assert_true(
        isinstance(impl.asoftmax_psi(float(theta[0]), m), float), what="psi(scalar) is a float"
    )
    assert_true(
        np.shape(impl.asoftmax_psi(theta, m)) == theta.shape, what="psi(array) keeps its shape"
    )
    angles = impl.asoftmax_angles(K, real_m)
    assert_true(
        isinstance(angles, tuple) and len(angles) == 2, what=f"a pair of angles, got {angles!r}"
    )


@pytest.mark.contract
@given(margins, st.sampled_from([-1e-3, -1e-300, np.pi + 1e-6, 4.0, np.nan, np.inf]))
def test_psi_rejects_angles_outside_0_pi_and_non_integer_margins(impl, m, bad_angle):
    """An angle outside [0, pi] or NaN names theta; a margin not an integer >= 1 names m."""
    assert_rejects(
        impl.asoftmax_psi, bad_angle, m, argument="theta", because="theta is outside [0, pi] or NaN"
    )
    assert_rejects(
        impl.asoftmax_psi,
        np.array([0.5, bad_angle]),
        m,
        argument="theta",
        because="one angle is outside [0, pi] or NaN",
    )
    for bad_margin in (0, -m, m + 0.5, np.nan):
        assert_rejects(
            impl.asoftmax_psi, 0.5, bad_margin, argument="m", because="m is not an integer >= 1"
        )


@pytest.mark.contract
@given(st.integers(3, 100), real_margins)
def test_angles_reject_fewer_than_3_classes_and_margins_below_1(impl, K, m):
    """K not an integer >= 3 names K; m below 1, NaN or infinite names m."""
    for bad_K in (2, 0, -K, K + 0.5):
        assert_rejects(
            impl.asoftmax_angles, bad_K, m, argument="K", because="K is not an integer >= 3"
        )
    for bad_m in (0.5, 1.0 - 1e-9, -m, np.nan, np.inf):
        assert_rejects(
            impl.asoftmax_angles, K, bad_m, argument="m", because="m is below 1, NaN or infinite"
        )
