/**
 * Connections to Redis. BullMQ makes its own from `redisOptions`; `checkRedis` first proves the
 * server answers and accepts the credentials, so a wrong host or password is one line naming
 * host and port, not an endless reconnect loop or a stack.
 */
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { QueueError } from './errors.js';
import type { RedisTarget } from './url.js';

/** ioredis options for a target, as BullMQ wants them (no per-command retry limit). */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username === undefined ? {} : { username: target.username }),
    ...(target.password === undefined ? {} : { password: target.password }),
    // SNI names a host, never an address (RFC 6066); certificates of a private CA come from
    // NODE_EXTRA_CA_CERTS, as for every TLS connection of Node.
    ...(target.tls ? { tls: isIP(target.host) === 0 ? { servername: target.host } : {} } : {}),
    // BullMQ's workers block on Redis: commands wait for a reconnect instead of failing.
    maxRetriesPerRequest: null,
    // After a lost connection (Redis restarted), keep trying, at most every 2 s.
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
  };
}

const AUTH_ERROR = /NOAUTH|WRONGPASS|invalid password|AUTH .* called without/i;
const TLS_ERROR = /CERT|SSL|TLS|UNABLE_TO_VERIFY|ERR_OSSL|self.signed|altnames/i;

/** Connects once, authenticates and pings; throws a QueueError naming the target otherwise. */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    retryStrategy: () => null, // one attempt: the answer is the error
    maxRetriesPerRequest: 0,
  });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const e = (lastError ?? error) as NodeJS.ErrnoException;
    const message = e.message ?? String(e);
    if (AUTH_ERROR.test(message)) {
      throw new QueueError(
        'auth',
        `Redis at ${target.display} refused the credentials (${message.split(/[.\n]/)[0]})`,
      );
    }
    const reason = e.code ?? message;
    if (target.tls && TLS_ERROR.test(`${reason} ${message}`)) {
      throw new QueueError(
        'unreachable',
        `TLS to Redis at ${target.host}:${target.port} failed (${reason}); a certificate of a private CA needs NODE_EXTRA_CA_CERTS=<ca.pem>`,
      );
    }
    throw new QueueError(
      'unreachable',
      `cannot reach Redis at ${target.host}:${target.port} (${reason})`,
    );
  } finally {
    client.disconnect();
  }
}
