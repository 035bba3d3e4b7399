"""The ``impl`` object the properties see: contract functions only, every call checked.

A missing function or ``NotImplementedError`` skips the property; a wrong return kind or
a NaN fails it with a message naming the function, its inputs and what was due; a call
that outlasts ``--call-timeout`` fails it once.  Returns reach the checks as plain
``float``/``ndarray`` values, never as objects of the implementation's own classes.

Outside the contract tier a return is judged by its value: a 0-d array or an int where a
float is due, or float labels that are whole numbers, are taken for what they denote.
The contract tier checks the types themselves (``python -m spec.contract``).
"""

from __future__ import annotations

import contextlib
import functools
import signal
import threading
import time
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from spec.contract import CONTRACT, RETURN_KINDS, Entry

#: The tier of the property running in this process (None outside exercise properties);
#: set by the plugin around each test.
current_tier: str | None = None
#: The pytest config of the run, for ``--call-timeout``; set by the plugin.
config: pytest.Config | None = None


def short_repr(value: Any, limit: int = 300) -> str:
    """``repr`` with arrays at full precision but abbreviated, cut at ``limit`` characters."""
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=17, threshold=40, edgeitems=4):
            text = f"array(shape={value.shape}, dtype={value.dtype}, {np.array2string(value)})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    """``name(arg, ..., key=value)`` with long arrays abbreviated."""
    parts = [short_repr(a) for a in args] + [f"{k}={short_repr(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _is_float_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype == np.float64


def kind_ok(kind: str, value: Any) -> bool:
    """Whether ``value`` is of the contract's return ``kind`` (``RETURN_KINDS``)."""
    if kind == "scalar":
        return isinstance(value, float)
    if kind == "real":  # a 0-d array is neither: scalars come back as floats
        return isinstance(value, float) or (_is_float_array(value) and value.ndim > 0)
    if kind == "array":
        return _is_float_array(value)
    if kind == "labels":
        return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.integer)
    if kind == "sign":
        values = np.asarray(value)
        return np.issubdtype(values.dtype, np.integer) and bool(np.all(np.abs(values) == 1))
    if kind == "bool":
        return isinstance(value, bool | np.bool_)
    if kind == "int":
        return isinstance(value, int | np.integer) and not isinstance(value, bool)
    if kind == "tuple":
        return isinstance(value, tuple)
    if kind == "callable":
        return callable(value)
    if kind == "tensor":
        return type(value).__module__.startswith("torch") and hasattr(value, "requires_grad")
    raise AssertionError(f"unknown return kind {kind}")


def as_kind(kind: str, value: Any) -> Any:
    """``value`` read as the contract's ``kind``, or raise TypeError/ValueError."""
    if kind in ("scalar", "real", "array"):
        array = np.asarray(value)
        if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
            raise TypeError(f"not real numbers: {type(value).__name__}")
        array = np.array(array, dtype=np.float64)
        if kind == "array" or array.ndim > 0:
            if kind == "scalar":
                raise ValueError(f"an array of shape {array.shape} where one number is due")
            return array
        return float(array)
    if kind in ("labels", "sign"):
        array = np.asarray(value)
        if not np.issubdtype(array.dtype, np.number) or not np.all(array == np.round(array)):
            raise TypeError("not whole numbers")
        return np.array(array, dtype=np.int64)
    if kind == "int":
        if isinstance(value, bool) or int(value) != value:
            raise TypeError("not a whole number")
        return int(value)
    if kind == "bool":
        return bool(value)
    return value


def plain(value: Any) -> Any:
    """``value`` with floats, arrays and tuples of them as the base types (no subclasses)."""
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, np.ndarray):
        return np.asarray(value).view(np.ndarray)
    if isinstance(value, float) and type(value) is not float and type(value) is not np.float64:
        return float(value)
    return value


def contains_nan(value: Any) -> bool:
    """Whether ``value`` (a number, array, tensor or a tuple of them) holds a NaN."""
    if isinstance(value, tuple | list):
        return any(contains_nan(v) for v in value)
    if isinstance(value, float | np.ndarray | np.floating):
        array = np.asarray(value)
        return np.issubdtype(array.dtype, np.floating) and bool(np.isnan(array).any())
    if hasattr(value, "isnan") and hasattr(value, "detach"):  # a torch tensor
        return bool(value.detach().isnan().any())
    return False


class CallTimeout(BaseException):
    """A contract function did not return in time.

    A BaseException, so that Hypothesis does not catch it and re-run (and shrink)
    the hanging call: the test fails once, with the call in the message.
    """


class ContractViolation(AssertionError):
    """An implementation returned something the contract does not allow."""


@contextlib.contextmanager
def deadline(describe: Any) -> Iterator[None]:
    """Raise CallTimeout if the body runs longer than --call-timeout (main thread, POSIX)."""
    seconds = config.getoption("--call-timeout") if config is not None else 0.0
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    started = time.monotonic()

    def expire(signum: int, frame: Any) -> None:
        raise CallTimeout(f"{describe()} did not return within {seconds:g} s (--call-timeout)")

    previous_handler = signal.signal(signal.SIGALRM, expire)
    previous_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:  # an enclosing deadline keeps what is left of its time
            remaining = previous_delay - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(remaining, 1e-3))


def checked(function: Any, entry: Entry, module_name: str) -> Any:
    """Wrap ``function`` so that its calls are checked against ``entry``."""

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            with deadline(lambda: f"{module_name}.{describe_call(entry.name, args, kwargs)}"):
                result = function(*args, **kwargs)
        except NotImplementedError:
            pytest.skip(f"{entry.name} is not implemented yet")
        if current_tier in ("claim", "numerics") and not kind_ok(entry.returns, result):
            with contextlib.suppress(TypeError, ValueError, OverflowError):
                result = as_kind(entry.returns, result)  # else reported just below
        if not kind_ok(entry.returns, result):
            raise ContractViolation(
                f"{module_name}.{describe_call(entry.name, args, kwargs)} returned "
                f"{type(result).__name__} {short_repr(result)}; the contract "
                f"({entry.signature}) asks for {RETURN_KINDS[entry.returns]}"
            )
        if contains_nan(result):
            raise ContractViolation(
                f"{module_name}.{describe_call(entry.name, args, kwargs)} returned NaN: "
                f"{short_repr(result)}; a contract function raises ValueError instead"
            )
        return plain(result)

    return call


class ImplementationUnderTest:
    """The implementation as the spec sees it: contract functions only, all checked."""

    def __init__(self, module: ModuleType, name: str) -> None:
        self._module = module
        self._name = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        entry = CONTRACT.get(name)
        if entry is None:
            raise AttributeError(f"{name} is not a contract function (see spec/contract)")
        function = getattr(self._module, name, None)
        if function is None:
            pytest.skip(f"{self._name} does not provide {name}")
        if not callable(function):
            pytest.fail(
                f"{self._name}.{name} is a {type(function).__name__}, not a function: "
                f"the contract asks for {entry.signature}",
                pytrace=False,
            )
        return checked(function, entry, self._name)

    def provides(self, name: str) -> bool:
        """Whether the implementation defines contract function ``name``."""
        return callable(getattr(self._module, name, None))

    def __repr__(self) -> str:
        return f"<implementation under test {self._name}>"
