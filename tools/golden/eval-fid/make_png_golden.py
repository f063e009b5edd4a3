"""PNG decoder fixtures for @ns/eval-fid, written and decoded by PIL (Debian /usr/bin/python3).

    /usr/bin/python3 tools/golden/eval-fid/make_png_golden.py

Writes packages/eval-fid/fixtures/golden/png/: small PNGs in several colour types and filters
(PIL chooses filters per row with its default optimisation), and png.json with, per file, what
PIL's convert('RGB') (or 'L' for grey files) returns. folder/ holds three same-size images (one
grey) for the image-folder reader. Seeded and deterministic.
"""
import json
import os

import numpy as np
from PIL import Image

OUT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "packages", "eval-fid", "fixtures", "golden", "png"))
os.makedirs(os.path.join(OUT, "folder"), exist_ok=True)
rng = np.random.default_rng(7)


def smooth(h, w, c):
    # gradients plus noise, so the encoder uses all filter types rather than only None
    y, x = np.mgrid[0:h, 0:w]
    base = (x * 13 + y * 7)[..., None] + np.arange(c) * 40
    return ((base + rng.integers(0, 24, size=(h, w, c))) % 256).astype(np.uint8)


cases = []


def add(name, img, expect_mode):
    path = os.path.join(OUT, name)
    img.save(path, optimize=True)
    want = np.asarray(Image.open(path).convert(expect_mode))
    cases.append({"file": name, "mode": img.mode, "width": img.width, "height": img.height,
                  "channels": 1 if expect_mode == "L" else 3, "pixels": want.flatten().tolist()})


add("grey.png", Image.fromarray(smooth(9, 11, 1)[..., 0], "L"), "L")
add("rgb.png", Image.fromarray(smooth(10, 7, 3), "RGB"), "RGB")
add("rgba.png", Image.fromarray(smooth(6, 8, 4), "RGBA"), "RGB")
add("grey_alpha.png", Image.fromarray(smooth(5, 6, 2), "LA"), "L")
add("palette.png", Image.fromarray(smooth(8, 8, 3), "RGB").quantize(colors=200), "RGB")
add("palette_4bit.png", Image.fromarray(smooth(7, 9, 3), "RGB").quantize(colors=12), "RGB")

for k, img in enumerate([smooth(6, 5, 3), smooth(6, 5, 3), smooth(6, 5, 1)[..., 0]]):
    Image.fromarray(img).save(os.path.join(OUT, "folder", f"img{k}.png"))
folder = [np.asarray(Image.open(os.path.join(OUT, "folder", f"img{k}.png")).convert("RGB")) for k in range(3)]

with open(os.path.join(OUT, "png.json"), "w") as f:
    json.dump({"generator": "tools/golden/eval-fid/make_png_golden.py", "cases": cases,
               "folder": {"shape": [3, 6, 5, 3], "pixels": np.stack(folder).flatten().tolist()}}, f)
print("wrote", OUT)
