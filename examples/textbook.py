"""The contract as a course would write it: plain formulas, no special care for extremes.

This is what a student's mathematically correct, plainly written solution looks like: masked
p·log p, logsumexp(z) − z_y, the Kingma–Welling KL ½Σ(μ² + eᵗ − 1 − t), the slogdet Gaussian
KL, ᾱ = exp(cumsum(log α)), a gradient penalty with ``torch.autograd.grad``, Salman et al.'s
Lipschitz constant √(2/π)/σ, the Frobenius product ‖W₂‖_F‖W₁‖_F, ``scipy.stats.norm``.  It
validates nothing beyond what its formulas need and may warn, overflow or lose digits at
the extremes.

The spec's promise is that such a solution passes every claim property:

    pytest -n auto --tier claim --impl examples.textbook

The numerics and contract tiers are another matter (README, "What a textbook solution
gets").  It never imports the reference implementation.
"""

import itertools

import numpy as np
import torch
from scipy import optimize, special, stats
from scipy.spatial import distance
from scipy.special import logsumexp
from scipy.special import softmax as _softmax
from scipy.stats import beta, binomtest, norm

# --------------------------------------------------------------------------- lecture 1


def quadratic_loss(A, b, w):
    return 0.5 * w @ A @ w - b @ w


def quadratic_gradient(A, b, w):
    return A @ w - b


def exact_line_search_step(A, g):
    return (g @ g) / (g @ A @ g)


def steepest_descent(A, b, w0, n_steps):
    w = np.array(w0, dtype=float)
    iterates = [w]
    for _ in range(n_steps):
        g = A @ w - b
        if np.any(g != 0):  # at a stationary point the iteration stays put
            w = w - (g @ g) / (g @ A @ g) * g
        iterates.append(w)
    return np.array(iterates)


def mse_exact_step(X, y, w):
    n = len(y)
    g = 2.0 / n * X.T @ (X @ w - y)
    return (g @ g) / (2.0 / n * np.sum((X @ g) ** 2))


def linear_classifier(W, X, b=None):
    scores = X @ W.T
    if b is not None:
        scores = scores + b
    return np.argmax(scores, axis=1)


def entropy(p):
    p = np.asarray(p, dtype=float)
    return -np.sum(np.where(p > 0, p * np.log(p), 0.0), axis=-1)


def cross_entropy(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return -np.sum(np.where(p > 0, p * np.log(q), 0.0), axis=-1)


def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    return np.sum(np.where(p > 0, p * np.log(p / q), 0.0), axis=-1)


def softmax(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def log_softmax(z):
    return z - logsumexp(z, axis=-1, keepdims=True)


def softmax_cross_entropy(logits, labels):
    return logsumexp(logits, axis=1) - logits[np.arange(len(labels)), labels]


# --------------------------------------------------------------------------- lecture 2


def softmax_confidence(W, h, s=1.0):
    return np.max(_softmax(s * (h @ W.T), axis=-1), axis=-1)


def simplex_etf(K, d):
    centered = np.eye(K) - 1.0 / K
    basis = np.linalg.svd(centered)[2][: K - 1]  # orthonormal basis of the hyperplane
    rows = centered @ basis.T
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return np.hstack([rows, np.zeros((K, d - (K - 1)))])


def _normalize(M):
    return M / np.linalg.norm(M, axis=1, keepdims=True)


def _mean_cross_entropy(z, y):
    return np.mean(logsumexp(z, axis=1) - z[np.arange(len(y)), y])


def normalized_softmax_loss(W, H, y, l):
    z = (l * _normalize(H)) @ (l * _normalize(W)).T
    return _mean_cross_entropy(z, y)


def neural_collapse_bound(K, l):
    l = np.asarray(l, dtype=float)
    return np.log(1 + (K - 1) * np.exp(-K * l**2 / (K - 1)))


def cosface_loss(W, X, y, s, m):
    cosines = _normalize(X) @ _normalize(W).T
    cosines[np.arange(len(y)), y] -= m
    return _mean_cross_entropy(s * cosines, y)


def cosface_margin_bound(W):
    U = _normalize(W)
    gram = U @ U.T
    off_diagonal = ~np.eye(len(W), dtype=bool)
    return 1.0 - np.max(gram[off_diagonal])


def _gaps(T, A, P, N):
    ta = A @ T.T
    return np.sum(ta * (N @ T.T), axis=1) - np.sum(ta * (P @ T.T), axis=1)


def tpe_loss(T, anchors, positives, negatives):
    return np.mean(np.log(1 + np.exp(_gaps(T, anchors, positives, negatives))))


def tpe_loss_gradient(T, anchors, positives, negatives):
    sigma = 1 / (1 + np.exp(-_gaps(T, anchors, positives, negatives)))
    D = negatives - positives
    M = (sigma[:, None] * anchors).T @ D
    return T @ (M + M.T) / len(anchors)


def asoftmax_psi(theta, m):
    theta = np.asarray(theta, dtype=float)
    k = np.minimum(np.floor(m * theta / np.pi), m - 1)
    return (-1.0) ** k * np.cos(m * theta) - 2 * k


def asoftmax_angles(K, m):
    return 4 * np.pi / (K * (m + 1)), 2 * np.pi * (m - 1) / (K * (m + 1))


# --------------------------------------------------------------------------- lecture 3


def js_divergence(p, q):
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    m = (p + q) / 2
    return 0.5 * np.sum(special.rel_entr(p, m), axis=-1) + 0.5 * np.sum(
        special.rel_entr(q, m), axis=-1
    )


def wasserstein1_1d(u, v, u_weights=None, v_weights=None):
    return stats.wasserstein_distance(u, v, u_weights, v_weights)


def wasserstein1(X, Y):
    cost = distance.cdist(X, Y)
    rows, cols = optimize.linear_sum_assignment(cost)
    return cost[rows, cols].mean()


def wgan_interpolates(x, y, t):
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    t = np.asarray(t, dtype=float)
    if t.ndim == 1:
        t = t[:, None]
    return t * x + (1 - t) * y


def gradient_penalty(critic, x, y, t, lam=10.0):
    s = torch.tensor(wgan_interpolates(x, y, t), requires_grad=True)
    scores = critic(s)
    (grad,) = torch.autograd.grad(scores.sum(), s, create_graph=True)
    return lam * ((grad.norm(dim=1) - 1) ** 2).mean()


def optimal_critic_1d(real, fake):
    real, fake = np.sort(np.asarray(real, float)), np.sort(np.asarray(fake, float))
    knots = np.unique(np.concatenate([real, fake]))
    f_real = np.searchsorted(real, knots[:-1], side="right") / len(real)
    f_fake = np.searchsorted(fake, knots[:-1], side="right") / len(fake)
    slope = np.sign(f_fake - f_real)
    values = np.concatenate([[0.0], np.cumsum(slope * np.diff(knots))])
    return lambda z: np.interp(z, knots, values)


# --------------------------------------------------------------------------- lecture 4


def softplus(x):
    return np.log1p(np.exp(x))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def bbb_weights(mu, rho, eps):
    return mu + softplus(rho) * eps


def bbb_objective(mu, rho, eps, log_prior, log_likelihood):
    sigma = softplus(rho)
    total = 0.0
    for e in eps:
        w = mu + sigma * e
        log_q = np.sum(-0.5 * np.log(2 * np.pi * sigma**2) - (w - mu) ** 2 / (2 * sigma**2))
        total += log_q - log_prior(w) - log_likelihood(w)
    return total / len(eps)


def bbb_gradients(mu, rho, eps, grad_log_prior, grad_log_likelihood):
    sigma = softplus(rho)
    d_mu = np.zeros_like(mu, dtype=float)
    d_rho = np.zeros_like(rho, dtype=float)
    for e in eps:
        w = mu + sigma * e
        g = grad_log_prior(w) + grad_log_likelihood(w)
        # f(w, theta) = log q(w|theta) - log P(w) - log P(D|w)
        df_dw = -(w - mu) / sigma**2 - g
        df_dmu = (w - mu) / sigma**2
        df_dsigma = -1 / sigma + (w - mu) ** 2 / sigma**3
        d_mu += df_dw + df_dmu
        d_rho += (df_dw * e + df_dsigma) * sigmoid(rho)
    return d_mu / len(eps), d_rho / len(eps)


def bbb_fit_linear_regression(X, y, prior_var, noise_var, n_steps, lr, n_samples, rng):
    # In this model g = grad log P(w) + grad log P(D|w) = X^T (y - X w) / v - w / s^2.
    d = X.shape[1]
    mu = np.zeros(d)
    rho = np.full(d, np.log(np.exp(np.sqrt(prior_var)) - 1))
    for _ in range(n_steps):
        eps = rng.standard_normal((n_samples, d))
        sigma = softplus(rho)
        w = mu + sigma * eps
        g = (y - w @ X.T) @ X / noise_var - w / prior_var
        d_mu = -g.mean(axis=0)
        d_rho = -(g * eps + 1 / sigma).mean(axis=0) * sigmoid(rho)
        mu = mu - lr * d_mu
        rho = rho - lr * d_rho
    return mu, softplus(rho)


def reparameterize(mu, log_var, eps):
    return mu + np.exp(0.5 * log_var) * eps


def gaussian_kl_to_standard_normal(mu, log_var):
    mu, log_var = np.asarray(mu, float), np.asarray(log_var, float)
    return 0.5 * np.sum(mu**2 + np.exp(log_var) - 1 - log_var, axis=-1)


def vae_loss(x, mu, log_var, decoder, c, eps):
    z = reparameterize(mu, log_var, eps)
    reconstruction = np.mean(np.sum((x - decoder(z)) ** 2, axis=1)) / (2 * c**2)
    return gaussian_kl_to_standard_normal(mu, log_var) + reconstruction


# --------------------------------------------------------------------------- lecture 5


def sgld_drift(theta, grad_log_prior, grad_log_likelihood, batch, N):
    n = len(batch)
    return grad_log_prior(theta) + N / n * np.sum(grad_log_likelihood(theta, batch), axis=0)


def sgld_step(theta, drift, eta, noise):
    return theta + eta * drift + np.sqrt(2 * eta) * noise


def stationary_distribution(T):
    values, vectors = np.linalg.eig(np.asarray(T).T)
    v = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    return v / v.sum()


def detailed_balance_holds(T, pi, atol=1e-12):
    flow = pi[:, None] * T
    return bool(np.all(np.abs(flow - flow.T) <= atol))


def path_probability(T, pi, path):
    p = pi[path[0]]
    for x, y in zip(path[:-1], path[1:], strict=True):
        p = p * T[x, y]
    return float(p)


def metropolis_hastings_kernel(pi, Q):
    k = len(pi)
    T = np.zeros((k, k))
    for x in range(k):
        for y in range(k):
            if x != y and Q[x, y] > 0:
                r = pi[y] * Q[y, x] / (pi[x] * Q[x, y])
                T[x, y] = Q[x, y] * min(1.0, r)
        T[x, x] = 1 - T[x].sum()
    return T


def bivariate_normal_pdf(x1, x2, rho):
    quadratic = x1**2 - 2 * rho * x1 * x2 + x2**2
    return np.exp(-quadratic / (2 * (1 - rho**2))) / (2 * np.pi * np.sqrt(1 - rho**2))


def gibbs_conditional(rho, x_other):
    return rho * x_other, 1 - rho**2


def gibbs_sampler(rho, n_steps, x0, rng):
    x1, x2 = x0
    sd = np.sqrt(1 - rho**2)
    chain = np.zeros((n_steps, 2))
    for t in range(n_steps):
        x1 = rng.normal(rho * x2, sd)
        x2 = rng.normal(rho * x1, sd)
        chain[t] = x1, x2
    return chain


# --------------------------------------------------------------------------- lecture 6


def _paths(x, p_zT, p_down, p_x_given_z1, q_z1_given_x=None, q_up=None):
    """p(x, z) and q(z | x) for every latent path z = (z_1, ..., z_T)."""
    s, t = len(p_zT), len(p_down) + 1
    joint, encoder = [], []
    for z in itertools.product(range(s), repeat=t):
        p = p_zT[z[-1]] * p_x_given_z1[z[0], x]
        for layer in range(t - 1):
            p *= p_down[layer, z[layer + 1], z[layer]]
        joint.append(p)
        if q_z1_given_x is not None:
            q = q_z1_given_x[x, z[0]]
            for layer in range(t - 1):
                q *= q_up[layer, z[layer], z[layer + 1]]
            encoder.append(q)
    return np.array(joint), np.array(encoder)


def hvae_log_evidence(x, p_zT, p_down, p_x_given_z1):
    joint, _ = _paths(x, np.asarray(p_zT), np.asarray(p_down), np.asarray(p_x_given_z1))
    return float(np.log(joint.sum()))


def hvae_elbo(x, p_zT, p_down, p_x_given_z1, q_z1_given_x, q_up):
    joint, q = _paths(x, *(np.asarray(a) for a in (p_zT, p_down, p_x_given_z1, q_z1_given_x, q_up)))
    charged = q > 0
    return float(np.sum(q[charged] * (np.log(joint[charged]) - np.log(q[charged]))))


def alpha_bars(alphas):
    return np.exp(np.cumsum(np.log(np.asarray(alphas, dtype=float)), axis=-1))


def forward_step(x_prev, alpha_t, eps):
    return np.sqrt(alpha_t) * np.asarray(x_prev) + np.sqrt(1 - alpha_t) * np.asarray(eps)


def forward_sample(x0, alpha_bar_t, eps):
    return np.sqrt(alpha_bar_t) * np.asarray(x0) + np.sqrt(1 - alpha_bar_t) * np.asarray(eps)


def diffusion_posterior(x_t, x0, alphas, t):
    alphas = np.asarray(alphas, dtype=float)
    alpha_t = alphas[t - 1]
    bar_prev = np.prod(alphas[: t - 1])
    bar_t = bar_prev * alpha_t
    mean = (
        np.sqrt(alpha_t) * (1 - bar_prev) * np.asarray(x_t)
        + np.sqrt(bar_prev) * (1 - alpha_t) * np.asarray(x0)
    ) / (1 - bar_t)
    return mean, float((1 - alpha_t) * (1 - bar_prev) / (1 - bar_t))


def gaussian_kl(mu_q, cov_q, mu_p, cov_p):
    d = len(mu_q)
    _, logdet_q = np.linalg.slogdet(cov_q)
    _, logdet_p = np.linalg.slogdet(cov_p)
    diff = np.asarray(mu_p) - np.asarray(mu_q)
    trace = np.trace(np.linalg.solve(cov_p, cov_q))
    quad = diff @ np.linalg.solve(cov_p, diff)
    return float(0.5 * (logdet_p - logdet_q - d + trace + quad))


def tweedie_denoise(x_t, score, alpha_bar_t):
    return (np.asarray(x_t) + (1 - alpha_bar_t) * np.asarray(score)) / np.sqrt(alpha_bar_t)


def posterior_mean_from_score(x_t, score, alphas, t):
    alpha_t = np.asarray(alphas, dtype=float)[t - 1]
    return np.asarray(x_t) / np.sqrt(alpha_t) + (1 - alpha_t) / np.sqrt(alpha_t) * np.asarray(score)


# --------------------------------------------------------------------------- lecture 7


def lp_norm(x, p):
    x = np.asarray(x, dtype=np.float64)
    if p == np.inf:
        return np.max(np.abs(x), axis=-1)
    return np.sum(np.abs(x) ** p, axis=-1) ** (1.0 / p)


def deepfool_linear(w, b, x0):
    w = np.asarray(w, dtype=np.float64)
    f = np.asarray(x0) @ w + b
    return -f[..., None] * w / np.linalg.norm(w) ** 2


def _label(scores):
    scores = scores.reshape(-1)
    return int(scores[0] > 0) if scores.numel() == 1 else int(scores.argmax())


def deepfool(model, x0, overshoot=0.02, max_iter=50):
    """Algorithm 2 of Moosavi-Dezfooli et al.: iterate x_{i+1} = x_i + r_i, overshoot at the end."""
    x0 = torch.tensor(np.asarray(x0, dtype=np.float64)).reshape(1, -1)
    k0 = _label(model(x0).detach())
    r_tot = torch.zeros_like(x0)
    success = False
    for _ in range(max_iter):
        x = (x0 + r_tot).clone().requires_grad_(True)
        scores = model(x).reshape(-1)
        if scores.numel() == 1:
            (grad,) = torch.autograd.grad(scores[0], x)
            gap, normal = scores[0].detach(), grad.reshape(-1)
        else:
            jac = torch.autograd.functional.jacobian(lambda z: model(z).reshape(-1), x)
            jac = jac.reshape(scores.numel(), -1)
            gaps = (scores - scores[k0]).detach()
            normals = jac - jac[k0]
            dist = gaps.abs() / normals.norm(dim=1)
            dist[k0] = float("inf")
            dist = torch.nan_to_num(dist, nan=float("inf"))
            best = int(dist.argmin())
            gap, normal = gaps[best], normals[best]
        if normal.norm() == 0:
            break
        r_tot = r_tot + (-gap / normal.norm() ** 2) * normal
        with torch.no_grad():
            if _label(model(x0 + r_tot)) != k0:
                break
    r = (1 + overshoot) * r_tot
    with torch.no_grad():
        success = _label(model(x0 + r)) != k0
    return r.reshape(-1).numpy(), success


def fgsm_linear(w, eps):
    return eps * np.sign(np.asarray(w, dtype=np.float64))


def fgsm(model, loss_fn, x, y, eps):
    x = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    loss = loss_fn(model(x), torch.as_tensor(y))
    loss.backward()
    return (x + eps * x.grad.sign()).detach().numpy()


# --------------------------------------------------------------------------- lecture 9


def normal_cdf(x):
    return norm.cdf(x)


def normal_ppf(p):
    return norm.ppf(p)


def smoothed_linear_probability(w, b, x, sigma):
    w = np.asarray(w, dtype=float)
    return norm.cdf((np.asarray(x, dtype=float) @ w + b) / (sigma * np.linalg.norm(w)))


def smoothed_linear_classifier(w, b, x, sigma):
    margin = np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + b
    return np.where(margin >= 0, 1, -1)


def certified_radius(p_a, p_b, sigma):
    return sigma / 2 * (norm.ppf(p_a) - norm.ppf(p_b))


def smoothing_worst_case_probability(p_a, delta_norm, sigma):
    return norm.cdf(norm.ppf(p_a) - np.asarray(delta_norm) / sigma)


def _counts(f, x, sigma, n, rng):
    x = np.asarray(x, dtype=float)
    labels = f(x + sigma * rng.standard_normal((n, len(x))))
    return np.bincount(labels)


def smoothed_predict(f, x, sigma, n, alpha, rng):
    counts = _counts(f, x, sigma, n, rng)
    top, runner = np.argsort(counts)[::-1][:2] if len(counts) > 1 else (0, None)
    n_a = counts[top]
    n_b = counts[runner] if runner is not None else 0
    if binomtest(n_a, n_a + n_b, 0.5).pvalue <= alpha:
        return int(top)
    return -1


def smoothed_certify(f, x, sigma, n0, n, alpha, rng):
    guess = int(np.argmax(_counts(f, x, sigma, n0, rng)))
    counts = _counts(f, x, sigma, n, rng)
    k = counts[guess] if guess < len(counts) else 0
    p_lower = beta.ppf(alpha, k, n - k + 1) if k > 0 else 0.0
    if p_lower > 0.5:
        return guess, sigma * norm.ppf(p_lower)
    return -1, 0.0


def relu_network(W1, b1, W2, x):
    return np.maximum(np.asarray(x) @ np.asarray(W1).T + b1, 0) @ np.asarray(W2).T


def relu_network_jacobian(W1, b1, W2, x):
    W1, W2 = np.asarray(W1), np.asarray(W2)
    active = (np.asarray(x) @ W1.T + b1 > 0).astype(float)
    return np.einsum("kh,...h,hd->...kd", W2, active, W1)


def relu_network_lipschitz_bound(W1, W2):
    return np.linalg.norm(W2, "fro") * np.linalg.norm(W1, "fro")


def relu_network_local_lipschitz_bound(W1, b1, W2, x, eps):
    W1, W2 = np.asarray(W1), np.asarray(W2)
    reach = np.asarray(x) @ W1.T + b1 + eps * np.linalg.norm(W1, axis=1)
    active = (reach > 0).astype(float)
    out = np.linalg.norm(
        W2[None] * active[..., None, :].reshape(-1, 1, W1.shape[0]), 2, axis=(1, 2)
    )
    inn = np.linalg.norm(W1[None] * active.reshape(-1, W1.shape[0], 1), 2, axis=(1, 2))
    bound = out * inn
    return bound.reshape(active.shape[:-1]) if active.ndim > 1 else bound[0]


# --------------------------------------------------------------------------- lecture 10


def smoothing_eta(g_x, lower, upper, sigma):
    return sigma * norm.ppf((np.asarray(g_x) - lower) / (upper - lower))


def smoothed_value_bounds(g_x, delta_norm, lower, upper, sigma):
    eta = smoothing_eta(g_x, lower, upper, sigma)
    lo = lower + (upper - lower) * norm.cdf((eta - delta_norm) / sigma)
    hi = lower + (upper - lower) * norm.cdf((eta + delta_norm) / sigma)
    return lo, hi


def smoothed_lipschitz_constant(sigma):
    return np.sqrt(2 / np.pi) / sigma
