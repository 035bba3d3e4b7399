"""High-precision oracles shared by several exercise files.

Each evaluates a special function at 50 significant digits with mpmath, far
beyond float64, so that a float64 result can be compared with a tolerance
derived from rounding alone.
"""

from __future__ import annotations

import mpmath
from scipy import special

mpmath.mp.dps = 50


def mp_phi(z) -> mpmath.mpf:
    """Φ(z) at 50 digits."""
    return mpmath.ncdf(z)


def mp_phi_inv(p) -> mpmath.mpf:
    """Φ⁻¹(p) at 50 digits for p in [0, 1]; ∓inf at the ends."""
    p = mpmath.mpf(p)
    if p == 0:
        return -mpmath.inf
    if p == 1:
        return mpmath.inf
    if p > 0.5:
        return -mp_phi_inv(1 - p)
    target = mpmath.log(p)
    z = mpmath.mpf(float(special.ndtri(float(p)))) if float(p) > 0 else mpmath.mpf(-40)
    # log Φ is concave and increasing, so Newton's method on log Φ(z) = log p converges
    # from the float64 start in a few steps.
    for _ in range(100):
        cdf = mpmath.ncdf(z)
        step = (mpmath.log(cdf) - target) * cdf / mpmath.npdf(z)
        z -= step
        if abs(step) < mpmath.mpf(10) ** -45 * (1 + abs(z)):
            return z
    raise AssertionError(f"Newton's method for Φ⁻¹({p}) did not converge")
