"""The implementation under test in a process of its own (``--isolate``, and grading).

``IsolatedImplementation`` starts ``spec.harness.worker`` with limits on memory, CPU time
and output, imports the implementation there and stands in for its module: the proxy
(``spec.harness.proxy``) sees contract functions that call across the wire.  What comes
back is plain data (``spec.harness.wire``); a crash, ``os._exit``, a segfault or a limit
fails the call that caused it (and the next call starts a fresh process), never the run.

Tensors of the spec that require grad cross as leaves: the worker rebuilds them, and a
tensor result comes back with its Jacobian with respect to each, so that ``backward()`` in
the spec reaches the spec's own tensors (first-order gradients, which is what the spec
uses).  Callables of the spec cross as handles: the worker calls back, and the spec's
callable runs here, with its side effects.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import pickle
import pwd
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np

import spec
from spec.harness import wire
from spec.harness.loading import DEFAULT_IMPL, SPEC_DIR, is_path


@dataclass(frozen=True)
class Limits:
    """What one implementation's process may use."""

    memory_bytes: int = 4 * 2**30
    cpu_seconds: int = 600
    output_bytes: int = 8 * 2**20
    start_seconds: float = 120.0
    drop_privileges: bool = False  # as root, run the implementation as 'nobody'
    #: Grading: a function that hung, crashed or hit a limit once fails at once afterwards
    #: (a run stays short).
    give_up_on_hangs: bool = False

    @classmethod
    def from_environment(cls) -> tuple[Limits, tuple[Path, ...]]:
        """The grader's limits and extra blocked folders (``SPEC_ISOLATION``, JSON)."""
        import json

        given = json.loads(os.environ.get("SPEC_ISOLATION", "{}"))
        blocked = tuple(Path(p) for p in given.pop("blocked", ()))
        return cls(**given), blocked


class ImplementationCrashed(AssertionError):
    """The implementation's process ended (or broke the wire) during a call."""


class ImplementationError(Exception):
    """An exception of the implementation that is not one of Python's own."""


@dataclass
class Opaque:
    """A value of a type that cannot cross the wire; only its type and repr come back."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name} from the implementation: {self.text}>"


def reference_dir() -> Path | None:
    """The folder of the reference implementation ``impl``, if it is installed."""
    import importlib.util

    found = importlib.util.find_spec("impl")
    return Path(found.origin).resolve().parent if found and found.origin else None


def _attribute_of_type(type_name: str) -> Any:
    """A stand-in for a non-callable attribute, so that messages name its type."""
    return type(type_name, (), {"__repr__": lambda self: f"<a {type_name}>"})()


@dataclass
class _Call:
    """The spec's objects one call hands over: tensors that require grad, callables."""

    leaves: dict[int, Any] = field(default_factory=dict)
    callables: dict[int, Any] = field(default_factory=dict)
    generators: dict[int, Any] = field(default_factory=dict)


def _is_specs_callable(obj: Any) -> bool:
    if isinstance(obj, type) or not callable(obj):
        return False
    module = getattr(obj, "__module__", None) or type(obj).__module__ or ""
    return module.split(".")[0] in ("spec", "__main__") or module.startswith("test_")


#: Types that are never a handle: the pickler passes them (and recurses into containers).
_PLAIN = frozenset({np.ndarray, np.dtype, tuple, list, dict, str, bytes, int, float, bool})


def _persistent_id(call: _Call, obj: Any, by_value: bool) -> Any:
    """Handles for the spec's tensors that require grad, generators and callables."""
    if type(obj) in _PLAIN or obj is None:
        return None
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor) and obj.requires_grad:
        ident = next((k for k, v in call.leaves.items() if v is obj), None)
        if ident is None:
            ident = len(call.leaves)
            call.leaves[ident] = obj
        array = obj.detach().cpu().numpy().copy()
        return ("leaf", ident, array, str(obj.dtype).removeprefix("torch."))
    if isinstance(obj, np.random.Generator):  # its state must advance here too
        ident = len(call.generators)
        call.generators[ident] = obj
        bits = obj.bit_generator
        return ("rng", ident, type(bits).__name__, bits.state)
    # Inside a copy by value, callables (its own methods too) are copied with it.
    if not by_value and _is_specs_callable(obj):
        ident = len(call.callables)
        call.callables[ident] = obj
        return ("callable", ident, getattr(obj, "__name__", "f"))
    return None


class _SpecPickler(pickle.Pickler):
    """Pickles the spec's arguments (the C pickler: a call's arguments are plain data
    but for the handles of ``_persistent_id``)."""

    def __init__(self, file: Any, call: _Call) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.call = call

    def persistent_id(self, obj: Any) -> Any:
        return _persistent_id(self.call, obj, by_value=False)


class _ByValuePickler(cloudpickle.CloudPickler):
    """Pickles one of the spec's callables by value (code and all), for autograd."""

    def __init__(self, file: Any, call: _Call) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.call = call

    def persistent_id(self, obj: Any) -> Any:
        return _persistent_id(self.call, obj, by_value=True)


def _by_value(obj: Any, call: _Call) -> bytes | None:
    """``obj`` pickled by value (for autograd in the worker), or None where it cannot be."""
    buffer = io.BytesIO()
    try:
        _ByValuePickler(buffer, call).dump(obj)
    except Exception:  # noqa: BLE001 - then the worker can only call back
        return None
    return buffer.getvalue()


def _dumps(value: Any, call: _Call) -> bytes:
    buffer = io.BytesIO()
    _SpecPickler(buffer, call).dump(value)
    return buffer.getvalue()


class IsolatedImplementation:
    """An implementation imported and run in its own process; a module to the proxy."""

    def __init__(
        self,
        target: str,
        search_dir: Path,
        limits: Limits | None = None,
        blocked: tuple[Path, ...] = (),
    ) -> None:
        self._target = str(Path(search_dir, target).resolve()) if is_path(target) else target
        self._search_dir = search_dir
        self._limits = limits or Limits()
        # The reference is out of reach, unless it is the implementation under test.
        reference = reference_dir() if target != DEFAULT_IMPL else None
        self._blocked = [str(SPEC_DIR), *([str(reference)] if reference else [])]
        self._blocked += [str(Path(b).resolve()) for b in blocked]
        self._process: subprocess.Popen | None = None
        self._table: dict[str, str] = {}
        self._workdir = Path(tempfile.mkdtemp(prefix="spec-isolated-"))
        self.output_log = self._workdir / "output.log"
        self.crashes: list[str] = []
        self._given_up: dict[str, str] = {}
        self.__name__ = target
        self.__file__ = self._target if is_path(target) else None
        cloudpickle.register_pickle_by_value(spec)
        self._start()

    # ------------------------------------------------------------------ the process

    def _start(self) -> None:
        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        limits, drop = self._limits, self._drop_privileges()
        if drop:
            os.chown(self._workdir, drop[0], drop[1])

        def confine() -> None:  # in the child, before exec
            os.setsid()
            for limit, value in (
                (resource.RLIMIT_AS, limits.memory_bytes),
                (resource.RLIMIT_CPU, limits.cpu_seconds),
                (resource.RLIMIT_FSIZE, limits.output_bytes),
                (resource.RLIMIT_CORE, 0),
            ):
                resource.setrlimit(limit, (value, value))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full log fails the write
            if drop:
                os.setgroups([])
                os.setgid(drop[1])
                os.setuid(drop[0])

        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPEC_", "PYTEST"))}
        env["PYTHONPATH"] = str(SPEC_DIR.parent)
        env["OMP_NUM_THREADS"] = "1"
        log = open(self.output_log, "ab")  # noqa: SIM115 - handed to the child
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "spec.harness.worker", str(child_read), str(child_write)],
                pass_fds=(child_read, child_write),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=self._workdir,
                env=env,
                preexec_fn=confine,  # noqa: PLW1509 - single-threaded at this point in pytest
            )
        finally:
            log.close()
            os.close(child_read)
            os.close(child_write)
        self._read, self._write = parent_read, parent_write
        config = {
            "allow_reference": self._target == DEFAULT_IMPL,
            "target": self._target,
            "search_dir": str(self._search_dir),
            "workdir": str(self._workdir),
            "blocked": self._blocked,
        }
        wire.write_frame(self._write, pickle.dumps(config))
        reply = self._receive("starting", timeout=limits.start_seconds)
        if reply[0] == "import_error":
            self.close()
            raise ImportError(f"{reply[1]}\n{reply[2]}")
        if reply[0] != "ready":
            raise ImplementationCrashed(f"the implementation's process answered {reply[0]!r}")
        self._table = {str(name): str(kind) for name, kind in reply[1]}

    def _drop_privileges(self) -> tuple[int, int] | None:
        if not self._limits.drop_privileges or os.geteuid() != 0:
            return None
        user = pwd.getpwnam("nobody")
        return user.pw_uid, user.pw_gid

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _died(self, during: str) -> ImplementationCrashed:
        """Why the process ended, as the failure of the call ``during``."""
        process, self._process = self._process, None
        status = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                status = process.wait(timeout=5)
            if status is None:
                os.killpg(process.pid, signal.SIGKILL)
                status = process.wait()
        self._close_pipes()
        if status is not None and status < 0:
            name = signal.Signals(-status).name
            why = {
                "SIGSEGV": "crashed with a segmentation fault",
                "SIGXCPU": f"used up its CPU time ({self._limits.cpu_seconds} s)",
                "SIGKILL": "was killed (memory, time or a limit)",
            }.get(name, f"was killed by {name}")
        else:
            why = f"exited with status {status}"
        message = f"the implementation's process {why} during {during}"
        self.crashes.append(message)
        return ImplementationCrashed(message)

    def _receive(self, during: str, timeout: float | None = None) -> Any:
        import select

        if timeout is not None:
            ready, _, _ = select.select([self._read], [], [], timeout)
            if not ready:
                self._kill()
                raise ImplementationCrashed(f"no answer within {timeout:g} s during {during}")
        try:
            return wire.decode(wire.read_frame(self._read))
        except (EOFError, OSError):
            raise self._died(during) from None
        except wire.WireError as error:
            self._kill()
            raise ImplementationCrashed(f"{error} during {during}") from None

    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._process = None
        self._close_pipes()

    def _close_pipes(self) -> None:
        for fd in (getattr(self, "_read", -1), getattr(self, "_write", -1)):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._read = self._write = -1

    def close(self) -> None:
        """Stop the implementation's process."""
        self._kill()

    # ------------------------------------------------------------------ calls

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        kind = self._table.get(name, "missing")
        if kind == "missing":
            raise AttributeError(name)
        if kind != "function":
            return _attribute_of_type(kind)
        return _RemoteFunction(self, ("call", name), name)

    def call(self, request: tuple, args: tuple, kwargs: dict, describe: str) -> Any:
        if str(request) in self._given_up:
            raise ImplementationCrashed(
                f"{describe} is not called again: an earlier call {self._given_up[str(request)]}"
            )
        if not self._alive():
            self._start()
        call = _Call()
        payload = _dumps((*request, args, kwargs), call)
        try:
            try:
                wire.write_frame(self._write, payload)
            except OSError:
                raise self._died(describe) from None
            while True:
                reply = self._receive(describe)
                if reply[0] == "callback":
                    self._serve_callback(call, reply)
                elif reply[0] == "by_value":  # autograd must flow through a callable: a copy
                    function = call.callables.get(int(reply[1]))
                    copy = _by_value(function, call) if function is not None else None
                    wire.write_frame(self._write, pickle.dumps(("by_value_result", copy)))
                else:
                    break
        except BaseException as error:  # a crash or a timeout: the process is gone or stuck
            self._kill()
            self._give_up(request, error)
            raise
        try:
            return self._result(reply, call, describe)
        except (MemoryError, OSError) as error:  # a limit reached: memory, the output file
            self._give_up(request, error)
            raise

    def _give_up(self, request: tuple, error: BaseException) -> None:
        """When grading, a function that hung, crashed or hit a limit is not called again."""
        if self._limits.give_up_on_hangs:
            first_line = (str(error).splitlines() or [""])[0]
            self._given_up[str(request)] = f"failed: {type(error).__name__}: {first_line}"

    def _serve_callback(self, call: _Call, reply: tuple) -> None:
        _, ident, args, kwargs = reply
        try:
            function = call.callables[int(ident)]
            value = function(*_rebuilt_args(args), **dict(_rebuilt_args(kwargs)))
            answer: tuple = ("callback_result", value)
        except Exception as error:  # noqa: BLE001 - the worker raises it where it called
            answer = ("callback_error", type(error).__name__, str(error))
        wire.write_frame(self._write, cloudpickle.dumps(answer))

    def _result(self, reply: tuple, call: _Call, describe: str) -> Any:
        if reply[0] in ("result", "error"):
            _advance_generators(call, reply[-1])
            reply = reply[:-1]
        if reply[0] == "result":
            return self._rebuilt(reply[1], call)
        if reply[0] == "error":
            _, name, message, child_traceback = reply
            kind = getattr(builtins, str(name), None)
            if isinstance(kind, type) and issubclass(kind, Exception):
                error: Exception = kind(message)
            else:
                error = ImplementationError(f"{name}: {message}")
            error.add_note(f"in the implementation's process:\n{child_traceback}")
            raise error
        raise ImplementationCrashed(f"unexpected answer {reply[0]!r} during {describe}")

    def _rebuilt(self, value: Any, call: _Call) -> Any:
        if isinstance(value, tuple):
            return tuple(self._rebuilt(v, call) for v in value)
        if isinstance(value, list):
            return [self._rebuilt(v, call) for v in value]
        if isinstance(value, dict):
            if value.get("t") == "tensor":
                return _tensor(value, call)
            if value.get("t") == "callable":
                return _RemoteFunction(self, ("call_handle", value["id"]), "returned callable")
            return Opaque(value.get("type", "?"), value.get("repr", ""))
        return value


def _advance_generators(call: _Call, states: Any) -> None:
    """Give the spec's generators the states their copies reached in the worker."""
    if not isinstance(states, dict):
        return
    for key, state in states.items():
        generator = call.generators.get(int(key)) if str(key).isdigit() else None
        if generator is None or not isinstance(state, dict):
            continue
        if state.get("bit_generator") != type(generator.bit_generator).__name__:
            continue
        with contextlib.suppress(Exception):  # a malformed state leaves the generator as it was
            generator.bit_generator.state = state


def _rebuilt_args(value: Any) -> Any:
    """Arguments of a callback: tensors rebuilt (detached), everything else as it came."""
    tag = value[0] if isinstance(value, tuple) and value and isinstance(value[0], str) else None
    if tag == "__tensor__" and len(value) == 3:
        import torch

        return torch.tensor(value[1], dtype=getattr(torch, str(value[2]).removeprefix("torch.")))
    if tag == "__dict__" and len(value) == 2:
        return {str(k): _rebuilt_args(v) for k, v in value[1]}
    if isinstance(value, tuple):
        return tuple(_rebuilt_args(v) for v in value)
    if isinstance(value, list):
        return [_rebuilt_args(v) for v in value]
    return value


def _tensor(tag: dict, call: _Call) -> Any:
    """A tensor result; with Jacobians, one whose backward reaches the spec's leaves."""
    import torch

    value = torch.tensor(tag["value"])
    pairs = [
        (call.leaves[int(k)], torch.tensor(j))
        for k, j in tag["jacobians"].items()
        if k.isdigit() and int(k) in call.leaves
    ]
    if not pairs:
        return value.requires_grad_(tag["requires_grad"]) if value.is_floating_point() else value
    return _Remote.apply(value, [j for _, j in pairs], *[leaf for leaf, _ in pairs])


def _remote_function() -> Any:
    import torch

    class Remote(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, value: Any, jacobians: list, *leaves: Any) -> Any:
            ctx.jacobians, ctx.shapes = jacobians, [leaf.shape for leaf in leaves]
            return value.clone()

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            flat = grad.reshape(-1)
            grads = [
                (flat @ jac.reshape(flat.numel(), -1).to(flat.dtype)).reshape(shape)
                for jac, shape in zip(ctx.jacobians, ctx.shapes, strict=True)
            ]
            return (None, None, *grads)

    return Remote


class _RemoteApply:
    def __init__(self) -> None:
        self._function: Any = None

    def apply(self, *args: Any) -> Any:
        if self._function is None:
            self._function = _remote_function()
        return self._function.apply(*args)


_Remote = _RemoteApply()


class _RemoteFunction:
    """A function of the isolated implementation (or a callable it returned)."""

    def __init__(self, owner: IsolatedImplementation, request: tuple, name: str) -> None:
        self._owner, self._request, self.__name__ = owner, request, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._owner.call(self._request, args, kwargs, f"{self.__name__}(...)")

    def __repr__(self) -> str:
        return f"<isolated {self.__name__}>"
