"""Lecture 7: lp quasi-norms, DeepFool, FGSM.

``deepfool`` and ``fgsm`` attack torch models: ``model`` is any callable (an
``nn.Module`` included) mapping a float64 tensor of shape (n, d) to scores of
shape (n,), (n, 1) or (n, K).  torch is imported inside these two functions only,
so that ``import impl`` stays fast.
"""

from __future__ import annotations

import numpy as np

from impl._validation import as_array, as_scalar

__all__ = ["lp_norm", "deepfool_linear", "deepfool", "fgsm_linear", "fgsm"]


def _as_order(p) -> float:
    """``p`` as a float in (0, inf]; ``as_scalar`` alone would refuse p = inf."""
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"p must be a positive number or inf, got {p!r}") from None
    if not value > 0:
        raise ValueError(f"p must be positive (or inf), got {value}")
    return value


def lp_norm(x, p):
    """(sum_i |x_i|^p)^(1/p) over the last axis for p > 0; max_i |x_i| for p = inf.

    A norm for p >= 1, only a quasi-norm for 0 < p < 1.  The entries are divided
    by m = max |x_i| first, so |x_i / m|^p lies in [0, 1] and the sum s in [1, n]:
    nothing overflows for huge entries.  Ratios that underflow (entries 300 orders
    of magnitude apart) are powered through logarithms, and where s^(1/p)
    overflows (p near 0) m * s^(1/p) is evaluated as exp(log m + log(s) / p).
    """
    x = as_array(x, "x", min_ndim=1)
    p = _as_order(p)
    if x.shape[-1] == 0:
        raise ValueError("x must have at least one entry on its last axis")
    magnitudes = np.abs(x)
    largest = magnitudes.max(axis=-1)
    if p == np.inf:
        return _float_or_array(largest)
    scale = np.where(largest > 0, largest, 1.0)
    ratios = magnitudes / scale[..., None]
    with np.errstate(divide="ignore", over="ignore"):
        # A ratio below the smallest normal float lost its digits (or is 0 though
        # x_i is not); its p-th power, not small when p is, comes from logarithms.
        from_logs = np.exp(p * (np.log(magnitudes) - np.log(scale)[..., None]))
    sums = np.where(ratios >= np.finfo(np.float64).tiny, ratios**p, from_logs).sum(axis=-1)
    with np.errstate(over="ignore", divide="ignore"):
        exponent = np.float64(1.0) / np.float64(p)
        norms = largest * sums**exponent
        overflowed = np.isinf(norms)
        if overflowed.any():
            # Only rows with largest > 0 and sums >= 1 get here, so the logs are finite.
            by_logs = np.exp(np.log(scale) + np.log(np.maximum(sums, 1.0)) * exponent)
            norms = np.where(overflowed, by_logs, norms)
    return _float_or_array(norms)


def _float_or_array(values: np.ndarray) -> float | np.ndarray:
    return float(values) if values.ndim == 0 else values


def _unit_and_norm(w: np.ndarray) -> tuple[np.ndarray, float]:
    """w / ||w||_2 and ||w||_2, computed after scaling by max |w_i| (no overflow)."""
    largest = np.abs(w).max()
    if largest == 0:
        raise ValueError("w must be nonzero (the hyperplane w.x + b = 0 is undefined)")
    scaled = w / largest
    length = np.sqrt(scaled @ scaled)
    return scaled / length, float(largest * length)


def deepfool_linear(w, b, x0):
    """The smallest l2 perturbation r putting x0 + r on the hyperplane w.x + b = 0:

        r = -(w.x0 + b) w / ||w||^2,

    the orthogonal projection step.  x0 may be a batch (..., d); w has shape (d,).
    """
    w = as_array(w, "w", ndim=1)
    b = as_scalar(b, "b")
    x0 = as_array(x0, "x0", min_ndim=1)
    if x0.shape[-1] != w.shape[0]:
        raise ValueError(f"x0 must have {w.shape[0]} entries on its last axis, got {x0.shape}")
    unit, length = _unit_and_norm(w)
    signed_distance = x0 @ unit + b / length
    return -signed_distance[..., None] * unit


def _labels(scores):
    """Binary (one score): score > 0; multi-class: argmax."""
    return scores[0] > 0 if scores.numel() == 1 else scores.argmax()


def _linearized_step(model, x, original, torch):
    """The minimal l2 step to the nearest boundary of the model linearized at x.

    Returns None when no boundary can be reached (zero gradient), the step otherwise.
    """
    x = x.detach().requires_grad_(True)
    scores = model(x).reshape(-1)
    if not torch.isfinite(scores).all():
        raise ValueError("model must return finite scores")
    if scores.numel() == 1:
        (gradient,) = torch.autograd.grad(scores[0], x)
        gap, normal = scores[0].detach(), gradient.reshape(-1)
    else:
        rows = [torch.autograd.grad(s, x, retain_graph=True)[0].reshape(-1) for s in scores]
        jacobian = torch.stack(rows)
        # Boundary between the original class and class k: f_k - f_orig = 0.
        gaps = (scores - scores[original]).detach()
        normals = jacobian - jacobian[original]
        lengths = normals.norm(dim=1)
        distances = gaps.abs() / lengths
        distances[original] = torch.inf
        distances[lengths == 0] = torch.inf
        nearest = int(distances.argmin())
        if not torch.isfinite(distances[nearest]):
            return None
        gap, normal = gaps[nearest], normals[nearest]
    squared = normal @ normal
    if squared == 0:
        return None
    return (-gap / squared) * normal


def deepfool(model, x0, overshoot=0.02, max_iter=50):
    """DeepFool (Moosavi-Dezfooli, Fawzi, Frossard 2016): returns ``(r, success)``.

    ``model`` maps a (1, d) float64 tensor to one score (binary, label = score > 0)
    or K scores (label = argmax).  Starting from r_tot = 0, each iteration
    linearizes the model at x_i = x0 + (1 + overshoot) r_tot and adds the minimal
    l2 step to the nearest linearized boundary between the original class and
    another one; it stops as soon as the label of x_i differs from that of x0, or
    after ``max_iter`` iterations, or when no step exists (zero gradient).
    ``r = (1 + overshoot) r_tot`` is a float64 array shaped like x0 and
    ``success`` tells whether the label of x0 + r differs from the label of x0.
    """
    import torch

    if not callable(model):
        raise ValueError(f"model must be callable, got {type(model).__name__}")
    x0 = as_array(x0, "x0", ndim=1)
    overshoot = as_scalar(overshoot, "overshoot", nonnegative=True)
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    start = torch.from_numpy(x0).reshape(1, -1)
    with torch.no_grad():
        original = _labels(model(start).reshape(-1))
    total = torch.zeros_like(start)
    success = False
    for _ in range(max_iter):
        step = _linearized_step(model, start + (1 + overshoot) * total, original, torch)
        if step is None:
            break
        total = total + step.reshape(1, -1)
        with torch.no_grad():
            success = bool(_labels(model(start + (1 + overshoot) * total).reshape(-1)) != original)
        if success:
            break
    return ((1 + overshoot) * total).reshape(-1).numpy().astype(np.float64), success


def fgsm_linear(w, eps):
    """eps * sign(w): the maximizer of <w, delta> over ||delta||_inf <= eps.

    Its value is eps * ||w||_1 (l1 is the dual norm of l_inf).  Entries where
    w_i = 0 get delta_i = 0 (any value in [-eps, eps] is optimal there).
    """
    w = as_array(w, "w", min_ndim=1)
    eps = as_scalar(eps, "eps", positive=True)
    return eps * np.sign(w)


def fgsm(model, loss_fn, x, y, eps):
    """FGSM (Goodfellow, Shlens, Szegedy 2015): x + eps * sign(grad_x loss_fn(model(x), y)).

    ``x`` is a float64 vector (d,) or batch (n, d); the model sees an (n, d)
    tensor ((1, d) for a vector), ``y`` is passed to ``loss_fn`` as a tensor of
    shape (n,) (integer labels stay int64, real targets become float64) and
    ``loss_fn(scores, y)`` returns a scalar tensor.  Returns the adversarial
    input, a float64 array shaped like x.
    """
    import torch

    for name, function in (("model", model), ("loss_fn", loss_fn)):
        if not callable(function):
            raise ValueError(f"{name} must be callable, got {type(function).__name__}")
    x = as_array(x, "x", min_ndim=1)
    if x.ndim > 2:
        raise ValueError(f"x must be a vector (d,) or a batch (n, d), got shape {x.shape}")
    eps = as_scalar(eps, "eps", positive=True)
    inputs = torch.from_numpy(np.atleast_2d(x).copy()).requires_grad_(True)
    targets = np.asarray(y)
    if targets.size != inputs.shape[0]:
        raise ValueError(f"y must hold {inputs.shape[0]} label(s), got shape {targets.shape}")
    dtype = np.int64 if np.issubdtype(targets.dtype, np.integer) else np.float64
    loss = loss_fn(model(inputs), torch.from_numpy(targets.reshape(-1).astype(dtype)))
    if loss.numel() != 1 or not torch.isfinite(loss):
        raise ValueError("loss_fn must return one finite value")
    (gradient,) = torch.autograd.grad(loss.reshape(()), inputs)
    return x + eps * np.sign(gradient.numpy().reshape(x.shape))
