/**
 * Redis URLs as `--queue` takes them: redis://[[user]:password@]host[:port][/db], or rediss://
 * for TLS. What may be printed is `display`: scheme, host, port and db, never the credentials.
 */
import { QueueError } from './errors.js';

export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
  /** `redis://host:port/db` without credentials: safe for logs and errors. */
  readonly display: string;
}

/** The URL with any password replaced by `***` (for messages about a URL that does not parse). */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${auth.slice(0, colon)}:***`}@`;
  });
}

export function parseRedisUrl(text: string, source = '--queue'): RedisTarget {
  const expected = 'redis://[:password@]host[:port][/db] or rediss://… (TLS)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new QueueError('invalid_url', `${source}: expected ${expected}, got ${redactUrl(text)}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueError(
      'invalid_url',
      `${source}: expected ${expected}, got the scheme ${url.protocol.slice(0, -1)}`,
    );
  }
  if (url.hostname === '') {
    throw new QueueError('invalid_url', `${source}: no host in ${redactUrl(text)}`);
  }
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) {
    throw new QueueError(
      'invalid_url',
      `${source}: the database after the host must be an integer ≥ 0, got ${path}`,
    );
  }
  const tls = url.protocol === 'rediss:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1'); // [::1] → ::1
  return {
    host,
    port,
    db,
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    tls,
    display: `${url.protocol}//${url.host}/${db}`,
  };
}
