import { resizeImage } from '../src/index.js';
import { readJson } from './helpers.js';

interface ResizeCase {
  channels: number;
  height: number;
  width: number;
  out_height: number;
  out_width: number;
  image: number[];
  sample_step: number;
  bilinear_samples: number[];
  bilinear_sum: number;
  bicubic_samples: number[];
  bicubic_sum: number;
}
const golden = readJson<{ cases: ResizeCase[] }>('golden', 'resize.json');

function samples(data: Float32Array, channels: number, step: number): number[] {
  const per = data.length / channels;
  const out: number[] = [];
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < per; i += step) out.push(data[c * per + i]!);
  return out;
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe.each(
  golden.cases.map(
    (c) => [`${c.channels}×${c.height}×${c.width} → ${c.out_height}×${c.out_width}`, c] as const,
  ),
)('resize %s', (_name, c) => {
  const u8 = Float32Array.from(c.image);
  test('bilinear matches torch F.interpolate(align_corners=False) on [0, 1] input', () => {
    const img = {
      channels: c.channels,
      height: c.height,
      width: c.width,
      data: u8.map((v) => v / 255),
    };
    const out = resizeImage(img, c.out_height, c.out_width, 'bilinear');
    expect(
      maxAbsDiff(samples(out.data, c.channels, c.sample_step), c.bilinear_samples),
    ).toBeLessThan(2e-6);
    expect(Math.abs(out.data.reduce((s, v) => s + v, 0) - c.bilinear_sum)).toBeLessThan(
      1e-6 * out.data.length,
    );
  });

  test("bicubic-antialias matches PIL Image.resize(BICUBIC) on mode 'F'", () => {
    const img = { channels: c.channels, height: c.height, width: c.width, data: u8 };
    const out = resizeImage(img, c.out_height, c.out_width, 'bicubic-antialias');
    expect(maxAbsDiff(samples(out.data, c.channels, c.sample_step), c.bicubic_samples)).toBe(0); // bit-exact with PIL
    expect(Math.abs(out.data.reduce((s, v) => s + v, 0) - c.bicubic_sum)).toBeLessThan(
      1e-4 * out.data.length,
    );
  });
});

test('rejects bad sizes', () => {
  const img = { channels: 1, height: 2, width: 2, data: new Float32Array(4) };
  expect(() => resizeImage(img, 0, 3, 'bilinear')).toThrow(
    'height: expected a positive integer, got 0',
  );
  expect(() => resizeImage({ ...img, data: new Float32Array(3) }, 2, 2, 'bilinear')).toThrow(
    /1×2×2 values/,
  );
});
