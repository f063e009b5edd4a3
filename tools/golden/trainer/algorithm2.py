"""Golden values for @ns/trainer's training objective: Chen 2023 Algorithm 2 in numpy (float64).

The TypeScript test builds the objective around two probe networks whose outputs numpy can
reproduce, and compares the loss:
  identity  : prediction = x_t (raw), latents = 0
  selfcond  : latents = mean(x_t over H,W,C) per example; prediction = x_t + latentsPrev
              (so the second pass sees the first pass's latents, masked per example)
with x0 = (images*2 - 1)*b, x_t = sqrt(g)*x0 + sqrt(1-g)*eps and targets eps / x0/b / v.

Run from the repo root: python3 tools/golden/trainer/algorithm2.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "trainer", "test", "fixtures", "algorithm2.json")
rng = np.random.default_rng(5)
B, H, W, C = 4, 3, 3, 2
images = rng.integers(0, 256, size=(B, H, W, C)).astype(np.float64) / 255.0
t = rng.uniform(0, 1, B)
gamma = np.clip(1 - t, 1e-9, 1.0)  # simple_linear
eps = rng.normal(0, 1, (B, H, W, C))
mask = np.array([1.0, 0.0, 1.0, 1.0])

cases = []
for b in (1.0, 0.5):
    g = gamma[:, None, None, None]
    x0 = (images * 2 - 1) * b
    xt = np.sqrt(g) * x0 + np.sqrt(1 - g) * eps
    v = np.sqrt(g) * eps - np.sqrt(1 - g) * x0
    for predict in ("eps", "x", "v"):
        target = {"eps": eps, "x": x0 / b, "v": v}[predict]
        scale = 1 / b if predict == "x" else 1.0
        identity = np.mean((xt * scale - target) ** 2)
        latents = xt.mean(axis=(1, 2, 3)) * mask
        pred_sc = xt + latents[:, None, None, None]
        selfcond = np.mean((pred_sc * scale - target) ** 2)
        cases.append({"b": b, "predict": predict, "identity": float(identity), "selfcond": float(selfcond)})

with open(OUT, "w") as f:
    json.dump({
        "shape": [B, H, W, C],
        "images_u8": [int(round(v * 255)) for v in images.ravel()],
        "gamma": gamma.tolist(),
        "noise": eps.ravel().tolist(),
        "selfCondMask": mask.tolist(),
        "cases": cases,
    }, f)
print("wrote", os.path.relpath(OUT))
