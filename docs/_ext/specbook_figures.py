"""Figures of the book, drawn with matplotlib from the reference implementation ``impl``.

Each ``figure_L_N`` function takes the ``impl`` module and returns (matplotlib figure,
caption).  ``draw_all`` writes them as PNG into ``<out>/figures/`` and returns, per exercise,
the list of (path relative to ``<out>``, caption) that the exercise page includes.  Every
random input comes from a fixed seed, so a build draws the same figures every time.

Only the book imports ``impl`` (the spec never does): the figures show what the reference
implementation computes, so a figure that looks wrong is a bug report on ``impl``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 110
plt.rcParams.update(
    {
        "figure.figsize": (7.2, 3.6),
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "font.size": 9.5,
        "legend.fontsize": 8.5,
        "legend.frameon": False,
        "savefig.bbox": "tight",
    }
)


def figure_2_5(impl: Any):
    rng = np.random.default_rng(25)
    s = np.logspace(-2, 2, 200)
    K = 4
    fig, ax = plt.subplots()
    for k in range(4):
        W, h = rng.normal(size=(K, 3)), rng.normal(size=3)
        c = [impl.softmax_confidence(W, h, float(si)) for si in s]
        ax.plot(s, c, label=f"bias-free classifier {k + 1}")
    with_bias = [float(np.max(impl.softmax(np.array([si, 2.0])))) for si in s]
    ax.plot(s, with_bias, "k--", label="with a bias: logits (s, 2)")
    ax.axhline(1 / K, color="gray", lw=0.8, ls=":")
    ax.text(1.1e-2, 1 / K + 0.015, "1/K", color="gray")
    ax.set_xscale("log")
    ax.set_xlabel("scale s (= 1/temperature)")
    ax.set_ylabel("confidence c(s)")
    ax.set_ylim(0.2, 1.02)
    ax.legend(loc="lower right")
    caption = (
        "Confidence c(s) = max_i softmax(s W h)_i of four random bias-free classifiers "
        "(K = 4, d = 3) against the scale s: non-decreasing, from 1/K as s -> 0 to 1 as "
        "s -> ∞.  Dashed: with a bias the claim fails; the logits (s, 2) give c(1) ≈ 0.73 "
        "but c(2) = 1/2.  Drawn with impl.softmax_confidence and impl.softmax."
    )
    return fig, caption


def figure_2_6(impl: Any):
    ls = np.linspace(0.0, 3.0, 121)
    fig, ax = plt.subplots()
    rng = np.random.default_rng(26)
    for K in (2, 3, 5, 10):
        (line,) = ax.plot(ls, [impl.neural_collapse_bound(K, float(li)) for li in ls])
        line.set_label(f"B(K, l), K = {K}")
        etf = impl.simplex_etf(K, K)
        y = np.repeat(np.arange(K), 2)
        marks = ls[::20]
        collapsed = [impl.normalized_softmax_loss(etf, etf[y], y, float(li)) for li in marks]
        ax.plot(marks, collapsed, "o", color=line.get_color(), ms=4)
        W, H = rng.normal(size=(K, K)), rng.normal(size=(2 * K, K))
        random = [impl.normalized_softmax_loss(W, H, y, float(li)) for li in marks]
        ax.plot(marks, random, "x", color=line.get_color(), ms=5, alpha=0.7)
    ax.plot([], [], "ko", ms=4, label="collapsed: simplex ETF, h_i = W_y")
    ax.plot([], [], "kx", ms=5, label="random W and H")
    ax.set_xlabel("norm l of class vectors and features")
    ax.set_ylabel("normalized softmax loss")
    ax.legend(ncol=2)
    caption = (
        "The lower bound B(K, l) = log(1 + (K − 1) exp(−K l²/(K − 1))) against the norm l: "
        "random class vectors and features (crosses, balanced labels) stay above it, "
        "neural collapse (dots) attains it.  Drawn with impl.neural_collapse_bound, "
        "impl.simplex_etf and impl.normalized_softmax_loss."
    )
    return fig, caption


def _lines_as_distributions(theta: float, y: np.ndarray):
    """The atoms (0, y_i) and (theta, y_i), and P, Q_theta as vectors on their union."""
    P = np.column_stack([np.zeros_like(y), y])
    Q = np.column_stack([np.full_like(y, theta), y])
    atoms, index = np.unique(np.vstack([P, Q]), axis=0, return_inverse=True)
    index = index.ravel()
    p = np.bincount(index[: len(P)], minlength=len(atoms)) / len(P)
    q = np.bincount(index[len(P) :], minlength=len(atoms)) / len(Q)
    return P, Q, p, q


def figure_3_10(impl: Any):
    y = (np.arange(16) + 0.5) / 16
    thetas = np.concatenate([np.linspace(-1, 1, 161), [0.0]])
    thetas = np.unique(thetas)
    kl, js, w1 = [], [], []
    for theta in thetas:
        P, Q, p, q = _lines_as_distributions(float(theta), y)
        kl.append(impl.kl_divergence(p, q))
        js.append(impl.js_divergence(p, q))
        w1.append(impl.wasserstein1(P, Q))
    kl, js, w1 = map(np.asarray, (kl, js, w1))
    fig, (ax0, ax) = plt.subplots(1, 2, figsize=(7.6, 3.4), width_ratios=[1, 2.4])
    ax0.plot(np.zeros_like(y), y, "o", ms=3, label="P")
    ax0.plot(np.full_like(y, 0.6), y, "s", ms=3, label="Q_θ (θ = 0.6)")
    ax0.set_xlim(-0.4, 1.0)
    ax0.set_title("the two lines (16 atoms each)")
    ax0.legend(loc="lower center", bbox_to_anchor=(0.5, -0.35))
    ax.plot(thetas, w1, label="W1(P, Q_θ) = |θ|")
    nz = thetas != 0
    ax.plot(thetas[nz & (thetas < 0)], js[nz & (thetas < 0)], color="C1", label="JS(P, Q_θ)")
    ax.plot(thetas[nz & (thetas > 0)], js[nz & (thetas > 0)], color="C1")
    ax.plot([0], js[~nz], "o", color="C1", ms=5)
    ax.plot([0], [np.log(2)], "o", color="C1", mfc="white", ms=5)
    top = 1.15
    finite = np.isfinite(kl)
    ax.plot(
        thetas[~finite], np.full((~finite).sum(), top), color="C3", lw=2, label="KL(P‖Q_θ) = +∞"
    )
    ax.plot(thetas[finite], kl[finite], "o", color="C3", ms=5)
    ax.set_ylim(-0.05, 1.25)
    ax.set_xlabel("θ")
    ax.legend(loc="lower right")
    ax.set_title("divergences against the offset θ")
    caption = (
        "Two parallel lines a distance |θ| apart.  KL is +∞ (drawn at the top) for every "
        "θ ≠ 0, JS jumps from 0 to log 2 and is flat elsewhere (no gradient), W1 = |θ| "
        "is continuous with slope ±1.  Drawn with impl.kl_divergence, impl.js_divergence "
        "and impl.wasserstein1 on 16 atoms per line."
    )
    return fig, caption


def figure_5_16(impl: Any):
    rho = 0.8
    grid = np.linspace(-3.2, 3.2, 161)
    X1, X2 = np.meshgrid(grid, grid)
    density = impl.bivariate_normal_pdf(X1, X2, rho)
    rng = np.random.default_rng(516)
    x0 = np.array([-2.8, 2.6])
    path = np.vstack([x0, impl.gibbs_sampler(rho, 12, x0, rng)])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.6), width_ratios=[1.1, 1])
    ax.contour(X1, X2, density, levels=8, cmap="Blues", linewidths=0.9)
    stairs = [path[0]]
    for (_, a2), (b1, b2) in zip(path[:-1], path[1:], strict=True):
        stairs += [(b1, a2), (b1, b2)]
    stairs = np.array(stairs)
    ax.plot(stairs[:, 0], stairs[:, 1], "-", color="C3", lw=1)
    ax.plot(path[1:, 0], path[1:, 1], "o", color="C3", ms=3.5)
    ax.plot(*x0, "ks", ms=5)
    ax.text(x0[0] + 0.15, x0[1], "x0", va="center")
    ax.set_aspect("equal")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(f"12 sweeps, ρ = {rho}")
    samples = impl.gibbs_sampler(rho, 20000, np.zeros(2), np.random.default_rng(5160))
    ax2.hist(samples[:, 0], bins=60, density=True, alpha=0.5, label="x1 over 20000 sweeps")
    t = np.linspace(-4, 4, 200)
    ax2.plot(t, np.exp(-(t**2) / 2) / math.sqrt(2 * math.pi), "k", lw=1, label="N(0, 1)")
    ax2.set_title("marginal of x1")
    ax2.set_ylim(0, 0.55)
    ax2.legend(loc="upper left")
    caption = (
        "Left: a Gibbs path over the contours of the standard bivariate normal with "
        "ρ = 0.8: each sweep moves horizontally (x1 drawn from N(ρ x2, 1 − ρ²)) then "
        "vertically (x2 from N(ρ x1, 1 − ρ²)).  Right: the x1-marginal of a long chain "
        "against N(0, 1).  Drawn with impl.bivariate_normal_pdf and impl.gibbs_sampler."
    )
    return fig, caption


def figure_6_18(impl: Any):
    T = 1000
    alphas = 1.0 - np.linspace(1e-4, 0.02, T)
    abar = impl.alpha_bars(alphas)
    rng = np.random.default_rng(618)
    n = 20000
    x = rng.choice([-2.0, 2.0], size=n)
    shown = {20: None, 100: None, 250: None, 1000: None}
    for t in range(1, T + 1):
        x = impl.forward_step(x, float(alphas[t - 1]), rng.standard_normal(n))
        if t in shown:
            shown[t] = x.copy()
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(7.6, 3.4), width_ratios=[1.6, 1])
    grid = np.linspace(-4.5, 4.5, 400)
    for k, (t, xt) in enumerate(shown.items()):
        m, v = math.sqrt(abar[t - 1]), 1.0 - abar[t - 1]
        density = sum(
            0.5 * np.exp(-((grid - s * m * 2.0) ** 2) / (2 * v)) / math.sqrt(2 * math.pi * v)
            for s in (-1, 1)
        )
        ax.hist(xt, bins=90, range=(-4.5, 4.5), density=True, alpha=0.35, color=f"C{k}")
        ax.plot(grid, density, color=f"C{k}", lw=1.2, label=f"t = {t}, ᾱ_t = {abar[t - 1]:.3g}")
    ax.set_xlabel("x_t")
    ax.set_title("from x_0 = ±2: chains and q(x_t | x_0)")
    ax.legend(loc="upper right", fontsize=7.5)
    t = np.arange(1, T + 1)
    ax2.plot(t, np.sqrt(abar), label="√ᾱ_t (signal)")
    ax2.plot(t, 1 - abar, label="1 − ᾱ_t (noise variance)")
    ax2.set_xlabel("t")
    ax2.legend()
    ax2.set_title("linear β schedule, T = 1000")
    caption = (
        "The forward process from data at ±2: 20000 chains of forward steps "
        "x_t = √α_t x_{t−1} + √(1 − α_t) ε_t (histograms) against the closed-form marginal "
        "q(x_t | x_0) = N(√ᾱ_t x_0, 1 − ᾱ_t) (lines), which tends to N(0, 1).  Drawn with "
        "impl.forward_step and impl.alpha_bars."
    )
    return fig, caption


def figure_7_22(impl: Any):
    grid = np.linspace(-1.3, 1.3, 401)
    X1, X2 = np.meshgrid(grid, grid)
    points = np.stack([X1, X2], axis=-1)
    fig, ax = plt.subplots(figsize=(4.4, 4.0))
    for k, p in enumerate((0.5, 1.0, 2.0, math.inf)):
        norm = impl.lp_norm(points, p)
        ax.contour(X1, X2, norm, levels=[1.0], colors=[f"C{k}"], linewidths=1.3)
        ax.plot([], [], color=f"C{k}", label=f"p = {'∞' if p == math.inf else f'{p:g}'}")
    mid = np.array([0.5, 0.5])
    ax.plot([1, 0], [0, 1], "k:", lw=0.8)
    ax.plot(*mid, "ko", ms=4)
    ax.annotate(
        f"(e1 + e2)/2: ‖·‖_0.5 = {impl.lp_norm(mid, 0.5):.3g}",
        mid,
        xytext=(0.1, -0.35),
        fontsize=8,
        arrowprops={"arrowstyle": "->", "lw": 0.8},
    )
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=7.5, title="‖x‖_p = 1")
    caption = (
        "Unit spheres of ‖·‖_p in the plane.  For p < 1 the unit ball is not convex: e1 and "
        "e2 lie on the sphere, but their midpoint has ‖·‖_p = 2^(1/p − 1) = 2 > 1 for "
        "p = 1/2, so the triangle inequality fails.  Drawn with impl.lp_norm."
    )
    return fig, caption


def figure_9_26(impl: Any):
    rng = np.random.default_rng(926)
    d = 5
    w, b = rng.normal(size=d), 0.3
    fig, ax = plt.subplots(figsize=(5.2, 3.8))
    for k, sigma in enumerate((0.5, 1.0, 2.0)):
        x = rng.normal(size=(60, d)) * 0.6
        distance = np.abs(x @ w + b) / np.linalg.norm(w)
        p_plus = impl.smoothed_linear_probability(w, b, x, sigma)
        p_minus = impl.smoothed_linear_probability(-w, -b, x, sigma)
        p_a, p_b = np.maximum(p_plus, p_minus), np.minimum(p_plus, p_minus)
        radius = impl.certified_radius(p_a, p_b, sigma)
        ax.plot(distance, radius, "o", ms=4, alpha=0.75, color=f"C{k}", label=f"σ = {sigma:g}")
    top = ax.get_xlim()[1]
    ax.plot([0, top], [0, top], "k-", lw=0.8, label="R = distance")
    ax.set_xlabel("distance |wᵀx + b| / ‖w‖ to the hyperplane")
    ax.set_ylabel("certified radius R")
    ax.legend()
    caption = (
        "Cohen et al.'s certified radius R = (σ/2)(Φ⁻¹(p_A) − Φ⁻¹(p_B)) of the smoothed "
        "linear classifier, fed the exact class probabilities, against the distance of x to "
        "the hyperplane (d = 5, 60 points per σ): R equals the distance whatever σ is.  "
        "Drawn with impl.smoothed_linear_probability and impl.certified_radius."
    )
    return fig, caption


def figure_10_30(impl: Any):
    sigma, a, h = 1.0, 0.6, 1e-4
    x = np.linspace(-4, 4, 801)

    def g_halfspace(t):
        return impl.smoothed_linear_probability(np.ones(1), 0.0, t[:, None], sigma)

    def g_box(t):
        upper = impl.smoothed_linear_probability(np.ones(1), a, t[:, None], sigma)
        lower = impl.smoothed_linear_probability(np.ones(1), -a, t[:, None], sigma)
        return upper - lower

    L = impl.smoothed_lipschitz_constant(sigma)
    fig, (ax0, ax) = plt.subplots(1, 2, figsize=(7.6, 3.4))
    ax0.plot(x, g_halfspace(x), label="f = 1[z > 0]")
    ax0.plot(x, g_box(x), label=f"f = 1[|z| < {a}]")
    ax0.set_title("smoothed functions g = E f(x + ε)")
    ax0.set_xlabel("x")
    ax0.legend(loc="upper left")
    for k, g in enumerate((g_halfspace, g_box)):
        ax.plot(x, np.abs(g(x + h) - g(x - h)) / (2 * h), color=f"C{k}")
    ax.axhline(L, color="k", lw=1, label=f"1/(σ√(2π)) = {L:.3f} (tight)")
    ax.axhline(2 * L, color="k", ls="--", lw=1, label=f"√(2/π)/σ = {2 * L:.3f} (Salman et al.)")
    ax.set_ylim(0, 1.1)
    ax.set_title("their slopes |g′(x)|, σ = 1")
    ax.set_xlabel("x")
    ax.legend(loc="upper left", fontsize=7.5)
    caption = (
        "The slope of the smoothing of a half-space reaches the Lipschitz constant "
        "1/(σ√(2π)) exactly on the boundary, that of a box stays below it; Salman et al.'s "
        "constant is twice as large.  Slopes are central differences of "
        "impl.smoothed_linear_probability; the constant is impl.smoothed_lipschitz_constant."
    )
    return fig, caption


#: Exercise -> figure functions (one figure each here; a list allows more).
FIGURES: dict[str, list[Callable[[Any], tuple[Any, str]]]] = {
    "2.5": [figure_2_5],
    "2.6": [figure_2_6],
    "3.10": [figure_3_10],
    "5.16": [figure_5_16],
    "6.18": [figure_6_18],
    "7.22": [figure_7_22],
    "9.26": [figure_9_26],
    "10.30": [figure_10_30],
}


def draw_all(out: Path) -> dict[str, list[tuple[str, str]]]:
    """Draw every figure into ``out/figures``; exercise -> [(path relative to out, caption)]."""
    import impl

    folder = out / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    drawn: dict[str, list[tuple[str, str]]] = {}
    for exercise, functions in FIGURES.items():
        for k, function in enumerate(functions):
            fig, caption = function(impl)
            name = f"ex{exercise.replace('.', '_')}" + (f"_{k + 1}" if k else "") + ".png"
            fig.savefig(folder / name, dpi=DPI)
            plt.close(fig)
            drawn.setdefault(exercise, []).append((f"figures/{name}", caption))
    return drawn
