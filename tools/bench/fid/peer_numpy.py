"""The numpy peer of bench:fid: @ns/eval-fid's algorithm, step for step, on LAPACK/OpenBLAS.

  statistics   float64 mean and covariance with divisor N - 1 (centred X^T X, a SYRK in numpy)
  cholesky_m   pivoted Cholesky sigma2[p, p] = L L^T (LAPACK dpstrf), M = L^T sigma1[p, p] L
  eigenvalues  numpy.linalg.eigvalsh(M) (LAPACK dsyevd, eigenvalues only)
  FID          |mu1 - mu2|^2 + tr sigma1 + tr sigma2 - 2 sum sqrt(max(lambda, 0))

Started once by tools/bench/fid/bench.mjs with the two .npy files; threads come from
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set by the bench. Reads one command per line on stdin
("round", "sqrtm", "quit") and answers each with one JSON line, so rounds alternate with ours.
"sqrtm" times pytorch-fid's scipy.linalg.sqrtm route on the last statistics (context only).
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy
import scipy.linalg
import scipy.linalg.lapack

a = np.load(sys.argv[1])
b = np.load(sys.argv[2])


def statistics(x):
    x = x.astype(np.float64)
    mu = x.mean(axis=0)
    xc = x - mu
    return mu, (xc.T @ xc) / (x.shape[0] - 1)


def one_round():
    t0 = time.perf_counter()
    mu1, s1 = statistics(a)
    mu2, s2 = statistics(b)
    t1 = time.perf_counter()
    c, piv, rank, info = scipy.linalg.lapack.dpstrf(s2, lower=1)
    if info < 0:
        raise RuntimeError(f"dpstrf failed: info {info}")
    L = np.tril(c)[:, :rank]
    p = piv - 1
    m = L.T @ s1[np.ix_(p, p)] @ L
    t2 = time.perf_counter()
    lam = np.linalg.eigvalsh(m)
    t3 = time.perf_counter()
    diff = mu1 - mu2
    tr = float(np.sqrt(lam[lam > 0]).sum())
    fid = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * tr)
    t4 = time.perf_counter()
    return (mu1, s1, mu2, s2), {
        "statistics": t1 - t0,
        "cholesky_m": t2 - t1,
        "eigenvalues": t3 - t2,
        "total": t4 - t0,
        "fid": fid,
        "rank": int(rank),
    }


def sqrtm_route(stats):
    mu1, s1, mu2, s2 = stats
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    covmean = scipy.linalg.sqrtm(s1.dot(s2))
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    diff = mu1 - mu2
    fid = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
    return {"seconds": time.perf_counter() - t0, "fid": fid}


print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__}), flush=True)
last = None
for line in sys.stdin:
    command = line.strip()
    if command == "round":
        last, result = one_round()
    elif command == "sqrtm":
        result = sqrtm_route(last)
    else:
        break
    print(json.dumps(result), flush=True)
