"""Contract entries of Lecture 4: Bayes by Backprop and the VAE loss (``impl/bayesian.py``).

Conventions: a mean-field Gaussian over d weights has parameters mu and rho of
shape (d,) and standard deviations sigma = softplus(rho).  Monte-Carlo noise
``eps`` has shape (S, d), one row per sample.  ``log_prior(w)`` and
``log_likelihood(w)`` take one weight vector of shape (d,) and return a float
(-inf allowed); ``grad_log_prior(w)`` and ``grad_log_likelihood(w)`` return
arrays of shape (d,).  A VAE ``decoder(z)`` maps latents (S, K) to means (S, D).
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "softplus",
        "softplus(x) -> float | ndarray",
        "log(1 + e^x) elementwise, without overflow for large x and accurate for very negative x",
        "real",
        ("4.12",),
    ),
    Entry(
        "bbb_weights",
        "bbb_weights(mu, rho, eps) -> ndarray",
        "reparameterized weights mu + softplus(rho) * eps, one row per row of eps (..., d)",
        "array",
        ("4.12",),
    ),
    Entry(
        "bbb_objective",
        "bbb_objective(mu, rho, eps, log_prior, log_likelihood) -> float",
        "mean over the rows of eps of log q(w|mu, rho) - log_prior(w) - log_likelihood(w), "
        "w = mu + softplus(rho) * eps",
        "scalar",
        ("4.12",),
    ),
    Entry(
        "bbb_gradients",
        "bbb_gradients(mu, rho, eps, grad_log_prior, grad_log_likelihood) -> (ndarray, ndarray)",
        "(Delta mu, Delta rho) of Blundell et al.: the gradient of bbb_objective with respect "
        "to mu and rho, averaged over the rows of eps",
        "tuple",
        ("4.12",),
    ),
    Entry(
        "bbb_fit_linear_regression",
        "bbb_fit_linear_regression(X, y, prior_var, noise_var, n_steps, lr, n_samples, rng)"
        " -> (mu, sigma)",
        "n_steps gradient steps of size lr with the bbb_gradients rule (n_samples rows of "
        "noise from rng each) for y = Xw + N(0, noise_var), w ~ N(0, prior_var I), started "
        "at the prior; returns the final mean and standard deviations",
        "tuple",
        ("4.12",),
    ),
    Entry(
        "reparameterize",
        "reparameterize(mu, log_var, eps) -> ndarray",
        "z = mu + exp(log_var / 2) * eps, eps broadcasting against mu and log_var (..., K)",
        "array",
        ("4.13",),
    ),
    Entry(
        "gaussian_kl_to_standard_normal",
        "gaussian_kl_to_standard_normal(mu, log_var) -> float | ndarray",
        "KL(N(mu, diag e^log_var) || N(0, I)) = 1/2 sum (mu^2 + e^lv - 1 - lv) over the last axis",
        "real",
        ("4.13", "6.20"),
    ),
    Entry(
        "vae_loss",
        "vae_loss(x, mu, log_var, decoder, c, eps) -> float",
        "gaussian_kl_to_standard_normal(mu, log_var) + mean over the rows of eps of "
        "|x - decoder(z)|^2 / (2 c^2), z = reparameterize(mu, log_var, eps)",
        "scalar",
        ("4.13",),
    ),
]
