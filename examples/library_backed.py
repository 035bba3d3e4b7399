"""A second implementation of the contract, delegating to SciPy and PyTorch.

Run the spec against it with ``pytest --impl examples.library_backed``.

Each function hands the mathematics to an established library routine and only
adapts the call: argument order, the axis, the reduction, log-space inputs, units
and return types (float64 NumPy arrays in and out, Python floats for scalars).
Libraries rarely validate what the contract validates (a probability vector that
does not sum to 1, a NaN, mismatched shapes), so every function first passes its
arguments through the small private checks at the top of this module, which raise
``ValueError`` naming the argument.

Contract functions that no library carries (exact line search, A-Softmax's psi,
the DeepFool loop, ...) are simply not defined here: the spec skips their
properties.  The comments marked "trap" name the library behaviour that the
adaptation works around; README, "What the spec found in popular libraries",
lists the property that catches each one.

torch is imported inside the functions that use it, so that importing this
module stays fast.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import linalg, optimize, special, stats
from scipy.spatial import distance

# --------------------------------------------------------------------------- validation glue

#: How far a probability vector's sum may stray from 1.
_PROBABILITY_ATOL = 1e-9


def _array(x: Any, name: str, *, ndim: int | None = None, min_ndim: int = 0) -> np.ndarray:
    """``x`` as a finite float64 array of the required rank."""
    try:
        array = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be an array of real numbers ({error})") from None
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {array.shape}")
    if array.ndim < min_ndim:
        raise ValueError(f"{name} must have at least {min_ndim} dimension(s), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def _scalar(x: Any, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    array = _array(x, name)
    if array.ndim != 0:
        raise ValueError(f"{name} must be a scalar, got shape {array.shape}")
    value = float(array)
    if positive and not value > 0:
        raise ValueError(f"{name} must be positive, got {value}")
    if nonnegative and not value >= 0:
        raise ValueError(f"{name} must be non-negative, got {value}")
    return value


def _integer(x: Any, name: str, minimum: int) -> int:
    if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {x!r}")
    return int(x)


def _distribution(p: Any, name: str) -> np.ndarray:
    """Probability vectors on the last axis: non-negative, summing to 1."""
    array = _array(p, name, min_ndim=1)
    if array.shape[-1] == 0:
        raise ValueError(f"{name} must have at least one outcome on its last axis")
    if np.any(array < 0):
        raise ValueError(f"{name} must be non-negative")
    if np.any(np.abs(array.sum(axis=-1) - 1.0) > _PROBABILITY_ATOL):
        raise ValueError(f"{name} must sum to 1 along its last axis")
    return array


def _pair(p: Any, q: Any) -> tuple[np.ndarray, np.ndarray]:
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"q must have the shape of p {p.shape}, got {q.shape}")
    return p, q


def _labels(y: Any, name: str, n: int, k: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be {n} integer labels, got {labels!r}")
    if np.any((labels < 0) | (labels >= k)):
        raise ValueError(f"{name} must lie in [0, {k})")
    return labels.astype(np.int64)


def _unit_rows(x: np.ndarray, name: str) -> np.ndarray:
    """Rows scaled by their largest entry (so that no norm under- or overflows), then unit."""
    largest = np.abs(x).max(axis=-1, keepdims=True)
    if np.any(largest == 0):
        raise ValueError(f"every row of {name} must be non-zero")
    # trap: torch.nn.functional.normalize clamps the norm at eps = 1e-12 (rows of norm
    # 1e-150 come back unnormalized) and squares the entries (underflow below 1e-154).
    import torch

    return torch.nn.functional.normalize(torch.from_numpy(x / largest), dim=-1).numpy()


def _out(x: Any) -> float | np.ndarray:
    """A 0-d result as a Python float, anything else as a float64 array."""
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


def _tensor(x: np.ndarray, requires_grad: bool = False):
    import torch

    return torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=requires_grad)


# --------------------------------------------------------------------------- 1.2 classification


def linear_classifier(W, X, b=None):
    """argmax_c <W_c, x> + b_c: ``torch.argmax``, which returns the first maximal index.

    trap: the scores must not come from ``torch.nn.functional.linear``: its GEMM kernel
    rounds identical rows of W differently in different output columns (3.6e-15 apart
    for a 5 x 5 W of equal rows), so duplicated classes no longer tie and argmax picks
    the last one.  Each score is a ``torch.sum`` over its own product row instead.
    """
    import torch

    W = _array(W, "W", ndim=2)
    X = _array(X, "X", ndim=2)
    if X.shape[1] != W.shape[1]:
        raise ValueError(f"X must have {W.shape[1]} columns to match W, got shape {X.shape}")
    scores = (_tensor(X)[:, None, :] * _tensor(W)[None, :, :]).sum(dim=-1)
    if b is not None:
        b = _array(b, "b", ndim=1)
        if b.shape != (W.shape[0],):
            raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
        scores = scores + _tensor(b)
    return torch.argmax(scores, dim=1).numpy()


# --------------------------------------------------------------------------- 1.3-1.4 information


def entropy(p):
    """H(p): ``scipy.stats.entropy`` on the last axis.

    trap: scipy.stats.entropy divides p by its sum, so an unnormalized p gets the
    entropy of a different distribution instead of an error; validate first.
    """
    return _out(stats.entropy(_distribution(p, "p"), axis=-1))


def cross_entropy(p, q):
    """H(p, q) = -sum xlogy(p, q): ``scipy.special.xlogy`` (0 log 0 = 0, p log 0 = -inf)."""
    p, q = _pair(p, q)
    return _out(-special.xlogy(p, q).sum(axis=-1))


def kl_divergence(p, q):
    """KL(p||q): ``scipy.stats.entropy(p, q)`` (a sum of ``rel_entr``) on the last axis.

    trap: torch.nn.functional.kl_div(input, target) takes the *second* distribution,
    in log space, as its first argument and returns KL(target || exp(input)).
    """
    p, q = _pair(p, q)
    return _out(stats.entropy(p, q, axis=-1))


def softmax(z):
    """``scipy.special.softmax`` on the last axis (trap: its default axis=None mixes rows)."""
    return special.softmax(_array(z, "z", min_ndim=1), axis=-1)


def log_softmax(z):
    """``scipy.special.log_softmax`` on the last axis (trap: default axis=None, as softmax)."""
    return special.log_softmax(_array(z, "z", min_ndim=1), axis=-1)


def softmax_cross_entropy(logits, labels):
    """``torch.nn.functional.cross_entropy(logits, labels, reduction='none')``.

    trap: torch raises IndexError for labels out of range and RuntimeError for float
    labels (and reads a float (n, K) target as class probabilities); the contract
    wants ValueError naming labels.
    """
    import torch

    logits = _array(logits, "logits", ndim=2)
    labels = _labels(labels, "labels", *logits.shape)
    loss = torch.nn.functional.cross_entropy(
        torch.from_numpy(logits), torch.from_numpy(labels), reduction="none"
    )
    return loss.numpy()


# --------------------------------------------------------------------------- 2.5, 2.6, 2.9 margins


def softmax_confidence(W, h, s=1.0):
    """max_i softmax(s W h)_i: ``scipy.special.softmax`` of the scaled logits.

    The logits are shifted by their maximum before the scale multiplies them, so
    that s * z cannot overflow to inf - inf = NaN inside the softmax.
    """
    W = _array(W, "W", ndim=2)
    if W.shape[0] == 0:
        raise ValueError("W must have at least one class (row)")
    h = _array(h, "h", min_ndim=1)
    if h.shape[-1] != W.shape[1]:
        raise ValueError(f"h must end with W's {W.shape[1]} columns, got shape {h.shape}")
    s = _scalar(s, "s", positive=True)
    with np.errstate(over="ignore", invalid="ignore"):
        logits = h @ W.T
    if not np.all(np.isfinite(logits)):
        raise ValueError("the logits W h must be finite: W and h are too large")
    with np.errstate(over="ignore"):
        scaled = s * (logits - logits.max(axis=-1, keepdims=True))
    return _out(special.softmax(scaled, axis=-1).max(axis=-1))


def simplex_etf(K, d):
    """The simplex from ``scipy.linalg.helmert``: its rows span the sum-zero hyperplane."""
    K = _integer(K, "K", 2)
    d = _integer(d, "d", 1)
    if d < K - 1:
        raise ValueError(f"d must be at least K - 1 = {K - 1}, got {d}")
    simplex = math.sqrt(K / (K - 1)) * linalg.helmert(K).T
    return np.pad(simplex, ((0, 0), (0, d - (K - 1))))


def _class_problem(W, X, y, x_name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    W = _array(W, "W", ndim=2)
    if W.shape[0] < 2 or W.shape[1] < 1:
        raise ValueError(f"W must have at least 2 rows and 1 column, got {W.shape}")
    X = _array(X, x_name, ndim=2)
    if X.shape[0] == 0 or X.shape[1] != W.shape[1]:
        raise ValueError(f"{x_name} must have shape (n >= 1, {W.shape[1]}), got {X.shape}")
    y = _labels(y, "y", X.shape[0], W.shape[0])
    return _unit_rows(W, "W"), _unit_rows(X, x_name), y


def _margin_cross_entropy(cosines: np.ndarray, y: np.ndarray, *scale: float) -> float:
    """Mean of -log softmax(scale * cosines)_y as softplus(logsumexp of the gaps to z_y).

    trap: torch.nn.functional.cross_entropy computes logsumexp(z) - z_y, which rounds
    losses below 1e-16 to 0; ``scipy.special.logsumexp`` of the gaps followed by
    ``scipy.special.softplus`` keeps them (NormFace and CosFace losses reach e^-800).
    """
    rows = np.arange(len(y))
    gaps = cosines - cosines[rows, y][:, None]
    with np.errstate(over="ignore"):
        for factor in scale:  # l * l may overflow where (l * gap) * l does not
            gaps = factor * gaps
    gaps[rows, y] = -np.inf
    return float(np.mean(_softplus(special.logsumexp(gaps, axis=1))))


def normalized_softmax_loss(W, H, y, l):
    """NormFace: mean cross-entropy of the logits l^2 cos(W_c, h_i)."""
    W, H, y = _class_problem(W, H, y, "H")
    l = _scalar(l, "l", nonnegative=True)
    return _margin_cross_entropy(H @ W.T, y, l, l)


def neural_collapse_bound(K, l):
    """log(1 + (K-1) e^{-K l^2/(K-1)}) = ``scipy.special.softplus`` of log(K-1) - K l^2/(K-1)."""
    K = _integer(K, "K", 2)
    l = _array(l, "l")
    if np.any(l < 0):
        raise ValueError("l must be non-negative")
    with np.errstate(over="ignore"):
        exponent = math.log(K - 1) - K * (l * l) / (K - 1)
    return _out(_softplus(exponent))


def cosface_loss(W, X, y, s, m):
    """CosFace: mean of -log softmax(s (cos theta_j - m [j = y]))_y."""
    W, X, y = _class_problem(W, X, y, "X")
    s = _scalar(s, "s", positive=True)
    m = _scalar(m, "m", nonnegative=True)
    cosines = X @ W.T
    cosines[np.arange(len(y)), y] -= m
    return _margin_cross_entropy(cosines, y, s)


def cosface_margin_bound(W):
    """1 - max_{i != j} cos(W_i, W_j) = min of ``scipy.spatial.distance.pdist(W, 'cosine')``."""
    W = _array(W, "W", ndim=2)
    if W.shape[0] < 2 or W.shape[1] < 1:
        raise ValueError(f"W must have at least 2 rows and 1 column, got {W.shape}")
    largest = np.abs(W).max(axis=1, keepdims=True)
    if np.any(largest == 0):
        raise ValueError("every row of W must be non-zero")
    return float(distance.pdist(W / largest, "cosine").min())


# --------------------------------------------------------------------------- 2.7 TPE


def _triplets(T, anchors, positives, negatives):
    T = _array(T, "T", ndim=2)
    if 0 in T.shape:
        raise ValueError(f"T must have at least one row and one column, got {T.shape}")
    a = _array(anchors, "anchors", ndim=2)
    if a.shape[0] == 0 or a.shape[1] != T.shape[1]:
        raise ValueError(f"anchors must have shape (m >= 1, {T.shape[1]}), got {a.shape}")
    p = _array(positives, "positives", ndim=2)
    n = _array(negatives, "negatives", ndim=2)
    for array, name in ((p, "positives"), (n, "negatives")):
        if array.shape != a.shape:
            raise ValueError(f"{name} must have the shape of anchors {a.shape}, got {array.shape}")
    return T, a, p, n


def _torch_tpe_loss(T, a, p, n):
    """-(1/m) sum log sigmoid(s^p - s^n): ``torch.nn.functional.logsigmoid`` (stable).

    trap: torch.nn.functional.softplus(s^n - s^p) switches to the identity above its
    threshold 20 and is then off by up to e^-20 = 2e-9.
    """
    import torch

    ta = a @ T.T
    gap = (ta * (p @ T.T)).sum(dim=1) - (ta * (n @ T.T)).sum(dim=1)
    return -torch.nn.functional.logsigmoid(gap).mean()


def tpe_loss(T, anchors, positives, negatives):
    """The TPE loss, evaluated by torch."""
    batch = [_tensor(x) for x in _triplets(T, anchors, positives, negatives)]
    return float(_torch_tpe_loss(*batch))


def tpe_loss_gradient(T, anchors, positives, negatives):
    """dL/dT by ``torch.func.grad`` of the torch loss."""
    import torch

    batch = [_tensor(x) for x in _triplets(T, anchors, positives, negatives)]
    return torch.func.grad(_torch_tpe_loss)(*batch).numpy()


# --------------------------------------------------------------------------- 3.10, 3.11 divergences


def js_divergence(p, q):
    """JS(p, q) = (sum rel_entr(p, m) + sum rel_entr(q, m)) / 2, m = (p + q)/2, in nats.

    This is the body of ``scipy.spatial.distance.jensenshannon`` without its last step.
    traps of jensenshannon itself: it returns the Jensen-Shannon *distance*, the square
    root of the divergence; its default axis is 0, not the last one; it divides p and q
    by their sums, so unnormalized input passes silently; and for nearly equal p and q
    the rounded sum under the square root can be -1e-25, which gives NaN (and a
    RuntimeWarning).  The divergence itself lies in [0, log 2], hence the clip.
    """
    p, q = _pair(p, q)
    m = (p + q) / 2.0
    divergence = (special.rel_entr(p, m).sum(axis=-1) + special.rel_entr(q, m).sum(axis=-1)) / 2
    return _out(np.clip(divergence, 0.0, math.log(2.0)))


def _sample(values, weights, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    values = _array(values, name, ndim=1)
    if values.size == 0:
        raise ValueError(f"{name} must hold at least one value")
    if weights is None:
        return values, None
    wname = f"{name}_weights"
    weights = _array(weights, wname, ndim=1)
    if weights.shape != values.shape:
        raise ValueError(f"{wname} must have the shape {values.shape} of {name}")
    if np.any(weights < 0) or not weights.sum() > 0:
        raise ValueError(f"{wname} must be non-negative with a positive sum")
    return values, weights


def wasserstein1_1d(u, v, u_weights=None, v_weights=None):
    """W1 between weighted 1-D samples: ``scipy.stats.wasserstein_distance``.

    trap: SciPy returns NaN for a NaN sample, and its own ValueErrors ("All weights
    must be non-negative.") do not say which argument is wrong.
    """
    u, u_weights = _sample(u, u_weights, "u")
    v, v_weights = _sample(v, v_weights, "v")
    return float(stats.wasserstein_distance(u, v, u_weights, v_weights))


def wasserstein1(X, Y):
    """Exact W1 of two uniform clouds: ``scipy.optimize.linear_sum_assignment`` on ``cdist``.

    trap: linear_sum_assignment accepts rectangular cost matrices and silently
    returns a partial matching, so clouds of different sizes must be refused first.
    """
    X = _array(X, "X", ndim=2)
    Y = _array(Y, "Y", ndim=2)
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one point")
    if Y.shape != X.shape:
        raise ValueError(f"Y must have the shape of X {X.shape}, got {Y.shape}")
    cost = distance.cdist(X, Y)
    rows, cols = optimize.linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def _interpolation(x, y, t) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = _array(x, "x", ndim=2)
    y = _array(y, "y", ndim=2)
    if x.shape[0] == 0:
        raise ValueError("x must hold at least one row")
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got {y.shape}")
    t = _array(t, "t")
    if t.ndim > 1 or (t.ndim == 1 and t.shape[0] != x.shape[0]):
        raise ValueError(f"t must be a scalar or one value per row ({x.shape[0]})")
    if np.any((t < 0) | (t > 1)):
        raise ValueError("t must lie in [0, 1]")
    return x, y, t[:, None] if t.ndim == 1 else t


def wgan_interpolates(x, y, t):
    """s = y + t (x - y): ``torch.lerp(y, x, t)`` (lerp's start comes first)."""
    import torch

    x, y, t = _interpolation(x, y, t)
    return torch.lerp(_tensor(y), _tensor(x), _tensor(t)).numpy()


def _detached(a):
    return a.detach().cpu().numpy() if hasattr(a, "detach") else a


def gradient_penalty(critic, x, y, t, lam=10.0):
    """lam * mean (||grad critic(s)|| - 1)^2 with ``torch.autograd.grad(create_graph=True)``."""
    import torch

    if not callable(critic):
        raise ValueError(f"critic must be callable, got {type(critic).__name__}")
    lam = _scalar(lam, "lam", nonnegative=True)
    s = _tensor(wgan_interpolates(_detached(x), _detached(y), _detached(t)), requires_grad=True)
    scores = critic(s)
    if not isinstance(scores, torch.Tensor) or scores.numel() != s.shape[0]:
        raise ValueError(f"critic must return one score per row ({s.shape[0]}) as a tensor")
    grad = None
    if scores.requires_grad:
        (grad,) = torch.autograd.grad(scores.sum(), s, create_graph=True, allow_unused=True)
    if grad is None:  # trap: autograd returns None, not zeros, for a constant critic
        grad = torch.zeros_like(s)
    return lam * ((torch.linalg.vector_norm(grad, dim=1) - 1.0) ** 2).mean()


# --------------------------------------------------------------------------- 4.12, 4.13 Bayesian


def _softplus(x):
    """log(1 + e^x): ``scipy.special.softplus`` (SciPy >= 1.15), else ``numpy.logaddexp``.

    trap: torch.nn.functional.softplus returns x itself above threshold=20, an
    error of up to e^-20 relative to log(1 + e^x).
    """
    function = getattr(special, "softplus", None)
    return function(x) if function is not None else np.logaddexp(0.0, x)


def softplus(x):
    """log(1 + e^x), elementwise."""
    return _out(_softplus(_array(x, "x")))


#: Below this rho, sigma = softplus(rho) ~ e^rho squares to 0 in torch.distributions.Normal.
_MIN_RHO = -300.0


def _variational(mu, rho) -> tuple[np.ndarray, np.ndarray]:
    mu = _array(mu, "mu", ndim=1)
    rho = _array(rho, "rho", ndim=1)
    if rho.shape != mu.shape:
        raise ValueError(f"rho must have the shape of mu {mu.shape}, got {rho.shape}")
    if np.any(rho < _MIN_RHO):
        raise ValueError(f"rho must be >= {_MIN_RHO}, else sigma^2 = softplus(rho)^2 underflows")
    return mu, rho


def _noise(eps, d: int, *, batch: bool) -> np.ndarray:
    eps = _array(eps, "eps", ndim=2 if batch else None, min_ndim=1)
    if eps.shape[-1] != d or eps.size == 0:
        raise ValueError(f"eps must have {d} entries on its last axis, got shape {eps.shape}")
    return eps


def _rows(function, w: np.ndarray, name: str, shape: tuple) -> np.ndarray:
    """``function`` at each row of w: finite arrays of ``shape`` (a log-density may be -inf)."""
    if not callable(function):
        raise ValueError(f"{name} must be callable, got {type(function).__name__}")
    values = np.array([np.asarray(function(row), dtype=np.float64) for row in w])
    if values.shape != (len(w), *shape):
        raise ValueError(f"{name}(w) must return shape {shape}")
    bad = np.isnan(values) | (np.isinf(values) if shape else np.isposinf(values))
    if bad.any():
        raise ValueError(f"{name}(w) returned NaN or a forbidden infinity")
    return values


def _torch_sigma(rho):
    """softplus(rho) for autograd as ``torch.logaddexp(rho, 0)`` (exact beyond threshold 20)."""
    import torch

    return torch.logaddexp(rho, torch.zeros_like(rho))


def bbb_weights(mu, rho, eps):
    """mu + softplus(rho) * eps: ``torch.distributions.transforms.AffineTransform`` of eps."""
    from torch.distributions.transforms import AffineTransform

    mu, rho = _variational(mu, rho)
    eps = _noise(eps, mu.size, batch=False)
    sigma = _torch_sigma(_tensor(rho))
    return AffineTransform(_tensor(mu), sigma)(_tensor(eps)).numpy()


def bbb_objective(mu, rho, eps, log_prior, log_likelihood):
    """mean_s log q(w_s) - log P(w_s) - log P(D|w_s): ``torch.distributions.Normal.log_prob``."""
    import torch

    mu, rho = _variational(mu, rho)
    eps = _noise(eps, mu.size, batch=True)
    sigma = _torch_sigma(_tensor(rho))
    w = _tensor(mu) + sigma * _tensor(eps)
    log_q = torch.distributions.Normal(_tensor(mu), sigma).log_prob(w).sum(-1).numpy()
    weights = w.numpy()
    log_p = _rows(log_prior, weights, "log_prior", ())
    log_lik = _rows(log_likelihood, weights, "log_likelihood", ())
    return float(np.mean(log_q - log_p - log_lik))


def bbb_gradients(mu, rho, eps, grad_log_prior, grad_log_likelihood):
    """(Delta mu, Delta rho) by ``torch.autograd`` through the reparameterization.

    The surrogate mean_s [log q(w_s | mu, rho) - <g_s, w_s>], with g_s the given
    gradient of log P(w) + log P(D|w) at w_s held fixed, has exactly Blundell et
    al.'s gradient with respect to (mu, rho).
    """
    import torch

    mu, rho = _variational(mu, rho)
    eps = _noise(eps, mu.size, batch=True)
    mu_t, rho_t = _tensor(mu, requires_grad=True), _tensor(rho, requires_grad=True)
    sigma = _torch_sigma(rho_t)
    w = mu_t + sigma * _tensor(eps)
    weights = w.detach().numpy()
    g = _rows(grad_log_prior, weights, "grad_log_prior", mu.shape)
    g = g + _rows(grad_log_likelihood, weights, "grad_log_likelihood", mu.shape)
    log_q = torch.distributions.Normal(mu_t, sigma).log_prob(w).sum(-1)
    surrogate = (log_q - (w * _tensor(g)).sum(-1)).mean()
    grad_mu, grad_rho = torch.autograd.grad(surrogate, (mu_t, rho_t))
    return grad_mu.numpy(), grad_rho.numpy()


def bbb_fit_linear_regression(X, y, prior_var, noise_var, n_steps, lr, n_samples, rng):
    """Bayes by Backprop with ``torch.optim.SGD`` on the reparameterized free energy.

    Prior and likelihood are ``torch.distributions.Normal`` log-densities; the
    start is the prior, rho = ``SoftplusTransform().inv(sqrt(prior_var))``.
    """
    import torch
    from torch.distributions import Normal
    from torch.distributions.transforms import SoftplusTransform

    X = _array(X, "X", ndim=2)
    y = _array(y, "y", ndim=1)
    if y.shape != X.shape[:1]:
        raise ValueError(f"y must have one entry per row of X ({X.shape[0]}), got {y.shape}")
    prior_sd = math.sqrt(_scalar(prior_var, "prior_var", positive=True))
    noise_sd = math.sqrt(_scalar(noise_var, "noise_var", positive=True))
    n_steps = _integer(n_steps, "n_steps", 1)
    n_samples = _integer(n_samples, "n_samples", 1)
    lr = _scalar(lr, "lr", positive=True)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    d = X.shape[1]
    X_t, y_t = _tensor(X), _tensor(y)
    mu = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    start = SoftplusTransform().inv(torch.full((d,), prior_sd, dtype=torch.float64))
    rho = start.clone().requires_grad_(True)
    prior = Normal(torch.zeros((), dtype=torch.float64), prior_sd)
    optimizer = torch.optim.SGD([mu, rho], lr=lr)
    for _ in range(n_steps):
        eps = _tensor(rng.standard_normal((n_samples, d)))
        sigma = _torch_sigma(rho)
        w = mu + sigma * eps
        log_q = Normal(mu, sigma).log_prob(w).sum(-1)
        log_lik = Normal(w @ X_t.T, noise_sd).log_prob(y_t).sum(-1)
        free_energy = (log_q - prior.log_prob(w).sum(-1) - log_lik).mean()
        optimizer.zero_grad()
        free_energy.backward()
        optimizer.step()
        # Checked every step: torch.distributions.Normal itself raises on a scale of 0.
        if not (torch.isfinite(mu).all() and bool((rho >= _MIN_RHO).all())):
            raise ValueError(f"lr = {lr} is too large: training diverged")
    return mu.detach().numpy(), _torch_sigma(rho).detach().numpy()


#: Above this log-variance, exp(log_var / 2) overflows.
_MAX_LOG_VAR = 2.0 * math.log(np.finfo(np.float64).max)


def reparameterize(mu, log_var, eps):
    """mu + exp(log_var / 2) * eps: ``AffineTransform(mu, exp(log_var / 2))`` applied to eps."""
    import torch
    from torch.distributions.transforms import AffineTransform

    mu = _array(mu, "mu", min_ndim=1)
    log_var = _array(log_var, "log_var", min_ndim=1)
    if log_var.shape != mu.shape:
        raise ValueError(f"log_var must have the shape of mu {mu.shape}, got {log_var.shape}")
    if np.any(log_var > _MAX_LOG_VAR):
        raise ValueError(f"log_var must be <= {_MAX_LOG_VAR:.1f}")
    eps = _array(eps, "eps", min_ndim=1)
    if eps.shape[-1] != mu.shape[-1]:
        raise ValueError(f"eps must have {mu.shape[-1]} entries on its last axis, got {eps.shape}")
    try:
        np.broadcast_shapes(mu.shape, eps.shape)
    except ValueError:
        raise ValueError(f"eps of shape {eps.shape} does not broadcast with {mu.shape}") from None
    scale = torch.exp(_tensor(log_var) / 2.0)
    return AffineTransform(_tensor(mu), scale)(_tensor(eps)).numpy()


def gaussian_kl_to_standard_normal(mu, log_var):
    """1/2 sum (mu^2 + e^t - 1 - t), t = log_var, with e^t - 1 - t = (t^2/2) 1F1(1; 3; t).

    The confluent hypergeometric series 1F1(1; 3; t) = sum_k 2 t^k / (k + 2)! is the
    Taylor tail of e^t from t^2 on; ``scipy.special.hyp1f1`` sums it without the
    cancellation of e^t - 1 - t near t = 0 (relative error ~2e-15 for |t| <= 700).

    trap: ``torch.distributions.kl_divergence(Normal(mu, sigma), Normal(0, 1))`` forms
    sigma^2 - 1 - log sigma^2 directly: at log_var = 1e-8 the KL is 5e-17 and torch
    returns round-off.
    """
    mu = _array(mu, "mu", min_ndim=1)
    log_var = _array(log_var, "log_var", min_ndim=1)
    if log_var.shape != mu.shape:
        raise ValueError(f"log_var must have the shape of mu {mu.shape}, got {log_var.shape}")
    # Halved before the last product, so that the KL stays finite up to t = 710.47,
    # although e^t overflows at 709.78; beyond, it is +inf.
    with np.errstate(over="ignore"):
        half_excess = 0.25 * log_var * special.hyp1f1(1.0, 3.0, log_var) * log_var
    return _out((0.5 * mu**2 + half_excess).sum(axis=-1))


def vae_loss(x, mu, log_var, decoder, c, eps):
    """gaussian_kl_to_standard_normal + mean_s |x - decoder(z_s)|^2 / (2 c^2).

    The reconstruction is ``torch.nn.functional.mse_loss(reduction='sum') / S``.

    trap: mse_loss's default reduction='mean' also divides by the data dimension D.
    """
    import torch

    x = _array(x, "x", ndim=1)
    mu = _array(mu, "mu", ndim=1)
    c = _scalar(c, "c", positive=True)
    z = reparameterize(mu, log_var, _noise(eps, mu.size, batch=True))
    if not callable(decoder):
        raise ValueError(f"decoder must be callable, got {type(decoder).__name__}")
    means = np.asarray(decoder(z), dtype=np.float64)
    if means.shape != (len(z), x.size) or not np.all(np.isfinite(means)):
        raise ValueError(f"decoder must map z {z.shape} to finite means {(len(z), x.size)}")
    target = _tensor(np.broadcast_to(x, means.shape))
    squared = float(torch.nn.functional.mse_loss(_tensor(means), target, reduction="sum"))
    return gaussian_kl_to_standard_normal(mu, log_var) + squared / len(z) / (2.0 * c * c)


# --------------------------------------------------------------------------- 5.15, 5.16 MCMC


def _transition_matrix(T: Any, name: str) -> np.ndarray:
    matrix = _array(T, name, ndim=2)
    if matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {matrix.shape}")
    return _distribution(matrix, name)


def stationary_distribution(T):
    """The left null vector of T - I: ``scipy.linalg.null_space((T - I)^T)``, normalized.

    A null space of dimension > 1 means several stationary distributions.  Round-off
    may leave -1e-17 on transient states, hence the clip before normalizing.

    trap: null_space's default rcond, max(M, N) * eps relative, is tighter than the
    round-off of float64 rows summing to 1: for T = W / row sums with W = [[12, 1], [1, 12]] the
    smallest singular value of T - I is ~1e-16 * ||T - I|| and the null space comes
    back empty.  rcond = 1e-10 still separates chains with a spectral gap above 1e-10.
    """
    T = _transition_matrix(T, "T")
    basis = linalg.null_space((T - np.eye(len(T))).T, rcond=1e-10)
    if basis.shape[1] != 1:
        raise ValueError(f"T must have a unique stationary distribution, got {basis.shape[1]}")
    pi = np.clip(basis[:, 0] / basis[:, 0].sum(), 0.0, None)
    return pi / pi.sum()


def detailed_balance_holds(T, pi, atol=1e-12):
    """``numpy.allclose(flow, flow.T, rtol=0, atol)`` for the flow pi(x) T(x, y).

    trap: allclose's default rtol=1e-5 accepts flows that differ by 1e-5 relative.
    """
    T = _transition_matrix(T, "T")
    pi = _distribution(_array(pi, "pi", ndim=1), "pi")
    if pi.shape != (len(T),):
        raise ValueError(f"pi must have one entry per state ({len(T)}), got shape {pi.shape}")
    atol = _scalar(atol, "atol", nonnegative=True)
    flow = pi[:, None] * T
    return bool(np.allclose(flow, flow.T, rtol=0.0, atol=atol))


def bivariate_normal_pdf(x1, x2, rho):
    """``scipy.stats.multivariate_normal`` with the covariance given by its eigendecomposition.

    [[1, rho], [rho, 1]] has the eigenvalues 1 + rho and 1 - rho (both exact in
    float64) on (1, 1)/sqrt 2 and (1, -1)/sqrt 2; passing them as a
    ``scipy.stats.Covariance`` keeps 1 - rho exact near rho = 1.

    trap: with ``cov=[[1, rho], [rho, 1]]`` SciPy re-derives the eigenvalues with eigh,
    whose absolute error ~1e-16 ruins 1 - rho ~ 1e-9, and rejects 1 - rho ~ 1e-12 as
    singular.
    """
    rho = _scalar(rho, "rho")
    if not -1.0 < rho < 1.0:
        raise ValueError(f"rho must lie strictly between -1 and 1, got {rho}")
    x1, x2 = _array(x1, "x1"), _array(x2, "x2")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ValueError(f"x1 of shape {x1.shape} does not broadcast with x2 {x2.shape}") from None
    vectors = np.array([[1.0, 1.0], [1.0, -1.0]]) / math.sqrt(2.0)
    covariance = stats.Covariance.from_eigendecomposition((np.array([1 + rho, 1 - rho]), vectors))
    points = np.stack(np.broadcast_arrays(x1, x2), axis=-1).reshape(-1, 2)
    # trap: SciPy squares the whitened points, which overflows beyond |x| ~ 1e154 and
    # warns; the density there is 0.0, as it returns.
    with np.errstate(over="ignore"):
        density = stats.multivariate_normal(np.zeros(2), covariance).pdf(points)
    return _out(np.reshape(density, shape))


# --------------------------------------------------------------------------- 6.17-6.20 diffusion


def _table(p: Any, name: str, shape: tuple) -> np.ndarray:
    table = _distribution(p, name)
    if table.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {table.shape}")
    return table


def hvae_log_evidence(x, p_zT, p_down, p_x_given_z1):
    """log p(x): the latent chain marginalized layer by layer with ``scipy.special.logsumexp``."""
    p_zT = _distribution(p_zT, "p_zT")
    if p_zT.ndim != 1:
        raise ValueError(f"p_zT must be a vector, got shape {p_zT.shape}")
    s = p_zT.shape[0]
    p_down = _distribution(p_down, "p_down")
    if p_down.ndim != 3 or p_down.shape[1:] != (s, s):
        raise ValueError(f"p_down must have shape (T-1, {s}, {s}), got {p_down.shape}")
    p_x_given_z1 = _distribution(p_x_given_z1, "p_x_given_z1")
    if p_x_given_z1.ndim != 2 or p_x_given_z1.shape[0] != s:
        raise ValueError(f"p_x_given_z1 must have shape ({s}, K), got {p_x_given_z1.shape}")
    x = _integer(x, "x", 0)
    if x >= p_x_given_z1.shape[1]:
        raise ValueError(f"x must lie in [0, {p_x_given_z1.shape[1]}), got {x}")
    with np.errstate(divide="ignore"):  # log 0 = -inf: an impossible transition
        log_marginal = np.log(p_zT)
        for table in p_down[::-1]:
            log_marginal = special.logsumexp(log_marginal[:, None] + np.log(table), axis=0)
        return float(special.logsumexp(log_marginal + np.log(p_x_given_z1[:, x])))


def alpha_bars(alphas):
    """Cumulative products of the schedule along the last axis: ``numpy.cumprod``."""
    alphas = _array(alphas, "alphas", min_ndim=1)
    if alphas.shape[-1] == 0:
        raise ValueError("alphas must hold at least one step")
    if np.any((alphas <= 0) | (alphas >= 1)):
        raise ValueError("alphas must lie in the open interval (0, 1)")
    return np.cumprod(alphas, axis=-1)


def _spd(a: Any, name: str, d: int) -> np.ndarray:
    matrix = _array(a, name, ndim=2)
    if matrix.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}), got {matrix.shape}")
    scale = np.max(np.abs(matrix), initial=0.0)
    if not np.allclose(matrix, matrix.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError(f"{name} must be symmetric")
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise ValueError(f"{name} must be positive definite") from None
    return matrix


def gaussian_kl(mu_q, cov_q, mu_p, cov_p):
    """KL(N(mu_q, cov_q) || N(mu_p, cov_p)): ``torch.distributions.kl_divergence`` of two
    float64 ``MultivariateNormal``s.

    trap: torch sums log-determinant, trace and Mahalanobis terms that cancel when the
    Gaussians nearly coincide, and can return -1e-16; KL >= 0, so clip at 0.
    """
    from torch.distributions import MultivariateNormal, kl_divergence

    mu_q = _array(mu_q, "mu_q", ndim=1)
    mu_p = _array(mu_p, "mu_p", ndim=1)
    d = mu_q.shape[0]
    if mu_p.shape != (d,):
        raise ValueError(f"mu_p must have the shape of mu_q {mu_q.shape}, got {mu_p.shape}")
    cov_q, cov_p = _spd(cov_q, "cov_q", d), _spd(cov_p, "cov_p", d)
    q = MultivariateNormal(_tensor(mu_q), covariance_matrix=_tensor(cov_q))
    p = MultivariateNormal(_tensor(mu_p), covariance_matrix=_tensor(cov_p))
    return max(float(kl_divergence(q, p)), 0.0)


# --------------------------------------------------------------------------- 7.22-7.24 adversarial


def deepfool_linear(w, b, x0):
    """The minimum-norm r with w.(x0 + r) + b = 0: ``numpy.linalg.lstsq`` of the 1 x d system."""
    w = _array(w, "w", ndim=1)
    b = _scalar(b, "b")
    x0 = _array(x0, "x0", min_ndim=1)
    if x0.shape[-1] != w.shape[0]:
        raise ValueError(f"x0 must have {w.shape[0]} entries on its last axis, got {x0.shape}")
    if not np.any(w):
        raise ValueError("w must be nonzero")
    rhs = -(x0 @ w + b)
    r = np.linalg.lstsq(w[None, :], np.reshape(rhs, (1, -1)), rcond=None)[0]
    return np.reshape(r.T, x0.shape)


def fgsm(model, loss_fn, x, y, eps):
    """x + eps * sign(grad_x loss): the gradient from ``torch.autograd.grad``."""
    import torch

    for name, function in (("model", model), ("loss_fn", loss_fn)):
        if not callable(function):
            raise ValueError(f"{name} must be callable, got {type(function).__name__}")
    x = _array(x, "x", min_ndim=1)
    if x.ndim > 2:
        raise ValueError(f"x must be a vector (d,) or a batch (n, d), got shape {x.shape}")
    eps = _scalar(eps, "eps", positive=True)
    inputs = _tensor(np.atleast_2d(x), requires_grad=True)
    targets = np.asarray(y)
    if targets.size != inputs.shape[0]:
        raise ValueError(f"y must hold {inputs.shape[0]} label(s), got shape {targets.shape}")
    dtype = np.int64 if np.issubdtype(targets.dtype, np.integer) else np.float64
    loss = loss_fn(model(inputs), torch.from_numpy(targets.reshape(-1).astype(dtype)))
    if loss.numel() != 1 or not bool(torch.isfinite(loss).all()):
        raise ValueError(f"loss_fn must return one finite value, got {loss}")
    (gradient,) = torch.autograd.grad(loss.reshape(()), inputs)
    return x + eps * torch.sign(gradient).numpy().reshape(x.shape)


# --------------------------------------------------------------------------- 9.25-9.28 smoothing


def _probabilities(p: Any, name: str) -> np.ndarray:
    p = _array(p, name)
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"{name} must lie in [0, 1]")
    return p


def normal_cdf(x):
    """Phi(x): ``scipy.special.ndtr`` (erfc-based: relative accuracy in the lower tail).

    trap: torch.distributions.Normal.cdf is 0.5 (1 + erf(x / sqrt 2)), which is 0 below
    x ~ -8.3 instead of Phi(-8.3) ~ 5e-17.
    """
    try:
        x = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"x must be an array of real numbers ({error})") from None
    if np.isnan(x).any():
        raise ValueError("x must not be NaN")
    return _out(special.ndtr(x))


def normal_ppf(p):
    """Phi^-1(p): ``scipy.special.ndtri``.

    trap: torch.distributions.Normal.icdf is sqrt 2 erfinv(2p - 1), and 2p - 1 rounds
    to -1 for p < 1e-17: the lower tail becomes -inf.
    """
    return _out(special.ndtri(_probabilities(p, "p")))


def smoothed_linear_probability(w, b, x, sigma):
    """P(w.(x + eps) + b > 0) = ``scipy.stats.norm.cdf(w.x + b, scale=sigma ||w||)``."""
    w = _array(w, "w", ndim=1)
    b = _scalar(b, "b")
    x = _array(x, "x", min_ndim=1)
    sigma = _scalar(sigma, "sigma", positive=True)
    if x.shape[-1] != w.shape[0]:
        raise ValueError(f"x must have {w.shape[0]} coordinates on its last axis, got {x.shape}")
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("w must be nonzero")
    return _out(stats.norm.cdf(x @ w + b, scale=sigma * norm))


def certified_radius(p_a, p_b, sigma):
    """(sigma/2)(Phi^-1(p_a) - Phi^-1(p_b)) with ``scipy.stats.norm.ppf``.

    trap: at a tie p_a = p_b in {0, 1} the two quantiles are equal infinities and their
    difference is NaN; the radius there is 0.
    """
    p_a, p_b = _probabilities(p_a, "p_a"), _probabilities(p_b, "p_b")
    sigma = _scalar(sigma, "sigma", positive=True)
    if np.any(p_a < p_b):
        raise ValueError("p_a must be at least p_b")
    with np.errstate(invalid="ignore"):
        difference = stats.norm.ppf(p_a) - stats.norm.ppf(p_b)
    return _out(np.where(p_a == p_b, 0.0, 0.5 * sigma * difference))


def smoothing_worst_case_probability(p_a, delta_norm, sigma):
    """Phi(Phi^-1(p_a) - ||delta|| / sigma): ``scipy.stats.norm.cdf`` of a shifted ``norm.ppf``."""
    p_a = _probabilities(p_a, "p_a")
    delta_norm = _array(delta_norm, "delta_norm")
    if np.any(delta_norm < 0):
        raise ValueError("delta_norm must be non-negative")
    sigma = _scalar(sigma, "sigma", positive=True)
    return _out(stats.norm.cdf(stats.norm.ppf(p_a) - delta_norm / sigma))


def _sampling(x, sigma, n, alpha, rng, n_name: str = "n") -> tuple[np.ndarray, float, int, float]:
    x = _array(x, "x", ndim=1)
    sigma = _scalar(sigma, "sigma", positive=True)
    n = _integer(n, n_name, 1)
    alpha = _scalar(alpha, "alpha")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie in (0, 1), got {alpha}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return x, sigma, n, alpha


def _noisy_labels(f, x: np.ndarray, sigma: float, n: int, rng) -> np.ndarray:
    """f at n points drawn from ``scipy.stats.multivariate_normal(x, sigma^2 I)`` with rng."""
    points = stats.multivariate_normal(x, sigma**2).rvs(size=n, random_state=rng)
    labels = np.asarray(f(np.reshape(points, (n, x.size))))
    if labels.shape != (n,):
        raise ValueError(f"f must return {n} labels for {n} points, got shape {labels.shape}")
    if labels.dtype != np.bool_ and not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"f must return integer labels, got dtype {labels.dtype}")
    if np.any(labels < 0):
        raise ValueError("f must return labels >= 0 (-1 means abstain)")
    return labels.astype(np.int64)


def _ranked(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    classes, counts = np.unique(labels, return_counts=True)
    order = np.argsort(-counts, kind="stable")
    return classes[order], counts[order]


def smoothed_predict(f, x, sigma, n, alpha, rng):
    """Cohen et al.'s PREDICT with ``scipy.stats.binomtest(n_A, n_A + n_B, 0.5)`` (two-sided)."""
    x, sigma, n, alpha = _sampling(x, sigma, n, alpha, rng)
    classes, counts = _ranked(_noisy_labels(f, x, sigma, n, rng))
    n_a, n_b = int(counts[0]), int(counts[1]) if len(counts) > 1 else 0
    p_value = stats.binomtest(n_a, n_a + n_b, 0.5).pvalue
    return int(classes[0]) if p_value <= alpha else -1


def smoothed_certify(f, x, sigma, n0, n, alpha, rng):
    """Cohen et al.'s CERTIFY: the one-sided Clopper-Pearson bound of k successes in n is the
    Beta quantile ``scipy.stats.beta.ppf(alpha, k, n - k + 1)``.

    trap: ``scipy.stats.binomtest(k, n, alternative='greater').proportion_ci(1 - alpha)``
    takes a confidence level, and 1 - (1 - alpha) is alpha only to ~1e-16 absolute: at
    alpha = 1e-12 the bound is off by ~3e-7.
    """
    x, sigma, n, alpha = _sampling(x, sigma, n, alpha, rng)
    _integer(n0, "n0", 1)
    guess = int(_ranked(_noisy_labels(f, x, sigma, n0, rng))[0][0])
    k = int(np.count_nonzero(_noisy_labels(f, x, sigma, n, rng) == guess))
    p_lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
    if p_lower > 0.5:
        return guess, float(sigma * stats.norm.ppf(p_lower))
    return -1, 0.0


# --------------------------------------------------------------------------- 9.27, 10.29, 10.30


def _network(W1, b1, W2, x):
    W1 = _array(W1, "W1", ndim=2)
    W2 = _array(W2, "W2", ndim=2)
    if 0 in W1.shape:
        raise ValueError(f"W1 must have at least one row and one column, got {W1.shape}")
    if W2.shape[0] == 0 or W2.shape[1] != W1.shape[0]:
        raise ValueError(f"W2 must have shape (k, {W1.shape[0]}) with k >= 1, got {W2.shape}")
    b1 = _array(b1, "b1", ndim=1)
    if b1.shape != (W1.shape[0],):
        raise ValueError(f"b1 must have shape ({W1.shape[0]},), got {b1.shape}")
    x = _array(x, "x", min_ndim=1)
    if x.shape[-1] != W1.shape[1]:
        raise ValueError(f"x must have {W1.shape[1]} entries on its last axis, got {x.shape}")
    return _tensor(W1), _tensor(b1), _tensor(W2), x


def _torch_network(W1, b1, W2):
    import torch

    def f(x):
        return torch.nn.functional.linear(torch.relu(torch.nn.functional.linear(x, W1, b1)), W2)

    return f


def relu_network(W1, b1, W2, x):
    """W2 ReLU(W1 x + b1): ``torch.nn.functional.linear`` and ``torch.relu``."""
    W1, b1, W2, x = _network(W1, b1, W2, x)
    return _torch_network(W1, b1, W2)(_tensor(x)).numpy()


def relu_network_jacobian(W1, b1, W2, x):
    """df/dx by ``torch.func.jacrev``, vectorized over a batch with ``torch.func.vmap``.

    torch's ReLU has derivative 0 at 0, one of the two one-sided derivatives.
    """
    import torch

    W1, b1, W2, x = _network(W1, b1, W2, x)
    jacobian = torch.func.jacrev(_torch_network(W1, b1, W2))
    points = _tensor(x.reshape(-1, x.shape[-1]))
    rows = torch.func.vmap(jacobian)(points).numpy()
    return rows.reshape(*x.shape[:-1], W2.shape[0], W1.shape[1])


def _spectral_norms(matrices: np.ndarray) -> np.ndarray:
    """Largest singular values: ``torch.linalg.matrix_norm(ord=2)`` on the last two axes."""
    import torch

    return torch.linalg.matrix_norm(_tensor(matrices), ord=2).numpy()


def relu_network_lipschitz_bound(W1, W2):
    """||W2||_2 ||W1||_2 with ``scipy.linalg.svdvals``."""
    W1 = _array(W1, "W1", ndim=2)
    W2 = _array(W2, "W2", ndim=2)
    if 0 in W1.shape:
        raise ValueError(f"W1 must have at least one row and one column, got {W1.shape}")
    if W2.shape[0] == 0 or W2.shape[1] != W1.shape[0]:
        raise ValueError(f"W2 must have shape (k, {W1.shape[0]}) with k >= 1, got {W2.shape}")
    return float(linalg.svdvals(W2)[0] * linalg.svdvals(W1)[0])


def relu_network_local_lipschitz_bound(W1, b1, W2, x, eps):
    """||W2[:, A]||_2 ||W1[A]||_2 over the units A alive somewhere on the ball B(x, eps).

    Unit i is dead on the ball when w_i.x + b_i + eps ||w_i|| <= 0; the kept
    submatrices (dropped rows and columns zeroed) go to ``torch.linalg.matrix_norm``.
    """
    W1_t, b1_t, W2_t, x = _network(W1, b1, W2, x)
    eps = _scalar(eps, "eps", nonnegative=True)
    W1, b1, W2 = W1_t.numpy(), b1_t.numpy(), W2_t.numpy()
    alive = x @ W1.T + b1 + eps * np.linalg.norm(W1, axis=1) > 0
    kept_out = _spectral_norms(W2 * alive[..., None, :])
    kept_in = _spectral_norms(W1 * alive[..., :, None])
    return _out(kept_out * kept_in)


def _smoothing(g_x, lower, upper, sigma) -> tuple[np.ndarray, float, float, float]:
    lower = _scalar(lower, "lower")
    upper = _scalar(upper, "upper")
    if not upper > lower:
        raise ValueError(f"upper must exceed lower, got lower={lower}, upper={upper}")
    if not math.isfinite(upper - lower):
        raise ValueError("upper - lower must be finite")
    sigma = _scalar(sigma, "sigma", positive=True)
    g_x = _array(g_x, "g_x")
    if np.any((g_x < lower) | (g_x > upper)):
        raise ValueError(f"g_x must lie in [lower, upper] = [{lower}, {upper}]")
    return g_x, lower, upper, sigma


def _normal_score(g: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Phi^-1((g - l)/(u - l)) by ``scipy.stats.norm.ppf`` below the midpoint and
    ``norm.isf((u - g)/(u - l))`` above it.

    trap: norm.ppf((g - l)/(u - l)) alone loses the upper tail: the ratio rounds to a
    multiple of 2^-53 near 1 (and to 1 itself within 1e-16 of u).
    """
    width = upper - lower
    below, above = (g - lower) / width, (upper - g) / width
    return np.where(below <= above, stats.norm.ppf(below), stats.norm.isf(above))


def smoothing_eta(g_x, lower, upper, sigma):
    """sigma Phi^-1((g_x - l)/(u - l)), accurate in both tails."""
    g_x, lower, upper, sigma = _smoothing(g_x, lower, upper, sigma)
    return _out(sigma * _normal_score(g_x, lower, upper))


def smoothed_value_bounds(g_x, delta_norm, lower, upper, sigma):
    """l + (u - l) Phi((eta -+ ||delta||)/sigma) with ``scipy.stats.norm.cdf``."""
    g_x, lower, upper, sigma = _smoothing(g_x, lower, upper, sigma)
    delta_norm = _array(delta_norm, "delta_norm")
    if np.any(delta_norm < 0):
        raise ValueError("delta_norm must be non-negative")
    score = _normal_score(g_x, lower, upper)
    # ||delta|| / sigma may overflow to inf, which is right; an infinite score stays put
    # (inf - inf would be NaN)
    with np.errstate(over="ignore", invalid="ignore"):
        shift = delta_norm / sigma
        down = np.where(np.isinf(score), score, score - shift)
        up = np.where(np.isinf(score), score, score + shift)
    width = upper - lower
    return (
        _out(lower + width * stats.norm.cdf(down)),
        _out(lower + width * stats.norm.cdf(up)),
    )


def smoothed_lipschitz_constant(sigma):
    """1/(sigma sqrt(2 pi)) = ``scipy.stats.norm.pdf(0, scale=sigma)``."""
    return float(stats.norm.pdf(0.0, scale=_scalar(sigma, "sigma", positive=True)))
