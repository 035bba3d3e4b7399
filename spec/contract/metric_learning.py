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
    ),
    Entry(
        "tpe_loss_gradient",
        "tpe_loss_gradient(T, anchors, positives, negatives) -> ndarray",
        "dL/dT of tpe_loss, shape (k, d), finite for every finite similarity gap",
        "array",
        ("2.7",),
    ),
    Entry(
        "asoftmax_psi",
        "asoftmax_psi(theta, m) -> float | ndarray",
        "SphereFace psi(theta) = (-1)^k cos(m theta) - 2k on [k pi/m, (k+1) pi/m], "
        "theta in [0, pi], integer m >= 1",
        "real",
        ("2.8",),
    ),
    Entry(
        "asoftmax_angles",
        "asoftmax_angles(K, m) -> tuple[float, float]",
        "(largest intra-class angle, smallest inter-class angle) for K >= 3 evenly spaced unit "
        "class weights on a circle when class i claims x iff m theta_i <= theta_j for all j != i",
        "tuple",
        ("2.8",),
    ),
]
