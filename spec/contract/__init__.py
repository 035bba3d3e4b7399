"""The contract: every function an implementation under test may provide.

This registry is the single source of truth.  Each entry gives the function's
name, its signature, its meaning in one line, the kind of value it returns and
the exercises whose spec files call it.  ``impl.__all__`` must equal the set of
names here (checked in ``spec/meta``), the harness uses ``returns`` to check
what an implementation hands back, and ``python -m spec.contract`` prints the
table.

The conventions shared by every entry are ``CONVENTIONS`` below; each entry adds its own
(``Entry.conventions``).  Together they state everything the contract tier checks, and
``python -m spec.template`` and ``python -m spec.contract`` print them.

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


#: What every contract function does; the contract tier checks each of these.
CONVENTIONS = (
    "Arrays are float64 NumPy arrays in and out; a single number comes back as a Python "
    "float (np.float64 is one; a 0-d array is not).",
    "Batches broadcast over leading axes; a distribution lives on the last axis.",
    "Logarithms are natural logarithms.",
    "torch appears only where autograd is the point: the functions whose signature names a "
    "tensor take or return torch tensors.",
    "Invalid input raises ValueError whose message names the offending argument as the "
    "signature spells it; each function lists below which inputs are invalid.",
    "A contract function never returns NaN: where no value exists it raises ValueError.",
    "Counts of steps, samples or iterations are at least 1; 0 raises ValueError naming the count.",
    "Floating-point warnings count in the numerics tier, which runs with RuntimeWarning as an "
    "error: where a value is right but NumPy would warn (log 0 = -inf, exp overflow to inf), "
    "silence the warning (np.errstate) or avoid it.",
)


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
    """The registry as plain text: the shared conventions, then per function its signature,
    exercises, meaning, return kind and own conventions."""
    lines = ["Conventions of every contract function:"]
    lines += [f"  - {text}" for text in CONVENTIONS]
    for e in CONTRACT.values():
        lines += ["", e.signature, f"    [{', '.join(e.exercises)}] {e.meaning}"]
        lines.append(f"    returns {RETURN_KINDS[e.returns]}")
        lines += [f"    - {text}" for text in e.conventions]
    return "\n".join(lines)
