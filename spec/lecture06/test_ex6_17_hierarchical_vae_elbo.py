r"""Exercise 6.17 — the ELBO of a Markovian hierarchical VAE.

Statement
    A hierarchical VAE with T latent layers is Markovian when the decoder
    generates z_T, then each z_t from z_{t+1} alone, then x from z_1 alone, and
    the encoder generates z_1 from x, then each z_{t+1} from z_t alone.  Show
    that the ELBO E_q[log p(x, z_{1:T}) - log q(z_{1:T} | x)] then splits into
    the factorized form (4):
        E_q[ log p(z_T) + log p(x | z_1) + sum_{t=1}^{T-1} log p(z_t | z_{t+1})
             - log q(z_1 | x) - sum_{t=1}^{T-1} log q(z_{t+1} | z_t) ].

    .. math::

       \mathrm{ELBO} &= \mathbb{E}_{q(z_{1:T} \mid x)} \Bigl[\log p(z_T) + \log p(x \mid z_1)
       + \sum_{t=1}^{T-1} \log p(z_t \mid z_{t+1}) \\
       &\qquad - \log q(z_1 \mid x) - \sum_{t=1}^{T-1} \log q(z_{t+1} \mid z_t)\Bigr]
       \le \log p(x)

Assumptions
    To make the claim checkable exactly, latents are discrete: S states per
    layer, x one of K symbols; the tables and their layout are those of
    ``spec/contract/diffusion.py`` (``p_down[t - 1, i, j]`` = p(z_t = j | z_{t+1} = i),
    ``q_up[t - 1, i, j]`` = q(z_{t+1} = j | z_t = i), distributions on the last
    axis).  Tables may contain exact zeros and masses down to 1e-30; 0 log 0 = 0,
    and the ELBO is -inf when q charges a path that p forbids.

Natural range
    1 <= S <= 3 states per layer, 1 <= T <= 4 layers, 1 <= K <= 3 symbols; every mass
    exactly 0 or in [1e-30, 1], so that no path probability (a product of at most
    2T + 1 = 9 masses) underflows.

    Numerics properties draw masses down to 1e-300, where p(x) itself (a sum of products
    of up to 9 masses) may underflow float64 while log p(x) is an ordinary number.

Argument
    By the chain rule and the Markov property,
        p(x, z_{1:T}) = p(z_T) prod_{t=1}^{T-1} p(z_t | z_{t+1}) p(x | z_1),
        q(z_{1:T} | x) = q(z_1 | x) prod_{t=1}^{T-1} q(z_{t+1} | z_t);
    the log of the ratio is the sum in (4), and linearity of expectation gives
    (4).  Each expectation involves at most two adjacent layers, so it can be
    taken under the encoder's one- and two-layer marginals, which is how the
    reference computes it in O(T S^2) instead of O(S^T).  The tests evaluate
    the left-hand side by brute force over all S^T latent paths.

    Two consequences pin the ELBO further.  Since
        log p(x) - ELBO = E_q[log q(z | x) - log p(z | x)] = KL(q(z | x) || p(z | x)) >= 0,
    the ELBO is below log p(x), with equality iff q(. | x) is the true
    posterior.  That posterior is itself a Markov chain of the encoder's form:
    reversing the prior chain, p(z_{1:T}) = p(z_1) prod_t p(z_{t+1} | z_t) with
    p(z_{t+1} | z_t) = p(z_t | z_{t+1}) p(z_{t+1}) / p(z_t), so
        p(z_{1:T} | x) = [p(x | z_1) p(z_1) / p(x)] prod_t p(z_{t+1} | z_t)
                       = p(z_1 | x) prod_t p(z_{t+1} | z_t):
    the encoder q(z_1 | x) = p(z_1 | x), q(z_{t+1} | z_t) = p(z_{t+1} | z_t)
    attains the bound (given z_t, z_{t+1} is independent of x).

Numerics
    Error model (u = 2^-53), valid for any float64 evaluation, by paths or by layer
    marginals: the tables are exact inputs; a product of at most 9 masses, or a sum of
    at most S^T = 81 products, errs by <= 100u relatively, so each logarithm errs by
    <= 100u + u |log| absolutely.  The ELBO is an average of such logarithms under q (and the
    oracle's weights q(z | x) err by <= 100u relatively), so its error is below
    ~200u (1 + E_q[|log p(x, z)| + |log q(z | x)|]).  The tolerance, 1e-11 of
    1 + that magnitude (~45000u), covers it with a wide margin while any wrong formula
    moves the ELBO by O(1) of a term.

Errata
    None in the statement; note that (4) is an identity of integrands (the two
    logarithms are equal path by path), not merely of expectations.

References
    C. Luo, "Understanding Diffusion Models: A Unified Perspective", 2022, §2.2.
    D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", 2014.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy import special

from spec.assertions import (
    assert_close,
    assert_leq,
    assert_rejects,
    assert_rejects_bad_arrays,
    assert_true,
)
from spec.lecture06._diffusion_support import stochastic_tables

# See "Numerics": any float64 evaluation errs by ~200u (2e-14) of 1 + the terms' magnitude.
RTOL = 1e-11


@dataclass(frozen=True)
class Model:
    """A discrete Markovian hierarchical VAE and an observed symbol x."""

    x: int
    p_zT: np.ndarray
    p_down: np.ndarray
    p_x_given_z1: np.ndarray
    q_z1_given_x: np.ndarray
    q_up: np.ndarray

    @property
    def decoder(self) -> tuple:
        return (self.x, self.p_zT, self.p_down, self.p_x_given_z1)

    @property
    def everything(self) -> tuple:
        return (*self.decoder, self.q_z1_given_x, self.q_up)

    def inputs(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@st.composite
def models(draw: st.DrawFn, smallest_log10: float = -30.0) -> Model:
    """Models with 1-3 states, 1-4 layers, 1-3 symbols; zeros and masses down to 10^smallest."""
    s, k, t = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    x = draw(st.integers(0, k - 1))
    shapes = [(s,), (t - 1, s, s), (s, k), (k, s), (t - 1, s, s)]
    return Model(x, *draw(stochastic_tables(shapes, smallest_log10)))


#: Two states, two layers, two symbols, nothing uniform: a wrong prior, a transposed table or a
#: dropped term changes the ELBO and log p(x).
SKEWED = Model(
    x=1,
    p_zT=np.array([0.9, 0.1]),
    p_down=np.array([[[0.7, 0.3], [0.2, 0.8]]]),
    p_x_given_z1=np.array([[0.9, 0.1], [0.25, 0.75]]),
    q_z1_given_x=np.array([[0.5, 0.5], [0.35, 0.65]]),
    q_up=np.array([[[0.6, 0.4], [0.15, 0.85]]]),
)


def _log(p):
    with np.errstate(divide="ignore"):
        return np.log(p)


@dataclass(frozen=True)
class Paths:
    """Every latent path z = (z_1, ..., z_T) with its log p(x, z), log q(z | x) and q(z | x)."""

    log_joint: np.ndarray
    log_q: np.ndarray

    @property
    def charged(self) -> np.ndarray:
        """The paths q(. | x) gives positive probability."""
        return self.log_q > -np.inf

    @property
    def log_evidence(self) -> float:
        return float(special.logsumexp(self.log_joint))

    def magnitude(self) -> float:
        """E_q[|log p(x, z)| + |log q(z | x)|], the scale of the ELBO's terms."""
        c = self.charged
        return float(
            np.sum(np.exp(self.log_q[c]) * (np.abs(self.log_joint[c]) + np.abs(self.log_q[c])))
        )


def enumerate_paths(m: Model) -> Paths:
    """log p(x, z) and log q(z | x) of all S^T paths, by the chain rule, path by path."""
    s, t = len(m.p_zT), len(m.p_down) + 1
    z = np.array(list(itertools.product(range(s), repeat=t))).reshape(-1, t)  # z[:, t - 1] = z_t
    log_joint = _log(m.p_zT[z[:, -1]]) + _log(m.p_x_given_z1[z[:, 0], m.x])
    log_q = _log(m.q_z1_given_x[m.x, z[:, 0]])
    for layer in range(1, t):  # layer = 1-based index of the lower layer
        below, above = z[:, layer - 1], z[:, layer]
        log_joint = log_joint + _log(m.p_down[layer - 1, above, below])
        log_q = log_q + _log(m.q_up[layer - 1, below, above])
    return Paths(log_joint, log_q)


def brute_force_elbo(paths: Paths) -> float:
    """E_q[log p(x, z) - log q(z | x)]; -inf when q charges a path p forbids."""
    c = paths.charged
    if np.any(paths.log_joint[c] == -np.inf):
        return -np.inf
    return float(np.sum(np.exp(paths.log_q[c]) * (paths.log_joint[c] - paths.log_q[c])))


def brute_force_posterior_kl(paths: Paths) -> float:
    """KL(q(z | x) || p(z | x)) over all paths, for p(x) > 0."""
    return -brute_force_elbo(paths) + paths.log_evidence


def true_posterior_encoder(m: Model) -> Model:
    """The model with q replaced by the Markov chain p(z_1 | x), p(z_{t+1} | z_t) derived above."""
    prior = [m.p_zT]  # p(z_T), p(z_{T-1}), ..., p(z_1)
    for table in m.p_down[::-1]:
        prior.append(prior[-1] @ table)
    prior = prior[::-1]  # prior[t - 1] = p(z_t)
    q_z1 = m.q_z1_given_x.copy()
    q_z1[m.x] = prior[0] * m.p_x_given_z1[:, m.x]
    q_z1[m.x] /= q_z1[m.x].sum()
    q_up = np.empty_like(m.q_up)
    for t in range(1, len(prior)):
        # p(z_{t+1} = j | z_t = i) = p(z_t = i | z_{t+1} = j) p(z_{t+1} = j) / p(z_t = i)
        joint = (m.p_down[t - 1] * prior[t][:, None]).T  # [i, j] = p(z_t = i, z_{t+1} = j)
        rows = joint.sum(axis=1, keepdims=True)
        # States the prior never visits get any distribution: q never reaches them either.
        q_up[t - 1] = np.where(rows > 0, joint / np.where(rows > 0, rows, 1.0), 1.0 / len(rows))
    return Model(m.x, m.p_zT, m.p_down, m.p_x_given_z1, q_z1, q_up)


# --- claim tier: the exercise's mathematics on its natural range ---


@pytest.mark.claim
@example(m=SKEWED)
@given(models())
def test_elbo_is_the_expectation_over_every_latent_path(impl, m):
    """hvae_elbo equals E_q[log p(x, z) - log q(z | x)] summed over all S^T latent paths."""
    paths = enumerate_paths(m)
    assert_close(
        impl.hvae_elbo(*m.everything),
        brute_force_elbo(paths),
        rtol=0.0,
        atol=RTOL * (1.0 + paths.magnitude()),
        what="ELBO against brute force",
        inputs=m.inputs(),
    )


def _check_log_evidence(impl, m: Model) -> None:
    """hvae_log_evidence against the log-sum-exp of the paths' log p(x, z) (never underflows)."""
    paths = enumerate_paths(m)
    expected = paths.log_evidence
    # log p(x) is a log-sum-exp of the paths' log p(x, z): it errs like its largest term.
    possible = paths.log_joint[paths.log_joint > -np.inf]
    scale = 1.0 + float(np.max(np.abs(possible), initial=0.0))
    assert_close(
        impl.hvae_log_evidence(*m.decoder),
        expected,
        rtol=RTOL,
        atol=RTOL * scale,
        what="log p(x) against brute force",
        inputs=m.inputs(),
    )


@pytest.mark.claim
@example(m=SKEWED)
@given(models())
def test_log_evidence_is_the_sum_over_every_latent_path(impl, m):
    """hvae_log_evidence equals log sum_z p(x, z) over all S^T latent paths."""
    _check_log_evidence(impl, m)


@pytest.mark.claim
@given(models())
def test_elbo_is_below_log_evidence(impl, m):
    """ELBO <= log p(x) for every encoder."""
    paths = enumerate_paths(m)
    assert_leq(
        impl.hvae_elbo(*m.everything),
        impl.hvae_log_evidence(*m.decoder),
        atol=RTOL * (1.0 + paths.magnitude()),
        what="ELBO <= log p(x)",
        inputs=m.inputs(),
    )


@pytest.mark.claim
@given(models())
def test_gap_is_kl_from_encoder_to_true_posterior(impl, m):
    """log p(x) - ELBO = KL(q(z | x) || p(z | x)), +inf exactly when q charges a path p forbids."""
    paths = enumerate_paths(m)
    assume(paths.log_evidence > -np.inf)  # p(z | x) exists only for possible symbols
    gap = impl.hvae_log_evidence(*m.decoder) - impl.hvae_elbo(*m.everything)
    assert_close(
        gap,
        brute_force_posterior_kl(paths),
        rtol=0.0,
        atol=RTOL * (1.0 + paths.magnitude()),
        what="log p(x) - ELBO against KL(q || posterior)",
        inputs=m.inputs(),
    )


@pytest.mark.claim
@given(models())
def test_elbo_equals_log_evidence_at_the_true_posterior(impl, m):
    """With q(z_1 | x) = p(z_1 | x) and q(z_{t+1} | z_t) = p(z_{t+1} | z_t) the ELBO is log p(x)."""
    paths = enumerate_paths(m)
    assume(paths.log_evidence > -np.inf)
    exact = true_posterior_encoder(m)
    elbo = impl.hvae_elbo(*exact.everything)
    assert_true(
        np.isfinite(elbo), what="ELBO at the true posterior is finite", inputs=exact.inputs()
    )
    assert_close(
        elbo,
        impl.hvae_log_evidence(*m.decoder),
        rtol=0.0,
        atol=RTOL * (1.0 + enumerate_paths(exact).magnitude()),
        what="ELBO at the true posterior against log p(x)",
        inputs=exact.inputs(),
    )


# --- numerics tier: accuracy and robustness at extreme inputs ---


@pytest.mark.numerics
@given(models(smallest_log10=-300.0))
def test_log_evidence_survives_masses_down_to_1e_300(impl, m):
    """With masses down to 1e-300, p(x) may underflow float64; log p(x) must stay accurate."""
    _check_log_evidence(impl, m)


# --- contract tier: the interface and the reference's choices among valid answers ---


@pytest.mark.contract
@given(models())
def test_returns_floats_and_minus_inf_for_forbidden_paths(impl, m):
    """Both functions return a float; the ELBO is -inf when q charges a path p forbids."""
    paths = enumerate_paths(m)
    elbo = impl.hvae_elbo(*m.everything)
    evidence = impl.hvae_log_evidence(*m.decoder)
    assert_true(
        isinstance(elbo, float) and isinstance(evidence, float),
        what="hvae_elbo and hvae_log_evidence return floats",
        inputs=m.inputs(),
    )
    forbidden = bool(np.any(paths.log_joint[paths.charged] == -np.inf))
    assert_true(
        (elbo == -np.inf) == forbidden,
        what="ELBO is -inf exactly when q charges a path of p-probability 0",
        inputs=m.inputs(),
    )
    assert_true(
        (evidence == -np.inf) == (paths.log_evidence == -np.inf),
        what="log p(x) is -inf exactly when x is impossible",
        inputs=m.inputs(),
    )


@pytest.mark.contract
@given(models(), st.floats(1.01, 3.0))
def test_rejects_invalid_tables(impl, m, factor):
    """Non-normalized, negative or misshapen tables and symbols out of range raise ValueError."""
    negative = m.p_down.copy()
    if negative.size:
        negative[..., 0] -= 1.0
    bad_decoders = {
        "p_zT": ((m.x, m.p_zT * factor, m.p_down, m.p_x_given_z1), f"p_zT sums to {factor}"),
        "p_x_given_z1": (
            (m.x, m.p_zT, m.p_down, m.p_x_given_z1[:, :0]),
            "p_x_given_z1 has no symbol (K = 0)",
        ),
        "x": ((len(m.p_x_given_z1[0]), m.p_zT, m.p_down, m.p_x_given_z1), "x = K is out of range"),
    }
    if negative.size:
        bad_decoders["p_down"] = (
            (m.x, m.p_zT, negative, m.p_x_given_z1),
            "p_down has a negative entry",
        )
    for name, (bad, why) in bad_decoders.items():
        assert_rejects(impl.hvae_log_evidence, *bad, argument=name, because=why)
        assert_rejects(impl.hvae_elbo, *bad, m.q_z1_given_x, m.q_up, argument=name, because=why)
    assert_rejects(impl.hvae_log_evidence, -1, *m.decoder[1:], argument="x", because="x = -1")
    assert_rejects(
        impl.hvae_elbo,
        *m.decoder,
        m.q_z1_given_x * factor,
        m.q_up,
        argument="q_z1_given_x",
        because=f"the rows of q_z1_given_x sum to {factor}",
    )
    s = len(m.p_zT)
    longer = np.concatenate([m.q_up, np.full((1, s, s), 1.0 / s)])  # one layer too many
    assert_rejects(
        impl.hvae_elbo,
        *m.decoder,
        m.q_z1_given_x,
        longer,
        argument="q_up",
        because="q_up has one layer more than p_down",
    )


@pytest.mark.contract
@settings(max_examples=20)  # input validation needs no breadth
@given(models())
def test_rejects_nan_misshapen_tables_and_non_integer_symbols(impl, m):
    """NaN, extra axes or a wrong S or K in any table, or a non-integer x, raise naming it."""
    tables = ("p_zT", "p_down", "p_x_given_z1", "q_z1_given_x", "q_up")
    if not m.p_down.size:  # one layer: the (0, S, S) tables have no entry to set to NaN
        tables = ("p_zT", None, "p_x_given_z1", "q_z1_given_x", None)
    assert_rejects_bad_arrays(impl.hvae_log_evidence, *m.decoder, names=(None, *tables[:3]))
    assert_rejects_bad_arrays(impl.hvae_elbo, *m.everything, names=(None, *tables))
    s, k = len(m.p_zT), len(m.q_z1_given_x)
    layers = len(m.p_down)
    bad_decoders = {
        "p_zT": ((m.x, m.p_zT[None], m.p_down, m.p_x_given_z1), "p_zT is 2-D"),
        "p_down": (
            (m.x, m.p_zT, np.full((layers, s + 1, s + 1), 1.0 / (s + 1)), m.p_x_given_z1),
            "p_down has S + 1 states",
        ),
        "p_x_given_z1": (
            (m.x, m.p_zT, m.p_down, np.full((s + 1, k), 1.0 / k)),
            "p_x_given_z1 has S + 1 rows",
        ),
    }
    bad_decoders |= {
        f"x = {x!r}": ((x, *m.decoder[1:]), f"x = {x!r} is not an integer")
        for x in (0.5, float(m.x), True, np.float64(m.x))
    }
    for name, (bad, why) in bad_decoders.items():
        argument = name.split(" ")[0]
        assert_rejects(impl.hvae_log_evidence, *bad, argument=argument, because=why)
        assert_rejects(impl.hvae_elbo, *bad, m.q_z1_given_x, m.q_up, argument=argument, because=why)
    wrong_k = np.full((k + 1, s), 1.0 / s)  # q(z_1 | x) for one symbol too many
    assert_rejects(
        impl.hvae_elbo,
        *m.decoder,
        wrong_k,
        m.q_up,
        argument="q_z1_given_x",
        because="q_z1_given_x has K + 1 rows",
    )
