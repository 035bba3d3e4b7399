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
    ),
    Entry(
        "deepfool_linear",
        "deepfool_linear(w, b, x0) -> ndarray",
        "minimal l2 perturbation r = -(w.x0 + b) w / ||w||^2 putting x0 + r on the "
        "hyperplane w.x + b = 0; x0 may be a batch (..., d)",
        "array",
        ("7.23",),
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
    ),
    Entry(
        "fgsm_linear",
        "fgsm_linear(w, eps) -> ndarray",
        "eps * sign(w), the maximizer of <w, delta> over ||delta||_inf <= eps (eps > 0)",
        "array",
        ("7.24",),
    ),
    Entry(
        "fgsm",
        "fgsm(model, loss_fn, x, y, eps) -> ndarray",
        "the adversarial input x + eps * sign(grad_x loss_fn(model(x), y)) for a float64 "
        "vector (d,) or batch (n, d) x; y reaches loss_fn as a tensor of shape (n,)",
        "array",
        ("7.24",),
    ),
]
