// The physical limit every bench prints beside its ratios: the float32 GEMM peak of this machine,
// measured in the same run (numpy 4096², median of 5, see gemm_peak.py), and the fraction of it
// that a measured workload reached.
//
//   import { measureGemmPeak, printPeakLines } from '../common/peak.mjs';
//   const peak = measureGemmPeak({ threads: 2 });          // { gflops, seconds, threads } | { error }
//   printPeakLines(peak, [{ label: 'ours', gflops: 41.2 }]);  // the bench's last lines
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NUMPY_SETUP, numpyPython } from './numpy-peer.mjs';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Measures the float32 GEMM peak with `threads` BLAS threads (passive waiting, so an idle
 * thread pool cannot steal time from whatever runs next). `autogroupNice` (root) runs it in a
 * scheduler autogroup of its own at that nice value, like the workloads it is compared with
 * (stepper.mjs). Never throws: a missing numpy comes back as { error } with the one-line fix, so
 * a bench still prints its own results.
 */
export function measureGemmPeak({
  threads = cpus().length,
  // BENCH_PEAK_SIZE: a smaller matrix for the benches' smoke test (tools/bench/smoke), not for numbers
  size = Number(process.env.BENCH_PEAK_SIZE ?? 4096),
  autogroupNice,
} = {}) {
  const python = numpyPython(['numpy']);
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    MKL_NUM_THREADS: String(threads),
    OMP_WAIT_POLICY: 'PASSIVE',
  };
  if (autogroupNice !== undefined) env.AUTOGROUP_NICE = String(autogroupNice);
  const run = spawnSync(python, [join(here, 'gemm_peak.py'), String(size)], {
    encoding: 'utf8',
    env,
  });
  if (run.error || run.status !== 0) {
    const why = run.error ? run.error.message : run.stderr.trim().split('\n').pop();
    return {
      error: `GEMM peak not measured (${why}); it needs numpy: ${NUMPY_SETUP}`,
    };
  }
  return JSON.parse(run.stdout);
}

/** The machine's load when a bench starts and ends: benches say it beside their numbers. */
export function loadLine() {
  const [one, five] = loadavg();
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) on ${cpus().length} cores`;
}

/**
 * Prints the peak and, for each workload `{ label, gflops }`, the fraction of the peak it reached.
 * Benches call this last, so the distance to the physical limit is always on screen.
 */
export function printPeakLines(peak, workloads = []) {
  if (peak.error) {
    console.log(peak.error);
    return;
  }
  const where = peak.autogroupNice === undefined ? '' : `, autogroup nice ${peak.autogroupNice}`;
  console.log(
    `GEMM peak (float32, numpy ${peak.size}², ${peak.threads} thread${peak.threads === 1 ? '' : 's'}${where}, median of 5): ${peak.gflops.toFixed(0)} GFLOP/s`,
  );
  for (const w of workloads) {
    console.log(
      `${w.label}: ${w.gflops.toFixed(1)} GFLOP/s = ${((100 * w.gflops) / peak.gflops).toFixed(1)} % of peak`,
    );
  }
}
