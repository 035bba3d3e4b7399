"""The DDPM posterior variance taken as β_t = 1 − α_t instead of β̃_t = β_t(1 − ᾱ_{t−1})/(1 − ᾱ_t).

Ho et al. found both choices work as the *sampler's* variance, which makes it
easy to forget that only β̃_t is the variance of q(x_{t−1} | x_t, x_0).  With
β_t the ancestral step no longer reproduces the marginal q(x_{t−1} | x_0);
exercise 6.19 checks equation (6) at 50 digits.
"""

import numpy as np

EXERCISE = "6.19"
CAUGHT_BY = "test_posterior_matches_equation_6_at_50_digits"
TIER = "claim"


def diffusion_posterior(x_t, x0, alphas, t):
    x_t, x0 = np.asarray(x_t, dtype=np.float64), np.asarray(x0, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    alpha_t = alphas[t - 1]
    bar_t, bar_prev = np.prod(alphas[:t]), np.prod(alphas[: t - 1])
    mean = (np.sqrt(alpha_t) * (1 - bar_prev) * x_t + np.sqrt(bar_prev) * (1 - alpha_t) * x0) / (
        1 - bar_t
    )
    return mean, float(1.0 - alpha_t)
