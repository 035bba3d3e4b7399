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
    ),
    Entry(
        "hvae_log_evidence",
        "hvae_log_evidence(x, p_zT, p_down, p_x_given_z1) -> float",
        "log p(x) = log sum over latent paths of p(z_T) prod_t p(z_t | z_{t+1}) p(x | z_1); "
        "-inf when x is impossible",
        "scalar",
        ("6.17",),
    ),
    Entry(
        "alpha_bars",
        "alpha_bars(alphas) -> ndarray",
        "cumulative products alpha_bar_t = prod_{i <= t} alpha_i along the last axis; entry "
        "t - 1 is alpha_bar_t (alpha_bar_0 = 1 is not stored); alphas in (0, 1)",
        "array",
        ("6.18",),
    ),
    Entry(
        "forward_step",
        "forward_step(x_prev, alpha_t, eps) -> ndarray",
        "one encoder step x_t = sqrt(alpha_t) x_prev + sqrt(1 - alpha_t) eps, a draw of "
        "q(x_t | x_{t-1}) when eps ~ N(0, I); alpha_t in (0, 1), x_prev and eps of one shape",
        "array",
        ("6.18",),
    ),
    Entry(
        "forward_sample",
        "forward_sample(x0, alpha_bar_t, eps) -> ndarray",
        "sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) eps, a draw of q(x_t | x_0) when "
        "eps ~ N(0, I); alpha_bar_t in (0, 1], x0 and eps of one shape",
        "array",
        ("6.18", "6.19"),
    ),
    Entry(
        "diffusion_posterior",
        "diffusion_posterior(x_t, x0, alphas, t) -> (ndarray, float)",
        "(mu_q, sigma_q^2) of q(x_{t-1} | x_t, x_0) = N(mu_q, sigma_q^2 I) as in (6), for the "
        "1-based step 1 <= t <= len(alphas); t = 1 gives (x0, 0.0)",
        "tuple",
        ("6.19", "6.21"),
    ),
    Entry(
        "gaussian_kl",
        "gaussian_kl(mu_q, cov_q, mu_p, cov_p) -> float",
        "KL(N(mu_q, cov_q) || N(mu_p, cov_p)) as in (7) for mean vectors (d,) and symmetric "
        "positive definite covariances (d, d); never negative, accurate for condition numbers "
        "up to 1e8",
        "scalar",
        ("6.20",),
    ),
    Entry(
        "tweedie_denoise",
        "tweedie_denoise(x_t, score, alpha_bar_t) -> ndarray",
        "Tweedie's posterior mean E[x_0 | x_t] = (x_t + (1 - alpha_bar_t) score) / "
        "sqrt(alpha_bar_t), score = grad log p(x_t); alpha_bar_t in (0, 1]",
        "array",
        ("6.21",),
    ),
    Entry(
        "posterior_mean_from_score",
        "posterior_mean_from_score(x_t, score, alphas, t) -> ndarray",
        "mu_q in score form (8): x_t / sqrt(alpha_t) + (1 - alpha_t) / sqrt(alpha_t) score, "
        "alpha_t = alphas[t - 1], 1 <= t <= len(alphas)",
        "array",
        ("6.21",),
    ),
]
