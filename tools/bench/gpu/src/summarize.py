#!/usr/bin/env python3
"""The table check.sh ends with (and README.md's placeholder table has the rows of).

  summarize.py WORK_DIR CHECK_LOG [SMALL BIG]   (the presets, default mnist cifar10)
Reads the step benches' RESULT lines, the metrics.jsonl of every run in WORK_DIR and the SAMPLE
lines of the log. Loss agreement: each CUDA run against the CPU run of the same preset and seed.
Tolerances (float32): TF32 matmuls (onnxruntime's CUDA default) round inputs to 10 mantissa bits,
a relative error near 2⁻¹¹ ≈ 5e-4 per product, so 20 steps may differ by ~1e-3 relative: the
check expects ≤ 1e-2. With TF32 off (NVIDIA_TF32_OVERRIDE=0) only the summation order differs
(float32 round-off, ~1e-6 per op): ≤ 1e-4 relative.
"""
import glob
import json
import os
import re
import statistics
import sys

work, log = sys.argv[1], sys.argv[2]
presets = sys.argv[3:5] if len(sys.argv) >= 5 else ['mnist', 'cifar10']
TOL = {'cuda': 1e-2, 'cuda-fp32': 1e-4}


def metrics(run):
    path = os.path.join(work, run, 'metrics.jsonl')
    if not os.path.exists(path):
        return []
    return [json.loads(line) for line in open(path) if line.strip()]


print('## GPU check results\n')
print('| measurement | value |')
print('| --- | --- |')
for path in sorted(glob.glob(os.path.join(work, 'bench-*.txt'))):
    lines = [l for l in open(path) if l.startswith('RESULT ')]
    if not lines:
        print(f'| {os.path.basename(path)} | no result (see check.log) |')
        continue
    r = json.loads(lines[-1][len('RESULT '):])
    tag = f"{r['preset']}{' without dropout' if r['dropout'] == 'off' else ''}, batch {r['batch']}"
    med = r['median']
    for name, s in med.items():
        print(f"| step {tag}: {name} | {1000 * s:.2f} ms ({r['flops'] / s / 1e12:.2f} TFLOP/s) |")
    for mode, q in r.get('ratios', {}).items():
        print(f"| ratio ours/torch {mode}, {tag} | K=1 {q['k1']:.3f}, loop K={r['k']} {q['loop']:.3f} |")
    if r.get('peak'):
        p = r['peak']
        print(f"| GEMM peak ({p['device']}) | fp32 {p['fp32']:.1f}, tf32 {p['tf32']:.1f} TFLOP/s |")

for preset in presets:
    cpu = [m['loss'] for m in metrics(f'agree-{preset}-cpu')]
    for name in ('cuda', 'cuda-fp32'):
        gpu = [m['loss'] for m in metrics(f'agree-{preset}-{name}')]
        if not cpu or len(cpu) != len(gpu):
            print(f'| {preset}: {name} vs cpu losses | not measured ({len(gpu)} vs {len(cpu)} steps) |')
            continue
        diff = max(abs(a - b) for a, b in zip(cpu, gpu))
        rel = max(abs(a - b) / abs(a) for a, b in zip(cpu, gpu))
        verdict = 'within' if rel <= TOL[name] else 'OUTSIDE'
        print(f'| {preset}: max abs loss difference, {len(cpu)} steps {name} vs cpu | {diff:.3g} (relative {rel:.3g}, {verdict} {TOL[name]:g}) |')

for preset in presets:
    m = metrics(f'train-{preset}')
    if not m:
        print(f'| ns train {preset} | not run |')
        continue
    times = [x['stepTime'] for x in m[5:]] or [x['stepTime'] for x in m]
    t = statistics.median(times)
    batch = round(m[-1]['imagesPerSecond'] * m[-1]['stepTime'])
    print(f"| ns train {preset}: steps, last loss, median step | {m[-1]['step']}, {m[-1]['loss']:.4f}, {1000 * t:.1f} ms ({batch / t:.0f} img/s) |")

for line in open(log, errors='replace'):
    s = re.match(r'SAMPLE (\S+) (\d+) ([0-9.]+)', line)
    if s:
        name, n, secs = s.group(1), int(s.group(2)), float(s.group(3))
        print(f'| ns sample {name}: {n} images, 100 DDPM steps (wall, with start-up) | {secs:.1f} s = {n / secs:.1f} images/s |')
