"""Golden moments for @ns/sampler's Gaussian test.

Data x0 ~ N(mu_c, s_c^2) independently per channel c. Its exact denoiser is affine,
  E[x0 | x_t] = mu + k (x_t - alpha mu),  k = alpha s^2 / (alpha^2 s^2 + sigma^2),
(alpha = sqrt(gamma), sigma = sqrt(1 - gamma)), so every sampler maps its inputs affinely:
  deterministic samplers  x_out = A x_T + B          -> outputs ~ N(B, A^2) for x_T ~ N(0, 1),
  ancestral DDPM          x_out = A x_T + sum_j C_j z_j + B  -> N(B, A^2 + sum C_j^2).
This script runs each sampler's step maths in float64 numpy (written here from the papers, not
from the TypeScript) on unit inputs to read off A, B (and C_j), and the exact probability-flow
ODE solution from t = 1 to 0 (analytic for a Gaussian: the flow keeps (x - alpha mu)/sqrt(alpha^2
s^2 + sigma^2) constant). It writes packages/sampler/test/fixtures/gaussian.json with, per
schedule, sampler and step count, the output mean and standard deviation per channel and their
errors against the data's (mu_c, s_c).

Run from the repo root:  python3 tools/golden/sampler/gaussian.py
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "sampler", "test", "fixtures", "gaussian.json")

MU = np.array([0.3, -0.2])
S = np.array([0.5, 1.2])
STEPS = [10, 20, 50, 100, 250]


def cosine_simple(t):
    # The reference code's cosine_schedule_simple (pix2seq diffusion_utils): ns = 2e-4, ds = 2.5e-4.
    return math.cos((t + 0.0002) / (1 + 0.00025) * math.pi / 2) ** 2


def simple_linear(t):
    # Algorithm 1's simple_linear_schedule, clip_min = 1e-9.
    return min(max(1 - t, 1e-9), 1.0)


SCHEDULES = {"cosine": cosine_simple, "simple_linear": simple_linear}


def grid(n):
    # Algorithm 3's uniform grid (td = 0): t_now = 1 - i/N, t_next = max(1 - (i+1)/N, 0).
    return [(1 - i / n, max(1 - (i + 1) / n, 0.0)) for i in range(n)]


def denoise(x, g):
    """(x0_hat, eps_hat) of the exact Gaussian denoiser at gamma g; eps from x0 as the sampler does."""
    a, s = math.sqrt(g), math.sqrt(1 - g)
    k = a * S**2 / (a * a * S**2 + s * s)
    x0 = MU + k * (x - a * MU)
    return x0, (x - a * x0) / s


def ddim(x, n, gamma):
    # Song et al. 2021, eq. 12 with eta = 0.
    for i, (t, t_next) in enumerate(grid(n)):
        x0, eps = denoise(x, gamma(t))
        if i == n - 1:
            return x0
        g = gamma(t_next)
        x = math.sqrt(g) * x0 + math.sqrt(1 - g) * eps


def euler(x, n, gamma):
    # Euler on dx~/dsigma~ = eps in x~ = x/alpha, sigma~ = sigma/alpha (Karras et al. 2022, eq. 3).
    for i, (t, t_next) in enumerate(grid(n)):
        g, g_next = gamma(t), gamma(t_next)
        x0, eps = denoise(x, g)
        if i == n - 1:
            return x0
        xt, st = x / math.sqrt(g), math.sqrt((1 - g) / g)
        st_next = math.sqrt((1 - g_next) / g_next)
        x = math.sqrt(g_next) * (xt + (st_next - st) * eps)


def heun_plan(n):
    # The first interval (out of t = 1) an Euler step, then floor((n-2)/2) Heun intervals (after one
    # more Euler interval when n is odd), then the last interval straight to x0_hat.
    if n == 1:
        return ["final"]
    rest = n - 2
    return ["euler"] * (1 + rest % 2) + ["heun"] * (rest // 2) + ["final"]


def heun(x, n, gamma):
    # Karras et al. 2022, Algorithm 1 (S_churn = 0) spending n network evaluations (heun_plan).
    plan = heun_plan(n)
    evaluations = 0
    for kind, (t, t_next) in zip(plan, grid(len(plan))):
        g, g_next = gamma(t), gamma(t_next)
        x0, eps = denoise(x, g)
        evaluations += 1
        if kind == "final":
            assert evaluations == n, (evaluations, n)
            return x0
        xt, st = x / math.sqrt(g), math.sqrt((1 - g) / g)
        st_next = math.sqrt((1 - g_next) / g_next)
        xt_euler = xt + (st_next - st) * eps
        if kind == "euler":
            x = math.sqrt(g_next) * xt_euler
            continue
        _, eps_next = denoise(math.sqrt(g_next) * xt_euler, g_next)
        evaluations += 1
        x = math.sqrt(g_next) * (xt + (st_next - st) * (eps + eps_next) / 2)


def half_log_snr(g):
    return 0.5 * math.log(g / (1 - g))


def multistep_2m(x, n, gamma, update):
    # DPM-Solver++(2M)'s loop (Lu et al. 2022, Algorithm 2, data prediction, lambda = log(alpha/sigma)):
    # D = x0_hat + (x0_hat - x0_prev) h/(2 h_prev), first order (D = x0_hat) on the first step, and the
    # last evaluation's x0_hat returned (sigma = 0 at t = 0). `update(x, d, g, g_next, h, i)` is the step.
    x0_prev, h_prev = None, None
    for i, (t, t_next) in enumerate(grid(n)):
        g, g_next = gamma(t), gamma(t_next)
        x0, _ = denoise(x, g)
        if i == n - 1:
            return x0
        h = half_log_snr(g_next) - half_log_snr(g)
        if x0_prev is None:
            d = x0
        else:
            r = h_prev / h
            d = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * x0_prev
        x = update(x, d, g, g_next, h, i)
        x0_prev, h_prev = x0, h


def dpmpp_2m(x, n, gamma):
    # the ODE: x_next = sigma_next/sigma x - alpha_next expm1(-h) D
    return multistep_2m(
        x, n, gamma,
        lambda x, d, g, g_next, h, i: math.sqrt((1 - g_next) / (1 - g)) * x - math.sqrt(g_next) * math.expm1(-h) * d,
    )


def dpmpp_2m_sde(x, n, gamma, noise):
    # the reverse SDE (DPM-Solver++ for the diffusion SDE, midpoint rule):
    # x_next = sigma_next/sigma e^-h x + alpha_next (1 - e^-2h) D + sigma_next sqrt(1 - e^-2h) z
    def update(x, d, g, g_next, h, i):
        s, s_next = math.sqrt(1 - g), math.sqrt(1 - g_next)
        return (s_next / s * math.exp(-h) * x + math.sqrt(g_next) * (1 - math.exp(-2 * h)) * d
                + s_next * math.sqrt(1 - math.exp(-2 * h)) * noise[i])

    return multistep_2m(x, n, gamma, update)


def ddpm(x, n, gamma, noise, variance="large"):
    # The reference transition_step (spec 3.3): alpha_s = gamma_now / gamma_next,
    # mean = (x - (1 - alpha_s)/sqrt(1 - gamma_now) eps)/sqrt(alpha_s), x = mean + sigma z.
    for i, (t, t_next) in enumerate(grid(n)):
        g, g_next = gamma(t), gamma(t_next)
        x0, eps = denoise(x, g)
        if i == n - 1:
            return x0
        alpha_s = min(max(g / g_next, 0.0), 1.0)
        mean = (x - (1 - alpha_s) / math.sqrt(1 - g) * eps) / math.sqrt(alpha_s)
        var = 1 - alpha_s if variance == "large" else (1 - g_next) / (1 - g) * (1 - alpha_s)
        x = mean + math.sqrt(var) * noise[i]


def deterministic_moments(sampler, n, gamma):
    b = sampler(np.zeros(2), n, gamma)
    a = sampler(np.ones(2), n, gamma) - b
    return b, np.abs(a)


def stochastic_moments(sampler, n, gamma):
    # x_out = A x_T + sum_j C_j z_j + B: read off B, A and each C_j with unit inputs
    zeros = [np.zeros(2)] * n
    b = sampler(np.zeros(2), n, gamma, zeros)
    var = (sampler(np.ones(2), n, gamma, zeros) - b) ** 2
    for j in range(n - 1):
        unit = [np.ones(2) if i == j else np.zeros(2) for i in range(n)]
        var = var + (sampler(np.zeros(2), n, gamma, unit) - b) ** 2
    return b, np.sqrt(var)


def ddpm_moments(n, gamma, variance):
    return stochastic_moments(lambda x, n, gamma, noise: ddpm(x, n, gamma, noise, variance), n, gamma)


def exact_ode(gamma):
    # The exact flow from x_T ~ N(0, 1) at t = 1 to t = 0 (gamma(0) may fall short of 1 by 1e-7).
    g1, g0 = gamma(1.0), gamma(0.0)
    a1, a0 = math.sqrt(g1), math.sqrt(g0)
    r1 = np.sqrt(a1 * a1 * S**2 + 1 - g1)
    r0 = np.sqrt(a0 * a0 * S**2 + 1 - g0)
    # x_0 = a0 mu + r0 (x_T - a1 mu)/r1: the data-space sample is x_0 itself (alpha(0) ~ 1).
    return a0 * MU - r0 / r1 * a1 * MU, r0 / r1


def record(mean, std):
    return {
        "mean": mean.tolist(),
        "std": std.tolist(),
        "meanError": np.abs(mean - MU).tolist(),
        "stdError": np.abs(std - S).tolist(),
    }


def main():
    out = {
        "about": "tools/golden/sampler/gaussian.py: output moments of each sampler on x0 ~ N(mu_c, s_c^2) with the exact denoiser",
        "mu": MU.tolist(),
        "s": S.tolist(),
        "steps": STEPS,
        "schedules": {},
    }
    for name, gamma in SCHEDULES.items():
        mean, std = exact_ode(gamma)
        entry = {"exactOde": record(mean, std), "samplers": {}}
        for sampler, fn in [("ddim", ddim), ("euler", euler), ("heun", heun), ("dpmpp_2m", dpmpp_2m)]:
            entry["samplers"][sampler] = {str(n): record(*deterministic_moments(fn, n, gamma)) for n in STEPS}
        for sampler, variance in [("ddpm", "large"), ("ddpm@small", "small")]:
            entry["samplers"][sampler] = {str(n): record(*ddpm_moments(n, gamma, variance)) for n in STEPS}
        entry["samplers"]["dpmpp_2m_sde"] = {
            str(n): record(*stochastic_moments(dpmpp_2m_sde, n, gamma)) for n in STEPS
        }
        out["schedules"][name] = entry
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for name, entry in out["schedules"].items():
        print(f"{name}: exact ODE mean error {max(entry['exactOde']['meanError']):.2e}, std error {max(entry['exactOde']['stdError']):.2e}")
        for sampler, rows in entry["samplers"].items():
            cells = "  ".join(
                f"{n}: {max(rows[str(n)]['meanError']):.1e}/{max(rows[str(n)]['stdError']):.1e}" for n in STEPS
            )
            print(f"  {sampler:11s} (mean/std error) {cells}")


if __name__ == "__main__":
    main()
