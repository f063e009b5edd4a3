// The PyTorch peer's interpreter. Debian's python3-torch is what the benches were written against;
// on a fresh machine it is absent, and a bench must say how to get it in one line instead of
// dying in a Python stack trace.
import { spawnSync } from 'node:child_process';

/** Debian's interpreter (where apt puts python3-torch), or $PYTHON. */
export const torchPython = () => process.env.PYTHON ?? '/usr/bin/python3';

/**
 * Returns the interpreter when it can import torch; otherwise prints one line naming the
 * interpreter and the install command, and exits with status 2.
 */
export function requireTorch(bench) {
  const python = torchPython();
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? `${python} not found` : `${python} has no torch`;
    console.error(
      `${bench}: the PyTorch peer needs Debian's torch (${why}): run \`apt-get install -y python3-torch\` (as root), then the bench uses /usr/bin/python3; PYTHON=… picks another interpreter`,
    );
    process.exit(2);
  }
  return python;
}
