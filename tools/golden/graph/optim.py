#!/usr/bin/python3
"""Reference optimizer updates for @ns/graph (run with Debian python3-torch: /usr/bin/python3).

Writes packages/graph/fixtures/optim.json: three steps of
  * AdamW: torch.optim.AdamW (float64) with a no-decay group for names matching bias|beta|gamma;
  * LAMB: a line-by-line numpy transcription of tfa.optimizers.LAMB._resource_apply_dense
    (tensorflow-addons is not packaged in Debian), exclusions as tfa's re.search;
  * global-norm clipping as tf.clip_by_global_norm, applied to the gradients first;
  * EMA of the updated parameters, ema = d*ema + (1-d)*w, shadow initialised to the initial weights.
"""
import json
import os
import re

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', '..', 'packages', 'graph', 'fixtures', 'optim.json')

rng = np.random.default_rng(20261126)
SHAPES = {
    'dense/kernel': [3, 4],
    'dense/bias': [4],
    'ln/gamma': [4],
    'ln/beta': [4],
    'pos_embedding': [2, 3],
    'zero/kernel': [2, 2],  # all zeros: exercises LAMB's ‖w‖ = 0 → trust ratio 1
}
EXCLUDE = ['bias', 'beta', 'gamma']
HYPER = dict(beta1=0.9, beta2=0.99, epsilon=1e-6, weightDecay=0.1)
STEPS = 3
LRS = [0.01, 0.02, 0.005]
EMA_DECAY = 0.9

init = {n: (np.zeros(s) if n == 'zero/kernel' else rng.normal(size=s)) for n, s in SHAPES.items()}
grads = [{n: rng.normal(size=s) * (3.0 if n == 'dense/kernel' else 1.0) for n, s in SHAPES.items()} for _ in range(STEPS)]


def excluded(name, patterns):
    return any(re.search(p, name) is not None for p in patterns)


def clip_by_global_norm(gs, clip):
    if clip is None:
        return gs, None
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in gs.values()))
    scale = clip / max(norm, clip)
    return {n: g * scale for n, g in gs.items()}, norm


def run_adamw(clip):
    params = {n: torch.tensor(v.copy(), dtype=torch.float64, requires_grad=True) for n, v in init.items()}
    decay = [p for n, p in params.items() if not excluded(n, EXCLUDE)]
    no_decay = [p for n, p in params.items() if excluded(n, EXCLUDE)]
    opt = torch.optim.AdamW(
        [{'params': decay, 'weight_decay': HYPER['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}],
        lr=LRS[0], betas=(HYPER['beta1'], HYPER['beta2']), eps=HYPER['epsilon'])
    return run(params, opt, clip, lambda n: (opt.state[params[n]]['exp_avg'], opt.state[params[n]]['exp_avg_sq']))


def run(params, opt, clip, moments):
    ema = {n: v.copy() for n, v in init.items()}
    trace = []
    for k in range(STEPS):
        gs, norm = clip_by_global_norm(grads[k], clip)
        for n, p in params.items():
            p.grad = torch.tensor(gs[n], dtype=torch.float64)
        for group in opt.param_groups:
            group['lr'] = LRS[k]
        opt.step()
        for n, p in params.items():
            ema[n] = EMA_DECAY * ema[n] + (1 - EMA_DECAY) * p.detach().numpy()
        trace.append(snapshot({n: p.detach().numpy() for n, p in params.items()},
                              {n: [t.numpy() for t in moments(n)] for n in params}, ema, norm))
    return trace


def run_lamb(clip):
    b1, b2, eps, wd = HYPER['beta1'], HYPER['beta2'], HYPER['epsilon'], HYPER['weightDecay']
    w = {n: v.copy() for n, v in init.items()}
    m = {n: np.zeros_like(v) for n, v in init.items()}
    v = {n: np.zeros_like(x) for n, x in init.items()}
    ema = {n: x.copy() for n, x in init.items()}
    trace = []
    for k in range(STEPS):
        gs, norm = clip_by_global_norm(grads[k], clip)
        local_step = k + 1
        for n in w:
            g = gs[n]
            m[n] = m[n] * b1 + g * (1 - b1)
            v[n] = v[n] * b2 + g * g * (1 - b2)
            m_hat = m[n] / (1 - b1 ** local_step)
            v_hat = v[n] / (1 - b2 ** local_step)
            update = m_hat / (np.sqrt(v_hat) + eps)
            if not excluded(n, EXCLUDE):  # _do_use_weight_decay
                update = update + wd * w[n]
            ratio = 1.0
            if not excluded(n, EXCLUDE):  # _do_layer_adaptation (defaults to the decay list)
                w_norm = np.linalg.norm(w[n])
                g_norm = np.linalg.norm(update)
                ratio = (w_norm / g_norm if g_norm > 0 else 1.0) if w_norm > 0 else 1.0
            w[n] = w[n] - ratio * LRS[k] * update
        for n in w:
            ema[n] = EMA_DECAY * ema[n] + (1 - EMA_DECAY) * w[n]
        trace.append(snapshot(w, {n: [m[n], v[n]] for n in w}, ema, norm))
    return trace


def snapshot(w, moments, ema, norm):
    return {
        'params': {n: np.asarray(x).ravel().tolist() for n, x in w.items()},
        'm': {n: np.asarray(mv[0]).ravel().tolist() for n, mv in moments.items()},
        'v': {n: np.asarray(mv[1]).ravel().tolist() for n, mv in moments.items()},
        'ema': {n: np.asarray(x).ravel().tolist() for n, x in ema.items()},
        'gradNorm': norm,
    }


fixture = {
    'generator': 'tools/golden/graph/optim.py (torch %s, numpy %s)' % (torch.__version__, np.__version__),
    'shapes': SHAPES,
    'hyper': HYPER,
    'exclude': EXCLUDE,
    'lrs': LRS,
    'emaDecay': EMA_DECAY,
    'init': {n: v.ravel().tolist() for n, v in init.items()},
    'grads': [{n: g.ravel().tolist() for n, g in gs.items()} for gs in grads],
    'cases': {
        'adamw': {'clipNorm': None, 'trace': run_adamw(None)},
        'adamw_clip': {'clipNorm': 2.0, 'trace': run_adamw(2.0)},
        'lamb': {'clipNorm': None, 'trace': run_lamb(None)},
        'lamb_clip': {'clipNorm': 2.0, 'trace': run_lamb(2.0)},
    },
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixture, f)
print('wrote', os.path.relpath(OUT, os.getcwd()))
