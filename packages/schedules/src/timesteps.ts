/**
 * diffusers' inference timesteps (`set_timesteps` of DDPMScheduler / DDIMScheduler, diffusers
 * 0.40): the discrete steps k ∈ {0 … T − 1} a sampler visits, noisiest first, for each
 * `timestep_spacing` of Lin et al. 2023, Table 2. numpy's arange, linspace and round-half-to-even
 * are reproduced operation by operation, so the integers are the ones diffusers prints.
 */
import { assertInteger } from './errors.js';

/** diffusers' `timestep_spacing`. */
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';

export const TIMESTEP_SPACINGS: readonly TimestepSpacing[] = ['leading', 'trailing', 'linspace'];

export interface TimestepOptions {
  /** `num_train_timesteps` T (default 1000). */
  readonly trainSteps?: number;
  /** `timestep_spacing` (default 'leading', diffusers' default). */
  readonly spacing?: TimestepSpacing;
  /** `steps_offset`, added to 'leading' only (default 0; Stable Diffusion 1.x uses 1). */
  readonly stepsOffset?: number;
}

/** numpy's `round` (and `np.round`): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * numpy's float `arange(start, stop, step)`: length ⌈(stop − start)/step⌉, a[0] = start,
 * a[1] = start + step, then a[i] = start + i·δ with δ = a[1] − a[0] (numpy's DOUBLE_fill).
 */
function npArange(start: number, stop: number, step: number): Float64Array {
  const length = Math.max(Math.ceil((stop - start) / step), 0);
  const out = new Float64Array(length);
  const second = start + step;
  const delta = second - start;
  for (let i = 0; i < length; i++) out[i] = i === 0 ? start : i === 1 ? second : start + i * delta;
  return out;
}

/** numpy's `linspace(start, stop, num)` (endpoint included and set exactly). */
function npLinspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) return out.fill(start);
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/**
 * The `steps` inference timesteps of a scheduler trained with `trainSteps`, in sampling order
 * (descending), exactly as diffusers' `set_timesteps(steps)`:
 * - 'linspace': round(linspace(0, T − 1, N)), reversed;
 * - 'leading': k·⌊T/N⌋ for k = N − 1 … 0, plus `stepsOffset` (never reaches T − 1 unless N = T);
 * - 'trailing': round(arange(T, 0, −T/N)) − 1, which starts at T − 1 (the only spacing that
 *   samples from the terminal step, as Lin et al. 2023 ask for zero terminal SNR).
 */
export function diffusersTimesteps(steps: number, options: TimestepOptions = {}): Int32Array {
  const trainSteps = options.trainSteps ?? 1000;
  const spacing = options.spacing ?? 'leading';
  const stepsOffset = options.stepsOffset ?? 0;
  assertInteger('trainSteps', trainSteps, 1);
  assertInteger('steps', steps, 1);
  assertInteger('stepsOffset', stepsOffset, 0);
  if (steps > trainSteps) {
    throw new RangeError(`\`steps\` must be <= \`trainSteps\` (${trainSteps}), got ${steps}`);
  }
  switch (spacing) {
    case 'linspace': {
      const grid = npLinspace(0, trainSteps - 1, steps);
      return Int32Array.from(grid, (_, i) => roundHalfEven(grid[steps - 1 - i]!));
    }
    case 'leading': {
      const ratio = Math.floor(trainSteps / steps);
      const first = (steps - 1) * ratio + stepsOffset;
      if (first >= trainSteps) {
        throw new RangeError(
          `\`stepsOffset\` puts the first timestep at ${first}, past the last trained step ${trainSteps - 1}`,
        );
      }
      return Int32Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + stepsOffset);
    }
    case 'trailing': {
      const grid = npArange(trainSteps, 0, -trainSteps / steps);
      return Int32Array.from(grid, (k) => roundHalfEven(k) - 1);
    }
    default:
      throw new RangeError(
        `\`spacing\` must be one of ${TIMESTEP_SPACINGS.join(', ')}, got ${JSON.stringify(spacing)}`,
      );
  }
}
