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
        conventions=(
            "p and q are probability vectors (K,) or batches (..., K) of the same shape; one "
            "pair gives a float, a batch a float64 array of one JS per row of the last axis.",
            "Masses must be non-negative and sum to 1 within 1e-9 on the last axis; a NaN, a "
            "negative mass, a sum off 1, or an empty last axis raises ValueError naming p or q; "
            "q of another shape than p raises ValueError naming q.",
            "Where masses sum to 1 only within that tolerance, JS still never exceeds log 2.",
            "Numerics tier: masses down to 1e-300 and nearly equal p, q (JS ~ 1e-33) give JS "
            "to 12 digits relative (1e-15 absolute), with no floating-point warning.",
        ),
    ),
    Entry(
        "wasserstein1_1d",
        "wasserstein1_1d(u, v, u_weights=None, v_weights=None) -> float",
        "W1 = integral |F_u - F_v| between weighted 1-D samples "
        "(weights normalized, default uniform)",
        "scalar",
        ("3.10",),
        conventions=(
            "u and v are non-empty 1-D samples; u_weights and v_weights, when given, have the "
            "shape of their sample, are non-negative with a positive sum and are normalized; "
            "None means uniform weights.  Returns a float.",
            "An empty or non-1-D sample, or one holding NaN/inf, raises ValueError naming u or "
            "v; weights that are negative (even one), all 0, of another length, or NaN raise "
            "ValueError naming u_weights or v_weights.",
            "A point of weight 0 does not count, however far away it lies.",
        ),
    ),
    Entry(
        "wasserstein1",
        "wasserstein1(X, Y) -> float",
        "exact W1 between uniform point clouds X, Y of shape (n, d): "
        "the least mean Euclidean matching cost",
        "scalar",
        ("3.10",),
        conventions=(
            "X and Y are point clouds of the same shape (n, d) with n >= 1 (uniform weights "
            "1/n); returns a float.",
            "X that is not 2-D, has no points (n = 0), or holds NaN/inf raises ValueError naming "
            "X; Y of another shape than X, or holding NaN/inf, raises ValueError naming Y.",
        ),
    ),
    Entry(
        "wgan_interpolates",
        "wgan_interpolates(x, y, t) -> ndarray",
        "s = t x + (1-t) y row by row for x, y of shape (n, d), t scalar or (n,) in [0, 1]",
        "array",
        ("3.11",),
        conventions=(
            "x and y are (n, d) arrays of the same shape with n >= 1 rows; t is a scalar (used "
            "for every row) or an (n,) array, all in [0, 1]; returns an (n, d) float64 array.",
            "x that is not 2-D, has no rows (n = 0) or holds NaN/inf raises ValueError naming x; "
            "y of another shape or holding NaN/inf raises ValueError naming y.",
            "t outside [0, 1], NaN, of length other than n, or of shape (n, 1) raises "
            "ValueError naming t.",
        ),
    ),
    Entry(
        "gradient_penalty",
        "gradient_penalty(critic, x, y, t, lam=10.0) -> torch.Tensor",
        "lam * mean (||grad critic(s)||_2 - 1)^2 at s = wgan_interpolates(x, y, t); a 0-dim "
        "float64 tensor differentiable w.r.t. the critic's parameters (critic: (n, d) tensor -> n)",
        "tensor",
        ("3.11",),
        conventions=(
            "critic is a callable taking an (n, d) float64 torch tensor (requires_grad) and "
            "returning n scores, shape (n,) or (n, 1), computed row by row; anything else "
            "(not callable, another number of scores) raises ValueError naming critic.",
            "x, y and t follow wgan_interpolates and may be NumPy arrays or torch tensors "
            "(tensors are data: they are detached); their errors name x, y or t.",
            "lam defaults to 10.0; a negative or NaN lam raises ValueError naming lam.",
            "Returns a 0-d float64 torch.Tensor built with create_graph=True, so that "
            "backward() reaches the critic's parameters.",
            "A critic whose scores are not computed from s at all (constant, or depending only "
            "on its parameters) has gradient 0 and pays lam: autograd finding no path to s is "
            "not an error.",
        ),
    ),
    Entry(
        "optimal_critic_1d",
        "optimal_critic_1d(real, fake) -> Callable[[ndarray], ndarray]",
        "f(z) = integral_{-inf}^z sign(F_fake - F_real): the 1-Lipschitz Kantorovich potential, "
        "E_real f - E_fake f = W1; f vectorized (shape of z)",
        "callable",
        ("3.11",),
        conventions=(
            "real and fake are non-empty 1-D samples; an empty or non-1-D sample, or one "
            "holding NaN/inf, raises ValueError naming real or fake.",
            "The returned f is vectorized: f(z) has the shape of z, and a scalar z gives a "
            "float; z holding NaN raises ValueError naming z.",
        ),
    ),
]
