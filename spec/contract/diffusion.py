"""Contract entries of Lecture 6: hierarchical VAEs and diffusion models (``impl/diffusion.py``).

Conventions of this lecture (Exercises 6.17-6.21):

* Time is 1-based.  A noise schedule ``alphas`` is a vector of length T with
  every entry in the open interval (0, 1); ``alphas[t - 1]`` is alpha_t for
  t = 1..T.  alpha_bar_t = prod_{i <= t} alpha_i, and alpha_bar_0 = 1 (the
  data themselves); ``alpha_bars(alphas)[t - 1]`` is alpha_bar_t.
* Data, noise and scores are float64 arrays of shape (..., d) (at least one
  axis); arguments combined elementwise must have the same shape.  Every model
  of the lecture is isotropic, so variances come back as Python floats.
* ``alpha_t`` (one step) lies in (0, 1); ``alpha_bar_t`` lies in (0, 1], its
  value 1 meaning t = 0.
* Discrete hierarchical VAE (6.17): S latent states in each of T layers, x a
  symbol in range(K).  Tables put the distribution on the last axis and the
  conditioning value on the axis before it; layers are 1-based like time:
  ``p_zT[j]`` = p(z_T = j), shape (S,);
  ``p_down[t - 1, i, j]`` = p(z_t = j | z_{t+1} = i), t = 1..T-1, shape (T-1, S, S);
  ``p_x_given_z1[i, k]`` = p(x = k | z_1 = i), shape (S, K);
  ``q_z1_given_x[k, i]`` = q(z_1 = i | x = k), shape (K, S);
  ``q_up[t - 1, i, j]`` = q(z_{t+1} = j | z_t = i), t = 1..T-1, shape (T-1, S, S).
  With T = 1 the two chains are empty arrays of shape (0, S, S).
* Counts of steps are >= 1: a schedule holds T >= 1 steps (an empty ``alphas`` raises
  ValueError naming ``alphas``), and the 1-based step t lies in 1..T.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "hvae_elbo",
        "hvae_elbo(x, p_zT, p_down, p_x_given_z1, q_z1_given_x, q_up) -> float",
        "Markovian hierarchical-VAE ELBO E_q[log p(x, z_1:T) - log q(z_1:T | x)] of symbol x "
        "from the factorized form (4), tables as in the module docstring; -inf when q charges "
        "a path of probability 0 under p",
        "scalar",
        ("6.17",),
        conventions=(
            "returns a float; -inf exactly when q(. | x) charges a latent path of p-probability 0",
            "ValueError naming p_zT, p_down, p_x_given_z1 or x as for hvae_log_evidence",
            "ValueError naming q_z1_given_x when it is not of shape (K, S), has a NaN or "
            "negative entry, or a row not summing to 1",
            "ValueError naming q_up when its shape differs from p_down's (T-1, S, S) or it "
            "has a NaN, a negative entry or a row not summing to 1",
        ),
    ),
    Entry(
        "hvae_log_evidence",
        "hvae_log_evidence(x, p_zT, p_down, p_x_given_z1) -> float",
        "log p(x) = log sum over latent paths of p(z_T) prod_t p(z_t | z_{t+1}) p(x | z_1); "
        "-inf when x is impossible",
        "scalar",
        ("6.17",),
        conventions=(
            "returns a float; -inf exactly when x has probability 0",
            "ValueError naming p_zT when it is not a vector of S probabilities summing to 1 "
            "(NaN, negative entries, another sum, extra axes)",
            "ValueError naming p_down when it is not of shape (T-1, S, S) or a row is not a "
            "probability vector; T = 1 is the empty (0, S, S) table",
            "ValueError naming p_x_given_z1 when it is not of shape (S, K) with K >= 1 or a "
            "row is not a probability vector",
            "ValueError naming x unless x is an integer (int or np.integer, not bool or float) "
            "in range(K)",
        ),
    ),
    Entry(
        "alpha_bars",
        "alpha_bars(alphas) -> ndarray",
        "cumulative products alpha_bar_t = prod_{i <= t} alpha_i along the last axis; entry "
        "t - 1 is alpha_bar_t (alpha_bar_0 = 1 is not stored); alphas in (0, 1)",
        "array",
        ("6.18",),
        conventions=(
            "acts along the last axis: a batch of schedules (B, T) gives (B, T), row by row",
            "ValueError naming alphas when it is 0-d, has T = 0 steps (every schedule has "
            "at least one step), or has an entry outside the open interval (0, 1) or NaN",
        ),
    ),
    Entry(
        "forward_step",
        "forward_step(x_prev, alpha_t, eps) -> ndarray",
        "one encoder step x_t = sqrt(alpha_t) x_prev + sqrt(1 - alpha_t) eps, a draw of "
        "q(x_t | x_{t-1}) when eps ~ N(0, I); alpha_t in (0, 1), x_prev and eps of one shape",
        "array",
        ("6.18",),
        conventions=(
            "x_prev and eps have one shape (..., d), leading batch axes allowed; the result "
            "has that shape",
            "ValueError naming alpha_t when it is outside the open interval (0, 1) or NaN",
            "ValueError naming x_prev when it is 0-d or has a NaN or infinite entry",
            "ValueError naming eps when its shape differs from x_prev's or it has a NaN entry",
        ),
    ),
    Entry(
        "forward_sample",
        "forward_sample(x0, alpha_bar_t, eps) -> ndarray",
        "sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps, a draw of q(x_t | x_0) when "
        "eps ~ N(0, I); alpha_bar_t in (0, 1], x0 and eps of one shape",
        "array",
        ("6.18", "6.19"),
        conventions=(
            "x0 and eps have one shape (..., d), leading batch axes allowed; the result has "
            "that shape",
            "ValueError naming alpha_bar_t when it is outside (0, 1] or NaN (1 is allowed: "
            "t = 0 returns x0)",
            "ValueError naming x0 when it is 0-d or has a NaN or infinite entry",
            "ValueError naming eps when its shape differs from x0's or it has a NaN entry",
        ),
    ),
    Entry(
        "diffusion_posterior",
        "diffusion_posterior(x_t, x0, alphas, t) -> (ndarray, float)",
        "(mu_q, sigma_q^2) of q(x_{t-1} | x_t, x_0) = N(mu_q, sigma_q^2 I) as in (6), for the "
        "1-based step 1 <= t <= len(alphas); t = 1 gives (x0, 0.0)",
        "tuple",
        ("6.19", "6.21"),
        conventions=(
            "returns (mean, variance): mean a float64 array of x_t's shape (..., d), variance "
            "a float; at t = 1 the variance is exactly 0.0",
            "ValueError naming t unless t is an integer with 1 <= t <= len(alphas)",
            "ValueError naming alphas when it is not one schedule (a vector of T >= 1 steps) "
            "with entries in the open interval (0, 1)",
            "ValueError naming x_t when it is 0-d or has a NaN entry, and x0 when its shape "
            "differs from x_t's or it has a NaN entry",
        ),
    ),
    Entry(
        "gaussian_kl",
        "gaussian_kl(mu_q, cov_q, mu_p, cov_p) -> float",
        "KL(N(mu_q, cov_q) || N(mu_p, cov_p)) as in (7) for mean vectors (d,) and symmetric "
        "positive definite covariances (d, d); never negative, accurate for condition numbers "
        "up to 1e8",
        "scalar",
        ("6.20",),
        conventions=(
            "returns a float, never negative (not even by a rounding: a numerics property)",
            "ValueError naming mu_q or mu_p when it is not a vector (d,) or has a NaN entry; "
            "mu_p of another length than mu_q is named mu_p",
            "ValueError naming cov_q or cov_p when it is not of shape (d, d), not symmetric, "
            "not positive definite, or has a NaN entry",
        ),
    ),
    Entry(
        "tweedie_denoise",
        "tweedie_denoise(x_t, score, alpha_bar_t) -> ndarray",
        "Tweedie's posterior mean E[x_0 | x_t] = (x_t + (1 - alpha_bar_t) score) / "
        "sqrt(alpha_bar_t), score = grad log p(x_t); alpha_bar_t in (0, 1]",
        "array",
        ("6.21",),
        conventions=(
            "x_t and score have one shape (..., d), leading batch axes allowed; the result "
            "has that shape",
            "ValueError naming alpha_bar_t when it is outside (0, 1] or NaN",
            "ValueError naming x_t when it is 0-d or has a NaN entry, and score when its "
            "shape differs from x_t's or it has a NaN entry",
        ),
    ),
    Entry(
        "posterior_mean_from_score",
        "posterior_mean_from_score(x_t, score, alphas, t) -> ndarray",
        "mu_q in score form (8): x_t / sqrt(alpha_t) + (1 - alpha_t) / sqrt(alpha_t) score, "
        "alpha_t = alphas[t - 1], 1 <= t <= len(alphas)",
        "array",
        ("6.21",),
        conventions=(
            "x_t and score have one shape (..., d), leading batch axes allowed; the result "
            "has that shape",
            "ValueError naming t unless t is an integer with 1 <= t <= len(alphas)",
            "ValueError naming alphas when it is not one schedule (a vector of T >= 1 steps) "
            "with entries in the open interval (0, 1)",
            "ValueError naming x_t when it is 0-d or has a NaN entry, and score when its "
            "shape differs from x_t's or it has a NaN entry",
        ),
    ),
]
