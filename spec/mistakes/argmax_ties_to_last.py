"""A linear classifier that breaks ties toward the highest class index.

Taking the last maximum (for instance argmax over reversed scores) is a
legitimate convention (the labels are still an argmax, so every claim
holds), but not the contract's: ties go to the lowest index,
as ``numpy.argmax`` does.  Exercise 1.2 plants a duplicated class row, so
every input has a tie.
"""

import numpy as np

EXERCISE = "1.2"
CAUGHT_BY = "test_labels_are_argmax_with_ties_to_lowest_index"
NOT_A_CLAIM_BECAUSE = (
    "the labels are still an argmax, so every claim holds; ties to the lowest index is "
    "the contract's convention"
)
TIER = "contract"


def linear_classifier(W, X, b=None):
    scores = np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64).T
    if b is not None:
        scores = scores + np.asarray(b, dtype=np.float64)
    return scores.shape[1] - 1 - np.argmax(scores[:, ::-1], axis=1)
