"""numpy peer for tools/bench/schedules: times Algorithm 1's γ(t) and logSNR over N points.

Prints one JSON object {name: seconds} for a single timed pass of each computation (after one
untimed warm-up pass), so the Node driver can alternate it with our own pass.
"""
import json
import sys
import time

import numpy as np

N = int(sys.argv[1])
t = np.random.default_rng(0).uniform(0, 1, N)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def simple_linear(t, clip_min=1e-9):
    return np.clip(1 - t, clip_min, 1.)


def sigmoid_schedule(t, start=0, end=3, tau=0.5, clip_min=1e-9):
    v_start = sigmoid(start / tau)
    v_end = sigmoid(end / tau)
    output = sigmoid((t * (end - start) + start) / tau)
    output = (v_end - output) / (v_end - v_start)
    return np.clip(output, clip_min, 1.)


def cosine_schedule(t, start=0.2, end=1, tau=2, clip_min=1e-9):
    # Algorithm 1 with np.cos so it runs on arrays.
    v_start = np.cos(start * np.pi / 2) ** (2 * tau)
    v_end = np.cos(end * np.pi / 2) ** (2 * tau)
    output = np.cos((t * (end - start) + start) * np.pi / 2) ** (2 * tau)
    output = (v_end - output) / (v_end - v_start)
    return np.clip(output, clip_min, 1.)


def log_snr(g, b=0.5):
    return np.log(b ** 2 * g / (1 - g))


CASES = {
    "gamma simple_linear": lambda: simple_linear(t),
    "gamma sigmoid@0,3,0.5": lambda: sigmoid_schedule(t),
    "gamma cosine@0.2,1,2": lambda: cosine_schedule(t),
    "logSnr sigmoid@0,3,0.5+scale=0.5": lambda: log_snr(sigmoid_schedule(t)),
}

result = {}
for name, fn in CASES.items():
    fn()
    start = time.perf_counter()
    fn()
    result[name] = time.perf_counter() - start
print(json.dumps(result))
