"""Contract entries of Lecture 7: lp quasi-norms, DeepFool, FGSM (``impl/adversarial.py``).

The torch-facing functions (``deepfool``, ``fgsm``) take ``model``, any callable
mapping a float64 tensor of shape (n, d) to scores of shape (n,), (n, 1) (binary:
label = score > 0) or (n, K) (label = argmax); inputs and outputs on the contract
side stay float64 NumPy arrays.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "lp_norm",
        "lp_norm(x, p) -> float | ndarray",
        "(sum |x_i|^p)^(1/p) over the last axis for p > 0, max |x_i| for p = inf; "
        "no overflow or underflow for huge or tiny entries or p near 0",
        "real",
        ("7.22",),
        conventions=(
            "x is a vector (n,) or a batch (..., n): a vector gives a float, a batch a float64 "
            "array of its row norms over the last axis.",
            "p is a positive number or inf; p <= 0, NaN, -inf or a non-number raises ValueError "
            "naming p.",
            "x that is a scalar, empty on its last axis, or holds NaN or inf raises ValueError "
            "naming x.",
            "Numerics tier: entries from 1e-300 to 1e300 and p from 1e-3 to 100 give the norm to "
            "a few ulp per entry times max(1, 1/p), with no overflow, underflow or "
            "floating-point warning.",
        ),
    ),
    Entry(
        "deepfool_linear",
        "deepfool_linear(w, b, x0) -> ndarray",
        "minimal l2 perturbation r = -(w.x0 + b) w / ||w||^2 putting x0 + r on the "
        "hyperplane w.x + b = 0; x0 may be a batch (..., d)",
        "array",
        ("7.23",),
        conventions=(
            "w is a nonzero vector (d,), b a real number, x0 a point (d,) or a batch (..., d); "
            "r is a float64 array shaped like x0, computed row by row.",
            "w that is zero, not 1-D, or holds NaN/inf raises ValueError naming w; b that is "
            "not one finite number raises ValueError naming b.",
            "x0 that is a scalar, holds NaN/inf, or whose last axis is not d long raises "
            "ValueError naming x0.",
            "Numerics tier: w and b scaled to norms near 1e-180 or 1e180 give the same r "
            "(no overflow or underflow of ||w||^2).",
        ),
    ),
    Entry(
        "deepfool",
        "deepfool(model, x0, overshoot=0.02, max_iter=50) -> (ndarray r, bool success)",
        "DeepFool on a torch model from a float64 vector x0: the perturbation "
        "r = (1 + overshoot) * (sum of linearized minimal steps) and whether the label of "
        "x0 + r differs from that of x0; stops at the first flip, after max_iter steps, or "
        "where the gradient vanishes",
        "tuple",
        ("7.23",),
        conventions=(
            "model is called on float64 tensors of shape (n, d), n >= 1 (one row, or a batch "
            "such as copies of the point for a Jacobian), and returns scores (n,), (n, 1) "
            "(binary: label = 1[score > 0], so a score of exactly 0 has label 0) or (n, K) "
            "(label = argmax).",
            "x0 is a float64 vector (d,); r is a float64 array shaped like x0 and success a "
            "bool: whether the label of x0 + r differs from that of x0.",
            "Defaults: overshoot = 0.02, max_iter = 50.",
            "Iteration n + 1 linearizes the model at the overshot iterate x0 + r_n, "
            "r_n = (1 + overshoot) * (sum of the steps so far), as the authors' code does, and "
            "stops as soon as the label of x0 + r_n differs from that of x0 or no boundary can "
            "be reached (zero gradient); the claims also accept the paper's point "
            "x0 + r_n / (1 + overshoot).",
            "max_iter is a count of iterations: an integer >= 1; 0, negative or non-integer "
            "max_iter raises ValueError naming max_iter.",
            "overshoot < 0 raises ValueError naming overshoot; a model that is not callable or "
            "returns non-finite scores raises ValueError naming model; x0 that is not a vector "
            "(d,) or holds NaN/inf raises ValueError naming x0.",
        ),
    ),
    Entry(
        "fgsm_linear",
        "fgsm_linear(w, eps) -> ndarray",
        "eps * sign(w), the maximizer of <w, delta> over ||delta||_inf <= eps (eps > 0)",
        "array",
        ("7.24",),
        conventions=(
            "w is a vector (d,) (or a batch (..., d)); the result is a float64 array shaped "
            "like w, with delta_i = 0 where w_i = 0 (any value in [-eps, eps] is optimal there).",
            "eps <= 0, NaN or inf raises ValueError naming eps; a scalar w or w holding NaN "
            "raises ValueError naming w.",
            "Numerics tier: eps = 1e-300 and eps = 1e300 are handled exactly.",
        ),
    ),
    Entry(
        "fgsm",
        "fgsm(model, loss_fn, x, y, eps) -> ndarray",
        "the adversarial input x + eps * sign(grad_x loss_fn(model(x), y)) for a float64 "
        "vector (d,) or batch (n, d) x; y reaches loss_fn as a tensor of shape (n,)",
        "array",
        ("7.24",),
        conventions=(
            "x is a float64 vector (d,) or batch (n, d); the model is called on an (n, d) "
            "float64 tensor ((1, d) for a vector) with requires_grad, and the result is a "
            "float64 array shaped like x.",
            "y reaches loss_fn(scores, y) as a tensor of shape (n,): int64 for integer labels, "
            "float64 (unrounded) for real targets; loss_fn returns one finite number.",
            "A model or loss_fn that is not callable, or a loss_fn that does not return one "
            "finite number, raises ValueError naming it.",
            "x that is a scalar, has more than 2 axes or holds NaN/inf raises ValueError naming "
            "x; eps that is not one number in (0, inf) raises ValueError naming eps; y with a "
            "number of labels other than n raises ValueError naming y.",
        ),
    ),
]
