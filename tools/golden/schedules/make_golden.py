"""Golden vectors for @ns/schedules.

Runs the paper's Algorithm 1 verbatim (Chen 2023, as transcribed in shared/spec/paper-spec.md §1.3)
and the reference sampler maths (spec §3.2-§3.4, §7) in float64 numpy, and writes
packages/schedules/test/fixtures/golden.json. The TypeScript tests compare against it to 1e-12.

Run from the repo root:  python3 tools/golden/schedules/make_golden.py
"""
import json
import math
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "schedules", "test", "fixtures", "golden.json")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# ---- Algorithm 1, verbatim -------------------------------------------------------------------
def simple_linear_schedule(t, clip_min=1e-9):
    # A gamma function that simply is 1-t.
    return np.clip(1 - t, clip_min, 1.)


def sigmoid_schedule(t, start=-3, end=3, tau=1.0, clip_min=1e-9):
    # A gamma function based on sigmoid function.
    v_start = sigmoid(start / tau)
    v_end = sigmoid(end / tau)
    output = sigmoid((t * (end - start) + start) / tau)
    output = (v_end - output) / (v_end - v_start)
    return np.clip(output, clip_min, 1.)


def cosine_schedule(t, start=0, end=1, tau=1, clip_min=1e-9):
    # A gamma function based on cosine function.
    v_start = math.cos(start * math.pi / 2) ** (2 * tau)
    v_end = math.cos(end * math.pi / 2) ** (2 * tau)
    output = math.cos((t * (end - start) + start) * math.pi / 2) ** (2 * tau)
    output = (v_end - output) / (v_end - v_start)
    return np.clip(output, clip_min, 1.)


# ---- other schedules (spec §3.1, §7) ----------------------------------------------------------
def cosine_schedule_simple(t, ns=0.0002, ds=0.00025):
    return np.cos(((t + ns) / (1 + ds)) * np.pi / 2) ** 2


def iddpm_alpha_bar(t, s=0.008):
    f = lambda u: np.cos((u + s) / (1 + s) * np.pi / 2) ** 2
    return f(t) / f(0.0)


def logsnr_cosine(t, lmin, lmax):
    t_min = np.arctan(np.exp(-lmax / 2))
    t_max = np.arctan(np.exp(-lmin / 2))
    return -2 * np.log(np.tan(t_min + t * (t_max - t_min)))


def logsnr_shifted(t, image_d, noise_d, lmin, lmax):
    shift = 2 * np.log(noise_d / image_d)
    return logsnr_cosine(t, lmin - shift, lmax - shift) + shift


def logsnr_interpolated(t, image_d, low, high, lmin, lmax):
    a = logsnr_shifted(t, image_d, low, lmin, lmax)
    b = logsnr_shifted(t, image_d, high, lmin, lmax)
    return a + t * (b - a)


LMIN, LMAX = -2 * np.log(1000.0), 2 * np.log(1000.0)

T = np.concatenate([
    np.array([0.0, 1e-12, 1e-6, 0.001, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.999, 1 - 1e-9, 1.0]),
    np.random.default_rng(0).uniform(0, 1, 36),
])


def listify(a):
    return [None if not np.isfinite(v) else float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def gamma_of(spec):
    kind = spec["kind"]
    if kind == "linear":
        return np.array([simple_linear_schedule(t, spec.get("clipMin", 1e-9)) for t in T])
    if kind == "cosine":
        return np.array([cosine_schedule(t, spec["start"], spec["end"], spec["tau"], spec.get("clipMin", 1e-9)) for t in T])
    if kind == "sigmoid":
        return np.array([sigmoid_schedule(t, spec["start"], spec["end"], spec["tau"], spec.get("clipMin", 1e-9)) for t in T])
    if kind == "cosineSimple":
        return cosine_schedule_simple(T)
    if kind == "iddpmCosine":
        return iddpm_alpha_bar(T, spec.get("s", 0.008))
    if kind == "shiftedCosine":
        return sigmoid(logsnr_shifted(T, spec["imageSize"], spec["noiseSize"], LMIN, LMAX))
    if kind == "interpolatedCosine":
        return sigmoid(logsnr_interpolated(T, spec["imageSize"], spec["low"], spec["high"], LMIN, LMAX))
    raise ValueError(kind)


def logsnr_of(spec, g, b):
    kind = spec["kind"]
    with np.errstate(divide="ignore"):
        if kind == "shiftedCosine":
            base = logsnr_shifted(T, spec["imageSize"], spec["noiseSize"], LMIN, LMAX)
        elif kind == "interpolatedCosine":
            base = logsnr_interpolated(T, spec["imageSize"], spec["low"], spec["high"], LMIN, LMAX)
        else:
            return np.log(b ** 2 * g / (1 - g))
    return base + 2 * np.log(b)


SCHEDULES = [
    ("simple_linear", {"kind": "linear"}),
    ("simple_linear+clip=1e-5", {"kind": "linear", "clipMin": 1e-5}),
    ("cosine@0,1,1", {"kind": "cosine", "start": 0, "end": 1, "tau": 1}),
    ("cosine@0.2,1,1", {"kind": "cosine", "start": 0.2, "end": 1, "tau": 1}),
    ("cosine@0.2,1,2", {"kind": "cosine", "start": 0.2, "end": 1, "tau": 2}),
    ("cosine@0.2,1,3", {"kind": "cosine", "start": 0.2, "end": 1, "tau": 3}),
    ("cosine@0,0.5,1", {"kind": "cosine", "start": 0, "end": 0.5, "tau": 1}),
    ("cosine@0,0.8,1", {"kind": "cosine", "start": 0, "end": 0.8, "tau": 1}),
    ("sigmoid@-3,3,0.9", {"kind": "sigmoid", "start": -3, "end": 3, "tau": 0.9}),
    ("sigmoid@-3,3,1.1", {"kind": "sigmoid", "start": -3, "end": 3, "tau": 1.1}),
    ("sigmoid@-3,3,1", {"kind": "sigmoid", "start": -3, "end": 3, "tau": 1.0}),
    ("sigmoid@0,3,0.3", {"kind": "sigmoid", "start": 0, "end": 3, "tau": 0.3}),
    ("sigmoid@0,3,0.5", {"kind": "sigmoid", "start": 0, "end": 3, "tau": 0.5}),
    ("sigmoid@0,3,0.7", {"kind": "sigmoid", "start": 0, "end": 3, "tau": 0.7}),
    ("sigmoid@-3,3,10", {"kind": "sigmoid", "start": -3, "end": 3, "tau": 10.0}),
    ("sigmoid@0,3,0.5+clip=1e-6", {"kind": "sigmoid", "start": 0, "end": 3, "tau": 0.5, "clipMin": 1e-6}),
    ("cosine", {"kind": "cosineSimple"}),
    ("iddpm_cosine", {"kind": "iddpmCosine"}),
    ("shifted_cosine@256,64", {"kind": "shiftedCosine", "imageSize": 256, "noiseSize": 64}),
    ("interpolated_cosine@256,32,256", {"kind": "interpolatedCosine", "imageSize": 256, "low": 32, "high": 256}),
]
SCALES = [1.0, 0.5, 0.1, 0.01]


# ---- diffusers betas_for_alpha_bar (spec §7.1) ------------------------------------------------
def betas_for_alpha_bar(num, alpha_bar, max_beta=0.999):
    betas = []
    for i in range(num):
        t1 = i / num
        t2 = (i + 1) / num
        betas.append(min(1 - alpha_bar(t2) / alpha_bar(t1), max_beta))
    return np.array(betas, dtype=np.float64)


def main():
    schedules = []
    for spec, params in SCHEDULES:
        g = gamma_of(params)
        schedules.append({
            "spec": spec,
            "gamma": listify(g),
            "logSnr": [[None if not np.isfinite(v) else float(v) for v in logsnr_of(params, g, b)] for b in SCALES],
        })




    discrete = []
    for spec, fn in [
        ("iddpm_cosine", lambda u: float(iddpm_alpha_bar(np.float64(u)))),
        ("simple_linear", lambda u: float(simple_linear_schedule(np.float64(u)))),
        ("sigmoid@-3,3,0.9", lambda u: float(sigmoid_schedule(np.float64(u), -3, 3, 0.9))),
    ]:
        for steps in (10, 1000):
            b = betas_for_alpha_bar(steps, fn)
            discrete.append({"spec": spec, "steps": steps, "betas": listify(b), "alphasCumprod": listify(np.cumprod(1 - b))})

    # Input-scaled: the VP-equivalent gamma b^2 g / (b^2 g + 1 - g).
    bsc = 0.5
    fn = lambda u: (lambda g: bsc ** 2 * g / (bsc ** 2 * g + 1 - g))(float(simple_linear_schedule(np.float64(u))))
    b = betas_for_alpha_bar(50, fn)
    discrete.append({"spec": "simple_linear+scale=0.5", "steps": 50, "betas": listify(b), "alphasCumprod": listify(np.cumprod(1 - b))})


    # ---- sampler maths (spec §3.2-§3.4) --------------------------------------------------------------
    rng = np.random.default_rng(1)
    B, D = 3, 8
    scale = 0.5
    xt = rng.normal(0, 1, (B, D))
    net = rng.normal(0, 1, (B, D))
    noise = rng.normal(0, 1, (B, D))
    gamma_now = np.array([0.2, 0.5, 0.9])[:, None]
    gamma_next = np.array([0.3, 0.7, 0.999])[:, None]


    def x0_from_eps(x, e, g): return (x - np.sqrt(1 - g) * e) / np.sqrt(g)
    def eps_from_x0(x, x0, g): return (x - np.sqrt(g) * x0) / np.sqrt(1 - g)
    def x0_from_v(x, v, g): return np.sqrt(g) * x - np.sqrt(1 - g) * v
    def eps_from_v(x, v, g): return np.sqrt(1 - g) * x + np.sqrt(g) * v


    x0 = np.clip(x0_from_eps(xt, net, gamma_now), -scale, scale)
    eps = eps_from_x0(xt, x0, gamma_now)  # truncate_noise=True
    ddim = x0 * np.sqrt(gamma_next) + eps * np.sqrt(1 - gamma_next)
    alpha = np.clip(np.exp(np.log(gamma_now) - np.log(gamma_next)), 0, 1)
    mean = (xt - (1 - alpha) / np.sqrt(1 - gamma_now) * eps) / np.sqrt(alpha)
    ddpm_large = mean + np.sqrt(1 - alpha) * noise
    ddpm_small = mean + np.sqrt(np.exp(np.log1p(-gamma_next) - np.log1p(-gamma_now)) * (1 - alpha)) * noise
    x0_v = np.clip(x0_from_v(xt, net, gamma_now), -scale, scale)

    steps, td = 7, 0.5
    grid_now = np.array([1 - i / steps for i in range(steps)])
    grid_next = np.array([max(1 - (i + 1 + td) / steps, 0) for i in range(steps)])

    x_norm = xt / xt.std(axis=1, keepdims=True)

    sampler = {
        "batch": B, "scale": scale,
        "xt": listify(xt), "prediction": listify(net), "noise": listify(noise),
        "gammaNow": listify(gamma_now), "gammaNext": listify(gamma_next),
        "x0FromEps": listify(x0_from_eps(xt, net, gamma_now)),
        "x0FromV": listify(x0_from_v(xt, net, gamma_now)),
        "epsFromV": listify(eps_from_v(xt, net, gamma_now)),
        "x0Clipped": listify(x0), "epsTruncated": listify(eps),
        "x0VClipped": listify(x0_v),
        "ddim": listify(ddim), "ddpmLarge": listify(ddpm_large), "ddpmSmall": listify(ddpm_small),
        "grid": {"steps": steps, "td": td, "tNow": listify(grid_now), "tNext": listify(grid_next)},
        "normalized": listify(x_norm),
    }

    with open(OUT, "w") as f:
        json.dump({"t": listify(T), "scales": SCALES, "schedules": schedules, "discrete": discrete, "sampler": sampler}, f)
    print(f"wrote {os.path.relpath(OUT)}: {len(schedules)} schedules x {len(T)} t, {len(discrete)} discrete cases")


if __name__ == "__main__":
    main()
