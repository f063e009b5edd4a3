/**
 * One way to validate configuration across the trainer, the sweep and the CLI: zod schemas, and
 * one formatter that turns zod's issues into `path: expected …, got …` lines with the offending
 * value, so every bad-config error has the same shape.
 */
import type { z } from 'zod';
import { type ConfigIssue, TrainerError } from './errors.js';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  try {
    const text = JSON.stringify(v);
    return text.length > 60 ? `${text.slice(0, 57)}…` : text;
  } catch {
    return String(v);
  }
}

/** zod issues as `{ path, message }` with the value that was got appended. */
export function describeIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      // The line starts with the path already (`train: unknown key epochs`).
      const keys = issue.keys;
      return { path, message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}` };
    }
    // Custom checks (refinements) write their whole sentence.
    if (issue.code === 'custom') return { path, message: issue.message };
    const got = valueAt(input, issue.path);
    // zod's own texts read "Invalid input: expected number, received string"; keep the part
    // after the colon and say what was got.
    const expected = issue.message.replace(/^[A-Z][a-z ]+: /, '').replace(/, received \w+$/, '');
    const message = got === undefined ? `missing (${expected})` : `${expected}, got ${show(got)}`;
    return { path, message };
  });
}

/** Parses `input` with `schema` or throws TrainerError('invalid_config') naming every issue. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = describeIssues(result.error, input);
  const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  throw new TrainerError('invalid_config', `${source}: ${lines.join('; ')}`, { issues });
}
