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
    ),
    Entry(
        "quadratic_gradient",
        "quadratic_gradient(A, b, w) -> ndarray",
        "grad R(w) = A w - b",
        "array",
        ("1.1",),
    ),
    Entry(
        "exact_line_search_step",
        "exact_line_search_step(A, g) -> float",
        "the step g^T g / g^T A g that minimizes R(w - eta g) over eta (g nonzero)",
        "scalar",
        ("1.1",),
    ),
    Entry(
        "steepest_descent",
        "steepest_descent(A, b, w0, n_steps) -> ndarray of shape (n_steps + 1, d)",
        "the iterates of gradient descent with exact line search, w0 first; "
        "stops moving once the gradient is exactly zero",
        "array",
        ("1.1",),
    ),
    Entry(
        "mse_exact_step",
        "mse_exact_step(X, y, w) -> float",
        "the exact line-search step for R(w) = (1/n)||Xw - y||^2 at w",
        "scalar",
        ("1.1",),
    ),
]
