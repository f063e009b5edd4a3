import { NpzArchive, toFloat64, writeNpz } from '@ns/formats';
import { fail } from '../errors.js';
import type { MomentsSnapshot } from './feature-moments.js';

/**
 * Shard files for distributed statistics: `count` (int64 scalar), `mean` [D] and `scatter`
 * [D, D] (float64). Merge shards with FeatureMoments.merge; a shard is not a pytorch-fid stats
 * file (use writeFidStats for that).
 */
export function writeMoments(path: string, m: MomentsSnapshot): void {
  writeNpz(path, {
    count: { shape: [], data: new BigInt64Array([BigInt(m.count)]) },
    mean: { shape: [m.dim], data: m.mean },
    scatter: { shape: [m.dim, m.dim], data: m.scatter },
  });
}

/** True when the archive holds a moments shard (`count`, `mean`, `scatter`). */
export function isMomentsArchive(archive: NpzArchive): boolean {
  return archive.has('count') && archive.has('mean') && archive.has('scatter');
}

export function momentsFromArchive(archive: NpzArchive): MomentsSnapshot {
  const name = archive.name;
  const count = toFloat64(archive.get('count'), `${name}:count`)[0];
  const mean = toFloat64(archive.get('mean'), `${name}:mean`);
  const scatter = toFloat64(archive.get('scatter'), `${name}:scatter`);
  const dim = mean.length;
  if (count === undefined || !Number.isSafeInteger(count) || count < 0) {
    fail(`${name}:count`, 'a non-negative integer', count);
  }
  if (scatter.length !== dim * dim) fail(`${name}:scatter`, `${dim}×${dim} values`, scatter.length);
  return { dim, count, mean, scatter };
}

export function readMoments(path: string): MomentsSnapshot {
  const archive = NpzArchive.open(path);
  try {
    return momentsFromArchive(archive);
  } finally {
    archive.close();
  }
}
