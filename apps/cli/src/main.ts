import { ort } from '@ns/graph';
import { describeSystemError } from '@ns/trainer';
import { buildProgram } from './program.js';

// onnxruntime's own log would repeat, in a native format, what our errors already say (e.g. a
// missing CUDA provider library); NS_DEBUG=1 brings it back.
ort.env.logLevel = process.env.NS_DEBUG ? 'warning' : 'fatal';

/**
 * Every failure ends as one line on stderr and exit status 1: the error's message (the packages'
 * errors name the argument or file), a system error (ENOSPC, EACCES …) as a sentence naming its
 * path, an allocation that failed as what to lower. NS_DEBUG=1 prints the stack as well.
 */
function report(error: unknown): string {
  const e = describeSystemError(error);
  if (!(e instanceof Error)) return String(e);
  if (process.env.NS_DEBUG) return e.stack ?? e.message;
  if (/Array buffer allocation failed|Invalid typed array length/.test(e.message))
    return `out of memory allocating an array (${e.message}); lower --batch, --n or --limit`;
  return e.message.split('\n')[0]!;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    process.stderr.write(`ns: ${report(error)}\n`);
    process.exitCode = 1;
  });
