"""The child side of tools/bench/common/stepper.mjs, for Python peers.

serve(step, warmup): `warmup` untimed calls of step(), then {"ready": true}; each `step` line on
stdin → {"seconds", "cpuSeconds"} (CPU time of the whole process, so a spinning pool shows up);
`quit` → {"maxRssMb"}.
"""
import json
import resource
import sys
import time


def serve(step, warmup=2):
    for _ in range(warmup):
        step()
    print(json.dumps({'ready': True}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == 'step':
            c0 = time.process_time()
            t0 = time.perf_counter()
            step()
            seconds = time.perf_counter() - t0
            print(json.dumps({'seconds': seconds, 'cpuSeconds': time.process_time() - c0}), flush=True)
        elif cmd == 'quit':
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(json.dumps({'maxRssMb': rss}), flush=True)
            return
