"""Golden vectors for @ns/schedules' discrete (diffusers) interop.

numpy re-implementations, written from diffusers 0.40's scheduling_ddpm.py / scheduling_ddim.py and
k-diffusion's sampling.py (read, not imported, and run in float64):
- DDPMScheduler.set_timesteps for timestep_spacing "linspace", "leading" (with steps_offset) and
  "trailing", numpy arange / linspace / round exactly as those lines call them;
- rescale_zero_terminal_snr (Lin et al. 2023, Algorithm 1) on diffusers' linear, scaled_linear and
  squaredcos_cap_v2 betas and on a Chen sigmoid schedule's betas;
- Karras et al. 2022 sigmas (get_sigmas_karras / _convert_to_karras, rho = 7) with the trailing zero;
- sampling grids: those timesteps read as t = (k + 1)/T and Karras sigmas placed on a schedule
  through closed-form inverses, with gamma of the schedule there;
- betas_for_alpha_bar of the new schedule families, the trained_betas of an exported config.

Run from the repo root (needs numpy and scipy):  python3 tools/golden/schedules/make_golden_discrete.py
"""
import json
import math
import os

import numpy as np
from scipy import special

from make_golden import betas_for_alpha_bar, cosine_schedule_simple, listify, sigmoid_schedule

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "schedules", "test", "fixtures", "discrete.json")


def set_timesteps(num_inference_steps, num_train_timesteps, timestep_spacing, steps_offset=0):
    # DDPMScheduler.set_timesteps, diffusers 0.40
    if timestep_spacing == "linspace":
        timesteps = np.linspace(0, num_train_timesteps - 1, num_inference_steps).round()[::-1].copy().astype(np.int64)
    elif timestep_spacing == "leading":
        step_ratio = num_train_timesteps // num_inference_steps
        timesteps = (np.arange(0, num_inference_steps) * step_ratio).round()[::-1].copy().astype(np.int64)
        timesteps += steps_offset
    elif timestep_spacing == "trailing":
        step_ratio = num_train_timesteps / num_inference_steps
        timesteps = np.round(np.arange(num_train_timesteps, 0, -step_ratio)).astype(np.int64)
        timesteps -= 1
    return timesteps


def rescale_zero_terminal_snr(betas):
    # Lin et al. 2023, Algorithm 1, as diffusers' rescale_zero_terminal_snr (float64 here)
    alphas = 1.0 - betas
    alphas_cumprod = np.cumprod(alphas)
    alphas_bar_sqrt = np.sqrt(alphas_cumprod)
    alphas_bar_sqrt_0 = alphas_bar_sqrt[0].copy()
    alphas_bar_sqrt_T = alphas_bar_sqrt[-1].copy()
    alphas_bar_sqrt -= alphas_bar_sqrt_T
    alphas_bar_sqrt *= alphas_bar_sqrt_0 / (alphas_bar_sqrt_0 - alphas_bar_sqrt_T)
    alphas_bar = alphas_bar_sqrt ** 2
    alphas = alphas_bar[1:] / alphas_bar[:-1]
    alphas = np.concatenate([alphas_bar[0:1], alphas])
    return 1 - alphas


def get_sigmas_karras(n, sigma_min, sigma_max, rho=7.0):
    # k-diffusion sampling.get_sigmas_karras (diffusers _convert_to_karras + final zero)
    ramp = np.linspace(0, 1, n)
    min_inv_rho = sigma_min ** (1 / rho)
    max_inv_rho = sigma_max ** (1 / rho)
    sigmas = (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho
    return np.concatenate([sigmas, [0.0]])


timesteps = []
for T in (1000, 100, 50):
    for N in (1, 2, 3, 7, 10, 13, 20, 25, 30, 50, 99, 100, 300, 999, 1000):
        if N > T:
            continue
        for spacing, offset in (("linspace", 0), ("leading", 0), ("leading", 1), ("trailing", 0)):
            if spacing == "leading" and offset == 1 and N == T:
                continue  # the offset would pass the last trained step
            timesteps.append({"trainSteps": T, "steps": N, "spacing": spacing, "stepsOffset": offset,
                              "timesteps": [int(k) for k in set_timesteps(N, T, spacing, offset)]})

linear = np.linspace(0.0001, 0.02, 1000, dtype=np.float64)
scaled_linear = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=np.float64) ** 2
cosine_cap = betas_for_alpha_bar(1000, lambda u: math.cos((u + 0.008) / 1.008 * math.pi / 2) ** 2)
sigmoid_betas = betas_for_alpha_bar(1000, lambda u: float(sigmoid_schedule(np.float64(u), -3, 3, 0.9)))
zero_snr = [{"name": name, "betas": listify(b), "rescaled": listify(rescale_zero_terminal_snr(b.copy()))}
            for name, b in (("linear", linear), ("scaled_linear", scaled_linear), ("squaredcos_cap_v2", cosine_cap),
                            ("sigmoid@-3,3,0.9", sigmoid_betas))]

karras = []
for n in (1, 2, 5, 10, 50):
    for sigma_min, sigma_max, rho in ((0.002, 80.0, 7.0), (0.0292, 14.6146, 7.0), (0.1, 10.0, 3.0)):
        karras.append({"steps": n, "sigmaMin": sigma_min, "sigmaMax": sigma_max, "rho": rho,
                       "sigmas": listify(get_sigmas_karras(n, sigma_min, sigma_max, rho))})


# Closed forms of three schedules: gamma(t) and the t where sigma = sqrt((1 - gamma)/gamma).
def rf_gamma(t): return (1 - t) ** 2 / ((1 - t) ** 2 + t ** 2)
def rf_t(sigma): return sigma / (1 + sigma)
def lin_gamma(t): return np.clip(1 - t, 1e-9, 1.0)
def lin_t(sigma): return sigma ** 2 / (1 + sigma ** 2)  # 1 - t = gamma = 1/(1 + sigma^2)
def cos_gamma(t): return cosine_schedule_simple(t)
def cos_t(sigma): return (np.arctan(sigma) / (np.pi / 2)) * (1 + 0.00025) - 0.0002  # theta = atan(sigma)


grids = []
for spec, gamma, t_of in (("rectified_flow", rf_gamma, rf_t), ("simple_linear", lin_gamma, lin_t), ("cosine", cos_gamma, cos_t)):
    for steps in (1, 4, 10):
        levels = {"uniform": np.array([1 - i / steps for i in range(steps)] + [0.0])}
        for T, spacing, offset in ((1000, "leading", 0), (1000, "leading", 1), (1000, "trailing", 0), (1000, "linspace", 0), (100, "trailing", 0)):
            k = set_timesteps(steps, T, spacing, offset)
            name = f"leading@{T},{offset}" if spacing == "leading" else f"{spacing}@{T}"
            levels[name] = np.concatenate([(k + 1) / T, [0.0]])
        for sigma_min, sigma_max in ((0.002, 80.0), (0.03, 14.6)):
            sig = get_sigmas_karras(steps, sigma_min, sigma_max)
            with np.errstate(divide="ignore"):
                t = np.clip(t_of(sig), 0.0, 1.0)
            levels[f"karras@{sigma_min!r},{sigma_max!r},7"] = t
        for name, t in levels.items():
            grids.append({"schedule": spec, "steps": steps, "spacing": name, "t": listify(t), "gamma": listify(gamma(t))})

# betas_for_alpha_bar (diffusers' loop, max_beta 0.999) of the new families: what trained_betas holds.
def lognormal_gamma(mean, std):
    return lambda u: float(special.expit(mean - std * special.ndtri(u)))


exported = []
for spec, alpha_bar in (("rectified_flow", lambda u: float(rf_gamma(u))), ("lognormal@0,2", lognormal_gamma(0, 2)),
                        ("rectified_flow+shift=3", lambda u: float(rf_gamma(3 * u / (1 + 2 * u))))):
    exported.append({"spec": spec, "trainSteps": 1000, "betas": listify(betas_for_alpha_bar(1000, alpha_bar))})

with open(OUT, "w") as f:
    json.dump({"timesteps": timesteps, "zeroSnr": zero_snr, "karras": karras, "grids": grids, "exported": exported}, f)
print(f"wrote {os.path.relpath(OUT)}: {len(timesteps)} timestep cases, {len(zero_snr)} rescales, {len(karras)} Karras grids, {len(grids)} sampling grids")
