"""Contract entries of Lecture 2 (2.7, 2.8): TPE loss, A-Softmax (``impl/metric_learning.py``)."""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "tpe_loss",
        "tpe_loss(T, anchors, positives, negatives) -> float",
        "TPE loss (1/m) sum_i -log(e^{<Ta,Tp>} / (e^{<Ta,Tp>} + e^{<Ta,Tn>})); T (k, d), "
        "anchors/positives/negatives (m, d), one triplet per row",
        "scalar",
        ("2.7",),
        conventions=(
            "T must be a finite (k, d) matrix with k, d >= 1 (ValueError naming T); anchors a "
            "finite (m, d) matrix, m >= 1 (ValueError naming anchors); positives and negatives "
            "finite arrays of the shape of anchors (ValueError naming positives or negatives).",
            "Returns a float, finite for every finite similarity gap.",
        ),
    ),
    Entry(
        "tpe_loss_gradient",
        "tpe_loss_gradient(T, anchors, positives, negatives) -> ndarray",
        "dL/dT of tpe_loss, shape (k, d), finite for every finite similarity gap",
        "array",
        ("2.7",),
        conventions=(
            "Validates its arguments exactly as tpe_loss (ValueError naming T, anchors, positives "
            "or negatives).",
            "Returns a float64 (k, d) array, finite for every finite similarity gap.",
        ),
    ),
    Entry(
        "asoftmax_psi",
        "asoftmax_psi(theta, m) -> float | ndarray",
        "SphereFace psi(theta) = (-1)^k cos(m theta) - 2k on [k pi/m, (k+1) pi/m], "
        "theta in [0, pi], integer m >= 1",
        "real",
        ("2.8",),
        conventions=(
            "theta must be a float or an array of angles in [0, pi]; an angle outside it, NaN or "
            "inf raises ValueError naming theta.",
            "m must be an integer >= 1 (an integral float is accepted); 0, a negative, a fraction "
            "or NaN raises ValueError naming m.",
            "A scalar theta gives a float; an array gives an array of its shape.",
        ),
    ),
    Entry(
        "asoftmax_angles",
        "asoftmax_angles(K, m) -> tuple[float, float]",
        "(largest intra-class angle, smallest inter-class angle) for K >= 3 evenly spaced unit "
        "class weights on a circle when class i claims x iff m theta_i <= theta_j for all j != i",
        "tuple",
        ("2.8",),
        conventions=(
            "K must be an integer >= 3 (ValueError naming K); m a finite real number >= 1 "
            "(ValueError naming m).",
            "Returns a tuple of two floats (largest intra-class angle, smallest inter-class "
            "angle).",
        ),
    ),
]
