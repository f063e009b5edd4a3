/**
 * The records a sweep leaves on disk. One trial = one cell of the grid (schedule × input scale ×
 * resolution × seed) = one ordinary `ns train` run directory under `<sweep>/trials/<id>/`.
 */

/** The coordinates of one trial in the grid. */
export interface TrialKey {
  /** Side length in pixels the data was resampled to. */
  readonly resolution: number;
  /** Training noise schedule γ(t), an @ns/schedules spec such as `simple_linear` or `cosine@0.2,1,1`. */
  readonly schedule: string;
  /** Input scale b (spec §1.12): x_t = √γ·b·x0 + √(1−γ)·ε, variance-normalised. */
  readonly inputScale: number;
  readonly seed: number;
}

/** What `<trial>/result.json` holds once a trial is trained and evaluated. */
export interface TrialResult extends TrialKey {
  /** Directory name under `<sweep>/trials/`. */
  readonly id: string;
  /** Name of the distance, e.g. `FD_mnist` (lower is better). */
  readonly metric: string;
  readonly value: number;
  /** Number of generated images the metric was computed on. */
  readonly samples: number;
  /** Training step of the evaluated (EMA) weights. */
  readonly step: number;
  /** Mean training loss over the last logged steps. */
  readonly finalLoss: number;
  /** Wall-clock seconds spent training (summed over resumed attempts). */
  readonly trainSeconds: number;
  /** Wall-clock seconds spent sampling and measuring. */
  readonly evalSeconds: number;
}
