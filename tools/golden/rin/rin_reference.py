#!/usr/bin/python3
"""Golden forward and backward values for @ns/rin, from a PyTorch RIN written from the spec.

Run with Debian's python3-torch:  /usr/bin/python3 tools/golden/rin/rin_reference.py

The network is rin_torch.py (written from ../shared/spec/paper-spec.md §5.2, independently of the
TypeScript graph). Everything runs in float64 from float32 weights. Parameter names are the
@ns/rin scope names so one safetensors file serves both sides.

Writes packages/rin/fixtures/<stem>.safetensors (weights `param/<name>`, inputs, and per case the
outputs and the gradient of  loss = Σ prediction·wPred + Σ latents·wLatents  w.r.t. every parameter)
and <stem>.json (config, cases, mask names), for two configs:
  golden         conditional, latent self-conditioning, d < D, a block without process layers;
                 cases: zero / random previous latents, a dropped label, training with given masks
  golden-uncond  unconditional, no self-conditioning, d > D (cross width = D), no write MLP
"""
import json
import os
import struct

import numpy as np
import torch

from rin_torch import RinTorch, Weights

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', '..', 'packages', 'rin', 'fixtures')

# d ≠ D so the read/write width min(d, D) matters; a block with no process layers; dropout and
# drop-path rates used only by the 'train' case.
CONFIG = {
    'imageSize': 8, 'channels': 3, 'patchSize': 2, 'interfaceDim': 16, 'latents': 6,
    'latentDim': 24, 'blocks': [2, 0, 1], 'latentHeads': 3, 'rwHeads': 2, 'latentMlpRatio': 2,
    'interfaceMlpRatio': 1, 'numClasses': 5, 'dropout': 0.2, 'dropPath': 0.25,
    'selfCondition': 'latent', 'predict': 'eps',
}
UNCOND = {
    'imageSize': 6, 'channels': 1, 'patchSize': 3, 'interfaceDim': 32, 'latents': 4,
    'latentDim': 16, 'blocks': [1, 1], 'latentHeads': 2, 'rwHeads': 4, 'latentMlpRatio': 3,
    'interfaceMlpRatio': 0, 'numClasses': 0, 'dropout': 0, 'dropPath': 0,
    'selfCondition': 'none', 'predict': 'v',
}
B = 3
torch.set_default_dtype(torch.float64)


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32)


def make_fixture(stem, c, seed):
    rng = np.random.default_rng(seed)
    W = Weights(rng, torch.float64, generic=True)
    rin = RinTorch(c, W)
    H, C, L, D = c['imageSize'], c['channels'], c['latents'], c['latentDim']
    x = f32(0.1 + 0.7 * rng.standard_normal((B, H, H, C)))
    gamma = f32([0.05, 0.5, 0.93])
    labels = np.array([2, 0, 4], dtype=np.int64)
    prev = f32(rng.standard_normal((B, L, D)))
    w_pred = f32(rng.standard_normal((B, H, H, C)))
    w_lat = f32(rng.standard_normal((B, L, D)))
    T = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
    # dropout / drop-path keep-masks of the train case, named as @ns/rin's maskInputs() names them
    masks = {}
    for i, K in enumerate(c['blocks']):
        for l in range(K):
            base = f'mask/block{i}/process/layer{l}'
            masks[f'{base}/attn'] = rng.uniform(size=(B, 1, 1)) >= c['dropPath']
            masks[f'{base}/mlp/units'] = rng.uniform(size=(B, L, D * c['latentMlpRatio'])) >= c['dropout']
            masks[f'{base}/mlp'] = rng.uniform(size=(B, 1, 1)) >= c['dropPath']
    cases = {
        'zero_prev': (np.zeros_like(prev), f32([1, 1, 1]), None),
        'self_cond': (prev, f32([1, 1, 1]), None),
        'label_dropped': (prev, f32([1, 0, 1]), None),
        'train_masks': (prev, f32([1, 0, 1]), masks),
    } if c['selfCondition'] == 'latent' else {'plain': (prev, f32([1, 1, 1]), None)}
    tensors = {
        'input/x': x, 'input/gamma': gamma, 'input/labels': labels, 'input/latentsPrev': prev,
        'loss/wPred': w_pred, 'loss/wLatents': w_lat,
    }
    for name, m in masks.items():
        tensors[name] = m.astype(np.float32)  # stored as 0/1 floats
    names = None
    for case, (zp, mask, mk) in cases.items():
        for t in W.p.values():
            t.grad = None
        tm = None if mk is None else {k: torch.tensor(v) for k, v in mk.items()}
        img, Z = rin(T(x), T(gamma), torch.tensor(labels), T(mask), T(zp), tm)
        loss = (img * T(w_pred)).sum() + (Z * T(w_lat)).sum()
        loss.backward()
        names = sorted(W.p)
        tensors[f'{case}/labelMask'] = mask
        tensors[f'{case}/prediction'] = f32(img.detach().numpy())
        tensors[f'{case}/latents'] = f32(Z.detach().numpy())
        tensors[f'{case}/loss'] = f32([loss.item()])
        for n in names:
            tensors[f'{case}/grad/{n}'] = f32(W.p[n].grad.numpy())
    for n in names:
        tensors[f'param/{n}'] = f32(W.p[n].detach().numpy())
    os.makedirs(OUT, exist_ok=True)
    write_safetensors(os.path.join(OUT, f'{stem}.safetensors'), tensors)
    meta = {
        'source': 'tools/golden/rin/rin_reference.py (PyTorch %s, float64)' % torch.__version__,
        'config': c, 'batch': B, 'cases': list(cases), 'params': names,
        'masks': sorted(masks), 'trainCase': 'train_masks',
    }
    with open(os.path.join(OUT, f'{stem}.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(stem, 'params', sum(W.p[n].numel() for n in names), 'tensors', len(tensors))


def main():
    make_fixture('golden', CONFIG, 20261126)
    make_fixture('golden-uncond', UNCOND, 20261127)


def write_safetensors(path, tensors):
    """The safetensors layout: u64 header length, JSON header, raw little-endian data."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        code = {np.dtype('float32'): 'F32', np.dtype('int64'): 'I64'}[a.dtype]
        raw = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': code, 'shape': list(a.shape), 'data_offsets': [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


if __name__ == '__main__':
    main()
