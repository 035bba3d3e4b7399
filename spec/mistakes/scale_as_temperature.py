"""Softmax confidence with the scale used as a temperature: softmax(Wh / s) for softmax(s·Wh).

Temperature T and scale s are reciprocal (s = 1/T).  Dividing by s turns the
claim of exercise 2.5 upside down: confidence then falls as s grows above 1.
"""

import numpy as np
from scipy import special

EXERCISE = "2.5"
CAUGHT_BY = "test_confidence_at_scale_above_one_is_at_least_confidence_at_scale_one"
TIER = "claim"


def softmax_confidence(W, h, s=1.0):
    logits = np.asarray(h, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T / s
    value = np.exp(logits.max(axis=-1) - special.logsumexp(logits, axis=-1))
    return float(value) if value.ndim == 0 else value
