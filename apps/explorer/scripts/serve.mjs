#!/usr/bin/env node
/**
 * Serves the built explorer (dist/) on localhost and prints its address: dev tooling, not page
 * code (the page itself is static). `node scripts/serve.mjs [--port N]`; port 0 picks a free one,
 * and a busy default port falls back to a free one.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../dist/', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

function parsePort(argv) {
  const at = argv.indexOf('--port');
  const text = at >= 0 ? argv[at + 1] : process.env.PORT;
  if (text === undefined) return { port: 4173, explicit: false };
  const port = Number(text);
  if (!(Number.isInteger(port) && port >= 0 && port < 65536)) {
    throw new Error(`--port must be an integer in [0, 65535], got ${JSON.stringify(text)}`);
  }
  return { port, explicit: true };
}

function handler(request, response) {
  const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, path === '/' ? 'index.html' : path));
  if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}\n`);
    return;
  }
  response.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(response);
}

function listen(port) {
  return new Promise((done, fail) => {
    const server = createServer(handler);
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => done(server));
  });
}

if (!existsSync(join(root, 'index.html'))) {
  process.stderr.write(
    `explorer: ${root}/index.html is missing; build first (pnpm explorer does)\n`,
  );
  process.exit(1);
}
const { port, explicit } = parsePort(process.argv);
let server;
try {
  server = await listen(port);
} catch (error) {
  if (explicit || error.code !== 'EADDRINUSE') throw error;
  server = await listen(0);
}
process.stdout.write(`explorer: http://127.0.0.1:${server.address().port}/ (Ctrl-C to stop)\n`);
