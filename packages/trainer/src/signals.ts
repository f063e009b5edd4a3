/**
 * How every long-running command stops: SIGINT (Ctrl-C), SIGTERM (`kill`, Slurm, Kubernetes,
 * `timeout`) and SIGHUP (a closed terminal) all ask for a stop: training finishes its step,
 * checkpoints and exits with EXIT_INTERRUPTED ("interrupted, resumable"). A second signal exits
 * at once with 130.
 */

/** The exit status of a command stopped by a signal after saving its work: run it again to resume. */
export const EXIT_INTERRUPTED = 3;
/** The exit status when a second signal cut the save short. */
export const EXIT_FORCED = 130;

export const EXIT_CODES_HELP = `
Exit status: 0 done; 1 failed (the message says why); ${EXIT_INTERRUPTED} interrupted by SIGINT,
SIGTERM or SIGHUP after checkpointing (run it again with --resume to continue); ${EXIT_FORCED} a
second signal stopped it at once.`;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface Interruption {
  readonly signal: AbortSignal;
  /** The signal that asked for the stop, once one did. */
  readonly received: NodeJS.Signals | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Listens for the stop signals until `dispose()`. `onFirst` is told of the first one (e.g. to
 * print "stopping after this step"); `forward` lets a parent pass the stop on to its children.
 */
export function onInterrupt(
  onFirst: (signal: NodeJS.Signals) => void,
  forward?: (signal: NodeJS.Signals) => void,
): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (received !== undefined) process.exit(EXIT_FORCED);
    received = signal;
    onFirst(signal);
    forward?.(signal);
    controller.abort();
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
