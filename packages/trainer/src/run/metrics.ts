/**
 * metrics.jsonl: one JSON line per step, appended after the step and before its checkpoint is
 * published, so a crash can leave lines past the last checkpoint (dropped on resume) but never a
 * hole. A power loss can also leave a half-written last line: it is dropped with a notice.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic.js';
import { hasCode, withSystemErrors } from '../system-errors.js';

export interface MetricsLine {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly stepTime: number;
  readonly imagesPerSecond: number;
  readonly time: string;
  readonly checkpoint?: string;
}

/** Parsed lines, and whether the last one was cut short (not JSON, no newline). */
export function parseMetrics(text: string): { lines: MetricsLine[]; partial: string | undefined } {
  const raw = text.split('\n');
  const last = raw.pop() ?? ''; // after the final '\n' there is nothing, unless cut short
  const lines: MetricsLine[] = [];
  let partial: string | undefined = last.trim() === '' ? undefined : last;
  for (const [i, line] of raw.entries()) {
    if (line.trim() === '') continue;
    try {
      lines.push(JSON.parse(line) as MetricsLine);
    } catch {
      if (i === raw.length - 1 && partial === undefined) partial = line;
      else throw new Error(`line ${i + 1} is not JSON: ${line.slice(0, 60)}`);
    }
  }
  return { lines, partial };
}

export async function readMetricsFile(path: string): Promise<MetricsLine[]> {
  try {
    return parseMetrics(await readFile(path, 'utf8')).lines;
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return [];
    throw error;
  }
}

export async function appendMetrics(path: string, line: MetricsLine): Promise<void> {
  await withSystemErrors(path, 'cannot append to the metrics', () =>
    appendFile(path, `${JSON.stringify(line)}\n`),
  );
}

/**
 * Makes metrics.jsonl agree with a run continuing after `step`: lines past it are dropped, and
 * so is a half-written last line (`onNotice` is told). Rewritten atomically when anything changes.
 */
export async function reconcileMetrics(
  path: string,
  step: number,
  onNotice: (message: string) => void,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return;
    throw error;
  }
  let parsed: ReturnType<typeof parseMetrics>;
  try {
    parsed = parseMetrics(text);
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
  const kept = parsed.lines.filter((l) => l.step <= step);
  if (parsed.partial !== undefined) {
    onNotice(
      `${path}: dropped a half-written last line (${parsed.partial.length} bytes, an interrupted write)`,
    );
  }
  if (kept.length === parsed.lines.length && parsed.partial === undefined) return;
  await writeFileAtomic(path, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
}
