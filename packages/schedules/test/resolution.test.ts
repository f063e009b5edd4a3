/**
 * The resolution rules side by side, against make_golden_families.py (Chen's Table 1 rows,
 * simple diffusion's 64/d, SD3's √(m/n), Flux's calculate_shift, each rule's median training logSNR
 * from its own formula).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fluxShiftMu,
  parseSchedule,
  RESOLUTION_RULES,
  resolutionRule,
  resolutionRules,
  suggestInputScale,
} from '../src/index.js';

interface Row {
  resolution: number;
  chen?: { scale: number; median: number };
  simpleDiffusion: { scale: number; median: number };
  sd3: { shift: number; median: number };
  flux: { mu: number; shift: number; median: number };
}
const rows: Row[] = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'families.json'), 'utf8'),
).rules;

describe('resolution rules in one unit', () => {
  it.each(rows.map((r) => [r.resolution, r] as const))('%i px', (d, row) => {
    const rules = resolutionRules(d);
    expect(rules.map((r) => r.rule)).toEqual([...RESOLUTION_RULES]);
    const [chen, simple, sd3, flux] = rules as [
      (typeof rules)[0],
      (typeof rules)[0],
      (typeof rules)[0],
      (typeof rules)[0],
    ];
    if (row.chen) {
      expect(chen.scale).toBe(row.chen.scale);
      expect(chen.exact).toBe(true);
      expect(chen.medianLogSnr).toBeCloseTo(row.chen.median, 12);
    }
    expect(simple.scale).toBe(row.simpleDiffusion.scale);
    expect(simple.medianLogSnr).toBeCloseTo(row.simpleDiffusion.median, 12);
    expect(sd3.shift).toBe(row.sd3.shift);
    expect(sd3.medianLogSnr).toBeCloseTo(row.sd3.median, 12);
    expect(fluxShiftMu((d / 16) ** 2)).toBe(row.flux.mu);
    // e^mu: V8's exp and glibc's may differ by an ulp
    expect(Math.abs(flux.shift - row.flux.shift) / row.flux.shift).toBeLessThan(5e-16);
    expect(flux.medianLogSnr).toBeCloseTo(row.flux.median, 12);
    for (const rule of rules) {
      // b, s and the offset are one number in three units
      expect(rule.scale * rule.shift).toBeCloseTo(1, 14);
      expect(rule.logSnrOffset).toBeCloseTo(2 * Math.log(rule.scale), 13);
      expect(rule.logSnrOffset).toBeCloseTo(-2 * Math.log(rule.shift), 13);
      // the spec is a schedule of this library and round-trips
      expect(parseSchedule(rule.spec).spec).toBe(rule.spec);
      expect(rule.source.length).toBeGreaterThan(20);
    }
  });

  it('each rule’s spec moves its base schedule’s logSNR by exactly the offset', () => {
    for (const d of [128, 512, 1024]) {
      for (const rule of resolutionRules(d)) {
        if (rule.rule === 'simpleDiffusion') continue; // its spec also moves the truncation range
        const base = parseSchedule(rule.schedule);
        const full = parseSchedule(rule.spec);
        for (const t of [0.2, 0.5, 0.8]) {
          expect(full.logSnr(t) - base.logSnr(t)).toBeCloseTo(rule.logSnrOffset, 11);
        }
      }
    }
  });

  it('agrees with suggestInputScale and says where a rule extrapolates', () => {
    for (const rule of RESOLUTION_RULES) {
      const single = suggestInputScale(300, rule);
      expect(single.scale).toBe(resolutionRule(300, rule).scale);
      expect(single.rule).toBe(rule);
    }
    expect(resolutionRule(2048, 'flux').exact).toBe(false); // 16384 tokens, past the fit
    expect(resolutionRule(2048, 'flux').source).toMatch(/extrapolated/);
    expect(resolutionRule(1024, 'sd3').note).toMatch(/3\.0/);
    expect(() => resolutionRule(256, 'dalle' as 'sd3')).toThrow(/`rule` must be one of/);
    expect(() => resolutionRules(-1)).toThrow('`resolution` must be a finite number > 0, got -1');
  });
});
