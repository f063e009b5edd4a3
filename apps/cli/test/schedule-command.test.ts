/**
 * `ns schedule` end to end: the built binary (dist/main.js) run as a user runs it, its output
 * checked against @ns/schedules and its files decoded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodePng } from '@ns/data';
import { betas, parseSchedule, resolutionRules, samplingGrid, withInputScale } from '@ns/schedules';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const ns = async (...args: string[]) => run(process.execPath, [bin, ...args], { encoding: 'utf8' });
const nsFails = async (...args: string[]): Promise<{ code: number; stderr: string }> => {
  try {
    await ns(...args);
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`ns ${args.join(' ')} should have failed`);
};

describe('ns schedule', () => {
  it('prints the JSON object of the issue', async () => {
    const { stdout } = await ns(
      'schedule',
      '--schedule',
      'sigmoid@0,3,0.5',
      '--scale',
      '0.5',
      '--t',
      '0,0.25,0.5,1',
      '--json',
    );
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(['schedule', 'scale', 't', 'gamma', 'logSnr']);
    expect(result.schedule).toBe('sigmoid@0,3,0.5');
    expect(result.scale).toBe(0.5);
    expect(result.t).toEqual([0, 0.25, 0.5, 1]);
    const base = parseSchedule('sigmoid@0,3,0.5');
    expect(result.gamma).toEqual([0, 0.25, 0.5, 1].map((t) => base.gamma(t)));
    // ln(b²γ/(1−γ)), null where infinite (t = 0).
    expect(result.logSnr[0]).toBeNull();
    for (const [i, t] of [0.25, 0.5, 1].entries()) {
      const g = base.gamma(t);
      expect(result.logSnr[i + 1]).toBeCloseTo(Math.log((0.25 * g) / (1 - g)), 12);
      expect(result.logSnr[i + 1]).toBe(withInputScale(base, 0.5).logSnr(t));
    }
  });

  it('defaults --scale to 1 and prints an aligned table without --json', async () => {
    const json = JSON.parse(
      (await ns('schedule', '-s', 'simple_linear', '--t', '0.25', '--json')).stdout,
    );
    expect(json.scale).toBe(1);
    expect(json.logSnr[0]).toBeCloseTo(Math.log(3), 14);
    const { stdout } = await ns(
      'schedule',
      '-s',
      'cosine@0.2,1,1',
      '-s',
      'simple_linear',
      '--scale',
      '1',
      '--t',
      '0,0.5,1',
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('cosine@0.2,1,1');
    expect(lines).toContain('simple_linear');
    const rows = lines.filter((l) => /^\s*[\d.]+\s/.test(l));
    expect(new Set(rows.slice(0, 3).map((r) => r.length)).size).toBe(1); // aligned
    expect(stdout).toContain('0.381966011'); // spec §2 test vector: cosine(0.2,1,1) at t = 0.5
    expect(stdout).toContain('+inf');
  });

  it('fails clearly on a bad spec, t or scale', async () => {
    const badSpec = await nsFails('schedule', '-s', 'cosine@0.2,1');
    expect(badSpec.code).toBe(1);
    expect(badSpec.stderr).toMatch(/invalid schedule spec "cosine@0.2,1": `cosine` takes 3/);
    expect((await nsFails('schedule', '--t', '0,1.5')).stderr).toMatch(
      /--t must be .* in \[0, 1\], got "1.5"/,
    );
    expect((await nsFails('schedule', '--scale', '0')).stderr).toMatch(
      /--scale must be a number > 0, got "0"/,
    );
  });

  it('plots γ and logSNR to SVG and PNG', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ns-plot-'));
    const svgPath = join(dir, 'fig.svg');
    await ns(
      'schedule',
      'plot',
      '-s',
      'simple_linear',
      '-s',
      'cosine@0.2,1,1',
      '--scale',
      '0.5',
      '--out',
      svgPath,
    );
    const svg = readFileSync(svgPath, 'utf8');
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('simple_linear, b=0.5');
    expect(svg).toContain('cosine@0.2,1,1, b=0.5');
    expect(svg).toContain('logSNR');
    const pngPath = join(dir, 'sub', 'fig.png');
    await ns('schedule', 'plot', '-s', 'sigmoid@0,3,0.5', '--out', pngPath);
    const png = decodePng(readFileSync(pngPath));
    expect(png.width).toBeGreaterThan(500);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += png.channels * 7) {
      colours.add((png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!);
    }
    expect(colours.size).toBeGreaterThan(3);
    expect((await nsFails('schedule', 'plot', '--out', join(dir, 'x.jpg'))).stderr).toMatch(
      /\.svg or \.png/,
    );
  });

  it('prints every resolution rule side by side, in one unit, with sources', async () => {
    const { stdout } = await ns('schedule', 'suggest', '--resolution', '256');
    const table = stdout.split('\n');
    for (const rule of ['chen2023', 'simpleDiffusion', 'sd3', 'flux'])
      expect(table.some((l) => l.startsWith(rule))).toBe(true);
    expect(stdout).toContain('simple_linear+scale=0.5');
    expect(stdout).toContain('Table 1');
    expect(stdout).toContain('Esser et al. 2024');
    expect(stdout).toContain('calculate_shift');
    expect(stdout).toContain("ns train --schedule 'simple_linear' --scale 0.5");
    const json = JSON.parse((await ns('schedule', 'suggest', '-r', '512', '--json')).stdout);
    expect(json.resolution).toBe(512);
    expect(json.rules).toEqual(JSON.parse(JSON.stringify(resolutionRules(512))));
  });

  it('prints one rule with --rule, and plots them all', async () => {
    const json = JSON.parse(
      (await ns('schedule', 'suggest', '-r', '512', '--rule', 'chen2023', '--json')).stdout,
    );
    expect(json).toMatchObject({
      scale: 0.2,
      schedule: 'cosine@0.2,1,1',
      spec: 'cosine@0.2,1,1+scale=0.2',
    });
    const simple = await ns(
      'schedule',
      'suggest',
      '-r',
      '128',
      '--rule',
      'simpleDiffusion',
      '--json',
    );
    expect(JSON.parse(simple.stdout).scale).toBe(0.5);
    const sd3 = (await ns('schedule', 'suggest', '-r', '1024', '--rule', 'sd3')).stdout;
    expect(sd3).toContain('shift s = 4');
    expect(sd3).toContain("--schedule 'lognormal@0,2+shift=4'");
    const dir = mkdtempSync(join(tmpdir(), 'ns-rules-'));
    const svgPath = join(dir, 'rules.svg');
    await ns('schedule', 'suggest', '-r', '256', '--plot', svgPath);
    const svg = readFileSync(svgPath, 'utf8');
    for (const label of ['Chen 2023 (Table 1)', 'simple diffusion (64/d)', 'SD3', 'Flux', '256 px'])
      expect(svg).toContain(label);
    expect((await nsFails('schedule', 'suggest', '-r', '256', '--rule', 'dalle')).stderr).toMatch(
      /Allowed choices are chen2023, simpleDiffusion, sd3, flux/,
    );
  });

  it('prints the sampler grid of a spacing, as the library builds it', async () => {
    const out = JSON.parse(
      (await ns('schedule', 'grid', '-s', 'cosine', '-n', '6', '--spacing', 'karras', '--json'))
        .stdout,
    );
    const grid = samplingGrid(parseSchedule('cosine'), 6, 'karras');
    expect(out.spacing).toBe('karras@0.002,80,7');
    expect(out.tNow).toEqual(Array.from(grid.tNow));
    expect(out.gammaNext).toEqual(Array.from(grid.gammaNext));
    const table = (
      await ns('schedule', 'grid', '-s', 'simple_linear', '-n', '4', '--spacing', 'trailing')
    ).stdout;
    expect(table).toContain('spacing trailing@1000');
    expect(table.trim().split('\n')).toHaveLength(6);
    expect(
      (await nsFails('schedule', 'grid', '-s', 'cosine', '-n', '4', '--spacing', 'even')).stderr,
    ).toMatch(/invalid spacing spec "even"/);
  });

  it('writes a diffusers scheduler_config.json with the schedule as trained_betas', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ns-diffusers-')), 'scheduler');
    const { stdout } = await ns(
      'schedule',
      'diffusers',
      '-s',
      'sigmoid@0,3,0.5',
      '-b',
      '0.5',
      '-o',
      dir,
      '-T',
      '200',
      '--predict',
      'v',
      '--zero-snr',
    );
    expect(stdout).toMatch(/wrote .*scheduler_config\.json: DDPMScheduler, 200 trained_betas/);
    const config = JSON.parse(readFileSync(join(dir, 'scheduler_config.json'), 'utf8'));
    expect(config).toMatchObject({
      _class_name: 'DDPMScheduler',
      num_train_timesteps: 200,
      prediction_type: 'v_prediction',
      variance_type: 'fixed_large',
      timestep_spacing: 'trailing',
      rescale_betas_zero_snr: true,
      clip_sample: true,
    });
    const schedule = withInputScale(parseSchedule('sigmoid@0,3,0.5'), 0.5);
    expect(config.trained_betas).toEqual(Array.from(betas(schedule, 200)));
    expect((await nsFails('schedule', 'diffusers', '-s', 'laplace@0', '-o', dir)).stderr).toMatch(
      /invalid schedule spec "laplace@0"/,
    );
  });
});

describe('ns --help', () => {
  it('lists every command', async () => {
    const { stdout } = await ns('--help');
    for (const command of ['demo', 'train', 'sample', 'schedule', 'rin', 'fid'])
      expect(stdout).toContain(command);
    const help = (await ns('schedule', '--help')).stdout;
    expect(help).toMatch(/plot[\s\S]*suggest[\s\S]*grid[\s\S]*diffusers/);
    expect(help).toContain('lognormal@mean,std');
  });
});
