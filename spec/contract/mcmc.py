"""Contract entries of Lecture 5: SGLD, detailed balance, Gibbs sampling (``impl/mcmc.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "sgld_drift",
        "sgld_drift(theta, grad_log_prior, grad_log_likelihood, batch, N) -> float | ndarray",
        "grad log p(theta) + (N/n) sum_{x in batch} grad log p(x|theta); "
        "grad_log_likelihood(theta, batch) gives one gradient per row of the n-row batch",
        "real",
        ("5.14",),
    ),
    Entry(
        "sgld_step",
        "sgld_step(theta, drift, eta, noise) -> float | ndarray",
        "theta + eta * drift + sqrt(2 eta) * noise (Welling and Teh's step eps = 2 eta)",
        "real",
        ("5.14",),
    ),
    Entry(
        "stationary_distribution",
        "stationary_distribution(T) -> ndarray",
        "the unique pi with pi T = pi, sum pi = 1, for a row-stochastic T; "
        "ValueError if it is not unique",
        "array",
        ("5.15",),
    ),
    Entry(
        "detailed_balance_holds",
        "detailed_balance_holds(T, pi, atol=1e-12) -> bool",
        "whether |pi(x) T(x, y) - pi(y) T(y, x)| <= atol for all states x, y",
        "bool",
        ("5.15",),
    ),
    Entry(
        "path_probability",
        "path_probability(T, pi, path) -> float",
        "pi(x_0) prod_i T(x_i, x_{i+1}) for a non-empty sequence of integer states path",
        "scalar",
        ("5.15",),
    ),
    Entry(
        "metropolis_hastings_kernel",
        "metropolis_hastings_kernel(pi, Q) -> ndarray",
        "T(x, y) = Q(x, y) min(1, pi(y) Q(y, x) / (pi(x) Q(x, y))) off the diagonal, rows sum "
        "to 1; Q stochastic with Q(x, y) > 0 iff Q(y, x) > 0",
        "array",
        ("5.15",),
    ),
    Entry(
        "bivariate_normal_pdf",
        "bivariate_normal_pdf(x1, x2, rho) -> float | ndarray",
        "density of N(0, [[1, rho], [rho, 1]]) at (x1, x2), broadcasting; |rho| < 1",
        "real",
        ("5.16",),
    ),
    Entry(
        "gibbs_conditional",
        "gibbs_conditional(rho, x_other) -> (mean, variance)",
        "mean and variance of one coordinate of N(0, [[1, rho], [rho, 1]]) given the other",
        "tuple",
        ("5.16",),
    ),
    Entry(
        "gibbs_sampler",
        "gibbs_sampler(rho, n_steps, x0, rng) -> ndarray",
        "(n_steps, 2) states after each Gibbs sweep from x0 (x1 | x2, then x2 | new x1), "
        "noise from the numpy Generator rng",
        "array",
        ("5.16",),
    ),
]
