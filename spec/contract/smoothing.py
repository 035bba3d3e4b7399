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
        conventions=(
            "x is a float or an array; the result is elementwise, a float for a float.",
            "Φ(−inf) = 0, Φ(0) = 1/2 and Φ(inf) = 1 exactly.",
            "NaN or non-numeric x raises ValueError naming x.",
        ),
    ),
    Entry(
        "normal_ppf",
        "normal_ppf(p) -> float | ndarray",
        "Φ⁻¹(p) for p in [0, 1], elementwise; accurate in both tails, Φ⁻¹(0) = −inf, Φ⁻¹(1) = inf",
        "real",
        ("9.26",),
        conventions=(
            "p is a float or an array in [0, 1]; the result is elementwise, a float for a float.",
            "Φ⁻¹(0) = −inf and Φ⁻¹(1) = inf.",
            "p outside [0, 1] or NaN raises ValueError naming p.",
        ),
    ),
    Entry(
        "smoothed_linear_probability",
        "smoothed_linear_probability(w, b, x, sigma) -> float | ndarray",
        "P(wᵀ(x + ε) + b > 0), ε ~ N(0, σ²I), = Φ((wᵀx + b)/(σ‖w‖)); x (d,) or a batch (..., d)",
        "real",
        ("9.25", "9.26"),
        conventions=(
            "w has shape (d,), b and sigma are scalars; x is one point (d,) (a float back) or a "
            "batch (..., d), one value per row.",
            "w = 0, a NaN or wrongly shaped w, b or x (a scalar x, d + 1 coordinates), and sigma "
            "<= 0, NaN or inf raise ValueError naming the argument.",
        ),
    ),
    Entry(
        "smoothed_linear_classifier",
        "smoothed_linear_classifier(w, b, x, sigma) -> int | ndarray",
        "the smoothed classifier of sign(wᵀx + b): ±1, the label of probability > 1/2 "
        "(exact even where it rounds to 1/2); either label on the hyperplane",
        "sign",
        ("9.25", "9.26"),
        conventions=(
            "For one point (d,) the label is an int −1 or +1; for a batch (..., d) an integer "
            "array, one label per row.",
            "The label is the sign of the margin even where σ is so large (σ·1e300) that Φ rounds "
            "to 1/2.",
            "w = 0, a NaN or wrongly shaped w, b or x, and sigma <= 0, NaN or inf raise ValueError"
            " naming the argument.",
        ),
    ),
    Entry(
        "certified_radius",
        "certified_radius(p_a, p_b, sigma) -> float | ndarray",
        "(σ/2)(Φ⁻¹(p_a) − Φ⁻¹(p_b)) for 0 <= p_b <= p_a <= 1; 0 where p_a = p_b, inf where "
        "p_a = 1 > p_b or p_a > 0 = p_b; p_a < p_b raises ValueError naming p_a",
        "real",
        ("9.26", "9.28"),
        conventions=(
            "p_a, p_b and sigma broadcast elementwise; a float for scalars.",
            "R = 0 exactly where p_a = p_b, also at p_a = p_b = 0 and p_a = p_b = 1 (never NaN); R"
            " = inf where p_a = 1 > p_b or p_a > 0 = p_b.",
            "p_a or p_b outside [0, 1] or NaN raises ValueError naming it; p_a < p_b raises "
            "ValueError naming p_a; sigma <= 0 or NaN raises ValueError naming sigma.",
        ),
    ),
    Entry(
        "smoothed_predict",
        "smoothed_predict(f, x, sigma, n, alpha, rng) -> int",
        "Cohen et al.'s PREDICT: the top class of n noisy labels if the two-sided binomial "
        "test of n_A ~ Bin(n_A + n_B, 1/2) rejects at level alpha, else -1 (abstain)",
        "int",
        ("9.25", "9.28"),
        conventions=(
            "f is called with an (m, d) float64 array of noisy points (x + σε, one per row) and "
            "must return m integer labels >= 0 (a bool array counts as labels 0/1); it may be "
            "called in several batches.",
            "f returning the wrong number of labels, float labels, or a label −1 (reserved for "
            "abstain) raises ValueError naming f.",
            "x is one point (d,); a batch (m, d) raises ValueError naming x.",
            "n >= 1 is an int: n = 0, a negative n or a non-integer n raises ValueError naming n.",
            "alpha lies in (0, 1) and sigma > 0, else ValueError naming it; rng must be a "
            "numpy.random.Generator (ValueError naming rng), the only source of randomness: the "
            "same seed gives the same answer.",
            "The result is an int: the label, or −1 to abstain.",
        ),
    ),
    Entry(
        "smoothed_certify",
        "smoothed_certify(f, x, sigma, n0, n, alpha, rng) -> (int, float)",
        "Cohen et al.'s CERTIFY: top class c of n0 noisy labels, p_lower = one-sided "
        "Clopper–Pearson lower bound Beta(alpha; k, n − k + 1) from n fresh ones; "
        "(c, σΦ⁻¹(p_lower)) if p_lower > 1/2, else (-1, 0.0)",
        "tuple",
        ("9.28",),
        conventions=(
            "f is called with an (m, d) float64 array of noisy points and must return m integer "
            "labels >= 0 (bool counts as 0/1); the n0 selection draws and the n counting draws are"
            " separate, independent calls.",
            "f returning the wrong number of labels, float labels, or a label −1 raises ValueError"
            " naming f.",
            "x is one point (d,); a batch (m, d) raises ValueError naming x.",
            "n0 >= 1 and n >= 1 are ints: 0, negative or non-integer counts raise ValueError "
            "naming n0 or n.",
            "alpha lies in (0, 1) and sigma > 0, else ValueError naming it; rng must be a "
            "numpy.random.Generator (ValueError naming rng), the only source of randomness: the "
            "same seed gives the same certificate.",
            "The result is a tuple (int label, float radius), and exactly (−1, 0.0) when it "
            "abstains.",
        ),
    ),
    Entry(
        "smoothing_worst_case_probability",
        "smoothing_worst_case_probability(p_a, delta_norm, sigma) -> float | ndarray",
        "Φ(Φ⁻¹(p_a) − ‖δ‖/σ): the least P(f(x + δ + ε) = c) over base classifiers f with "
        "P(f(x + ε) = c) = p_a (a half-space attains it)",
        "real",
        ("9.28",),
        conventions=(
            "p_a and delta_norm broadcast against each other (sigma is a scalar); a float for "
            "scalars.",
            "The result is 0 at p_a = 0 and 1 at p_a = 1 for every shift.",
            "p_a outside [0, 1] or NaN, delta_norm < 0 or NaN, and sigma <= 0 or NaN raise "
            "ValueError naming the argument.",
        ),
    ),
]
