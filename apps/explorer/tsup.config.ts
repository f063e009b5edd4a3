import { defineConfig } from 'tsup';

// One classic script (IIFE) with @ns/schedules bundled in, plus src/public/ (index.html, style.css)
// copied beside it: dist/ is the whole static site, loadable from any file server.
export default defineConfig({
  entry: { app: 'src/main.ts' },
  format: ['iife'],
  platform: 'browser',
  target: 'es2022',
  noExternal: [/.*/],
  minify: true,
  sourcemap: true,
  clean: true,
  publicDir: 'src/public',
  outExtension: () => ({ js: '.js' }),
});
