"""Contract entries of Lecture 3: Jensen-Shannon, Wasserstein-1, WGAN-GP.

Mirrors ``impl/divergences.py``.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "js_divergence",
        "js_divergence(p, q) -> float | ndarray",
        "JS(p, q) = KL(p||m)/2 + KL(q||m)/2, m = (p+q)/2, over the last axis, in nats; "
        "in [0, log 2]",
        "real",
        ("3.10",),
    ),
    Entry(
        "wasserstein1_1d",
        "wasserstein1_1d(u, v, u_weights=None, v_weights=None) -> float",
        "W1 = integral |F_u - F_v| between weighted 1-D samples "
        "(weights normalized, default uniform)",
        "scalar",
        ("3.10",),
    ),
    Entry(
        "wasserstein1",
        "wasserstein1(X, Y) -> float",
        "exact W1 between uniform point clouds X, Y of shape (n, d): "
        "the least mean Euclidean matching cost",
        "scalar",
        ("3.10",),
    ),
    Entry(
        "wgan_interpolates",
        "wgan_interpolates(x, y, t) -> ndarray",
        "s = t x + (1-t) y row by row for x, y of shape (n, d), t scalar or (n,) in [0, 1]",
        "array",
        ("3.11",),
    ),
    Entry(
        "gradient_penalty",
        "gradient_penalty(critic, x, y, t, lam=10.0) -> torch.Tensor",
        "lam * mean (||grad critic(s)||_2 - 1)^2 at s = wgan_interpolates(x, y, t); a 0-dim "
        "float64 tensor differentiable w.r.t. the critic's parameters (critic: (n, d) tensor -> n)",
        "tensor",
        ("3.11",),
    ),
    Entry(
        "optimal_critic_1d",
        "optimal_critic_1d(real, fake) -> Callable[[ndarray], ndarray]",
        "f(z) = integral_{-inf}^z sign(F_fake - F_real): the 1-Lipschitz Kantorovich potential, "
        "E_real f - E_fake f = W1; f vectorized (shape of z)",
        "callable",
        ("3.11",),
    ),
]
