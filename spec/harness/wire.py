"""The wire between the spec's process and an implementation's process.

Frames are length-prefixed.  What the spec sends (arguments, its own callables) is pickled
with cloudpickle: the implementation's process may unpickle the spec's data.  What comes
back is *plain data*, decoded without pickle: JSON for the structure (None, bool, int,
float, str, lists, tuples, dicts with string keys) and ``.npy`` blobs read with
``allow_pickle=False`` for arrays.  So nothing the implementation makes, no class of its
own and no code, ever reaches the process that decides pass or fail: a float subclass
whose comparisons lie arrives as a float, an ndarray subclass as an ndarray.
"""

from __future__ import annotations

import io
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


def _array_blob(array: np.ndarray, blobs: list[bytes]) -> int:
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)  # any layout, 0-d kept 0-d
    blobs.append(buffer.getvalue())
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
        if value.dtype.kind not in "biuf":
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
    array = np.load(io.BytesIO(blob), allow_pickle=False)
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise WireError("an array blob that is not a numeric array")
    return np.array(array)  # a base-class ndarray of our own


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
