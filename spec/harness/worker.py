"""The implementation's own process: ``python -m spec.harness.worker READ_FD WRITE_FD``.

Started by ``spec.harness.isolation`` for ``--isolate`` and for grading.  It imports the
libraries a solution may use, then closes the doors (an audit hook that no code can remove):
no reading or writing under the reference implementation, the spec or the grader's output;
no ctypes, no new processes.  Then it imports the implementation and serves calls: the
spec's arguments arrive pickled (the spec is trusted), results leave as plain data
(``spec.harness.wire``).  Callables of the spec run back in the spec's process, so their
side effects happen there; where autograd must flow through them, a copy also runs here.
"""

from __future__ import annotations

import builtins
import gc
import importlib
import importlib.util
import io
import os
import pickle
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from spec.contract import CONTRACT
from spec.harness import wire

try:  # the libraries a solution may use, imported before the doors close
    import scipy.special  # noqa: F401
    import scipy.stats  # noqa: F401
except ImportError:  # pragma: no cover - scipy is a dependency
    pass
try:
    import torch
except ImportError:  # pragma: no cover - torch is a dependency
    torch = None  # type: ignore[assignment]

READ_FD = WRITE_FD = -1
#: Tensors of the spec that require grad, by id, as rebuilt here for the current call.
LEAVES: dict[int, Any] = {}
#: Callables the implementation returned, by handle.
HANDLES: dict[int, Any] = {}
#: The spec's numpy Generators of the current call, by id: their states go back with the reply.
GENERATORS: dict[int, Any] = {}


def send(message: tuple) -> None:
    wire.write_frame(WRITE_FD, wire.encode(message, _extra))


def receive() -> Any:
    return _Unpickler(io.BytesIO(wire.read_frame(READ_FD))).load()


class SpecCallable:
    """A callable of the spec, as the implementation sees it.

    Called on plain values, it runs in the spec's process (side effects there).  Called on
    tensors that require grad, a local copy runs here so that autograd flows through it,
    and the call is mirrored in the spec's process for its side effects.
    """

    def __init__(self, ident: int, name: str) -> None:
        self.ident, self.__name__ = ident, name
        self._local: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        needs_grad = torch is not None and any(
            isinstance(a, torch.Tensor) and a.requires_grad for a in _flatten((args, kwargs))
        )
        if needs_grad and self._local is None:
            send(("by_value", self.ident))
            copy = receive()[1]
            self._local = False if copy is None else _Unpickler(io.BytesIO(copy)).load()
        if needs_grad and self._local:
            value = self._local(*args, **kwargs)
            _ask_spec(self.ident, args, kwargs)  # mirrored: the spec sees the call
            return value
        return _ask_spec(self.ident, args, kwargs)

    def __repr__(self) -> str:
        return f"<the spec's callable {self.__name__}>"


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [x for v in value for x in _flatten(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flatten(v)]
    return [value]


def _ask_spec(ident: int, args: Any, kwargs: Any) -> Any:
    """Run the spec's callable ``ident`` in the spec's process and return its value."""
    send(("callback", ident, _detached(args), _detached(kwargs)))
    reply = receive()
    if reply[0] == "callback_error":
        raise _rebuilt_error(reply[1], reply[2])
    return reply[1]


def _detached(value: Any) -> Any:
    """Arguments for the spec's side: tensors as plain arrays tagged as tensors."""
    if torch is not None and isinstance(value, torch.Tensor):
        return ("__tensor__", value.detach().cpu().numpy().copy(), str(value.dtype))
    if isinstance(value, tuple):
        return tuple(_detached(v) for v in value)
    if isinstance(value, list):
        return [_detached(v) for v in value]
    if isinstance(value, dict):
        return ("__dict__", [(str(k), _detached(v)) for k, v in value.items()])
    return value


def _rebuilt_error(name: str, message: str) -> BaseException:
    kind = getattr(builtins, name, None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        return kind(message)
    return RuntimeError(f"{name}: {message}")


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        tag = pid[0]
        if tag == "leaf":  # a tensor of the spec that requires grad
            _, ident, array, dtype = pid
            if ident not in LEAVES:
                LEAVES[ident] = torch.tensor(array, dtype=getattr(torch, dtype)).requires_grad_()
            return LEAVES[ident]
        if tag == "callable":
            _, ident, name = pid
            return SpecCallable(ident, name)
        if tag == "rng":
            _, ident, kind, state = pid
            if ident not in GENERATORS:
                bits = getattr(np.random, kind)()
                bits.state = state
                GENERATORS[ident] = np.random.Generator(bits)
            return GENERATORS[ident]
        raise pickle.UnpicklingError(f"unknown persistent id {tag!r}")


def _extra(value: Any, add_array: Any) -> Any:
    """Tags for what plain data has none: tensors (with their Jacobians), callables."""
    if torch is not None and isinstance(value, torch.Tensor):
        tag = {
            "t": "tensor",
            "i": add_array(value.detach().cpu().numpy()),
            "requires_grad": bool(value.requires_grad),
            "jac": {},
        }
        if value.requires_grad and LEAVES:
            tag["jac"] = {str(k): add_array(j) for k, j in _jacobians(value).items()}
        return tag
    if callable(value):
        HANDLES[len(HANDLES)] = value
        return {"t": "callable", "id": len(HANDLES) - 1}
    return {"t": "opaque", "type": type(value).__name__, "repr": _safe_repr(value)}


def _jacobians(output: Any) -> dict[int, np.ndarray]:
    """d output / d leaf for every leaf of the call, shape (output.numel(), *leaf.shape)."""
    leaves = list(LEAVES.items())
    rows: dict[int, list[np.ndarray]] = {k: [] for k, _ in leaves}
    flat = output.reshape(-1)
    for index in range(flat.numel()):
        grads = torch.autograd.grad(
            flat[index], [t for _, t in leaves], retain_graph=True, allow_unused=True
        )
        for (k, leaf), grad in zip(leaves, grads, strict=True):
            grad = torch.zeros_like(leaf) if grad is None else grad
            rows[k].append(grad.detach().cpu().numpy())
    return {
        k: np.stack(r) if r else np.zeros((0, *leaf.shape))
        for (k, leaf), r in zip(leaves, rows.values(), strict=True)
    }


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:300]
    except Exception:  # noqa: BLE001 - a repr that raises says nothing more
        return "<unrepresentable>"


def _close_the_doors(blocked: list[str]) -> None:
    """An audit hook: no files under ``blocked``, no ctypes, no new processes."""
    roots = [os.path.realpath(p) for p in blocked]

    def refuse(what: str) -> None:
        raise PermissionError(f"the spec's sandbox refuses {what}")

    def hook(event: str, args: tuple) -> None:
        if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
            path = os.path.realpath(os.fsdecode(args[0]))
            if any(path == r or path.startswith(r + os.sep) for r in roots):
                refuse(f"access to {path}")
        elif event.startswith("ctypes.") or event in (
            "os.system",
            "os.exec",
            "os.posix_spawn",
            "os.spawn",
            "os.fork",
            "os.forkpty",
            "subprocess.Popen",
            "os.kill",
            "os.killpg",
        ):
            refuse(event)

    sys.addaudithook(hook)


def _load(target: str, search_dir: str) -> Any:
    if target.endswith(".py"):
        spec = importlib.util.spec_from_file_location("submission", target)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {target}")
        module = importlib.util.module_from_spec(spec)
        sys.modules["submission"] = module
        spec.loader.exec_module(module)
        return module
    sys.path.insert(0, search_dir)
    return importlib.import_module(target)


class _NoReference:
    """A meta-path finder that refuses the spec and (unless it is under test) the reference."""

    def __init__(self, refused: tuple[str, ...]) -> None:
        self.refused = refused

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name.split(".")[0] in self.refused:
            raise ModuleNotFoundError(
                f"No module named {name!r}: an implementation under test cannot import "
                "the reference implementation or the spec"
            )


def _table(module: Any) -> list[tuple[str, str]]:
    """(contract name, 'function' | 'missing' | the type of a non-callable attribute)."""
    table = []
    for name in CONTRACT:
        value = getattr(module, name, None)
        kind = (
            "missing" if value is None else "function" if callable(value) else type(value).__name__
        )
        table.append((name, kind))
    return table


def _states() -> dict[str, Any]:
    """The states the spec's generators reached in this call."""
    return {str(k): g.bit_generator.state for k, g in GENERATORS.items()}


def serve(module: Any) -> None:
    while True:
        LEAVES.clear()  # before unpickling: the request's leaves are its own
        GENERATORS.clear()
        try:
            request = receive()
        except EOFError:
            return
        op = request[0]
        try:
            if op == "call":
                _, name, args, kwargs = request
                value = getattr(module, name)(*args, **kwargs)
            elif op == "call_handle":
                _, ident, args, kwargs = request
                value = HANDLES[ident](*args, **kwargs)
            else:
                raise ValueError(f"unknown request {op!r}")
            send(("result", value, _states()))
        except BaseException as error:  # noqa: BLE001 - every failure is reported, by name
            message, trace = str(error)[:4000], traceback.format_exc()[-4000:]
            send(("error", type(error).__name__, message, trace, _states()))


def main() -> None:
    global READ_FD, WRITE_FD
    READ_FD, WRITE_FD = int(sys.argv[1]), int(sys.argv[2])
    config = pickle.loads(wire.read_frame(READ_FD))
    os.chdir(config["workdir"])
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd()) and not _under(p, config)]
    sys.meta_path.insert(
        0, _NoReference(("spec",) if config["allow_reference"] else ("spec", "impl"))
    )
    _close_the_doors(config["blocked"])
    try:
        module = _load(config["target"], config["search_dir"])
    except BaseException as error:  # noqa: BLE001 - SystemExit at import included
        send(("import_error", f"{type(error).__name__}: {error}", traceback.format_exc()[-4000:]))
        return
    gc.freeze()  # the libraries and the module: later collections scan only what calls make
    send(("ready", _table(module)))
    serve(module)


def _under(path: str, config: dict) -> bool:
    real = os.path.realpath(path or ".")
    return any(real == os.path.realpath(b) for b in config["blocked"]) or any(
        Path(real).is_relative_to(os.path.realpath(b)) for b in config["blocked"]
    )


if __name__ == "__main__":
    main()
