#!/usr/bin/python3
"""PyTorch peer of block_ours.mjs: the same pre-LN block, fwd + bwd + torch.optim.AdamW, float32.

Same maths as @ns/graph's nn.transformerBlock + adamw(): x·W + b linears (glorot-uniform kernels,
zero biases), LayerNorm ε 1e-5, exact-erf GELU, softmax(q·kᵀ/√dh), MSE; AdamW β 0.9/0.999, ε 1e-8,
weight decay 0.01 on kernels only (ours excludes bias/beta/gamma, so the peer does too).
Served step by step (tools/bench/common/stepper.py). Threads: torch.set_num_threads plus the
OMP/OPENBLAS env vars set by the parent (Debian's torch runs GEMMs in OpenBLAS's own pool).
"""
import argparse
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'common'))
from stepper import serve  # noqa: E402

p = argparse.ArgumentParser()
for k in ['B', 'T', 'D', 'H', 'threads', 'warmup']:
    p.add_argument('--' + k, type=int, required=True)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.set_num_interop_threads(1)
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
kernels = [pair[0] for n, pair in params.items() if not n.startswith('ln')]
others = [t for pair in params.values() for t in pair if all(t is not k for k in kernels)]
opt = torch.optim.AdamW([{'params': kernels, 'weight_decay': 0.01},
                         {'params': others, 'weight_decay': 0.0}], lr=1e-4)
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


serve(step, a.warmup)
