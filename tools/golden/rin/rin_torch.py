"""A PyTorch RIN written from the spec (../shared/spec/paper-spec.md §5.2, P2S `ImageTapeDenoiser`).

Independent of the TypeScript graph: the stem is a stride-p Conv2D with a TF HWIO kernel, the class
token a one-hot product, the readout TF `depth_to_space` by its index formula. Parameters live in
a flat dict under the @ns/rin scope names (`block0/read/attn/query/kernel`, …), created on first
use by a `Weights` object, so one safetensors file serves both sides.

Used by rin_reference.py (golden fixtures, float64) and ../../bench/rin/peer_torch.py (float32).
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-6  # all LayerNorms (Keras layers in P2S)


class Weights:
    """Parameters created on first use. `generic=True` draws values away from the initial ones
    (nonzero LN₀ scale, biases, γ ≠ 1) so that every path carries signal; otherwise the reference
    initialisers (glorot-uniform kernels, zero biases, unit/zero LN, N(0, 0.02) embeddings)."""

    def __init__(self, rng, dtype=torch.float64, generic=True):
        self.p = {}
        self.rng = rng
        self.dtype = dtype
        self.generic = generic

    def get(self, name, shape, kind):
        if name not in self.p:
            r = self.rng
            if kind == 'kernel':
                lim = math.sqrt(6 / (shape[-2] + shape[-1]))
                v = r.uniform(-lim, lim, shape)
            elif not self.generic:
                v = {'gamma': np.ones(shape), 'zero_gamma': np.zeros(shape),
                     'emb': 0.02 * np.clip(r.standard_normal(shape), -2, 2)}.get(kind, np.zeros(shape))
            elif kind == 'gamma':
                v = 1 + 0.2 * r.standard_normal(shape)
            elif kind == 'zero_gamma':  # LN₀ of self-conditioning: zero at init, not here
                v = 0.5 * r.standard_normal(shape)
            elif kind == 'emb':
                v = 0.5 * r.standard_normal(shape)
            else:  # bias, beta
                v = 0.1 * r.standard_normal(shape)
            v = np.asarray(v).astype(np.float32)
            self.p[name] = torch.tensor(v, dtype=self.dtype, requires_grad=True)
        t = self.p[name]
        assert list(t.shape) == list(shape), (name, t.shape, shape)
        return t


class RinTorch:
    def __init__(self, config, weights):
        self.c = config
        self.W = weights

    def dense(self, name, x, out):
        k = self.W.get(f'{name}/kernel', [x.shape[-1], out], 'kernel')
        return x @ k + self.W.get(f'{name}/bias', [out], 'bias')

    def layer_norm(self, name, x, zero=False):
        D = x.shape[-1]
        g = self.W.get(f'{name}/gamma', [D], 'zero_gamma' if zero else 'gamma')
        return F.layer_norm(x, (D,), g, self.W.get(f'{name}/beta', [D], 'beta'), eps=EPS)

    def mha(self, name, q_in, kv_in, heads, width, out):
        """Keras MultiHeadAttention: q/k/v/out denses with biases, softmax(q·k/√key_dim)."""
        q = self.dense(f'{name}/query', q_in, width)
        k = self.dense(f'{name}/key', kv_in, width)
        v = self.dense(f'{name}/value', kv_in, width)
        B, T, _ = q.shape
        S = k.shape[1]
        dh = width // heads
        q = q.view(B, T, heads, dh).transpose(1, 2)
        k = k.view(B, S, heads, dh).transpose(1, 2)
        v = v.view(B, S, heads, dh).transpose(1, 2)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, width)
        return self.dense(f'{name}/out', o, out)

    def ffn(self, name, x, ratio, keep=None, rate=0.0):
        """Dense → exact GELU → dropout → Dense (P2S FeedForwardLayer)."""
        D = x.shape[-1]
        h = F.gelu(self.dense(f'{name}/dense1', x, D * ratio))
        if keep is not None:
            h = torch.where(keep, h / (1 - rate), torch.zeros_like(h))
        return self.dense(f'{name}/dense2', h, D)

    def residual_mlp(self, name, x, ratio):
        return x + self.ffn(f'{name}/mlp', self.layer_norm(f'{name}/ln_mlp', x), ratio)

    def cross_unit(self, name, query, context, heads, width, ratio):
        """Read/write: pre-LN on the query only; keys/values are the raw context."""
        q = query + self.mha(f'{name}/attn', self.layer_norm(f'{name}/ln_attn', query), context,
                             heads, width, query.shape[-1])
        return self.residual_mlp(name, q, ratio) if ratio > 0 else q

    @staticmethod
    def drop_path(x, keep, rate):
        return x if keep is None else torch.where(keep, x / (1 - rate), torch.zeros_like(x))

    def process_layer(self, name, z, masks):
        c = self.c

        def m(key):
            return None if masks is None else masks.get(f'mask/{name}/{key}')

        zn = self.layer_norm(f'{name}/ln_attn', z)
        D = z.shape[-1]
        z = z + self.drop_path(self.mha(f'{name}/attn', zn, zn, c['latentHeads'], D, D), m('attn'),
                               c['dropPath'])
        h = self.ffn(f'{name}/mlp', self.layer_norm(f'{name}/ln_mlp', z), c['latentMlpRatio'],
                     m('mlp/units'), c['dropout'])
        return z + self.drop_path(h, m('mlp'), c['dropPath'])

    @staticmethod
    def posenc(p, dim):
        """Sines of the even-index angles then cosines of the odd ones: p·10000^(−2⌊i/2⌋/dim)."""
        i = torch.arange(dim, dtype=p.dtype)
        angles = p[:, None] * torch.pow(10000.0, -2 * torch.div(i, 2, rounding_mode='floor') / dim)
        return torch.cat([torch.sin(angles[:, 0::2]), torch.cos(angles[:, 1::2])], dim=-1)

    def __call__(self, x, gamma, labels, label_mask, latents_prev, masks=None):
        c = self.c
        H, C, p = c['imageSize'], c['channels'], c['patchSize']
        d, D = c['interfaceDim'], c['latentDim']
        n = (H // p) ** 2
        B = x.shape[0]
        # variance normalisation per example: population std over H·W·C, no epsilon
        x = x / x.std(dim=(1, 2, 3), unbiased=False, keepdim=True)
        # stem: Conv2D kernel = stride = p, VALID, TF kernel layout [p, p, C, d]
        k = self.W.get('stem/kernel', [p * p * C, d], 'kernel').view(p, p, C, d).permute(3, 2, 0, 1)
        X = F.conv2d(x.permute(0, 3, 1, 2), k, self.W.get('stem/bias', [d], 'bias'), stride=p)
        X = X.permute(0, 2, 3, 1).reshape(B, n, d)
        X = self.layer_norm('stem/ln', X) + self.W.get('interface_pos_emb', [n, d], 'emb')
        # time token from γ: posenc(1000·γ, D/4), standardised, Dense → SiLU → Dense
        e = self.posenc(1000 * gamma, D // 4)
        e = (e - e.mean(-1, keepdim=True)) / e.std(-1, unbiased=False, keepdim=True)
        t = self.dense('time_emb/dense1', F.silu(self.dense('time_emb/dense0', e, D)), D)
        tokens = [t[:, None]]
        if c['numClasses'] > 0:  # class token: Dense(one_hot · mask)
            onehot = F.one_hot(labels, c['numClasses']).to(x.dtype) * label_mask[:, None]
            tokens.append(self.dense('class_emb', onehot, D)[:, None])
        learned = self.W.get('latent_pos_emb', [c['latents'] - len(tokens), D], 'emb')
        Z = torch.cat([learned.expand(B, -1, -1)] + tokens, dim=1)
        if c['selfCondition'] == 'latent':  # Z += LN₀(Z' + FFN(LN(Z')))
            h = self.residual_mlp('self_cond', latents_prev, c['latentMlpRatio'])
            Z = Z + self.layer_norm('self_cond/ln_out', h, zero=True)
        width = min(d, D)
        for i, K in enumerate(c['blocks']):
            Z = self.cross_unit(f'block{i}/read', Z, X, c['rwHeads'], width, c['latentMlpRatio'])
            for l in range(K):
                Z = self.process_layer(f'block{i}/process/layer{l}', Z, masks)
            X = self.cross_unit(f'block{i}/write', X, Z, c['rwHeads'], width,
                                c['interfaceMlpRatio'])
        out = self.dense('readout', self.layer_norm('readout/ln', X), p * p * C)
        # TF depth_to_space: out[h·p+i, w·p+j, c] = in[h, w, (i·p+j)·C + c]
        h = H // p
        img = out.view(B, h, h, p, p, C).permute(0, 1, 3, 2, 4, 5).reshape(B, H, H, C)
        return img, Z
