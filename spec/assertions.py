"""Assertion helpers whose failure messages say what was checked, on which
inputs, what was expected and what came back.

Tolerances follow ``torch.testing.assert_close``: ``actual`` and ``expected``
agree where ``|actual - expected| <= atol + rtol * |expected|``, infinities must
match exactly (same sign, same place), and NaN never passes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from spec.harness.proxy import short_repr as _short_repr

#: float64 round-off: a few units in the last place of results of order 1.
RTOL = 1e-12
ATOL = 1e-12
#: The spacing of float64 below the smallest normal number: there each rounding errs by up
#: to half of it in absolute terms, whatever the size of the result.
SUBNORMAL_SPACING = 2.0**-1074


def _number(value: Any) -> np.ndarray:
    """Any number type the spec passes (float, NumPy, mpmath, arrays of them) as float64."""
    return np.asarray(value, dtype=np.float64)


def _g(value: Any) -> str:
    """The largest entry of a tolerance, formatted with ``:g``, whatever its number type."""
    return f"{float(np.max(_number(value))):g}"


def _inputs_text(inputs: dict[str, Any] | None) -> str:
    if not inputs:
        return ""
    return "\n  inputs: " + ", ".join(f"{k}={_short_repr(v)}" for k, v in inputs.items())


def assert_close(
    actual: Any,
    expected: Any,
    *,
    rtol: Any = RTOL,
    atol: Any = ATOL,
    what: str = "value",
    inputs: dict[str, Any] | None = None,
) -> None:
    """Assert ``actual`` equals ``expected`` elementwise within ``atol + rtol*|expected|``."""
    a = _number(actual)
    e = _number(expected)
    atol, rtol = _number(atol), _number(rtol)

    def context() -> str:  # formatted only on failure: passing checks stay cheap
        return f"{what}{_inputs_text(inputs)}"

    if a.shape != e.shape:
        raise AssertionError(f"{context()}\n  shape: expected {e.shape}, got {a.shape}")
    if np.isnan(a).any() or np.isnan(e).any():
        raise AssertionError(f"{context()}\n  NaN: expected {_short_repr(e)}, got {_short_repr(a)}")
    inf_mismatch = (np.isinf(a) | np.isinf(e)) & (a != e)
    if inf_mismatch.any():
        where = tuple(int(i) for i in np.argwhere(inf_mismatch)[0])
        raise AssertionError(
            f"{context()}\n  infinities differ at index {where}: expected {float(e[where])!r}, "
            f"got {float(a[where])!r}\n  expected: {_short_repr(e)}\n  actual:   {_short_repr(a)}"
        )
    finite = np.isfinite(e)
    with np.errstate(invalid="ignore"):  # inf - inf where both are the same infinity
        diff = np.where(finite, np.abs(a - e), 0.0)
    allowed = atol + rtol * np.abs(np.where(finite, e, 0.0))
    bad = diff > allowed
    if bad.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            worst = np.unravel_index(int(np.argmax(np.where(bad, diff / allowed, 0.0))), a.shape)
            rel = float(diff[worst] / abs(e[worst])) if e[worst] != 0 else np.inf
        raise AssertionError(
            f"{context()}\n  {int(bad.sum())} of {a.size} element(s) differ beyond "
            f"atol={_g(atol)}, rtol={_g(rtol)}; worst at index {worst}: expected "
            f"{float(e[worst])!r}, got {float(a[worst])!r} "
            f"(abs diff {diff[worst]:.3g}, rel diff {rel:.3g})"
            f"\n  expected: {_short_repr(e)}\n  actual:   {_short_repr(a)}"
        )


def assert_leq(
    smaller: Any,
    larger: Any,
    *,
    atol: Any = 0.0,
    rtol: Any = 0.0,
    what: str = "inequality",
    inputs: dict[str, Any] | None = None,
) -> None:
    """Assert ``smaller <= larger + atol + rtol*|larger|`` elementwise (no NaN allowed)."""
    s = _number(smaller)
    g = _number(larger)
    atol, rtol = _number(atol), _number(rtol)

    def context() -> str:
        return f"{what}{_inputs_text(inputs)}"

    if np.isnan(s).any() or np.isnan(g).any():
        raise AssertionError(f"{context()}\n  NaN: {_short_repr(s)} <= {_short_repr(g)}")
    with np.errstate(invalid="ignore"):
        slack = atol + rtol * np.abs(np.where(np.isfinite(g), g, 0.0))
        ok = (s <= g) | (s - g <= slack)
    if not np.all(ok):
        s_b, g_b = np.broadcast_arrays(s, g)
        worst = tuple(int(i) for i in np.argwhere(~np.broadcast_to(ok, s_b.shape))[0])
        raise AssertionError(
            f"{context()}\n  expected {float(s_b[worst])!r} <= {float(g_b[worst])!r} "
            f"(at index {worst}, "
            f"excess {s_b[worst] - g_b[worst]:.3g}, "
            f"allowed {_g(atol)} + {_g(rtol)}*|rhs|)"
        )


def assert_true(condition: Any, *, what: str, inputs: dict[str, Any] | None = None) -> None:
    """Assert every element of ``condition`` holds; the message names the first failure."""
    c = np.asarray(condition, dtype=bool)
    if not c.all():
        where = tuple(int(i) for i in np.argwhere(~c)[0]) if c.ndim else ()
        raise AssertionError(f"{what} fails at index {where}{_inputs_text(inputs)}")


def assert_rejects(
    function: Callable[..., Any],
    *args: Any,
    argument: str,
    because: str = "",
    **kwargs: Any,
) -> None:
    """Assert ``function(*args, **kwargs)`` raises ValueError whose message names ``argument``.

    ``because`` says what is wrong with the input ("p sums to 1.5"); the failure message
    repeats it, so that a student sees what the contract rejects and why.
    """
    from spec.harness.proxy import describe_call

    def call() -> str:  # formatted only on failure
        return describe_call(getattr(function, "__name__", "function"), args, kwargs)

    why = f" ({because})" if because else ""

    try:
        result = function(*args, **kwargs)
    except ValueError as error:
        if not re.search(rf"\b{re.escape(argument)}\b", str(error)):
            raise AssertionError(
                f"{call()} raised ValueError({str(error)!r}), which does not name the "
                f"argument {argument!r}{why}"
            ) from None
        return
    raise AssertionError(
        f"{call()} returned {_short_repr(result)}; expected ValueError naming {argument!r}{why}"
    )


def assert_rejects_bad_arrays(
    function: Callable[..., Any],
    *args: Any,
    names: tuple[str | None, ...],
    batched: tuple[str, ...] = (),
    **kwargs: Any,
) -> None:
    """Corrupt each array argument of a valid call in turn; each must be rejected by name.

    ``args`` is a valid positional call and ``names[i]`` the contract's name of ``args[i]``
    (``None`` leaves that argument alone).  For every named argument, one entry set to NaN
    and, unless the argument is in ``batched`` (it may carry leading batch axes), the
    array with one more leading axis must each raise ValueError naming it.
    """
    if len(names) != len(args):
        raise TypeError(f"names has {len(names)} entries for {len(args)} arguments")
    for index, name in enumerate(names):
        if name is None:
            continue
        value = np.array(args[index], dtype=np.float64)
        with_nan = value.copy()
        with_nan.flat[-1] = np.nan
        corrupted = [(with_nan, f"{name} has a NaN entry")]
        if name not in batched:
            corrupted.append((value[None], f"{name} has an extra leading axis"))
        for bad, because in corrupted:
            bad_args = args[:index] + (bad,) + args[index + 1 :]
            assert_rejects(function, *bad_args, argument=name, because=because, **kwargs)
