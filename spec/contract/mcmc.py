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
        conventions=(
            "theta is a float64 array of any shape; a 0-d theta gives a float back (np.float64 is"
            " one), an array theta a float64 array of theta's shape.",
            "grad_log_prior(theta) returns an array of theta's shape; grad_log_likelihood(theta, "
            "batch) returns one gradient per row of batch, shape (n, *theta.shape); a wrong "
            "shape, a NaN value or a non-callable raises ValueError naming the callable.",
            "batch is an array of n >= 1 rows (data points); an empty, 0-d or NaN batch raises "
            "ValueError naming batch.",
            "N is an integer with N >= n (the data set holds the batch); a smaller or non-integer"
            " N raises ValueError naming N.",
            "theta holding NaN raises ValueError naming theta.",
        ),
    ),
    Entry(
        "sgld_step",
        "sgld_step(theta, drift, eta, noise) -> float | ndarray",
        "theta + eta * drift + sqrt(2 eta) * noise (Welling and Teh's step eps = 2 eta)",
        "real",
        ("5.14",),
        conventions=(
            "theta, drift and noise are float64 arrays of one shape; a 0-d theta gives a float "
            "back, an array theta a float64 array of its shape.",
            "eta <= 0 raises ValueError naming eta; drift or noise of another shape than theta, "
            "or holding NaN, raises ValueError naming drift or noise; NaN theta raises ValueError"
            " naming theta.",
        ),
    ),
    Entry(
        "stationary_distribution",
        "stationary_distribution(T) -> ndarray",
        "the unique pi with pi T = pi, sum pi = 1, for a row-stochastic T; "
        "ValueError if it is not unique",
        "array",
        ("5.15",),
        conventions=(
            "T is a square K x K row-stochastic float64 matrix; a non-square, 1-D, extra-axis, "
            "NaN, negative or non-stochastic T raises ValueError naming T.",
            "A T with several closed classes (no unique stationary distribution) raises "
            "ValueError naming T.",
            "The result is a float64 vector of length K with every entry >= 0 exactly (round-off "
            "below 0 is clipped) and summing to 1 within 2K ulp (a final normalization).",
        ),
    ),
    Entry(
        "detailed_balance_holds",
        "detailed_balance_holds(T, pi, atol=1e-12) -> bool",
        "whether |pi(x) T(x, y) - pi(y) T(y, x)| <= atol for all states x, y",
        "bool",
        ("5.15",),
        conventions=(
            "atol is an absolute tolerance on |pi(x) T(x, y) - pi(y) T(y, x)|, with no relative "
            "part: np.allclose's default rtol = 1e-5 is not this contract; atol = 0 demands exact"
            " equality of the computed flows.",
            "atol < 0 raises ValueError naming atol; T as for stationary_distribution (naming T);"
            " pi that is not a probability vector of length K raises ValueError naming pi.",
            "The result is a bool (np.bool_ allowed).",
        ),
    ),
    Entry(
        "path_probability",
        "path_probability(T, pi, path) -> float",
        "pi(x_0) prod_i T(x_i, x_{i+1}) for a non-empty sequence of integer states path",
        "scalar",
        ("5.15",),
        conventions=(
            "path is a non-empty 1-D sequence of integer states in [0, K); an empty, nested, non-"
            "integer or out-of-range path raises ValueError naming path.",
            "T and pi as for detailed_balance_holds (ValueError naming T or pi); the result is a "
            "float.",
        ),
    ),
    Entry(
        "metropolis_hastings_kernel",
        "metropolis_hastings_kernel(pi, Q) -> ndarray",
        "T(x, y) = Q(x, y) min(1, pi(y) Q(y, x) / (pi(x) Q(x, y))) off the diagonal, rows sum "
        "to 1; Q stochastic with Q(x, y) > 0 iff Q(y, x) > 0",
        "array",
        ("5.15",),
        conventions=(
            "Q is a square row-stochastic matrix with Q(x, y) > 0 exactly when Q(y, x) > 0; "
            "anything else raises ValueError naming Q; pi that is not a probability vector of "
            "length K raises ValueError naming pi.",
            "The result is a K x K float64 matrix with every entry >= 0 exactly (a rejection mass"
            " that rounds below 0 comes back as 0); moves out of a state of mass 0 are accepted.",
        ),
    ),
    Entry(
        "bivariate_normal_pdf",
        "bivariate_normal_pdf(x1, x2, rho) -> float | ndarray",
        "density of N(0, [[1, rho], [rho, 1]]) at (x1, x2), broadcasting; |rho| < 1",
        "real",
        ("5.16",),
        conventions=(
            "x1 and x2 broadcast against each other (any leading axes); scalars give a float, "
            "arrays a float64 array of the broadcast shape; shapes that do not broadcast raise "
            "ValueError naming x1.",
            "rho must satisfy |rho| < 1; |rho| >= 1, NaN or inf raises ValueError naming rho; NaN"
            " points raise ValueError naming x1 or x2.",
            "Numerics tier: points beyond 1e155 give exactly 0.0 without overflow warnings, and "
            "near rho = +-1 the density keeps relative accuracy ~ u (1 + |x|^2 / (1 - rho^2)).",
        ),
    ),
    Entry(
        "gibbs_conditional",
        "gibbs_conditional(rho, x_other) -> (mean, variance)",
        "mean and variance of one coordinate of N(0, [[1, rho], [rho, 1]]) given the other",
        "tuple",
        ("5.16",),
        conventions=(
            "Returns the tuple (mean, variance): mean is rho * x_other (a float for a scalar "
            "x_other, a float64 array of its shape otherwise), variance the float 1 - rho^2.",
            "|rho| >= 1, NaN or inf raises ValueError naming rho; NaN x_other raises ValueError "
            "naming x_other.",
            "Numerics tier: 1 - rho^2 is accurate to 4 eps relative even for rho within 1e-12 of "
            "+-1.",
        ),
    ),
    Entry(
        "gibbs_sampler",
        "gibbs_sampler(rho, n_steps, x0, rng) -> ndarray",
        "(n_steps, 2) states after each Gibbs sweep from x0 (x1 | x2, then x2 | new x1), "
        "noise from the numpy Generator rng",
        "array",
        ("5.16",),
        conventions=(
            "n_steps is an integer >= 1 (the project's rule for every count of steps or samples);"
            " 0, a negative or a non-integer n_steps raises ValueError naming n_steps.",
            "x0 is a float64 point of shape (2,); another shape or NaN raises ValueError naming "
            "x0; rng must be a numpy.random.Generator (an integer seed raises ValueError naming "
            "rng); |rho| >= 1 raises ValueError naming rho.",
            "The result is an (n_steps, 2) float64 array of finite states, row t the state after "
            "sweep t + 1 (x0 not included).",
        ),
    ),
]
