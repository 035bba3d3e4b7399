"""Contract entries of 9.27 and Lecture 10 (10.29, 10.30): Lipschitz bounds of ReLU networks and of
smoothed functions (``impl/lipschitz.py``).

Conventions:

* the network is f(x) = W2·ReLU(W1 x + b1) with W1 (h, d), b1 (h,), W2 (k, h);
  x is one point (d,) or a batch (..., d); norms are ℓ2 on vectors and spectral
  (largest singular value) on matrices;
* the smoothing of f with values in [l, u] is g(x) = E f(x + ε), ε ~ N(0, σ²I);
  ``g_x`` is its value at one point (or an array of values), lower = l < upper = u
  and sigma > 0 are scalars; Φ is the standard normal CDF.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "relu_network",
        "relu_network(W1, b1, W2, x) -> ndarray",
        "W2·ReLU(W1 x + b1), shape (..., k) for x of shape (..., d)",
        "array",
        ("9.27",),
        conventions=(
            "W1 is (h, d), b1 is (h,), W2 is (k, h); x is one point (d,), giving (k,), or a batch "
            "(..., d), giving (..., k).",
            "Mismatched shapes, empty or non-2-D weights, NaN entries, or a scalar x raise "
            "ValueError naming the argument.",
        ),
    ),
    Entry(
        "relu_network_jacobian",
        "relu_network_jacobian(W1, b1, W2, x) -> ndarray",
        "W2·diag(1[W1 x + b1 > 0])·W1, shape (..., k, d); at a kink (a pre-activation "
        "exactly 0) either one-sided derivative is accepted",
        "array",
        ("9.27",),
        conventions=(
            "Shape (k, d) for one point (d,) and (..., k, d) for a batch (..., d).",
            "At a kink (a pre-activation that is 0 up to rounding) either one-sided slope is "
            "accepted, and a single call may choose differently from the batch call.",
            "Mismatched shapes, empty or non-2-D weights, NaN entries, or a scalar x raise "
            "ValueError naming the argument.",
        ),
    ),
    Entry(
        "relu_network_lipschitz_bound",
        "relu_network_lipschitz_bound(W1, W2) -> float",
        "a Lipschitz constant of W2·ReLU(W1 x + b1) for every b1; the reference's is ‖W2‖₂·‖W1‖₂",
        "scalar",
        ("9.27",),
        conventions=(
            "The reference returns the spectral product ‖W2‖₂‖W1‖₂, attained by a single active "
            "unit; the claims accept any valid constant (the Frobenius product too).",
            "A float; mismatched, empty, non-2-D or NaN weights raise ValueError naming W1 or W2.",
        ),
    ),
    Entry(
        "relu_network_local_lipschitz_bound",
        "relu_network_local_lipschitz_bound(W1, b1, W2, x, eps) -> float | ndarray",
        "‖W2[:, A]‖₂·‖W1[A]‖₂ (0 if A is empty), A the units with w_iᵀx + b_i + eps‖w_i‖ > 0, "
        "i.e. not inactive on the whole closed ball B(x, eps) (Huang et al. 2021); eps >= 0; "
        "one bound per point of a batch",
        "real",
        ("9.27",),
        conventions=(
            "A float for one point (d,), one bound per point for a batch (..., d).",
            "A unit with w_iᵀx + b_i + eps‖w_i‖ = 0 exactly is left out (it is off on the closed "
            "ball); the bound is 0 when every unit is left out and does not decrease as eps grows.",
            "eps < 0 raises ValueError naming eps; W1, b1, W2 or x that are NaN, empty or of "
            "mismatched shapes raise ValueError naming W1, b1, W2 or x.",
        ),
    ),
    Entry(
        "smoothing_eta",
        "smoothing_eta(g_x, lower, upper, sigma) -> float | ndarray",
        "σΦ⁻¹((g_x − l)/(u − l)) for g_x in [l, u]: −inf at l, +inf at u, accurate in both "
        "tails (g_x near l and near u)",
        "real",
        ("10.29",),
        conventions=(
            "g_x is a float or an array (elementwise, a float for a float); lower, upper and sigma"
            " are scalars.",
            "η = −inf at g_x = lower and +inf at g_x = upper.",
            "g_x outside [lower, upper] or NaN raises ValueError naming g_x; upper <= lower or NaN"
            " bounds raise ValueError naming upper (or lower); upper − lower = inf raises "
            "ValueError naming upper; sigma <= 0 raises ValueError naming sigma.",
        ),
    ),
    Entry(
        "smoothed_value_bounds",
        "smoothed_value_bounds(g_x, delta_norm, lower, upper, sigma) -> (lo, hi)",
        "lo, hi = l + (u − l)Φ((η ∓ ‖δ‖)/σ), η = smoothing_eta(g_x, l, u, σ): bounds on "
        "g(x + δ) for ‖δ‖₂ <= delta_norm (>= 0); (l, l) at g_x = l and (u, u) at g_x = u",
        "tuple",
        ("10.29", "10.30"),
        conventions=(
            "g_x and delta_norm broadcast against each other; the result is a tuple (lo, hi) of "
            "that shape.",
            "(lo, hi) = (l, l) at g_x = l and (u, u) at g_x = u for every radius, even when "
            "delta_norm/σ overflows to inf.",
            "delta_norm < 0 or NaN raises ValueError naming delta_norm; the other arguments are "
            "checked as in smoothing_eta.",
        ),
    ),
    Entry(
        "smoothed_lipschitz_constant",
        "smoothed_lipschitz_constant(sigma) -> float",
        "a Lipschitz constant of the smoothing of any f with values in [0, 1]; the reference's is "
        "the best one, 1/(σ√(2π)) (Salman et al.'s √(2/π)/σ is valid, twice as large)",
        "scalar",
        ("10.30",),
        conventions=(
            "The reference returns the best constant 1/(σ√(2π)); the claims accept any valid "
            "constant, e.g. Salman et al.'s √(2/π)/σ.",
            "A float; sigma <= 0, NaN, ±inf or an array raises ValueError naming sigma.",
        ),
    ),
]
