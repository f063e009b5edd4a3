import { fail } from '../errors.js';

/**
 * Image resizing in the two conventions FID tools use, on planar float images (C × H × W,
 * row-major per channel). Upsampling 28/32-px data to 299 px changes FID by whole points between
 * conventions, so the mode is part of every result.
 *
 * - `bilinear`: torch `F.interpolate(mode='bilinear', align_corners=False)` without antialias
 *   (pytorch-fid, clean-fid `legacy_pytorch`): source = (dst + ½)·in/out − ½, clamped.
 * - `bicubic-antialias`: PIL `Image.resize(BICUBIC)` on mode 'F' images (clean-fid `clean`):
 *   separable, horizontal pass first, cubic a = −½ with its support widened by the downscale
 *   factor (antialiasing), normalised weights, a float32 intermediate image like PIL's.
 */
export type ResizeFilter = 'bilinear' | 'bicubic-antialias';

export interface PlanarImage {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  /** channels × height × width */
  readonly data: Float32Array;
}

export function resizeImage(
  image: PlanarImage,
  height: number,
  width: number,
  filter: ResizeFilter,
): PlanarImage {
  for (const [name, v] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 1) fail(name, 'a positive integer', v);
  }
  if (image.data.length !== image.channels * image.height * image.width) {
    fail(
      'image.data',
      `${image.channels}×${image.height}×${image.width} values`,
      image.data.length,
    );
  }
  return filter === 'bilinear'
    ? resizeBilinear(image, height, width)
    : resizeBicubicAntialias(image, height, width);
}

/** Per output index: two source indices and the weight of the second. */
function bilinearTaps(inSize: number, outSize: number) {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    // torch computes in float32 for float inputs: src = scale·(o + ½) − ½, negatives clamped to 0
    const src = Math.max(Math.fround(Math.fround(scale) * (o + 0.5) - 0.5), 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, inSize - 1);
    t[o] = Math.fround(src - lo);
  }
  return { i0, i1, t };
}

function resizeBilinear(image: PlanarImage, outH: number, outW: number): PlanarImage {
  const { channels, height: inH, width: inW, data } = image;
  const ys = bilinearTaps(inH, outH);
  const xs = bilinearTaps(inW, outW);
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    const plane = c * inH * inW;
    for (let oy = 0; oy < outH; oy++) {
      const r0 = plane + ys.i0[oy]! * inW;
      const r1 = plane + ys.i1[oy]! * inW;
      const ty = ys.t[oy]!;
      const o = (c * outH + oy) * outW;
      for (let ox = 0; ox < outW; ox++) {
        const a = xs.i0[ox]!;
        const b = xs.i1[ox]!;
        const tx = xs.t[ox]!;
        const top = (1 - tx) * data[r0 + a]! + tx * data[r0 + b]!;
        const bottom = (1 - tx) * data[r1 + a]! + tx * data[r1 + b]!;
        out[o + ox] = (1 - ty) * top + ty * bottom;
      }
    }
  }
  return { channels, height: outH, width: outW, data: out };
}

function cubic(x: number): number {
  const a = -0.5;
  const ax = Math.abs(x);
  if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
  if (ax < 2) return ((ax - 5) * ax + 8) * ax * a - 4 * a;
  return 0;
}

/** PIL's precomputed coefficients: for each output index, a window start and normalised weights. */
function antialiasTaps(inSize: number, outSize: number) {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const starts = new Int32Array(outSize);
  const counts = new Int32Array(outSize);
  const taps = Math.ceil(support) * 2 + 1;
  const weights = new Float64Array(outSize * taps);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let total = 0;
    for (let x = lo; x < hi; x++) {
      const w = cubic((x - centre + 0.5) / filterScale);
      weights[o * taps + (x - lo)] = w;
      total += w;
    }
    if (total !== 0) {
      for (let x = 0; x < hi - lo; x++) weights[o * taps + x] = weights[o * taps + x]! / total;
    }
    starts[o] = lo;
    counts[o] = hi - lo;
  }
  return { starts, counts, weights, taps };
}

function resizeBicubicAntialias(image: PlanarImage, outH: number, outW: number): PlanarImage {
  const { channels, height: inH, width: inW, data } = image;
  const xs = antialiasTaps(inW, outW);
  const ys = antialiasTaps(inH, outH);
  const mid = new Float32Array(inH * outW); // PIL keeps the intermediate image in float32
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    const plane = c * inH * inW;
    for (let y = 0; y < inH; y++) {
      for (let ox = 0; ox < outW; ox++) {
        const start = xs.starts[ox]!;
        const n = xs.counts[ox]!;
        let s = 0;
        for (let k = 0; k < n; k++)
          s += data[plane + y * inW + start + k]! * xs.weights[ox * xs.taps + k]!;
        mid[y * outW + ox] = s;
      }
    }
    for (let oy = 0; oy < outH; oy++) {
      const start = ys.starts[oy]!;
      const n = ys.counts[oy]!;
      for (let ox = 0; ox < outW; ox++) {
        let s = 0;
        for (let k = 0; k < n; k++)
          s += mid[(start + k) * outW + ox]! * ys.weights[oy * ys.taps + k]!;
        out[(c * outH + oy) * outW + ox] = s;
      }
    }
  }
  return { channels, height: outH, width: outW, data: out };
}
