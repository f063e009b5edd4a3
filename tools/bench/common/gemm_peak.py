"""The machine's float32 GEMM peak, measured now: numpy 4096 x 4096 @ 4096 x 4096, median of 5
timed products after one warm-up. Threads come from OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, set
by the caller (tools/bench/common/peak.mjs); AUTOGROUP_NICE (root) runs it in a scheduler
autogroup of its own at that nice value. Prints one JSON object {gflops, seconds, threads, size}.
"""
import json
import os
import sys
import time

import numpy as np

nice = os.environ.get("AUTOGROUP_NICE")
if nice is not None:
    os.setsid()
    with open("/proc/self/autogroup", "w") as f:
        f.write(nice)

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
rng = np.random.default_rng(0)
a = rng.standard_normal((n, n), dtype=np.float32)
b = rng.standard_normal((n, n), dtype=np.float32)
a @ b  # warm-up: thread pool start, page faults
times = []
for _ in range(5):
    start = time.perf_counter()
    a @ b
    times.append(time.perf_counter() - start)
times.sort()
seconds = times[len(times) // 2]
print(json.dumps({
    "gflops": 2 * n ** 3 / seconds / 1e9,
    "seconds": seconds,
    "threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
    "size": n,
    **({} if nice is None else {"autogroupNice": int(nice)}),
}))
