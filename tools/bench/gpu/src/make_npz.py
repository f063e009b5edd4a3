#!/usr/bin/env python3
"""A synthetic labelled image set in the ADM .npz layout (arr_0 uint8 N×H×W×C, arr_1 int64 N),
for training the cifar10 preset where CIFAR-10 itself cannot be fetched. Step times and the
CUDA/CPU agreement do not depend on what the images show; smooth random blobs keep the loss
well-behaved. Usage: make_npz.py OUT.npz SIZE CHANNELS CLASSES COUNT
"""
import sys

import numpy as np

out, size, channels, classes, count = sys.argv[1], *map(int, sys.argv[2:6])
rng = np.random.default_rng(0)
coarse = rng.uniform(0, 255, (count, size // 4, size // 4, channels))
images = np.repeat(np.repeat(coarse, 4, axis=1), 4, axis=2).astype(np.uint8)
labels = rng.integers(0, classes, count).astype(np.int64)
np.savez(out, arr_0=images, arr_1=labels)
print(f'make_npz: {out}: {count} × {size}×{size}×{channels}, {classes} classes')
