"""KL with its arguments swapped: KL(q‖p) returned for KL(p‖q).

KL is not symmetric, and libraries disagree on the order
(``torch.nn.functional.kl_div(input, target)`` computes KL(target‖input) with
``input`` in log-space).  The identity H(p, q) = H(p) + KL(p‖q) of 1.4 fails
as soon as p ≠ q.
"""

from scipy import special

EXERCISE = "1.4"
CAUGHT_BY = "test_cross_entropy_is_entropy_plus_kl"
TIER = "claim"


def kl_divergence(p, q):
    value = special.rel_entr(q, p).sum(axis=-1)
    return float(value) if value.ndim == 0 else value
