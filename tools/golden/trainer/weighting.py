"""Golden values for @ns/trainer's loss weightings (packages/trainer/src/weighting.ts), written
from the papers' formulas in numpy float64 (not from our code):

  Min-SNR-γ (Hang et al. 2023, Eq. 7 and §3.4): ε target min(SNR, γ)/SNR, x target min(SNR, γ),
      v target min(SNR, γ)/(SNR + 1)
  sigmoid (Kingma & Gao 2023, "Understanding diffusion objectives", Eq. 47): σ(b − λ) on the ε loss
  EDM (Karras et al. 2022, Table 1): λ(σ) = (σ² + σ_d²)/(σ σ_d)² on the x loss, σ² = 1/SNR
  carried between targets by ‖ε − ε̂‖² = SNR ‖x − x̂‖² = γ ‖v − v̂‖² at fixed x_t.

Also the weighted objective of the identity probe (prediction = x_t) of algorithm2.py.
Run from the repo root: python3 tools/golden/trainer/weighting.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(__file__)
OUT = os.path.join(HERE, "..", "..", "..", "packages", "trainer", "test", "fixtures", "weighting.json")

# γ and 1 − γ exact in float32 (the graph's dtype), from 2^-30 to 1 − 2^-20.
gamma = np.array([2.0**-30, 2.0**-14, 1 / 128, 0.125, 0.3125, 0.5, 0.6875, 0.875, 1 - 1 / 128, 1 - 2.0**-14, 1 - 2.0**-20])
snr = gamma / (1 - gamma)
lam = np.log(snr)


def eps_weight(spec):
    name, _, arg = spec.partition("@")
    if name == "min_snr":
        return np.minimum(snr, float(arg)) / snr
    if name == "sigmoid":
        return 1 / (1 + np.exp(-(float(arg) - lam)))
    if name == "edm":
        sd = float(arg) if arg else 0.5
        sigma2 = 1 / snr
        # λ(σ) on the x loss, times ‖x − x̂‖² = σ² ‖ε − ε̂‖²
        return (sigma2 + sd ** 2) / (sigma2 * sd ** 2) * sigma2
    raise ValueError(spec)


def target_weight(spec, target):
    w = eps_weight(spec)
    return {"eps": w, "x": w * snr, "v": w * snr / (snr + 1)}[target]


SPECS = ["min_snr@5", "min_snr@1", "sigmoid@-1", "sigmoid@2", "edm", "edm@0.25"]
weights = [
    {"weighting": spec, "target": target, "weights": target_weight(spec, target).tolist()}
    for spec in SPECS
    for target in ("eps", "x", "v")
]
# Min-SNR's three forms as the paper prints them, as a check of the equivalences above.
check = np.minimum(snr, 5)
assert np.allclose(target_weight("min_snr@5", "x"), check)
assert np.allclose(target_weight("min_snr@5", "v"), check / (snr + 1))

# The weighted loss of the identity probe: mean_i w_i · mean((x_t,i − target_i)²).
rng = np.random.default_rng(7)
B, H, W, C = 4, 3, 3, 2
images = rng.integers(0, 256, size=(B, H, W, C)).astype(np.float64) / 255.0
g = np.array([0.05, 0.4, 0.8, 0.97])
eps = rng.normal(0, 1, (B, H, W, C))
objectives = []
for b in (1.0, 0.5):
    gg = g[:, None, None, None]
    x0 = (images * 2 - 1) * b
    xt = np.sqrt(gg) * x0 + np.sqrt(1 - gg) * eps
    v = np.sqrt(gg) * eps - np.sqrt(1 - gg) * x0
    for target in ("eps", "x", "v"):
        t = {"eps": eps, "x": x0 / b, "v": v}[target]
        scale = 1 / b if target == "x" else 1.0
        per_example = np.mean((xt * scale - t) ** 2, axis=(1, 2, 3))
        snr_g = g / (1 - g)
        for spec in ("min_snr@5", "sigmoid@-1", "edm"):
            name, _, arg = spec.partition("@")
            lam_g = np.log(snr_g)
            if name == "min_snr":
                we = np.minimum(snr_g, float(arg)) / snr_g
            elif name == "sigmoid":
                we = 1 / (1 + np.exp(-(float(arg) - lam_g)))
            else:
                we = (1 / snr_g + 0.25) / 0.25
            w = {"eps": we, "x": we * snr_g, "v": we * g}[target]
            objectives.append({"b": b, "target": target, "weighting": spec, "loss": float(np.mean(w * per_example))})

with open(OUT, "w") as f:
    json.dump({
        "gamma": gamma.tolist(),
        "weights": weights,
        "probe": {
            "shape": [B, H, W, C],
            "images_u8": [int(round(x * 255)) for x in images.ravel()],
            "gamma": g.tolist(),
            "noise": eps.ravel().tolist(),
            "cases": objectives,
        },
    }, f)
print("wrote", os.path.relpath(OUT))
