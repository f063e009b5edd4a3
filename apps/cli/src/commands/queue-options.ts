/**
 * The `--queue` option of `ns sweep`, `ns sweep status` and `ns worker`: a Redis URL given, or
 * $NS_QUEUE (which keeps a password out of `ps`).
 */
import { parseRedisUrl, type RedisTarget } from '@ns/queue';

export const QUEUE_HELP =
  "Redis of the sweep's job queue: redis://[[user]:password@]host[:port][/db], rediss:// for TLS (default: $NS_QUEUE, which keeps a password out of ps)";

/**
 * The queue's Redis: a --queue URL, else (for `--queue` without a URL, and for the commands that
 * always need one) $NS_QUEUE; undefined when neither is given.
 */
export function queueTarget(flag: string | true | undefined): RedisTarget | undefined {
  if (typeof flag === 'string') return parseRedisUrl(flag, '--queue');
  const text = process.env.NS_QUEUE;
  if (text === undefined || text === '') {
    if (flag === true) throw new Error('--queue: no URL given and NS_QUEUE is not set');
    return undefined;
  }
  return parseRedisUrl(text, 'NS_QUEUE');
}

/** queueTarget for the commands that cannot run without a queue. */
export function requiredQueueTarget(flag: string | undefined): RedisTarget {
  const target = queueTarget(flag);
  if (target === undefined) throw new Error('--queue: required (or set NS_QUEUE)');
  return target;
}
