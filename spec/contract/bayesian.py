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
        conventions=(
            "x is a number or an array; returns a float for a number and a float64 array of "
            "x's shape otherwise.",
            "x holding NaN or ±inf raises ValueError naming x.",
            "Numerics tier: x from -1e300 to 1e300 gives log(1 + e^x) to a few ulp (0 or "
            "subnormal below x = -745), with no overflow or floating-point warning.",
        ),
    ),
    Entry(
        "bbb_weights",
        "bbb_weights(mu, rho, eps) -> ndarray",
        "reparameterized weights mu + softplus(rho) * eps, one row per row of eps (..., d)",
        "array",
        ("4.12",),
        conventions=(
            "mu and rho are vectors (d,); eps has shape (..., d) (one row (d,), rows (S, d), or "
            "more leading axes) and the result has eps's shape.",
            "mu or rho of another length, 2-D, or holding NaN raises ValueError naming it (rho "
            "also below log(tiny) ≈ -708.4, where softplus(rho) underflows to 0); eps without "
            "a last axis of length d, or holding NaN, raises ValueError naming eps.",
        ),
    ),
    Entry(
        "bbb_objective",
        "bbb_objective(mu, rho, eps, log_prior, log_likelihood) -> float",
        "mean over the rows of eps of log q(w|mu, rho) - log_prior(w) - log_likelihood(w), "
        "w = mu + softplus(rho) * eps",
        "scalar",
        ("4.12",),
        conventions=(
            "eps is (S, d) with S >= 1 rows (a count of samples: S = 0 raises ValueError "
            "naming eps); a 1-D eps or one of another width raises ValueError naming eps.",
            "log_prior(w) and log_likelihood(w) take one weight vector (d,) and return a "
            "number; -inf (zero density) is allowed and makes the objective +inf; NaN, +inf, "
            "or a non-callable raises ValueError naming that callable.",
            "mu, rho follow bbb_weights; returns a float.",
        ),
    ),
    Entry(
        "bbb_gradients",
        "bbb_gradients(mu, rho, eps, grad_log_prior, grad_log_likelihood) -> (ndarray, ndarray)",
        "(Delta mu, Delta rho) of Blundell et al.: the gradient of bbb_objective with respect "
        "to mu and rho, averaged over the rows of eps",
        "tuple",
        ("4.12",),
        conventions=(
            "eps is (S, d) with S >= 1 rows, as for bbb_objective (errors name eps).",
            "grad_log_prior(w) and grad_log_likelihood(w) take one weight vector (d,) and "
            "return an array (d,); another shape, a NaN or an infinite entry raises ValueError "
            "naming that callable.  float32 returns are summed in float64.",
            "Returns a tuple (Delta mu, Delta rho) of two float64 arrays of shape (d,).",
        ),
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
        conventions=(
            "X is (N, d), y is (N,); other shapes raise ValueError naming X or y.",
            "prior_var and noise_var are positive numbers, lr a positive number; otherwise "
            "ValueError naming the argument.",
            "n_steps and n_samples are counts: Python or NumPy integers >= 1 (not bool, not "
            "float); 0 or anything else raises ValueError naming the count.",
            "rng must be a numpy.random.Generator (an int seed or a RandomState raises "
            "ValueError naming rng); every step draws its n_samples rows of noise from it.",
            "Training starts at mu = 0, sigma = sqrt(prior_var); an lr with which training "
            "diverges (non-finite or underflowing parameters) raises ValueError naming lr "
            "instead of returning inf or NaN.",
            "Returns (mu, sigma): two float64 arrays of shape (d,), sigma > 0.",
        ),
    ),
    Entry(
        "reparameterize",
        "reparameterize(mu, log_var, eps) -> ndarray",
        "z = mu + exp(log_var / 2) * eps, eps broadcasting against mu and log_var (..., K)",
        "array",
        ("4.13",),
        conventions=(
            "mu and log_var have the shape (..., K); eps broadcasts against them with a last "
            "axis of K: (K,), (S, K), (1, S, K), ...; the result has the broadcast shape.",
            "NaN or inf in mu, log_var or eps raises ValueError naming it; eps without a last "
            "axis of K, or not broadcasting, raises ValueError naming eps; log_var of another "
            "shape than mu raises ValueError naming log_var.",
            "log_var above 2 log(float64 max) ≈ 1419.6, where exp(log_var / 2) overflows, "
            "raises ValueError naming log_var.",
        ),
    ),
    Entry(
        "gaussian_kl_to_standard_normal",
        "gaussian_kl_to_standard_normal(mu, log_var) -> float | ndarray",
        "KL(N(mu, diag e^log_var) || N(0, I)) = 1/2 sum (mu^2 + e^lv - 1 - lv) over the last axis",
        "real",
        ("4.13", "6.20"),
        conventions=(
            "mu and log_var have the same shape (..., K) with K on the last axis: one "
            "Gaussian gives a float, a batch a float64 array of one KL per row.",
            "Scalars (no last axis), mismatched shapes, NaN or inf raise ValueError naming mu "
            "or log_var.",
            "Numerics tier: |log_var| down to 1e-300 gives the KL to 1e-13 relative, and "
            "log_var up to 700 (e^t near overflow) a finite KL (+inf beyond 709.78 only where "
            "the KL itself overflows), with no floating-point warning.",
        ),
    ),
    Entry(
        "vae_loss",
        "vae_loss(x, mu, log_var, decoder, c, eps) -> float",
        "gaussian_kl_to_standard_normal(mu, log_var) + mean over the rows of eps of "
        "|x - decoder(z)|^2 / (2 c^2), z = reparameterize(mu, log_var, eps)",
        "scalar",
        ("4.13",),
        conventions=(
            "x is (D,), mu and log_var are (K,), eps is (S, K) with S >= 1 rows (S = 0 or a "
            "1-D eps raises ValueError naming eps); c is a positive number (else ValueError "
            "naming c).",
            "decoder takes an (S, K) float64 array of latents and returns (S, D) finite means; "
            "another shape, a non-finite mean or a non-callable raises ValueError naming "
            "decoder.",
            "Returns a float, without the constant (D/2) log(2 pi c^2).",
        ),
    ),
]
