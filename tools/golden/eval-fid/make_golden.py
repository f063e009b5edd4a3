"""Golden values for @ns/eval-fid's KID, Inception Score and precision/recall.

Reference implementations written here in numpy/scipy from the published definitions and the
reference tools' formulas (not copied code):
  * KID: unbiased MMD^2 with k(x, y) = (x.y / D + 1)^3 per subset pair, averaged over subsets
    (Binkowski et al. 2018; clean-fid `kernel_distance`, torch-fidelity `kid`); std = np.std.
    The subset indices are drawn here and saved, so the TS test reproduces the exact draws.
  * Inception Score: softmax of logits; per contiguous split [k N/s, (k+1) N/s):
    exp(mean_x sum_y p(y|x) (log p(y|x) - log p(y))); mean and np.std over splits
    (the original OpenAI code and the ADM evaluator).
  * Precision/recall (Kynkaenniemi et al. 2019, ADM evaluator's ManifoldEstimator): radius of a
    sample = distance to its k-th nearest neighbour in its own set (self excluded); precision =
    share of generated samples within (<=) the radius of some real sample; recall the reverse.
    Distances from scipy.spatial.distance.cdist in float64.

Run from the repository root with the pyenv python3 (numpy, scipy):
    python3 tools/golden/eval-fid/make_golden.py
Writes packages/eval-fid/fixtures/golden/{golden.json, *.npy}. Seeded and deterministic.
"""
import json
import os

import numpy as np
from scipy.spatial.distance import cdist
from scipy.special import log_softmax

OUT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "eval-fid", "fixtures", "golden"))
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261126)


def save(name, arr):
    np.save(os.path.join(OUT, name), arr)
    return name


# ---------------------------------------------------------------- KID
def mmd_poly_unbiased(x, y):
    m, d = x.shape
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    off = (kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (m * (m - 1))
    return float(off - 2 * kxy.sum() / (m * m))


kid_a = (rng.standard_normal((150, 16)) * 0.8 + 0.3).astype(np.float32)
kid_b = (rng.standard_normal((120, 16)) + 0.1 * rng.standard_normal(16)).astype(np.float32)
a64, b64 = kid_a.astype(np.float64), kid_b.astype(np.float64)
pairs = []
for size in (50, 50, 50, 50, 120):
    ia = rng.choice(150, size, replace=False)
    ib = rng.choice(120, size, replace=False)
    pairs.append({"a": ia.tolist(), "b": ib.tolist(), "mmd": mmd_poly_unbiased(a64[ia], b64[ib])})
kid_first4 = [p["mmd"] for p in pairs[:4]]
kid = {
    "a": save("kid_a.npy", kid_a),
    "b": save("kid_b.npy", kid_b),
    "pairs": pairs,
    "first4": {"kid": float(np.mean(kid_first4)), "std": float(np.std(kid_first4))},
    "same_set_full": mmd_poly_unbiased(a64[:120], a64[:120]),
}

# ---------------------------------------------------------------- Inception Score
def inception_score(logits, splits):
    logp = log_softmax(logits.astype(np.float64), axis=1)
    p = np.exp(logp)
    n = len(logits)
    scores = []
    for k in range(splits):
        part_p = p[k * n // splits:(k + 1) * n // splits]
        part_logp = logp[k * n // splits:(k + 1) * n // splits]
        log_py = np.log(part_p.mean(axis=0, keepdims=True))
        kl = (part_p * (part_logp - log_py)).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return {"splits": splits, "mean": float(np.mean(scores)), "std": float(np.std(scores)),
            "scores": [float(s) for s in scores]}


is_logits = (rng.standard_normal((203, 10)) * 3).astype(np.float32)
is_logits[5, 3] = 80.0  # a very confident sample: softmax must not overflow
inception = {
    "logits": save("is_logits.npy", is_logits),
    "results": [inception_score(is_logits, s) for s in (1, 4, 10)],
}

# ---------------------------------------------------------------- precision / recall
def precision_recall(real, gen, k):
    def radii(x):
        d = cdist(x, x, "euclidean")
        return np.partition(d, kth=k, axis=1)[:, k]  # index k skips the self-distance 0

    rr, rg = radii(real), radii(gen)
    d_gr = cdist(gen, real, "euclidean")
    precision = float(np.mean((d_gr <= rr[None, :]).any(axis=1)))
    recall = float(np.mean((d_gr.T <= rg[None, :]).any(axis=1)))
    return {"k": k, "precision": precision, "recall": recall}


pr_real = rng.standard_normal((200, 8)).astype(np.float32)
pr_gen = (rng.standard_normal((180, 8)) * 0.6 + 0.5).astype(np.float32)
pr = {
    "real": save("pr_real.npy", pr_real),
    "generated": save("pr_generated.npy", pr_gen),
    "results": [precision_recall(pr_real.astype(np.float64), pr_gen.astype(np.float64), k) for k in (1, 3, 5)],
}

with open(os.path.join(OUT, "golden.json"), "w") as f:
    json.dump({"generator": "tools/golden/eval-fid/make_golden.py", "numpy": np.__version__,
               "kid": kid, "inception_score": inception, "precision_recall": pr}, f, indent=1)
print("wrote", OUT)
