#!/usr/bin/env python3
"""PyTorch peer of step-bench.mjs on a GPU: the training step `ns train` makes, in eager PyTorch.

The network is tools/golden/rin/rin_torch.py (the RIN the golden fixtures come from), float32,
reference initialisers. One step is Chen 2023 Algorithm 2 as packages/trainer/src/objective.ts
writes it: x0 = (2·images − 1)·b, x_t = √γ·x0 + √(1 − γ)·ε with γ = 1 − t (simple_linear);
a self-conditioning pass under no_grad from zero latents, kept per example with probability 0.9;
the main pass; ε-MSE; backward; the global gradient norm (ours computes it for the metrics);
LAMB (tfa semantics as packages/graph/src/optim/lamb.ts: β 0.9/0.999, ε 1e-8, wd 0.01, names
matching bias|beta|gamma excluded from decay and from the trust ratio); EMA 0.9999. t, ε, the
masks and dropout keep-masks are drawn on the device every step. The optimizer and EMA use
torch._foreach_* (multi-tensor kernels), the form a tuned eager trainer uses.

Protocol (stdin/stdout, one line each). argv: RIN config JSON, batch, device ('cuda' or 'cpu').
Prints `ready` after a warm-up step; `steps N MODE` (MODE tf32 | fp32: TF32 tensor cores for
float32 matmuls on or off) → {"seconds": t} for N steps, synchronised; `peak` → the float32 and
tf32 GEMM rates; `quit` → {"max_memory_allocated": bytes}.
"""
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', '..', '..', 'golden', 'rin'))
from rin_torch import RinTorch, Weights  # noqa: E402

config = json.loads(sys.argv[1])
B = int(sys.argv[2])
device = sys.argv[3] if len(sys.argv) > 3 else 'cuda'
cuda = device.startswith('cuda')
if cuda:
    torch.set_default_device(device)  # rin_torch creates its tensors without a device
torch.manual_seed(0)

W = Weights(np.random.default_rng(0), torch.float32, generic=False)
net = RinTorch(config, W)
H, C, L, D = config['imageSize'], config['channels'], config['latents'], config['latentDim']
b = 1.0  # input scale
images = torch.randint(0, 256, (B, H, H, C)).float() / 255
labels = torch.randint(0, max(config['numClasses'], 1), (B,))
ones = torch.ones(B)
zeros = torch.zeros(B, L, D)
EXCLUDE = re.compile('bias|beta|gamma')
B1, B2, EPS, WD, EMA = 0.9, 0.999, 1e-8, 0.01, 0.9999


def sync():
    if cuda:
        torch.cuda.synchronize()


def masks():
    """Dropout / drop-path keep-masks of the process layers, drawn now (None at rate 0)."""
    if config['dropout'] == 0 and config['dropPath'] == 0:
        return None
    m = {}
    for i, K in enumerate(config['blocks']):
        for l in range(K):
            base = f'mask/block{i}/process/layer{l}'
            if config['dropPath'] > 0:
                m[f'{base}/attn'] = torch.rand(B, 1, 1) >= config['dropPath']
                m[f'{base}/mlp'] = torch.rand(B, 1, 1) >= config['dropPath']
            if config['dropout'] > 0:
                m[f'{base}/mlp/units'] = torch.rand(B, L, D * config['latentMlpRatio']) >= config['dropout']
    return m


with torch.no_grad():  # create every parameter (lazily, on first use) before the optimizer
    net(images[:1], ones[:1], labels[:1], ones[:1], zeros[:1])
names = list(W.p)
params = [W.p[n] for n in names]
decayed = [i for i, n in enumerate(names) if not EXCLUDE.search(n)]
excluded = [i for i, n in enumerate(names) if EXCLUDE.search(n)]
ms = [torch.zeros_like(p) for p in params]
vs = [torch.zeros_like(p) for p in params]
ema = [p.detach().clone() for p in params]
count = 0


def lamb(lr):
    global count
    count += 1
    grads = [p.grad for p in params]
    torch._foreach_mul_(ms, B1)
    torch._foreach_add_(ms, grads, alpha=1 - B1)
    torch._foreach_mul_(vs, B2)
    torch._foreach_addcmul_(vs, grads, grads, value=1 - B2)
    denom = torch._foreach_div(vs, 1 - B2 ** count)
    torch._foreach_sqrt_(denom)
    torch._foreach_add_(denom, EPS)
    u = torch._foreach_div(ms, 1 - B1 ** count)
    torch._foreach_div_(u, denom)
    ud = [u[i] for i in decayed]
    pd = [params[i] for i in decayed]
    torch._foreach_add_(ud, pd, alpha=WD)
    wn = torch.stack(torch._foreach_norm(pd))
    un = torch.stack(torch._foreach_norm(ud))
    ratio = torch.where((wn > 0) & (un > 0), wn / un, torch.ones_like(wn))
    torch._foreach_mul_(ud, list(ratio.unbind()))
    torch._foreach_add_(pd, ud, alpha=-lr)
    torch._foreach_add_([params[i] for i in excluded], [u[i] for i in excluded], alpha=-lr)
    for p in params:
        p.grad = None
    # EMA: e ← decay·e + (1 − decay)·p
    torch._foreach_mul_(ema, EMA)
    torch._foreach_add_(ema, params, alpha=1 - EMA)


def train_step(lr=1e-4):
    gamma = 1 - torch.rand(B)
    noise = torch.randn(B, H, H, C)
    keep = (torch.rand(B) < 0.9).float()
    g4 = gamma.view(B, 1, 1, 1)
    x0 = (images * 2 - 1) * b
    xt = g4.sqrt() * x0 + (1 - g4).sqrt() * noise
    with torch.no_grad():  # pass 1: its latents are stop-gradient anyway
        _, z1 = net(xt, gamma, labels, ones, zeros, masks())
    pred, _ = net(xt, gamma, labels, ones, z1 * keep[:, None, None], masks())
    loss = ((pred - noise) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        torch.stack(torch._foreach_norm([p.grad for p in params])).norm()  # grad_norm
        lamb(lr)
    return loss


def set_mode(mode):
    tf32 = mode == 'tf32'
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32


def gemm_peak(size=8192 if cuda else 1024, repeats=10):
    out = {'device': torch.cuda.get_device_name() if cuda else 'cpu', 'size': size, 'repeats': repeats}
    x = torch.randn(size, size)
    y = torch.randn(size, size)
    for mode in ('fp32', 'tf32'):
        set_mode(mode)
        for _ in range(3):
            x @ y
        times = []
        for _ in range(repeats):
            sync()
            t0 = time.perf_counter()
            x @ y
            sync()
            times.append(time.perf_counter() - t0)
        times.sort()
        out[mode] = 2 * size ** 3 / times[len(times) // 2] / 1e12
    return out


set_mode('tf32')
train_step()
set_mode('fp32')
train_step()
sync()
print('ready', flush=True)
for line in sys.stdin:
    cmd = line.split()
    if not cmd:
        continue
    if cmd[0] == 'steps':
        n, mode = int(cmd[1]), cmd[2]
        set_mode(mode)
        sync()
        t0 = time.perf_counter()
        for _ in range(n):
            loss = train_step()
        sync()
        seconds = time.perf_counter() - t0
        if not math.isfinite(loss.item()):
            raise SystemExit(f'peer_torch_cuda.py: loss became {loss.item()}')
        print(json.dumps({'seconds': seconds}), flush=True)
    elif cmd[0] == 'peak':
        print(json.dumps(gemm_peak()), flush=True)
    elif cmd[0] == 'quit':
        mem = torch.cuda.max_memory_allocated() if cuda else 0
        print(json.dumps({'max_memory_allocated': mem}), flush=True)
        break
