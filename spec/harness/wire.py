"""The wire between the spec's process and an implementation's process.

Frames are length-prefixed.  What the spec sends (arguments, handles of its own callables)
is pickled: the implementation's process may unpickle the spec's data.  What comes back is
*plain data*, decoded without pickle: JSON for the structure (None, bool, int, float, str,
lists, tuples, dicts with string keys) and raw bytes for arrays, of a whitelisted numeric
dtype and a checked shape.  So nothing the implementation makes, no class of its own and
no code, ever reaches the process that decides pass or fail: a float subclass whose
comparisons lie arrives as a float, an ndarray subclass as an ndarray.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Callable
from typing import Any

import numpy as np

#: The largest frame either side accepts (a frame is one call's arguments or result).
MAX_FRAME = 256 * 2**20


class WireError(Exception):
    """The other side sent something that is not a frame of plain data."""


def write_frame(fd: int, payload: bytes) -> None:
    data = struct.pack(">Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def read_exactly(fd: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, min(remaining, 2**20))
        if not chunk:
            raise EOFError("the other process closed the wire")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> bytes:
    (size,) = struct.unpack(">Q", read_exactly(fd, 8))
    if size > MAX_FRAME:
        raise WireError(f"a frame of {size} bytes is larger than {MAX_FRAME}")
    return read_exactly(fd, size)


# --------------------------------------------------------------------------- plain data


Extra = Callable[[Any, Callable[[np.ndarray], int]], Any]


def encode(value: Any, extra: Extra | None = None) -> bytes:
    """``value`` as plain data: JSON and ``.npy`` blobs (see the module docstring).

    ``extra(value, add_array)`` may encode what plain data has no tag for (the worker's
    tensors and callables): it returns a tagged dict, using ``add_array(array)`` for the
    index of an array blob, or None to refuse.
    """
    blobs: list[bytes] = []
    tree = _tree(value, blobs, extra)
    head = json.dumps(tree).encode()
    parts = [struct.pack(">QQ", len(head), len(blobs)), head]
    for blob in blobs:
        parts += [struct.pack(">Q", len(blob)), blob]
    return b"".join(parts)


#: The dtypes an array may cross in: booleans, integers and floats of standard sizes.
DTYPES = frozenset(
    np.dtype(code).str
    for code in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8")
)


def _array_blob(array: np.ndarray, blobs: list[bytes]) -> int:
    """An array as (dtype, shape, raw bytes in C order); 0-d stays 0-d."""
    array = np.asarray(array)
    header = json.dumps([array.dtype.str, list(array.shape)]).encode()
    blobs.append(struct.pack(">Q", len(header)) + header + array.tobytes(order="C"))
    return len(blobs) - 1


def _tree(value: Any, blobs: list[bytes], extra: Extra | None = None) -> Any:
    if value is None or isinstance(value, bool | str):
        return value if not isinstance(value, str) else {"t": "str", "v": str(value)}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return {"t": "int", "v": str(int(value))}
    if isinstance(value, float | np.floating):
        return {"t": "float", "v": float(value).hex()}
    if isinstance(value, tuple | list):
        return {
            "t": "tuple" if isinstance(value, tuple) else "list",
            "v": [_tree(v, blobs, extra) for v in value],
        }
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"t": "dict", "v": [[k, _tree(v, blobs, extra)] for k, v in value.items()]}
    if isinstance(value, np.ndarray):
        if value.dtype.str not in DTYPES:
            raise TypeError(f"an array of dtype {value.dtype} cannot cross the wire")
        return {"t": "array", "i": _array_blob(np.asarray(value), blobs)}
    tagged = extra(value, lambda array: _array_blob(array, blobs)) if extra else None
    if tagged is not None:
        return tagged
    raise TypeError(f"a {type(value).__name__} cannot cross the wire as plain data")


def decode(payload: bytes) -> Any:
    """The plain data in ``payload``; raises WireError on anything else."""
    try:
        head_size, count = struct.unpack(">QQ", payload[:16])
        position = 16 + head_size
        tree = json.loads(payload[16:position].decode())
        blobs = []
        for _ in range(count):
            (size,) = struct.unpack(">Q", payload[position : position + 8])
            blobs.append(payload[position + 8 : position + 8 + size])
            position += 8 + size
        return _value(tree, blobs)
    except WireError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever is malformed, it is not plain data
        raise WireError(f"not a frame of plain data: {error!r}") from None


def _load_array(blob: bytes) -> np.ndarray:
    (size,) = struct.unpack(">Q", blob[:8])
    code, shape = json.loads(blob[8 : 8 + size].decode())
    if code not in DTYPES or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"an array of dtype {code!r} and shape {shape!r} is not plain data")
    data = blob[8 + size :]
    dtype = np.dtype(code)
    if len(data) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
        raise WireError("an array blob whose size does not match its shape")
    return np.frombuffer(data, dtype=dtype).reshape(shape).copy()  # a base-class ndarray


def _value(tree: Any, blobs: list[bytes]) -> Any:
    if tree is None or type(tree) is bool:
        return tree
    if not isinstance(tree, dict):
        raise WireError(f"unexpected {type(tree).__name__} in plain data")
    tag = tree.get("t")
    if tag == "str":
        return str(tree["v"])
    if tag == "int":
        return int(str(tree["v"]))
    if tag == "float":
        return float.fromhex(str(tree["v"]))
    if tag in ("tuple", "list"):
        items = [_value(v, blobs) for v in tree["v"]]
        return tuple(items) if tag == "tuple" else items
    if tag == "array":
        return _load_array(blobs[int(tree["i"])])
    if tag == "dict":
        return {str(k): _value(v, blobs) for k, v in tree["v"]}
    if tag == "tensor":
        return {
            "t": "tensor",
            "value": _load_array(blobs[int(tree["i"])]),
            "requires_grad": bool(tree.get("requires_grad")),
            "jacobians": {
                str(k): _load_array(blobs[int(i)]) for k, i in dict(tree.get("jac", {})).items()
            },
        }
    if tag == "callable":
        return {"t": "callable", "id": int(tree["id"])}
    if tag == "opaque":
        return {"t": "opaque", "type": str(tree["type"]), "repr": str(tree["repr"])[:300]}
    raise WireError(f"unknown tag {tag!r}")
