"""Contract entries of Lecture 1.1: gradient descent with exact line search.

They describe ``impl/optimization.py``.
"""

from spec.contract import Entry

ENTRIES: list[Entry] = [
    Entry(
        "quadratic_loss",
        "quadratic_loss(A, b, w) -> float | ndarray",
        "R(w) = 1/2 w^T A w - b^T w for symmetric positive definite A; w may be a batch (..., d)",
        "real",
        ("1.1",),
        conventions=(
            "A must be a square, symmetric (to 1e-12 of its largest entry) positive definite "
            "float matrix; otherwise ValueError naming A.",
            "b must be a length-d vector and w a length-d vector or a batch (..., d); a NaN, a "
            "scalar or a mismatched length raises ValueError naming b or w.",
            "A single w gives a float; a batch (..., d) gives an ndarray of shape (...).",
        ),
    ),
    Entry(
        "quadratic_gradient",
        "quadratic_gradient(A, b, w) -> ndarray",
        "grad R(w) = A w - b",
        "array",
        ("1.1",),
        conventions=(
            "A, b and w are validated as in quadratic_loss (ValueError naming A, b or w).",
            "Returns a float64 array of the shape of w.",
        ),
    ),
    Entry(
        "exact_line_search_step",
        "exact_line_search_step(A, g) -> float",
        "the step g^T g / g^T A g that minimizes R(w - eta g) over eta (g nonzero)",
        "scalar",
        ("1.1",),
        conventions=(
            "A is validated as in quadratic_loss (ValueError naming A).",
            "g must be a finite nonzero vector of length d; a zero, NaN, misshapen or "
            "wrong-length g raises ValueError naming g.",
            "Returns a float.",
        ),
    ),
    Entry(
        "steepest_descent",
        "steepest_descent(A, b, w0, n_steps) -> ndarray of shape (n_steps + 1, d)",
        "the iterates of gradient descent with exact line search, w0 first; "
        "stops moving once the gradient is exactly zero",
        "array",
        ("1.1",),
        conventions=(
            "n_steps must be an integer >= 1; 0, a negative or a non-integer count raises "
            "ValueError naming n_steps.",
            "w0 must be a single vector of length d (ValueError naming w0); A and b are validated "
            "as in quadratic_loss.",
            "Returns the float64 array of the n_steps + 1 iterates, shape (n_steps + 1, d), w0 "
            "first.",
            "Once the gradient is exactly zero the iterate stays where it is (no NaN from 0/0).",
        ),
    ),
    Entry(
        "mse_exact_step",
        "mse_exact_step(X, y, w) -> float",
        "the exact line-search step for R(w) = (1/n)||Xw - y||^2 at w",
        "scalar",
        ("1.1",),
        conventions=(
            "X must be an (n, d) finite matrix, y a length-n vector and w a length-d vector; NaN, "
            "an extra axis or a wrong length raises ValueError naming X, y or w.",
            "A w at which X g = 0 (g the gradient; in particular the minimizer) raises ValueError "
            "naming w.",
            "Returns a float.",
        ),
    ),
]
