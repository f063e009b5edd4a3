#!/usr/bin/python3
"""Writes packages/data/test/fixtures/: images, arrays and reference values made by other tools
(PIL, numpy, zlib) that @ns/data's tests check against.

Run with Debian's python (numpy 1.24 and Pillow 9.4 from apt: python3-numpy python3-pil):
    /usr/bin/python3 tools/data/make_fixtures.py
Everything is seeded; rerunning writes the same files.
"""
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'data', 'test', 'fixtures')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20231126)
manifest = {'png': [], 'jpeg': [], 'resize': [], 'npz': [],
            'tools': {'numpy': np.__version__, 'pillow': Image.__version__}}


def save_raw(name, array):
    """Expected pixels as raw uint8 HWC bytes."""
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def smooth_image(h, w, c):
    """Gradients plus noise: realistic enough for filters and JPEG, small when compressed."""
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // max(w - 1, 1) + 40 * k) % 256 for k in range(c)], axis=-1)
    base = (base + (y * 9)[..., None]) % 256
    noise = rng.integers(-12, 13, size=(h, w, c))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


# --- PNGs written by Pillow --------------------------------------------------------------
rgb = smooth_image(11, 13, 3)
alpha = rng.integers(0, 256, size=(11, 13), dtype=np.uint8)
grey = smooth_image(11, 13, 1)[..., 0]


def pil_png(name, image, expected, **kw):
    image.save(os.path.join(OUT, name), format='PNG', **kw)
    save_raw(name + '.raw', expected)
    manifest['png'].append({'file': name, 'height': expected.shape[0], 'width': expected.shape[1],
                            'channels': expected.shape[2], 'writer': 'Pillow ' + Image.__version__})


pil_png('pil-grey.png', Image.fromarray(grey, 'L'), grey[..., None])
pil_png('pil-rgb.png', Image.fromarray(rgb, 'RGB'), rgb)
rgba = np.concatenate([rgb, alpha[..., None]], axis=-1)
pil_png('pil-rgba.png', Image.fromarray(rgba, 'RGBA'), rgba)
la = np.stack([grey, alpha], axis=-1)
pil_png('pil-grey-alpha.png', Image.fromarray(la, 'LA'), la)
# Palette with a transparent entry (tRNS): decodes to RGBA.
pal_img = Image.fromarray(rgb, 'RGB').quantize(colors=16, method=Image.Quantize.MEDIANCUT)
pal_img.info['transparency'] = 3
pal_rgba = np.array(pal_img.convert('RGBA'))
pil_png('pil-palette-trns.png', pal_img, pal_rgba, transparency=3)
# 16-bit grey: decoder keeps the high byte.
g16 = (grey.astype(np.uint16) * 257 + rng.integers(0, 257, size=grey.shape)).astype(np.uint16)
Image.fromarray(g16, 'I;16').save(os.path.join(OUT, 'pil-grey16.png'))
save_raw('pil-grey16.png.raw', (g16 >> 8).astype(np.uint8)[..., None])
manifest['png'].append({'file': 'pil-grey16.png', 'height': 11, 'width': 13, 'channels': 1,
                        'writer': 'Pillow ' + Image.__version__})
# 1-bit: 0 → 0, 1 → 255.
bits = (grey > 128)
Image.fromarray(bits).save(os.path.join(OUT, 'pil-1bit.png'))
save_raw('pil-1bit.png.raw', (bits * 255).astype(np.uint8)[..., None])
manifest['png'].append({'file': 'pil-1bit.png', 'height': 11, 'width': 13, 'channels': 1,
                        'writer': 'Pillow ' + Image.__version__})


# --- PNGs written here with zlib, one per row filter, and one Adam7-interlaced -----------
def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(pixels, bpp, ftype):
    """Applies PNG filter `ftype` to every row of pixels (H, rowbytes) uint8 -> bytes."""
    out = bytearray()
    prior = [0] * pixels.shape[1]
    for row in pixels.tolist():
        out.append(ftype)
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][ftype]
            out.append((x - pred) & 0xFF)
        prior = row
    return bytes(out)


def chunk(tag, data):
    return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xFFFFFFFF)


def write_png(name, arr, color_type, raw, interlace=0):
    h, w = arr.shape[:2]
    ihdr = struct.pack('>IIBBBBB', w, h, 8, color_type, 0, 0, interlace)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    save_raw(name + '.raw', arr)
    manifest['png'].append({'file': name, 'height': h, 'width': w, 'channels': arr.shape[2],
                            'writer': 'make_fixtures.py (zlib)'})


for ftype, fname in enumerate(['none', 'sub', 'up', 'average', 'paeth']):
    write_png(f'filter-{fname}.png', rgb, 2, filter_rows(rgb.reshape(11, -1), 3, ftype))

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
raw = b''
for pass_index, (x0, y0, dx, dy) in enumerate(ADAM7):
    sub = rgba[y0::dy, x0::dx]
    if sub.size:
        raw += filter_rows(sub.reshape(sub.shape[0], -1), 4, pass_index % 5)
write_png('adam7-rgba.png', rgba, 6, raw, interlace=1)

# --- JPEGs written by Pillow (libjpeg); expected = Pillow's own decode -------------------
# A smooth photo-like image (no wrap-around edges): with hard colour edges the two decoders'
# different chroma upsampling (libjpeg: triangle filter; jpeg-js: replication) would dominate.
yy, xx = np.mgrid[0:24, 0:32] / 8.0
photo = np.stack([128 + 100 * np.sin(xx + 0.3 * yy), 128 + 90 * np.cos(0.7 * yy - 0.2 * xx),
                  128 + 80 * np.sin(0.5 * (xx + yy))], axis=-1)
photo = np.clip(photo + rng.normal(0, 4, photo.shape), 0, 255).astype(np.uint8)
for name, kw in [('pil-444.jpg', {'subsampling': 0}), ('pil-420.jpg', {'subsampling': 2})]:
    Image.fromarray(photo, 'RGB').save(os.path.join(OUT, name), quality=92, **kw)
    decoded = np.array(Image.open(os.path.join(OUT, name)).convert('RGB'))
    save_raw(name + '.raw', decoded)
    manifest['jpeg'].append({'file': name, 'height': 24, 'width': 32, 'channels': 3})
grey_photo = photo[..., 0]
Image.fromarray(grey_photo, 'L').save(os.path.join(OUT, 'pil-grey.jpg'), quality=92)
decoded = np.array(Image.open(os.path.join(OUT, 'pil-grey.jpg')).convert('RGB'))
save_raw('pil-grey.jpg.raw', decoded)
manifest['jpeg'].append({'file': 'pil-grey.jpg', 'height': 24, 'width': 32, 'channels': 3})

# --- Resize references from Pillow (BOX for shrinking, BILINEAR for enlarging) ------------
source = smooth_image(18, 15, 3)
save_raw('resize-source.raw', source)
for method, pil_method, (h, w) in [('area', Image.BOX, (6, 5)), ('bilinear', Image.BILINEAR, (31, 40))]:
    out = np.array(Image.fromarray(source, 'RGB').resize((w, h), pil_method))
    name = f'resize-{method}-{h}x{w}.raw'
    save_raw(name, out)
    manifest['resize'].append({'file': name, 'method': method, 'height': h, 'width': w, 'reference': 'Pillow'})


def area_matrix(n_in, n_out):
    """(n_out, n_in) weights: overlap of output cell o, [o·s, (o+1)·s), with input pixel i, over s."""
    s = n_in / n_out
    lo = np.arange(n_out)[:, None] * s
    i = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(lo + s, i + 1) - np.maximum(lo, i), 0, None)
    return overlap / s


# Pillow's BOX gives each source pixel weight 0 or 1 by its centre, which is the exact area
# average only for integer factors; for a fractional factor the reference is the overlap matrix.
for h, w in [(7, 4), (5, 11)]:
    out = np.einsum('oh,hwc,pw->opc', area_matrix(18, h), source.astype(np.float64), area_matrix(15, w))
    name = f'resize-area-{h}x{w}.raw'
    save_raw(name, np.floor(out + 0.5))
    manifest['resize'].append({'file': name, 'method': 'area', 'height': h, 'width': w, 'reference': 'numpy overlap matrix'})
manifest['resizeSource'] = {'file': 'resize-source.raw', 'height': 18, 'width': 15, 'channels': 3}

# --- .npz in the ADM layout, written by numpy ---------------------------------------------
def pattern(shape):
    # The tests rebuild this: value = (7·i + 3) mod 256 over the C-order flat index i.
    return ((np.arange(np.prod(shape)) * 7 + 3) % 256).astype(np.uint8).reshape(shape)


np.savez(os.path.join(OUT, 'adm-rgb-labels.npz'), pattern((5, 4, 3, 3)), np.array([3, 0, 9, 1, 4], dtype=np.int64))
np.savez_compressed(os.path.join(OUT, 'adm-grey-compressed.npz'), pattern((6, 5, 4)))
np.savez(os.path.join(OUT, 'adm-float.npz'), np.zeros((2, 4, 4, 3), dtype=np.float32))
manifest['npz'] = [
    {'file': 'adm-rgb-labels.npz', 'shape': [5, 4, 3, 3], 'labels': [3, 0, 9, 1, 4], 'writer': 'numpy.savez'},
    {'file': 'adm-grey-compressed.npz', 'shape': [6, 5, 4, 1], 'labels': None, 'writer': 'numpy.savez_compressed'},
]

with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f, indent=1, default=int)
    f.write('\n')
print('wrote', len(os.listdir(OUT)), 'files to', os.path.normpath(OUT))
