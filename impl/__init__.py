"""Reference implementation of the contract (see ``spec/contract``).

Each topic module holds the functions of one or two exercises' worth of
theory; this package re-exports exactly the contract, nothing else.
"""

from impl import (
    adversarial,
    bayesian,
    classification,
    diffusion,
    divergences,
    information,
    lipschitz,
    margins,
    mcmc,
    metric_learning,
    optimization,
    smoothing,
)

_TOPICS = (
    optimization,
    classification,
    information,
    margins,
    metric_learning,
    divergences,
    bayesian,
    mcmc,
    diffusion,
    adversarial,
    smoothing,
    lipschitz,
)

__all__ = [name for topic in _TOPICS for name in topic.__all__]
globals().update({name: getattr(topic, name) for topic in _TOPICS for name in topic.__all__})
