import { assertPositiveInt, type Image } from './image.js';

/**
 * 'area' averages every source pixel a target pixel covers, weighted by overlap (a box filter,
 * like OpenCV INTER_AREA; equal to PIL's BOX for integer factors): the right choice for
 * shrinking, free of aliasing.
 * 'bilinear' interpolates the four nearest samples at pixel centres (align_corners = false, no
 * antialiasing): fine for enlarging and small changes. 'auto' picks area when shrinking an axis
 * and bilinear when enlarging it.
 */
export type ResizeMethod = 'area' | 'bilinear' | 'auto';

interface Taps {
  /** first source index for each target index */
  start: Int32Array;
  /** number of taps for each target index */
  count: Int32Array;
  /** weights, `maxTaps` per target index */
  weights: Float64Array;
  maxTaps: number;
}

function bilinearTaps(from: number, to: number): Taps {
  const scale = from / to;
  const start = new Int32Array(to);
  const count = new Int32Array(to).fill(2);
  const weights = new Float64Array(to * 2);
  for (let i = 0; i < to; i++) {
    const x = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
    const x0 = Math.min(Math.floor(x), from - 1);
    const frac = x - x0;
    start[i] = x0;
    weights[2 * i] = 1 - frac;
    // At the last source pixel frac is 0, so reading x0+1 would be out of range: clamp the tap.
    if (x0 + 1 >= from) count[i] = 1;
    else weights[2 * i + 1] = frac;
  }
  return { start, count, weights, maxTaps: 2 };
}

function areaTaps(from: number, to: number): Taps {
  const scale = from / to;
  const maxTaps = Math.ceil(scale) + 1;
  const start = new Int32Array(to);
  const count = new Int32Array(to);
  const weights = new Float64Array(to * maxTaps);
  for (let i = 0; i < to; i++) {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    const first = Math.floor(lo);
    const last = Math.min(Math.ceil(hi), from);
    start[i] = first;
    count[i] = last - first;
    for (let j = first; j < last; j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      weights[i * maxTaps + (j - first)] = overlap / scale;
    }
  }
  return { start, count, weights, maxTaps };
}

function tapsFor(method: ResizeMethod, from: number, to: number): Taps {
  const resolved = method === 'auto' ? (to < from ? 'area' : 'bilinear') : method;
  if (resolved === 'area') return areaTaps(from, to);
  if (resolved === 'bilinear') return bilinearTaps(from, to);
  throw new RangeError(`method: expected 'area', 'bilinear' or 'auto', got ${String(method)}`);
}

/** Resizes to `height`×`width` with a separable filter (rows first, then columns). */
export function resizeImage(
  image: Image,
  height: number,
  width: number,
  method: ResizeMethod = 'auto',
): Image {
  assertPositiveInt('height', height);
  assertPositiveInt('width', width);
  const { data, channels } = image;
  if (image.height === height && image.width === width) return image;
  const tx = tapsFor(method, image.width, width);
  const ty = tapsFor(method, image.height, height);

  // Horizontal pass into float rows, then vertical pass with rounding.
  const mid = new Float64Array(image.height * width * channels);
  for (let y = 0; y < image.height; y++) {
    const srcRow = y * image.width * channels;
    const dstRow = y * width * channels;
    for (let x = 0; x < width; x++) {
      const s = tx.start[x]!;
      const n = tx.count[x]!;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++)
          sum += tx.weights[x * tx.maxTaps + k]! * data[srcRow + (s + k) * channels + c]!;
        mid[dstRow + x * channels + c] = sum;
      }
    }
  }
  const out = new Uint8Array(height * width * channels);
  const stride = width * channels;
  for (let y = 0; y < height; y++) {
    const s = ty.start[y]!;
    const n = ty.count[y]!;
    for (let i = 0; i < stride; i++) {
      let sum = 0;
      for (let k = 0; k < n; k++)
        sum += ty.weights[y * ty.maxTaps + k]! * mid[(s + k) * stride + i]!;
      // Weights are non-negative and sum to 1, so sum ∈ [0, 255]: +0.5 and truncation (by the
      // Uint8Array store) round half up without Math calls in the hot loop.
      out[y * stride + i] = sum + 0.5;
    }
  }
  return { data: out, height, width, channels };
}

/** Cuts the centred `height`×`width` window (offsets rounded down, as PIL/torchvision do). */
export function centerCrop(image: Image, height: number, width: number): Image {
  assertPositiveInt('height', height);
  assertPositiveInt('width', width);
  if (height > image.height || width > image.width) {
    throw new RangeError(
      `centerCrop: crop ${height}×${width} is larger than the image ${image.height}×${image.width}`,
    );
  }
  if (height === image.height && width === image.width) return image;
  const top = Math.floor((image.height - height) / 2);
  const left = Math.floor((image.width - width) / 2);
  const { channels } = image;
  const out = new Uint8Array(height * width * channels);
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * channels;
    out.set(image.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { data: out, height, width, channels };
}

/**
 * Scales so the shorter side is `size`, then centre-crops to `size`×`size`: the usual way to
 * make square training images without distorting them (as ADM's center_crop_arr).
 */
export function resizeCenterCrop(image: Image, size: number, method: ResizeMethod = 'auto'): Image {
  assertPositiveInt('size', size);
  const scale = size / Math.min(image.height, image.width);
  const height = Math.max(size, Math.round(image.height * scale));
  const width = Math.max(size, Math.round(image.width * scale));
  return centerCrop(resizeImage(image, height, width, method), size, size);
}

/** Mirrors each row of `count` NHWC images in place (left ↔ right). */
export function flipHorizontalInPlace(
  images: Uint8Array,
  height: number,
  width: number,
  channels: number,
  offset = 0,
): void {
  const rowBytes = width * channels;
  for (let y = 0; y < height; y++) {
    const row = offset + y * rowBytes;
    for (let l = 0, r = width - 1; l < r; l++, r--) {
      for (let c = 0; c < channels; c++) {
        const a = row + l * channels + c;
        const b = row + r * channels + c;
        const t = images[a]!;
        images[a] = images[b]!;
        images[b] = t;
      }
    }
  }
}
