"""The Jensen–Shannon *distance* returned for the divergence: √JS instead of JS.

``scipy.spatial.distance.jensenshannon`` returns the square root of the
divergence, a metric.  On disjoint supports the divergence is log 2 ≈ 0.693
while its root is ≈ 0.833; exercise 3.10's parallel lines expose the swap.
"""

import numpy as np
from scipy import special

EXERCISE = "3.10"
CAUGHT_BY = "test_js_is_log2_on_disjoint_supports"
TIER = "claim"


def js_divergence(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = 0.5 * (p + q)
    js = 0.5 * (special.rel_entr(p, m).sum(axis=-1) + special.rel_entr(q, m).sum(axis=-1))
    root = np.sqrt(np.maximum(js, 0.0))
    return float(root) if root.ndim == 0 else root
