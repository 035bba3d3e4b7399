"""The VAE's KL term with σ where σ² belongs: ½Σ(μ² + σ − 1 − log σ²).

Encoders output log σ²; exponentiating half of it gives σ, all of it σ².
Mixing them keeps the KL at 0 for the standard normal (σ = 1) but bends it
everywhere else, and for σ < 1 it can even turn negative.  Exercise 4.13
compares the closed form with a high-precision evaluation within its round-off.
"""

import numpy as np

EXERCISE = "4.13"
CAUGHT_BY = "test_kl_is_the_kingma_welling_closed_form"
TIER = "claim"


def gaussian_kl_to_standard_normal(mu, log_var):
    mu, log_var = np.asarray(mu, dtype=np.float64), np.asarray(log_var, dtype=np.float64)
    value = 0.5 * np.sum(mu**2 + np.exp(0.5 * log_var) - 1.0 - log_var, axis=-1)
    return float(value) if value.ndim == 0 else value
