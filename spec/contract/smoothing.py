"""Contract entries of Lecture 9 (9.25, 9.26, 9.28): randomized smoothing (``impl/smoothing.py``).

Conventions of the two Monte-Carlo algorithms (Cohen, Rosenfeld and Kolter, 2019):

* ``f`` is the base classifier: it maps an (n, d) float64 array of points to n
  integer labels >= 0 (a bool array counts as labels 0/1); ``x`` is one point (d,);
* ``rng`` is a ``numpy.random.Generator``, the only source of randomness, so the
  same seed gives the same answer;
* the label ``-1`` means abstain: ``smoothed_predict`` returns -1, and
  ``smoothed_certify`` returns ``(-1, 0.0)``;
* any number of classes (Cohen et al.'s multi-class version, with p_B = 1 − p_A).
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "normal_cdf",
        "normal_cdf(x) -> float | ndarray",
        "Φ(x), elementwise; relative accuracy kept down to Φ(−37.5) ≈ 5e-308, Φ(±inf) = 1, 0",
        "real",
        ("9.25",),
    ),
    Entry(
        "normal_ppf",
        "normal_ppf(p) -> float | ndarray",
        "Φ⁻¹(p) for p in [0, 1], elementwise; accurate in both tails, Φ⁻¹(0) = −inf, Φ⁻¹(1) = inf",
        "real",
        ("9.26",),
    ),
    Entry(
        "smoothed_linear_probability",
        "smoothed_linear_probability(w, b, x, sigma) -> float | ndarray",
        "P(wᵀ(x + ε) + b > 0), ε ~ N(0, σ²I), = Φ((wᵀx + b)/(σ‖w‖)); x (d,) or a batch (..., d)",
        "real",
        ("9.25", "9.26"),
    ),
    Entry(
        "smoothed_linear_classifier",
        "smoothed_linear_classifier(w, b, x, sigma) -> int | ndarray",
        "the smoothed classifier of sign(wᵀx + b): ±1, the label of probability > 1/2 "
        "(exact even where it rounds to 1/2); either label on the hyperplane",
        "sign",
        ("9.25", "9.26"),
    ),
    Entry(
        "certified_radius",
        "certified_radius(p_a, p_b, sigma) -> float | ndarray",
        "(σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) for 0 <= p_b <= p_a <= 1; 0 where p_a = p_b, inf where "
        "p_a = 1 > p_b or p_a > 0 = p_b; p_a < p_b raises ValueError naming p_a",
        "real",
        ("9.26", "9.28"),
    ),
    Entry(
        "smoothed_predict",
        "smoothed_predict(f, x, sigma, n, alpha, rng) -> int",
        "Cohen et al.'s PREDICT: the top class of n noisy labels if the two-sided binomial "
        "test of n_A ~ Bin(n_A + n_B, 1/2) rejects at level alpha, else -1 (abstain)",
        "int",
        ("9.25", "9.28"),
    ),
    Entry(
        "smoothed_certify",
        "smoothed_certify(f, x, sigma, n0, n, alpha, rng) -> (int, float)",
        "Cohen et al.'s CERTIFY: top class c of n0 noisy labels, p_lower = one-sided "
        "Clopper–Pearson lower bound Beta(alpha; k, n − k + 1) from n fresh ones; "
        "(c, σΦ⁻¹(p_lower)) if p_lower > 1/2, else (-1, 0.0)",
        "tuple",
        ("9.28",),
    ),
    Entry(
        "smoothing_worst_case_probability",
        "smoothing_worst_case_probability(p_a, delta_norm, sigma) -> float | ndarray",
        "Φ(Φ⁻¹(p_a) − ‖δ‖/σ): the least P(f(x + δ + ε) = c) over base classifiers f with "
        "P(f(x + ε) = c) = p_a (a half-space attains it)",
        "real",
        ("9.28",),
    ),
]
