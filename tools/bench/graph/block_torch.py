#!/usr/bin/python3
"""PyTorch peer of bench.mjs: the same pre-LN block, fwd + bwd + torch.optim.AdamW, float32.

Prints one JSON line {times: [ms...], maxRssMb}. Threads: torch.set_num_threads plus the
OMP/OPENBLAS env vars set by bench.mjs (Debian's torch runs GEMMs in OpenBLAS).
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
# --arena and --spin only concern onnxruntime; accepted so both sides share one argument list.
for k, v in dict(B=64, T=256, D=256, H=4, threads=2, steps=5, warmup=2, arena=1, spin=1).items():
    p.add_argument('--' + k, type=int, default=v)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
B, T, D, H = a.B, a.T, a.D, a.H


def lin(i, o):
    w = torch.empty(i, o)
    torch.nn.init.xavier_uniform_(w)
    return [w.requires_grad_(), torch.zeros(o, requires_grad=True)]


params = {n: lin(D, D) for n in ['q', 'k', 'v', 'o']}
params['fc1'] = lin(D, 4 * D)
params['fc2'] = lin(4 * D, D)
params['ln1'] = [torch.ones(D, requires_grad=True), torch.zeros(D, requires_grad=True)]
params['ln2'] = [torch.ones(D, requires_grad=True), torch.zeros(D, requires_grad=True)]
opt = torch.optim.AdamW([t for pair in params.values() for t in pair], lr=1e-4, weight_decay=0.01)
x = torch.randn(B, T, D)
target = torch.randn(B, T, D)


def linear(v, n):
    w, b = params[n]
    return v @ w + b


def heads(v):
    return v.reshape(B, T, H, D // H).permute(0, 2, 1, 3)


def step():
    a1 = F.layer_norm(x, (D,), *params['ln1'], eps=1e-5)
    q, k, v = (heads(linear(a1, n)) for n in 'qkv')
    att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D // H), dim=-1)
    h = x + linear((att @ v).permute(0, 2, 1, 3).reshape(B, T, D), 'o')
    m = F.layer_norm(h, (D,), *params['ln2'], eps=1e-5)
    y = h + linear(F.gelu(linear(m, 'fc1')), 'fc2')
    loss = torch.mean((y - target) ** 2)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


times = []
cpu0 = 0.0
for i in range(a.warmup + a.steps):
    if i == a.warmup:
        cpu0 = time.process_time()
    t0 = time.perf_counter()
    step()
    if i >= a.warmup:
        times.append((time.perf_counter() - t0) * 1000)
cpu_ms = (time.process_time() - cpu0) * 1000 / a.steps
print(json.dumps({'times': times, 'cpuMsPerStep': cpu_ms,
                  'maxRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
