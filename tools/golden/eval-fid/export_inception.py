"""Export an Inception-v3 *architecture with random weights* (Debian python3-torchvision; the FID
weights cannot be downloaded here) to ONNX under the @ns/eval-fid extractor contract, plus torch's
own outputs for a few images, so check_inception.mjs can compare our preprocessing + onnxruntime
against torch end to end.

    /usr/bin/python3 tools/golden/eval-fid/export_inception.py OUTDIR

Writes to OUTDIR (not committed: the model is ~90 MB):
  inception_random.onnx  input x float32 [B,3,299,299] -> output pool3 float32 [B,2048]
  images.npy             uint8 [4, 32, 32, 3] (NHWC) test images (seeded)
  pool3_legacy_pytorch.npy  torch features after: x/255 -> F.interpolate(bilinear,
                         align_corners=False) -> 2x-1 (pytorch-fid's resize_input/normalize_input)
  pool3_clean.npy        torch features after: PIL bicubic on mode 'F' per channel -> clip
                         [0,255] -> (x-128)/128 (clean-fid's 'clean')

To use real FID weights instead, export pytorch-fid's InceptionV3([3], resize_input=False,
normalize_input=False) the same way on a machine that has them (see the package README).
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ns-inception"
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)


class Pool3(torch.nn.Module):
    """torchvision Inception-v3 trunk up to the global average pool: the 2048-d 'pool3'."""

    def __init__(self):
        super().__init__()
        net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
        net.fc = torch.nn.Identity()
        net.dropout = torch.nn.Identity()
        self.net = net.eval()

    def forward(self, x):
        return self.net(x).flatten(1)


model = Pool3()
# Random weights make activations grow by orders of magnitude per block (features ~1e11), which
# hides real mismatches. Calibrate the BatchNorm running statistics on random inputs (cumulative
# average), so every layer is normalised and the features are O(1), as with trained weights.
for m in model.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.reset_running_stats()
        m.momentum = None
model.train()
with torch.no_grad():
    for _ in range(2):
        model(torch.rand(8, 3, 299, 299) * 2 - 1)
model.eval()
dummy = torch.zeros(1, 3, 299, 299)
path = os.path.join(out, "inception_random.onnx")
torch.onnx.export(model, dummy, path, input_names=["x"], output_names=["pool3"],
                  dynamic_axes={"x": {0: "batch"}, "pool3": {0: "batch"}}, opset_version=17,
                  do_constant_folding=True)

rng = np.random.default_rng(2015)
images = rng.integers(0, 256, size=(4, 32, 32, 3), dtype=np.uint8)
np.save(os.path.join(out, "images.npy"), images)

with torch.no_grad():
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    np.save(os.path.join(out, "pool3_legacy_pytorch.npy"), model(2 * x - 1).numpy())

    planes = []
    for img in images:
        chans = [np.asarray(Image.fromarray(img[:, :, c].astype(np.float32), mode="F").resize((299, 299), Image.BICUBIC))
                 for c in range(3)]
        planes.append(np.stack(chans).clip(0, 255))
    x = (torch.from_numpy(np.stack(planes)) - 128) / 128
    np.save(os.path.join(out, "pool3_clean.npy"), model(x).numpy())
print("wrote", out, os.path.getsize(path), "bytes")
