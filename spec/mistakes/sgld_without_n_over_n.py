"""SGLD without the N/n factor: the minibatch sum of likelihood gradients used as is.

A minibatch of n points sees only n/N of the data's likelihood, so its plain
sum estimates (n/N)·Σ_all ∇log p(x|θ): the chain then samples a posterior in
which the data count n/N times, a prior-dominated, far too wide distribution.
Exercise 5.14 averages the drift over every minibatch and finds the factor.
"""

import numpy as np

EXERCISE = "5.14"
CAUGHT_BY = "test_minibatch_drift_averages_to_full_data_drift"
TIER = "claim"


def sgld_drift(theta, grad_log_prior, grad_log_likelihood, batch, N):
    theta = np.asarray(theta, dtype=np.float64)
    value = grad_log_prior(theta) + np.asarray(grad_log_likelihood(theta, batch)).sum(axis=0)
    value = np.asarray(value, dtype=np.float64)
    return float(value) if value.ndim == 0 else value
