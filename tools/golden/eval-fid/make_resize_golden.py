"""Golden outputs for @ns/eval-fid's image resizing (run with Debian's /usr/bin/python3, which has
torch and PIL; CI only reads the committed fixture).

  * bilinear: torch.nn.functional.interpolate(x, size, mode='bilinear', align_corners=False) on
    float32 [0, 1] images, as pytorch-fid (and clean-fid's legacy_pytorch) resize.
  * bicubic-antialias: PIL Image.fromarray(channel, mode='F').resize((w, h), Image.BICUBIC) per
    channel, as clean-fid's 'clean' mode (before its clip to [0, 255]).

    /usr/bin/python3 tools/golden/eval-fid/make_resize_golden.py
Writes packages/eval-fid/fixtures/golden/resize.json. Seeded and deterministic.
"""
import json
import os

import numpy as np
import PIL
import torch
import torch.nn.functional as F
from PIL import Image

OUT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "eval-fid", "fixtures", "golden"))
rng = np.random.default_rng(299)

cases = []
for (c, h, w) in [(3, 28, 28), (1, 32, 32), (3, 40, 23)]:
    img = rng.integers(0, 256, size=(c, h, w), dtype=np.uint8)
    for (oh, ow) in [(299, 299), (17, 9), (45, 61)]:
        x = torch.from_numpy(img.astype(np.float32) / 255.0)[None]
        bil = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)[0].numpy()
        bic = np.stack([
            np.asarray(Image.fromarray(img[k].astype(np.float32), mode="F").resize((ow, oh), resample=Image.BICUBIC))
            for k in range(c)
        ])
        # keep fixtures small: every step-th output pixel (~300 per channel) in raster order per channel, plus sums
        step = max(1, (oh * ow) // 300)
        cases.append({
            "channels": c, "height": h, "width": w, "out_height": oh, "out_width": ow,
            "image": img.flatten().tolist(),
            "sample_step": step,
            "bilinear_samples": bil.reshape(c, -1)[:, ::step].astype(np.float64).flatten().tolist(),
            "bilinear_sum": float(bil.astype(np.float64).sum()),
            "bicubic_samples": bic.reshape(c, -1)[:, ::step].astype(np.float64).flatten().tolist(),
            "bicubic_sum": float(bic.astype(np.float64).sum()),
        })

with open(os.path.join(OUT, "resize.json"), "w") as f:
    json.dump({"generator": "tools/golden/eval-fid/make_resize_golden.py", "torch": torch.__version__,
               "PIL": PIL.__version__, "cases": cases}, f)
print("wrote", os.path.join(OUT, "resize.json"))
