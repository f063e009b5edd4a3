/** The batch check before a run is created: the estimate, the refusal and the largest batch. */
import { type ArtifactsManifest, assertBatchFits, estimateStepBytes } from '../src/index.js';

const manifest = {
  graphBytes: { fixed: 64 * 2 ** 20, perExample: 9 * 2 ** 20 },
} as unknown as ArtifactsManifest;
const GiB = 2 ** 30;

test('estimates grow with the batch and a batch within the limit passes', () => {
  expect(estimateStepBytes(manifest, 512)).toBeGreaterThan(estimateStepBytes(manifest, 64));
  expect(() => assertBatchFits(manifest, 64, 24 * GiB)).not.toThrow();
});

test('a batch beyond the limit is refused with the estimate and the largest batch that fits', () => {
  const limit = 2 * GiB;
  let message = '';
  try {
    assertBatchFits(manifest, 100_000, limit);
  } catch (e) {
    message = (e as Error).message;
  }
  const largest = Number(/the largest batch that fits is about (\d+)/.exec(message)?.[1]);
  expect(message).toMatch(
    /--batch 100000 needs about [\d.]+ GiB .*more than this machine's 2\.0 GiB/,
  );
  expect(estimateStepBytes(manifest, largest)).toBeLessThanOrEqual(limit);
  expect(estimateStepBytes(manifest, largest + 1)).toBeGreaterThan(limit);
});
