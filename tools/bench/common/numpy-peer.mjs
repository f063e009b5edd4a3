// The numpy peers' interpreter. A fresh machine of this kind cannot pip-install (PyPI is not
// reachable), so the one-line setup is Debian's packages, which land under /usr/bin/python3; a
// python3 earlier on PATH (pyenv) is used when it already has what the peer imports.
import { spawnSync } from 'node:child_process';

/** The setup line the numpy peers print when no interpreter has their modules. */
export const NUMPY_SETUP =
  'apt-get install -y python3-numpy python3-scipy (as root; the bench then uses /usr/bin/python3), or PYTHON=… naming an interpreter that has numpy and scipy';

const cache = new Map();

/**
 * $PYTHON, else the first of `python3` and Debian's `/usr/bin/python3` that imports `modules`,
 * else `python3` (the caller's error then says what is missing and NUMPY_SETUP).
 */
export function numpyPython(modules = ['numpy', 'scipy']) {
  if (process.env.PYTHON) return process.env.PYTHON;
  const key = modules.join(',');
  if (!cache.has(key)) {
    const found = ['python3', '/usr/bin/python3'].find((python) => {
      const probe = spawnSync(python, ['-c', `import ${key}`], { encoding: 'utf8' });
      return !probe.error && probe.status === 0;
    });
    cache.set(key, found ?? 'python3');
  }
  return cache.get(key);
}
