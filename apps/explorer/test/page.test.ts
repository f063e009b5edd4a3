/**
 * The built page (dist/) in a real browser: Debian's chromium driven by puppeteer-core (no browser
 * download), served by scripts/serve.mjs as `pnpm explorer` serves it. Checks the page loads and
 * draws, that changing b moves the displayed logSNR(0.5) to the value @ns/schedules computes, that
 * a bad spec shows the library's own error, and saves a screenshot in test-artifacts/.
 * Skips only where /usr/bin/chromium is absent and CI is unset; in CI a missing browser fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSchedule, withInputScale } from '@ns/schedules';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CHROMIUM = '/usr/bin/chromium';
const root = join(__dirname, '..');
const artifacts = join(root, 'test-artifacts');
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium && process.env['CI']) {
  throw new Error(
    `${CHROMIUM} is missing: CI must run the explorer test (apt-get install -y chromium)`,
  );
}
if (!haveChromium) {
  console.warn(`explorer page test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}

/** Starts the dev server on a free port and resolves its address from the line it prints. */
function serve(): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(join(root, 'dist', 'index.html')))
    throw new Error('run `pnpm build` in apps/explorer before this test (dist/ is missing)');
  const child = spawn(process.execPath, [join(root, 'scripts', 'serve.mjs'), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) resolve({ child, url });
    });
    child.stderr!.on('data', (chunk: Buffer) => reject(new Error(`serve.mjs: ${chunk}`)));
    child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

/** Sets an input's value as typing would, so the page's 'input' listeners run. */
async function type(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(
    selector,
    (element, text) => {
      const input = element as HTMLInputElement;
      input.value = text;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    },
    value,
  );
}

const libraryError = (spec: string): string => {
  try {
    parseSchedule(spec);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${spec} should not parse`);
};

(haveChromium ? describe : describe.skip)('the explorer in chromium', () => {
  let server: { child: ChildProcess; url: string };
  let browser: Browser;
  let page: Page;
  let profile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await serve();
    profile = mkdtempSync(join(tmpdir(), 'ns-explorer-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(server.url, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads and draws every panel from the library', async () => {
    await page.waitForSelector('#logsnr-half[data-value]');
    expect(await page.title()).toContain('Noise schedule explorer');
    for (const id of ['gamma-svg', 'logsnr-svg', 'density-svg', 'grid-svg']) {
      const paths = await page.$$eval(`#${id} path.line`, (els) =>
        els.map((e) => e.getAttribute('d')),
      );
      expect(paths.length).toBeGreaterThan(0);
      for (const d of paths) expect(d!.length).toBeGreaterThan(20);
    }
    expect(await page.$$eval('#grid-svg circle', (els) => els.length)).toBe(20);
    expect(await page.$$eval('#rules-table tr[data-rule]', (els) => els.length)).toBe(4);
    expect(await page.$eval('#spec-out', (e) => e.textContent)).toBe('simple_linear+scale=0.5');
    expect(pageErrors).toEqual([]);
  });

  it('moves logSNR(0.5) to the library’s value when b changes', async () => {
    const spec = await page.$eval('#spec', (e) => (e as HTMLInputElement).value);
    for (const b of ['0.3', '1.7']) {
      await type(page, '#scale', b);
      const expected = withInputScale(parseSchedule(spec), Number(b)).logSnr(0.5);
      await page.waitForFunction(
        (value) => document.querySelector<HTMLElement>('#logsnr-half')?.dataset['value'] === value,
        {},
        String(expected),
      );
      expect(await page.$eval('#logsnr-half', (e) => e.textContent)).toBe(expected.toFixed(6));
      expect(await page.$eval('#train-command', (e) => e.textContent)).toContain(
        `--schedule '${spec}' --scale ${b}`,
      );
    }
  });

  it('shows the library’s error for a bad spec, and recovers', async () => {
    const bad = 'cosine@0.2,1';
    await type(page, '#spec', bad);
    await page.waitForSelector('#error:not([hidden])');
    expect(await page.$eval('#error', (e) => e.textContent)).toBe(libraryError(bad));
    expect(await page.$eval('#spec', (e) => e.getAttribute('aria-invalid'))).toBe('true');
    await type(page, '#spec', 'logit_normal@0,1+shift=3');
    await page.waitForSelector('#error[hidden]');
    expect(await page.$eval('#spec-out', (e) => e.textContent)).toBe(
      'lognormal@0,2+shift=3+scale=1.7',
    );
  });

  it('saves a screenshot', async () => {
    mkdirSync(artifacts, { recursive: true });
    const path = join(artifacts, 'explorer.png');
    await page.screenshot({ path, fullPage: true });
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
    expect(pageErrors).toEqual([]);
  });
});
