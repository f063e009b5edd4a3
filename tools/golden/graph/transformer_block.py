#!/usr/bin/python3
"""Golden loss and gradients of one pre-LN transformer block from PyTorch autograd (float64).

Run with Debian python3-torch: /usr/bin/python3 tools/golden/graph/transformer_block.py
Writes packages/graph/fixtures/transformer_block.json: input, target, every weight (named as
@ns/graph's nn.transformerBlock names them, kernels stored [in, out] for x @ W), the MSE loss
and the gradient of the loss with respect to every weight and the input.

The block (same maths as nn.transformerBlock, GELU exact, LayerNorm eps 1e-5):
  h = x + Wo(softmax(Q K^T / sqrt(dh)) V) with Q, K, V = Linear(LN1(x)) split into heads
  y = h + dense2(gelu(dense1(LN2(h))))
  loss = mean((y - target)^2)
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', '..', 'packages', 'graph', 'fixtures', 'transformer_block.json')

B, T, D, H, RATIO = 2, 8, 16, 2, 4
rng = np.random.default_rng(31)


def glorot(i, o):
    lim = np.sqrt(6.0 / (i + o))
    return rng.uniform(-lim, lim, size=(i, o))


weights = {}
for name in ['query', 'key', 'value', 'out']:
    weights[f'block/attn/{name}/kernel'] = glorot(D, D)
    weights[f'block/attn/{name}/bias'] = rng.normal(scale=0.1, size=D)
for ln in ['ln1', 'ln2']:
    weights[f'block/{ln}/gamma'] = 1 + 0.2 * rng.normal(size=D)
    weights[f'block/{ln}/beta'] = 0.1 * rng.normal(size=D)
weights['block/mlp/dense1/kernel'] = glorot(D, D * RATIO)
weights['block/mlp/dense1/bias'] = rng.normal(scale=0.1, size=D * RATIO)
weights['block/mlp/dense2/kernel'] = glorot(D * RATIO, D)
weights['block/mlp/dense2/bias'] = rng.normal(scale=0.1, size=D)
x_np = rng.normal(size=(B, T, D))
target_np = rng.normal(size=(B, T, D))

w = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in weights.items()}
x = torch.tensor(x_np, dtype=torch.float64, requires_grad=True)
target = torch.tensor(target_np, dtype=torch.float64)


def lin(v, name):
    return v @ w[f'{name}/kernel'] + w[f'{name}/bias']


def heads(v):
    return v.reshape(B, T, H, D // H).permute(0, 2, 1, 3)


a = F.layer_norm(x, (D,), w['block/ln1/gamma'], w['block/ln1/beta'], eps=1e-5)
q, k, v = (heads(lin(a, f'block/attn/{n}')) for n in ['query', 'key', 'value'])
att = torch.softmax(q @ k.transpose(-1, -2) / np.sqrt(D // H), dim=-1)
ctx = (att @ v).permute(0, 2, 1, 3).reshape(B, T, D)
h = x + lin(ctx, 'block/attn/out')
m = F.layer_norm(h, (D,), w['block/ln2/gamma'], w['block/ln2/beta'], eps=1e-5)
y = h + lin(F.gelu(lin(m, 'block/mlp/dense1')), 'block/mlp/dense2')
loss = torch.mean((y - target) ** 2)
loss.backward()

fixture = {
    'generator': 'tools/golden/graph/transformer_block.py (torch %s, float64 autograd)' % torch.__version__,
    'config': {'B': B, 'T': T, 'D': D, 'heads': H, 'mlpRatio': RATIO},
    'x': x_np.ravel().tolist(),
    'target': target_np.ravel().tolist(),
    'weights': {n: {'shape': list(v.shape), 'data': v.ravel().tolist()} for n, v in weights.items()},
    'loss': loss.item(),
    'y': y.detach().numpy().ravel().tolist(),
    'grads': {n: t.grad.numpy().ravel().tolist() for n, t in w.items()},
    'gradX': x.grad.numpy().ravel().tolist(),
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixture, f)
print('wrote', os.path.relpath(OUT, os.getcwd()), 'loss', loss.item())
