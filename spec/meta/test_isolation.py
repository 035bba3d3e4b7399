"""The implementation in a process of its own (``--isolate``): what crosses the wire.

One isolated copy of the reference serves every test here (a worker starts in a few
seconds).  Each test pins a way the wire could change a result: 0-d arrays, the spec's
callables called back with array arguments, generators whose state must advance in the
spec's process, gradients that must reach the spec's tensors, and subclasses that must
arrive as plain values.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch

from spec.harness.isolation import IsolatedImplementation
from spec.plugin import DEFAULT_IMPL, SPEC_DIR


@pytest.fixture(scope="module")
def isolated(pytestconfig):
    if pytestconfig._spec_impl_name != DEFAULT_IMPL:
        pytest.skip("these tests isolate the reference implementation")
    implementation = IsolatedImplementation(DEFAULT_IMPL, SPEC_DIR.parent)
    yield implementation
    implementation.close()


def test_values_and_zero_dimensional_arrays_cross_unchanged(isolated, impl_module):
    """Results equal the in-process ones bit for bit, a float stays a float, 0-d stays 0-d."""
    p, q = np.array([0.25, 0.75]), np.array([0.5, 0.5])
    assert isolated.kl_divergence(p, q) == impl_module.kl_divergence(p, q)
    assert type(isolated.kl_divergence(p, q)) is float
    batch = isolated.kl_divergence(np.stack([p, q]), np.stack([q, q]))
    assert batch.shape == (2,) and type(batch) is np.ndarray


def test_the_specs_callables_are_called_back_with_arrays(isolated, impl_module):
    """A callable of the spec taking arrays runs in the spec's process, side effects here."""
    seen = []

    def grad_log_likelihood(theta, batch):
        seen.append(batch.shape)
        return batch - theta

    args = (np.array([0.5, -0.5]), lambda t: -t, grad_log_likelihood, np.ones((3, 2)), 6)
    assert np.array_equal(isolated.sgld_drift(*args), impl_module.sgld_drift(*args))
    assert seen == [(3, 2), (3, 2)], seen


def test_the_specs_generators_advance_in_the_specs_process(isolated, impl_module):
    """Draws from a generator the spec passes in continue across calls as in-process."""
    streams = []
    for implementation in (impl_module, isolated):
        rng = np.random.default_rng(7)

        def coin(z):
            return (z[:, 0] > 0).astype(np.int64)

        runs = [implementation.smoothed_certify(coin, np.zeros(1), 0.5, 1, 1, 0.7, rng)]
        runs += [implementation.smoothed_certify(coin, np.zeros(1), 0.5, 1, 1, 0.7, rng)]
        streams.append((runs, rng.bit_generator.state["state"]))
    assert streams[0] == streams[1], streams


def test_gradients_of_tensor_results_reach_the_specs_tensors(isolated, impl_module):
    """backward() on an isolated penalty fills the spec's weight.grad as in-process."""
    grads = []
    for implementation in (impl_module, isolated):
        weight = torch.tensor([0.6, -0.2], dtype=torch.float64, requires_grad=True)
        x, y, t = np.ones((3, 2)), np.zeros((3, 2)), np.array([0.1, 0.5, 0.9])
        implementation.gradient_penalty(lambda s, w=weight: torch.tanh(s @ w), x, y, t).backward()
        grads.append(weight.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=0)


def test_subclasses_arrive_as_plain_values(tmp_path):
    """A float subclass whose comparisons lie arrives as a plain float."""
    module = tmp_path / "liar.py"
    module.write_text(
        textwrap.dedent("""
            class Liar(float):
                def __eq__(self, other):
                    return True
                __hash__ = float.__hash__

            def entropy(p):
                return Liar(3.0)
        """)
    )
    liar = IsolatedImplementation(str(module), tmp_path)
    try:
        value = liar.entropy(np.array([0.5, 0.5]))
    finally:
        liar.close()
    assert type(value) is float and value == 3.0 and value != 0.0
