"""Golden vectors for the schedules practitioners use since Chen 2023, as densities over logSNR.

Written from the formulas (papers and the public reference code), not from @ns/schedules:
- the normal quantile against scipy.special.ndtri and a 50-digit mpmath Newton solve, tails included;
- lognormal@mean,std: logSNR = mean - std * ndtri(t); EDM's ln sigma = P_mean + P_std * ndtri(t) and
  SD3's logit-normal flow time sigmoid(m + s * ndtri(t)) on x_t = (1 - t) x0 + t eps, straight from
  those papers' definitions, to test the documented mappings;
- laplace@mu,b (Hang et al. 2024) from its printed formula in 60-digit mpmath (the printed form loses
  float64 accuracy for t << 1, so the reference is evaluated exactly);
- rectified_flow and +shift=s: SD3's shifted flow time s t / (1 + (s - 1) t) and Flux's
  exp(mu) / (exp(mu) + 1/t - 1), independent of the sigmoid(logSNR - 2 ln s) form the library uses;
- the conversions between gamma, sigma, flow time and logSNR;
- the logSNR densities of lognormal and laplace against scipy.stats;
- the resolution rules (Chen Table 1 rows, simple diffusion 64/d, SD3 sqrt(m/n), Flux calculate_shift).

Run from the repo root (needs numpy, scipy and mpmath):  python3 tools/golden/schedules/make_golden_families.py
"""
import json
import math
import os

import mpmath as mp
import numpy as np
from scipy import special, stats

from make_golden import LMIN, LMAX, T, cosine_schedule, logsnr_shifted, listify, sigmoid_schedule, simple_linear_schedule

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "schedules", "test", "fixtures", "families.json")
mp.mp.dps = 60


def expit(x):
    return special.expit(x)


# ---- the normal quantile ----------------------------------------------------------------------
def mp_quantile(p):
    """Phi^-1(p) to ~50 digits: Newton on mpmath's ncdf from scipy's estimate."""
    p = mp.mpf(p)
    z = mp.mpf(float(special.ndtri(float(p))))
    for _ in range(30):
        step = (mp.ncdf(z) - p) / mp.npdf(z)
        z -= step
        if abs(step) < mp.mpf(10) ** -45 * max(1, abs(z)):
            break
    return z


rng = np.random.default_rng(14)
P = [5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-100, 1e-50, 1e-20, 1e-16, 1e-10, 1e-6, 1e-3,
     0.02, 0.1, 0.2, 0.2499999999, 0.25, 0.3, 0.5 - 1e-10, 0.5, 0.5 + 1e-10, 0.7, 0.9, 0.999, 1 - 1e-10,
     1 - 1e-16, 1 - 2 ** -53]
P += list(rng.uniform(0, 1, 100)) + list(10 ** rng.uniform(-300, -1, 60))
quantile = {
    "p": [float(p) for p in P],
    "ndtri": listify(special.ndtri(np.array(P))),
    "mpmath": [None if p in (0.0, 1.0) else float(mp_quantile(p)) for p in P],
}
Z = [-38.0, -37.5, -30.0, -20.0, -10.0, -8.0, -5.0, -2.0, -1.001, -1.0, -0.999, -0.5, -1e-10, 0.0, 1e-10, 0.5, 1.0, 3.0, 8.0]
Z += list(rng.uniform(-37, 8, 80))
cdf = {"z": [float(z) for z in Z], "ndtr": listify(special.ndtr(np.array(Z))), "mpmath": [float(mp.ncdf(mp.mpf(z))) for z in Z]}

# ---- schedules, from their own definitions ------------------------------------------------------
TT = np.asarray(T, dtype=np.float64)
with np.errstate(divide="ignore"):
    ndtri_t = special.ndtri(TT)


def lognormal(mean, std):
    lam = mean - std * ndtri_t
    return expit(lam), lam


def edm(p_mean, p_std):
    # Karras et al. 2022: ln sigma ~ N(P_mean, P_std^2); x = x0 + sigma eps, so gamma = 1/(1 + sigma^2).
    with np.errstate(over="ignore", divide="ignore"):
        sigma = np.exp(p_mean + p_std * ndtri_t)
        return 1 / (1 + sigma ** 2), -2 * np.log(sigma)


def rf_at(tau_of):
    """x = (1 - tau) x0 + tau eps: VP gamma = (1 - tau)^2 / ((1 - tau)^2 + tau^2), logSNR = 2 ln((1 - tau)/tau).

    tau_of(t) is evaluated in 60-digit mpmath: the shifted flow times sit within ulps of 1 near t = 1,
    where 1 - tau in float64 would carry the reference's own round-off."""
    g, lam = [], []
    for t in T:
        tau = tau_of(mp.mpf(float(t)))
        if tau == 0:
            g.append(1.0); lam.append(math.inf)
        elif tau == 1:
            g.append(0.0); lam.append(-math.inf)
        else:
            g.append(float((1 - tau) ** 2 / ((1 - tau) ** 2 + tau ** 2))); lam.append(float(2 * mp.log((1 - tau) / tau)))
    return np.array(g), np.array(lam)


def sd3_logit_normal(m, s):
    # u = m + s * ndtri(t) in float64 (ndtri is accurate to ~1e-16), then the flow time sigmoid(u) exactly.
    u = {float(t): m + s * float(special.ndtri(t)) for t in T}
    return rf_at(lambda t: 1 / (1 + mp.exp(-mp.mpf(u[float(t)]))) if mp.isfinite(u[float(t)]) else (mp.mpf(1) if u[float(t)] > 0 else mp.mpf(0)))


def sd3_shifted_rf(s):
    # SD3 (Esser et al. 2024, eq. 23): t_m = s t / (1 + (s - 1) t).
    return rf_at(lambda t: s * t / (1 + (s - 1) * t))


def flux_shifted_rf(mu):
    # Flux time_shift(mu, 1, t) = e^mu / (e^mu + (1/t - 1)).
    return rf_at(lambda t: mp.exp(mu) / (mp.exp(mu) + (1 / t - 1)) if t > 0 else mp.mpf(0))


def laplace(mu, b):
    lam = []
    for t in T:
        t = mp.mpf(float(t))
        arg = 1 - 2 * abs(t - mp.mpf(0.5))
        lam.append(mp.inf if arg == 0 and t < 0.5 else (-mp.inf if arg == 0 else mu - b * mp.sign(mp.mpf(0.5) - t) * mp.log(arg)))
    g = [1 / (1 + mp.exp(-l)) if mp.isfinite(l) else (1 if l > 0 else 0) for l in lam]
    return np.array([float(v) for v in g]), np.array([float(v) for v in lam])


def shifted(gamma_fn, s):
    g = np.array([gamma_fn(t) for t in T], dtype=np.float64)
    with np.errstate(divide="ignore"):
        lam = np.log(g / (1 - g)) - 2 * np.log(s)
    return expit(lam), lam


cases = [
    ("lognormal@0,2", *lognormal(0, 2)),
    ("lognormal@2.4,2.4", *lognormal(2.4, 2.4)),
    ("lognormal@-1,0.5", *lognormal(-1, 0.5)),
    ("edm@-1.2,1.2", *edm(-1.2, 1.2)),
    ("edm@0.5,0.8", *edm(0.5, 0.8)),
    ("logit_normal@0,1", *sd3_logit_normal(0, 1)),
    ("logit_normal@0.3,0.7", *sd3_logit_normal(0.3, 0.7)),
    ("laplace@0,0.5", *laplace(0, mp.mpf(0.5))),
    ("laplace@1,2", *laplace(1, 2)),
    ("laplace@-3,0.25", *laplace(-3, mp.mpf(0.25))),
    ("rectified_flow", *rf_at(lambda t: t)),
    ("rectified_flow+shift=3", *sd3_shifted_rf(3.0)),
    ("rectified_flow+shift=0.5", *sd3_shifted_rf(0.5)),
    ("rectified_flow+shift=%r" % math.exp(1.15), *flux_shifted_rf(1.15)),
    ("simple_linear+shift=2", *shifted(simple_linear_schedule, 2.0)),
    ("sigmoid@0,3,0.5+shift=0.5", *shifted(lambda t: sigmoid_schedule(t, 0, 3, 0.5), 0.5)),
    ("cosine@0.2,1,1+shift=4", *shifted(lambda t: cosine_schedule(t, 0.2, 1, 1), 4.0)),
]
schedules = [{"spec": spec, "gamma": listify(g), "logSnr": listify(lam)} for spec, g, lam in cases]
# +shift under +scale: logSNR = base - 2 ln s + 2 ln b, gamma = the shifted schedule's own.
g, lam = shifted(lambda t: cosine_schedule(t, 0.2, 1, 1), 4.0)
schedules.append({"spec": "cosine@0.2,1,1+shift=4+scale=0.5", "gamma": listify(g), "logSnr": listify(lam + 2 * np.log(0.5))})

# ---- conversions ----------------------------------------------------------------------------------
# Each conversion is evaluated at the stored double of its input, by its textbook formula.
LAM = np.array([-60.0, -20.0, -5.0, -1.0, -1e-8, 0.0, 1e-8, 0.5, 2.0, 7.0, 20.0, 60.0] + list(rng.uniform(-30, 30, 30)))
GAMMA = expit(LAM)
SIGMA = np.exp(-LAM / 2)
FLOW = 1 / (1 + np.exp(LAM / 2))
with np.errstate(divide="ignore"):
    conversions = {name: {"x": listify(x), "y": listify(y)} for name, x, y in [
        ("gammaFromLogSnr", LAM, expit(LAM)),
        ("logSnrFromGamma", GAMMA, np.log(GAMMA / (1 - GAMMA))),
        ("sigmaFromLogSnr", LAM, np.exp(-LAM / 2)),
        ("logSnrFromSigma", SIGMA, -2 * np.log(SIGMA)),
        ("flowTimeFromLogSnr", LAM, 1 / (1 + np.exp(LAM / 2))),
        ("logSnrFromFlowTime", FLOW, 2 * np.log((1 - FLOW) / FLOW)),
        ("gammaFromSigma", SIGMA, 1 / (1 + SIGMA ** 2)),
        ("sigmaFromGamma", GAMMA, np.sqrt((1 - GAMMA) / GAMMA)),
        ("gammaFromFlowTime", FLOW, (1 - FLOW) ** 2 / ((1 - FLOW) ** 2 + FLOW ** 2)),
        ("flowTimeFromGamma", GAMMA, np.sqrt(1 - GAMMA) / (np.sqrt(GAMMA) + np.sqrt(1 - GAMMA))),
        ("sigmaFromFlowTime", FLOW, FLOW / (1 - FLOW)),
        ("flowTimeFromSigma", SIGMA, SIGMA / (1 + SIGMA)),
    ]}

# ---- densities over logSNR --------------------------------------------------------------------------
edges = np.linspace(-12, 12, 49)
densities = []
for spec, dist in [("lognormal@0,2", stats.norm(0, 2)), ("lognormal@2.4,2.4", stats.norm(2.4, 2.4)),
                   ("laplace@0,0.5", stats.laplace(0, 0.5)), ("laplace@1,2", stats.laplace(1, 2))]:
    c = dist.cdf(edges)
    densities.append({
        "spec": spec, "min": -12, "max": 12, "bins": 48,
        "mass": listify(np.diff(c)), "massBelow": float(c[0]), "massAbove": float(dist.sf(edges[-1])),
        "cdfAt": listify(edges), "cdf": listify(c),
        "quantiles": listify(dist.ppf([0.1, 0.25, 0.5, 0.75, 0.9])),
    })

# ---- resolution rules -------------------------------------------------------------------------------
TABLE1 = {64: (1.0, "simple_linear"), 128: (0.6, "simple_linear"), 256: (0.5, "simple_linear"),
          512: (0.2, "cosine@0.2,1,1"), 768: (0.1, "simple_linear"), 1024: (0.1, "simple_linear")}


def flux_mu(tokens, base_seq_len=256, max_seq_len=4096, base_shift=0.5, max_shift=1.15):
    # diffusers pipeline_flux.calculate_shift / flux sampling.get_lin_function
    m = (max_shift - base_shift) / (max_seq_len - base_seq_len)
    b = base_shift - m * base_seq_len
    return tokens * m + b


rules = []
for d in [64, 128, 256, 512, 768, 1024, 2048]:
    row = {"resolution": d}
    if d in TABLE1:
        b, sched = TABLE1[d]
        g = (simple_linear_schedule(0.5) if sched == "simple_linear" else cosine_schedule(0.5, 0.2, 1, 1))
        row["chen"] = {"scale": b, "median": float(np.log(b ** 2 * g / (1 - g)))}
    row["simpleDiffusion"] = {"scale": 64 / d, "median": float(logsnr_shifted(0.5, d, 64, LMIN, LMAX))}
    s = d / 256
    row["sd3"] = {"shift": s, "median": float(0 - 2 * np.log(s))}  # logit-normal(0, 1): median flow time 1/2
    mu = flux_mu((d / 16) ** 2)
    tau = math.exp(mu) / (math.exp(mu) + 1)  # the flow time that t = 1/2 is shifted to
    row["flux"] = {"mu": mu, "shift": math.exp(mu), "median": float(2 * np.log((1 - tau) / tau))}
    rules.append(row)

with open(OUT, "w") as f:
    json.dump({"t": listify(TT), "quantile": quantile, "cdf": cdf, "schedules": schedules,
               "conversions": conversions, "densities": densities, "rules": rules}, f)
print(f"wrote {os.path.relpath(OUT)}: {len(P)} quantiles, {len(schedules)} schedules, {len(densities)} densities, {len(rules)} resolutions")
