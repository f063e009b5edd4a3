#!/usr/bin/python3
"""PyTorch peer of tools/bench/rin/bench.mjs: one self-conditioned RIN training step per request,
as the trainer's graph makes it (noising, pass 1, pass 2, ε loss, backward, LAMB).

The model is tools/golden/rin/rin_torch.py (the network the golden fixtures come from), float32,
reference initialisers. A step: pass 1 under no_grad from zero latents, per-example keep mask,
pass 2, MSE against the target, backward, the global gradient norm, LAMB, EMA (tfa semantics: β 0.9/0.999, ε 1e-8, wd 0.01,
bias/beta/gamma excluded from decay and from the trust ratio).

argv: config JSON, batch, threads [, warm-up steps]. Served step by step
(tools/bench/common/stepper.py). Threads: torch.set_num_threads sizes the OpenMP pool only;
Debian's torch runs GEMMs in OpenBLAS's own pool, which the parent sizes with OPENBLAS_NUM_THREADS
(without it a "1-thread" peer ran its GEMMs on every core).
"""
import json
import os
import re
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', '..', 'golden', 'rin'))
sys.path.insert(0, os.path.join(here, '..', 'common'))
from rin_torch import RinTorch, Weights  # noqa: E402
from stepper import serve  # noqa: E402

config = json.loads(sys.argv[1])
B = int(sys.argv[2])
torch.set_num_threads(int(sys.argv[3]))
torch.set_num_interop_threads(1)
torch.manual_seed(0)
rng = np.random.default_rng(0)

W = Weights(rng, torch.float32, generic=False)
net = RinTorch(config, W)
H, C, L, D = config['imageSize'], config['channels'], config['latents'], config['latentDim']
# The trainer's step noises a batch itself (Algorithm 2): x_t = √γ·x0 + √(1 − γ)·ε, target ε.
x0 = torch.randint(0, 256, (B, H, H, C)).float() / 255 * 2 - 1
eps = torch.randn(B, H, H, C)
gamma = torch.rand(B)
labels = torch.randint(0, max(config['numClasses'], 1), (B,))
label_mask = torch.ones(B)
keep = (torch.rand(B) < 0.9).float()
zeros = torch.zeros(B, L, D)

EXCLUDE = re.compile('bias|beta|gamma')


def masks():
    """Fresh dropout / drop-path keep-masks for the process layers (none when the rates are 0)."""
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


# Build every parameter once (lazy creation) before the optimizer sees them.
with torch.no_grad():
    net(x0[:1], gamma[:1], labels[:1], label_mask[:1], zeros[:1])
state = {n: (torch.zeros_like(p), torch.zeros_like(p)) for n, p in W.p.items()}
# The trainer's graph also keeps an EMA of the weights and outputs the global gradient norm.
ema = {n: p.detach().clone() for n, p in W.p.items()}
EMA_DECAY = 0.9999
step_count = 0


def lamb_step(lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.01):
    global step_count
    step_count += 1
    with torch.no_grad():
        torch.sqrt(sum((p.grad * p.grad).sum() for p in W.p.values()))  # grad_norm output
        bc1 = 1 - b1 ** step_count
        bc2 = 1 - b2 ** step_count
        for n, p in W.p.items():
            g = p.grad
            m, v = state[n]
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            u = (m / bc1) / ((v / bc2).sqrt() + eps)
            excluded = EXCLUDE.search(n) is not None
            if not excluded:
                u.add_(p, alpha=wd)
                wn, un = p.norm(), u.norm()
                ratio = (wn / un) if (wn > 0 and un > 0) else 1.0
            else:
                ratio = 1.0
            p.sub_(lr * ratio * u)
            p.grad = None
            ema[n].mul_(EMA_DECAY).add_(p, alpha=1 - EMA_DECAY)


def train_step():
    g = gamma[:, None, None, None]
    x = g.sqrt() * x0 + (1 - g).sqrt() * eps
    target = eps
    with torch.no_grad():  # pass 1: its latents are stop-gradient anyway
        _, z1 = net(x, gamma, labels, label_mask, zeros, masks())
    z = z1 * keep[:, None, None]
    pred, _ = net(x, gamma, labels, label_mask, z, masks())
    loss = ((pred - target) ** 2).mean()
    loss.backward()
    lamb_step()
    return loss.item()


serve(train_step, int(sys.argv[4]) if len(sys.argv) > 4 else 2)
