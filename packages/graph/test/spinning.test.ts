/**
 * The spinning rule (chooseSpinning): which contexts turn ORT intra-op spinning on, and the line
 * the CLI prints. The timings behind it come from tools/bench/rin/spinning.mjs, not from here.
 */
import { chooseSpinning, isGraphError, type SpinningContext } from '../src/index';

const cases: readonly [string, SpinningContext, boolean, string][] = [
  [
    'one process, every core, idle machine',
    { threads: 2, cores: 2, otherLoad: 0.1 },
    true,
    'ORT thread spinning on: 2 threads fit on 2 cores beside load 0.1 (measured faster)',
  ],
  [
    'defaults: one job, no other load',
    { threads: 4, cores: 16 },
    true,
    'ORT thread spinning on: 4 threads fit on 16 cores beside load 0.0 (measured faster)',
  ],
  [
    'two trials that fit beside each other',
    { threads: 4, cores: 16, concurrentJobs: 2, otherLoad: 1 },
    true,
    'ORT thread spinning on: 2 trials × 4 threads fit on 16 cores beside load 1.0 (measured faster)',
  ],
  [
    'load within the idle slack',
    { threads: 2, cores: 2, otherLoad: 0.5 },
    true,
    'ORT thread spinning on: 2 threads fit on 2 cores beside load 0.5 (measured faster)',
  ],
  [
    'ns sweep --jobs 2 on 2 cores: one thread each',
    { threads: 1, cores: 2, concurrentJobs: 2 },
    false,
    'ORT thread spinning off: 1 intra-op thread per process, no thread pool to spin',
  ],
  [
    'one thread alone',
    { threads: 1, cores: 8 },
    false,
    'ORT thread spinning off: 1 intra-op thread per process, no thread pool to spin',
  ],
  [
    'two 2-thread trials on 2 cores',
    { threads: 2, cores: 2, concurrentJobs: 2 },
    false,
    'ORT thread spinning off: 2 trials × 2 threads share 2 cores (measured faster)',
  ],
  [
    'more threads than cores',
    { threads: 4, cores: 2 },
    false,
    'ORT thread spinning off: 4 threads share 2 cores (measured faster)',
  ],
  [
    'a CPU-bound process beside it',
    { threads: 2, cores: 2, otherLoad: 1.02 },
    false,
    'ORT thread spinning off: other processes keep the cores busy (load 1.0 on 2 cores; measured faster)',
  ],
  [
    'a busy shared machine',
    { threads: 2, cores: 2, otherLoad: 11.4 },
    false,
    'ORT thread spinning off: other processes keep the cores busy (load 11.4 on 2 cores; measured faster)',
  ],
  [
    'busy, but with cores to spare',
    { threads: 4, cores: 16, otherLoad: 11.4 },
    true,
    'ORT thread spinning on: 4 threads fit on 16 cores beside load 11.4 (measured faster)',
  ],
];

test.each(cases)('%s', (_, context, spinning, reason) => {
  expect(chooseSpinning(context)).toEqual({ spinning, reason });
});

test.each([
  [{ threads: 0, cores: 2 }, 'chooseSpinning: `threads` must be an integer ≥ 1, got 0'],
  [{ threads: 2, cores: 1.5 }, 'chooseSpinning: `cores` must be an integer ≥ 1, got 1.5'],
  [
    { threads: 2, cores: 2, concurrentJobs: 0 },
    'chooseSpinning: `concurrentJobs` must be an integer ≥ 1, got 0',
  ],
  [
    { threads: 2, cores: 2, otherLoad: -1 },
    'chooseSpinning: `otherLoad` must be a finite number ≥ 0, got -1',
  ],
  [
    { threads: 2, cores: 2, otherLoad: Number.NaN },
    'chooseSpinning: `otherLoad` must be a finite number ≥ 0, got NaN',
  ],
] as const)('rejects %j', (context, message) => {
  let caught: unknown;
  try {
    chooseSpinning(context);
  } catch (e) {
    caught = e;
  }
  expect(isGraphError(caught) && caught.code === 'invalid_argument').toBe(true);
  expect((caught as Error).message).toBe(message);
});
