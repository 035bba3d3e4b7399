"""The contract: every function an implementation under test may provide.

This registry is the single source of truth.  Each entry gives the function's
name, its signature, its meaning in one line, the kind of value it returns and
the exercises whose spec files call it.  ``impl.__all__`` must equal the set of
names here (checked in ``spec/meta``), the harness uses ``returns`` to check
what an implementation hands back, and ``python -m spec.contract`` prints the
table.

Conventions shared by every entry (README, "Contract"):

* float64 NumPy arrays in and out; scalars come back as Python floats;
* batches broadcast over leading axes, distributions live on the last axis;
* natural logarithms throughout;
* torch only where autograd is the point;
* invalid input raises ``ValueError`` whose message names the argument;
  a contract function never returns NaN.

One registry module per topic mirrors ``impl/<topic>.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: What a contract function may return; the harness checks it on every call.
RETURN_KINDS = {
    "scalar": "a Python float (np.float64 allowed)",
    "real": "a float for a single input, a float64 ndarray for a batch",
    "array": "a float64 ndarray",
    "labels": "an integer ndarray",
    "sign": "an integer ndarray or int of values in {-1, +1}",
    "bool": "a Python bool (np.bool_ allowed)",
    "int": "a Python int",
    "tuple": "a tuple",
    "callable": "a callable",
    "tensor": "a torch.Tensor",
}


@dataclass(frozen=True)
class Entry:
    """One contract function."""

    name: str
    signature: str
    meaning: str
    returns: str
    exercises: tuple[str, ...]
    #: What the contract tier enforces beyond the signature, one sentence each: every
    #: ValueError (the argument it names and the input it rejects), shapes and batching,
    #: calling conventions of callables passed in or returned, special values.
    conventions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.returns not in RETURN_KINDS:
            raise ValueError(f"{self.name}: unknown return kind {self.returns!r}")


#: Registry modules, one per topic module of the reference implementation
#: (``spec/contract/optimization.py`` describes ``impl/optimization.py``).
TOPICS = (
    "optimization",
    "classification",
    "information",
    "margins",
    "metric_learning",
    "divergences",
    "bayesian",
    "mcmc",
    "diffusion",
    "adversarial",
    "smoothing",
    "lipschitz",
)


def _collect() -> dict[str, Entry]:
    import importlib

    registry: dict[str, Entry] = {}
    for topic in TOPICS:
        for entry in importlib.import_module(f"spec.contract.{topic}").ENTRIES:
            if entry.name in registry:
                raise ValueError(f"contract function {entry.name} registered twice")
            registry[entry.name] = entry
    return registry


#: name -> Entry, for every contract function.
CONTRACT: dict[str, Entry] = _collect()


def table() -> str:
    """The registry as a plain-text table (name, signature, exercises, meaning)."""
    rows = [f"{e.signature}\n    [{', '.join(e.exercises)}] {e.meaning}" for e in CONTRACT.values()]
    return "\n".join(rows)
