"""Bayes by Backprop without the noise: steps along the exact expected gradient.

In the linear-Gaussian model of exercise 4.12 the expected gradients are known in
closed form, E Δμ = Λμ − Xᵀy/v and E Δρ_i = sigmoid(ρ_i)(Λ_ii σ_i − 1/σ_i).  A
trainer that ignores ``rng`` and follows them is deterministic gradient descent on
the closed-form free energy, not Bayes by Backprop: it reaches the same optimum, so
convergence and the mean of one step cannot tell, but its first step does not
spread across noise streams as the reparameterization μ₁ = lr b − lr σ₀ Λ ε̄ implies.
"""

import math

import numpy as np

EXERCISE = "4.12"
CAUGHT_BY = "test_first_step_spreads_across_noise_streams_as_the_reparameterization_implies"
TIER = "claim"


def bbb_fit_linear_regression(X, y, prior_var, noise_var, n_steps, lr, n_samples, rng):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    d = X.shape[1]
    precision = np.eye(d) / prior_var + X.T @ X / noise_var
    moment = X.T @ y / noise_var
    mu = np.zeros(d)
    rho = np.full(d, math.log(math.expm1(math.sqrt(prior_var))))
    for _ in range(n_steps):
        sigma = np.logaddexp(0.0, rho)
        grad_mu = precision @ mu - moment
        grad_rho = (np.diag(precision) * sigma - 1.0 / sigma) / (1.0 + np.exp(-rho))
        mu, rho = mu - lr * grad_mu, rho - lr * grad_rho
    return mu, np.logaddexp(0.0, rho)
