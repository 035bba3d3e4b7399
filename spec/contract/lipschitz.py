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
    ),
    Entry(
        "relu_network_jacobian",
        "relu_network_jacobian(W1, b1, W2, x) -> ndarray",
        "W2·diag(1[W1 x + b1 > 0])·W1, shape (..., k, d); at a kink (a pre-activation "
        "exactly 0) either one-sided derivative is accepted",
        "array",
        ("9.27",),
    ),
    Entry(
        "relu_network_lipschitz_bound",
        "relu_network_lipschitz_bound(W1, W2) -> float",
        "‖W2‖₂·‖W1‖₂, a Lipschitz constant of W2·ReLU(W1 x + b1) for every b1",
        "scalar",
        ("9.27",),
    ),
    Entry(
        "relu_network_local_lipschitz_bound",
        "relu_network_local_lipschitz_bound(W1, b1, W2, x, eps) -> float | ndarray",
        "‖W2[:, A]‖₂·‖W1[A]‖₂ (0 if A is empty), A the units with w_iᵀx + b_i + eps‖w_i‖ > 0, "
        "i.e. not inactive on the whole closed ball B(x, eps) (Huang et al. 2021); eps >= 0; "
        "one bound per point of a batch",
        "real",
        ("9.27",),
    ),
    Entry(
        "smoothing_eta",
        "smoothing_eta(g_x, lower, upper, sigma) -> float | ndarray",
        "σΦ⁻¹((g_x − l)/(u − l)) for g_x in [l, u]: −inf at l, +inf at u, accurate in both "
        "tails (g_x near l and near u)",
        "real",
        ("10.29",),
    ),
    Entry(
        "smoothed_value_bounds",
        "smoothed_value_bounds(g_x, delta_norm, lower, upper, sigma) -> (lo, hi)",
        "lo, hi = l + (u − l)Φ((η ∓ ‖δ‖)/σ), η = smoothing_eta(g_x, l, u, σ): bounds on "
        "g(x + δ) for ‖δ‖₂ <= delta_norm (>= 0); (l, l) at g_x = l and (u, u) at g_x = u",
        "tuple",
        ("10.29", "10.30"),
    ),
    Entry(
        "smoothed_lipschitz_constant",
        "smoothed_lipschitz_constant(sigma) -> float",
        "1/(σ√(2π)), the tight Lipschitz constant of the smoothing of any f with values in [0, 1] "
        "(not Salman et al.'s √(2/π)/σ, which is twice as large)",
        "scalar",
        ("10.30",),
    ),
]
