#!/usr/bin/python3
"""Golden forward and backward values for @ns/rin, from a PyTorch RIN written from the spec.

Run with Debian's python3-torch:  /usr/bin/python3 tools/golden/rin/rin_reference.py

The network follows ../shared/spec/paper-spec.md §5.2 (P2S `ImageTapeDenoiser`) and is written
independently of the TypeScript graph: the stem is a stride-p Conv2D (TF HWIO kernel), the class
token a one-hot product, the readout TF `depth_to_space` by its index formula. Everything runs in
float64 from float32 weights. Parameter names are the @ns/rin scope names so one safetensors file
serves both sides.

Writes packages/rin/fixtures/golden.safetensors (weights `param/<name>`, inputs, and per case the
outputs and the gradient of  loss = Σ prediction·wPred + Σ latents·wLatents  w.r.t. every parameter)
and packages/rin/fixtures/golden.json (config, cases, mask names).
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

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
B = 3
EPS = 1e-6
torch.set_default_dtype(torch.float64)
rng = np.random.default_rng(20261126)


class Weights:
    """Parameters created on first use, with generic (non-initial) values so every path counts."""

    def __init__(self):
        self.p = {}

    def get(self, name, shape, kind):
        if name not in self.p:
            if kind == 'kernel':
                lim = math.sqrt(6 / (shape[-2] + shape[-1]))
                v = rng.uniform(-lim, lim, shape)
            elif kind == 'gamma':
                v = 1 + 0.2 * rng.standard_normal(shape)
            elif kind == 'zero_gamma':  # LN₀ of self-conditioning: zero at init, not here
                v = 0.5 * rng.standard_normal(shape)
            elif kind == 'emb':
                v = 0.5 * rng.standard_normal(shape)
            else:  # bias, beta
                v = 0.1 * rng.standard_normal(shape)
            v = v.astype(np.float32).astype(np.float64)
            self.p[name] = torch.tensor(v, requires_grad=True)
        t = self.p[name]
        assert list(t.shape) == list(shape), (name, t.shape, shape)
        return t


W = Weights()


def dense(name, x, out):
    k = W.get(f'{name}/kernel', [x.shape[-1], out], 'kernel')
    return x @ k + W.get(f'{name}/bias', [out], 'bias')


def layer_norm(name, x, zero=False):
    D = x.shape[-1]
    g = W.get(f'{name}/gamma', [D], 'zero_gamma' if zero else 'gamma')
    return F.layer_norm(x, (D,), g, W.get(f'{name}/beta', [D], 'beta'), eps=EPS)


def mha(name, q_in, kv_in, heads, width, out):
    """Keras MultiHeadAttention: q/k/v/out denses with biases, softmax(q·k/√key_dim)."""
    q = dense(f'{name}/query', q_in, width)
    k = dense(f'{name}/key', kv_in, width)
    v = dense(f'{name}/value', kv_in, width)
    Bq, T, _ = q.shape
    S = k.shape[1]
    dh = width // heads
    q = q.view(Bq, T, heads, dh).transpose(1, 2)
    k = k.view(Bq, S, heads, dh).transpose(1, 2)
    v = v.view(Bq, S, heads, dh).transpose(1, 2)
    att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)
    o = (att @ v).transpose(1, 2).reshape(Bq, T, width)
    return dense(f'{name}/out', o, out)


def ffn(name, x, ratio, keep=None, rate=0.0):
    """Dense → exact GELU → dropout → Dense (P2S FeedForwardLayer)."""
    D = x.shape[-1]
    h = F.gelu(dense(f'{name}/dense1', x, D * ratio))
    if keep is not None:
        h = torch.where(keep, h / (1 - rate), torch.zeros_like(h))
    return dense(f'{name}/dense2', h, D)


def residual_mlp(name, x, ratio):
    return x + ffn(f'{name}/mlp', layer_norm(f'{name}/ln_mlp', x), ratio)


def cross_unit(name, query, context, heads, width, ratio):
    """Read/write: pre-LN on the query only; keys/values are the raw context."""
    q = query + mha(f'{name}/attn', layer_norm(f'{name}/ln_attn', query), context, heads, width,
                    query.shape[-1])
    return residual_mlp(name, q, ratio) if ratio > 0 else q


def drop_path(x, keep, rate):
    return x if keep is None else torch.where(keep, x / (1 - rate), torch.zeros_like(x))


def process_layer(name, z, heads, ratio, masks):
    def m(key):
        return None if masks is None else masks[f'mask/{name}/{key}']

    zn = layer_norm(f'{name}/ln_attn', z)
    z = z + drop_path(mha(f'{name}/attn', zn, zn, heads, z.shape[-1], z.shape[-1]), m('attn'),
                      CONFIG['dropPath'])
    h = ffn(f'{name}/mlp', layer_norm(f'{name}/ln_mlp', z), ratio, m('mlp/units'), CONFIG['dropout'])
    return z + drop_path(h, m('mlp'), CONFIG['dropPath'])


def posenc(p, dim):
    """Sines of the even-index angles then cosines of the odd ones: p·10000^(−2⌊i/2⌋/dim)."""
    i = torch.arange(dim)
    angles = p[:, None] * torch.pow(10000.0, -2 * torch.div(i, 2, rounding_mode='floor') / dim)
    return torch.cat([torch.sin(angles[:, 0::2]), torch.cos(angles[:, 1::2])], dim=-1)


def rin(x, gamma, labels, label_mask, latents_prev, masks=None):
    c = CONFIG
    H, C, p, d, D = c['imageSize'], c['channels'], c['patchSize'], c['interfaceDim'], c['latentDim']
    n = (H // p) ** 2
    # variance normalisation per example: population std over H·W·C, no epsilon
    x = x / x.std(dim=(1, 2, 3), unbiased=False, keepdim=True)
    # stem: Conv2D kernel = stride = p, VALID, TF kernel layout [p, p, C, d]
    k = W.get('stem/kernel', [p * p * C, d], 'kernel').view(p, p, C, d).permute(3, 2, 0, 1)
    X = F.conv2d(x.permute(0, 3, 1, 2), k, W.get('stem/bias', [d], 'bias'), stride=p)
    X = X.permute(0, 2, 3, 1).reshape(x.shape[0], n, d)
    X = layer_norm('stem/ln', X) + W.get('interface_pos_emb', [n, d], 'emb')
    # time token from γ
    e = posenc(1000 * gamma, D // 4)
    e = (e - e.mean(-1, keepdim=True)) / e.std(-1, unbiased=False, keepdim=True)
    t = dense('time_emb/dense1', F.silu(dense('time_emb/dense0', e, D)), D)
    # class token: Dense(one_hot · mask)
    onehot = F.one_hot(labels, c['numClasses']).to(torch.float64) * label_mask[:, None]
    y = dense('class_emb', onehot, D)
    learned = W.get('latent_pos_emb', [c['latents'] - 2, D], 'emb')
    Z = torch.cat([learned.expand(x.shape[0], -1, -1), t[:, None], y[:, None]], dim=1)
    # latent self-conditioning
    Z = Z + layer_norm('self_cond/ln_out', residual_mlp('self_cond', latents_prev,
                                                        c['latentMlpRatio']), zero=True)
    width = min(d, D)
    for i, K in enumerate(c['blocks']):
        Z = cross_unit(f'block{i}/read', Z, X, c['rwHeads'], width, c['latentMlpRatio'])
        for l in range(K):
            Z = process_layer(f'block{i}/process/layer{l}', Z, c['latentHeads'],
                              c['latentMlpRatio'], masks)
        X = cross_unit(f'block{i}/write', X, Z, c['rwHeads'], width, c['interfaceMlpRatio'])
    out = dense('readout', layer_norm('readout/ln', X), p * p * C)
    # TF depth_to_space: out[h·p+i, w·p+j, c] = in[h, w, (i·p+j)·C + c]
    h = H // p
    img = out.view(-1, h, h, p, p, C).permute(0, 1, 3, 2, 4, 5).reshape(-1, H, H, C)
    return img, Z


def f32(a):
    return np.asarray(a, dtype=np.float64).astype(np.float32)


def main():
    c = CONFIG
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
    }
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
    write_safetensors(os.path.join(OUT, 'golden.safetensors'), tensors)
    meta = {
        'source': 'tools/golden/rin/rin_reference.py (PyTorch %s, float64)' % torch.__version__,
        'config': CONFIG, 'batch': B, 'cases': list(cases), 'params': names,
        'masks': sorted(masks), 'trainCase': 'train_masks',
    }
    with open(os.path.join(OUT, 'golden.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print('params', sum(W.p[n].numel() for n in names), 'tensors', len(tensors))


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
