/**
 * A one-line progress bar on stderr: count, rate, ETA and free-form fields (loss). On a terminal it
 * redraws in place; otherwise (logs, CI) it prints a line at most every `logEverySeconds`.
 */
export interface ProgressOptions {
  readonly total: number;
  readonly label: string;
  /** Unit of the rate, e.g. 'img/s' is computed from `items` per tick. */
  readonly unit?: string;
  readonly stream?: NodeJS.WriteStream;
  readonly logEverySeconds?: number;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(sec).padStart(2, '0')}s`
      : `${sec}s`;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly started = performance.now();
  private lastLog = 0;
  private items = 0;

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
  }

  /** Advance to `done` (absolute), having processed `items` more items; `fields` are shown as is. */
  update(done: number, items: number, fields: Record<string, string> = {}): void {
    this.items += items;
    const elapsed = (performance.now() - this.started) / 1000;
    const rate = this.items / Math.max(elapsed, 1e-9);
    const perStep = elapsed / Math.max(done - this.startDone, 1);
    const eta = (this.options.total - done) * perStep;
    const width = 24;
    const filled = Math.round((width * done) / this.options.total);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const extra = Object.entries(fields)
      .map(([k, v]) => `${k} ${v}`)
      .join('  ');
    const line = `${this.options.label} ${bar} ${done}/${this.options.total}  ${extra}  ${rate.toFixed(1)} ${this.options.unit ?? 'it/s'}  ETA ${duration(eta)}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.padEnd(this.lastWidth)}`);
      this.lastWidth = line.length;
    } else if (
      elapsed - this.lastLog >= (this.options.logEverySeconds ?? 10) ||
      done === this.options.total
    ) {
      this.stream.write(`${line}\n`);
      this.lastLog = elapsed;
    }
  }

  /** Where counting started (a resumed run starts at its checkpoint's step). */
  startDone = 0;
  private lastWidth = 0;

  finish(message?: string): void {
    if (this.stream.isTTY) this.stream.write('\n');
    const elapsed = (performance.now() - this.started) / 1000;
    if (message) this.stream.write(`${message} (${duration(elapsed)})\n`);
  }
}
