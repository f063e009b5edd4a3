import { parseRedisUrl, redactUrl } from '../src/url.js';

describe('parseRedisUrl', () => {
  it('reads host, port, db and credentials, and displays none of the credentials', () => {
    const t = parseRedisUrl('redis://worker:p%40ss@cache.local:6380/2');
    expect(t).toMatchObject({
      host: 'cache.local',
      port: 6380,
      db: 2,
      username: 'worker',
      password: 'p@ss',
      tls: false,
    });
    expect(t.display).toBe('redis://cache.local:6380/2');
    expect(parseRedisUrl('redis://:only-pass@10.0.0.1')).toMatchObject({
      port: 6379,
      db: 0,
      password: 'only-pass',
    });
    expect(parseRedisUrl('redis://:only-pass@10.0.0.1').username).toBeUndefined();
  });

  it('turns TLS on for rediss:// and reads IPv6 hosts', () => {
    expect(parseRedisUrl('rediss://[::1]:7000')).toMatchObject({
      host: '::1',
      port: 7000,
      tls: true,
      display: 'rediss://[::1]:7000/0',
    });
  });

  it.each([
    [
      'http://h:1',
      '--queue: expected redis://[:password@]host[:port][/db] or rediss://… (TLS), got the scheme http',
    ],
    ['localhost:6379', 'got the scheme localhost'],
    ['redis://h:1/x', '--queue: the database after the host must be an integer ≥ 0, got x'],
    ['not a url', '--queue: expected redis://'],
  ])('refuses %s', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
  });

  it('never repeats a password in its errors', () => {
    for (const url of ['redis://:hunter2@h:99999', 'redis://u:hunter2@h/x', 'redis://u:hunter2@']) {
      let message = '';
      try {
        parseRedisUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toBe('');
      expect(message).not.toContain('hunter2');
    }
    expect(redactUrl('redis://u:hunter2@h:1')).toBe('redis://u:***@h:1');
    expect(redactUrl('redis://hunter2@h:1')).toBe('redis://***@h:1');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
  });
});
