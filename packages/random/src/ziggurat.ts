/**
 * The layers of Marsaglia & Tsang's ziggurat for the standard normal (J. Stat. Softw. 5(8), 2000):
 * 128 layers of equal area V under f(x) = exp(−x²/2), the base one holding the tail beyond R.
 * Layer i (1 … 127) is the box [0, X[i]) × [F[i], F[i+1]), F = f(X), each X[i+1] found from
 * f(X[i+1]) = V/X[i] + f(X[i]); the base layer is [0, X[0]) × [0, f(R)) with X[0] = V/f(R).
 * Computed once, in float64, from the paper's constants R and V.
 */
export const ZIGGURAT_R = 3.442619855899;
const V = 9.91256303526217e-3;
const LAYERS = 128;

const f = (x: number) => Math.exp(-0.5 * x * x);

export interface ZigguratTables {
  /** X[0 … 128], decreasing from V/f(R) to X[128] = 0. */
  readonly x: Float64Array;
  /** F[i] = f(X[i]); F[128] = 1. */
  readonly f: Float64Array;
}

let tables: ZigguratTables | undefined;

export function zigguratTables(): ZigguratTables {
  if (tables !== undefined) return tables;
  const x = new Float64Array(LAYERS + 1);
  x[0] = V / f(ZIGGURAT_R);
  x[1] = ZIGGURAT_R;
  for (let i = 1; i < LAYERS - 1; i++) x[i + 1] = Math.sqrt(-2 * Math.log(V / x[i]! + f(x[i]!)));
  x[LAYERS] = 0;
  tables = { x, f: x.map(f) };
  return tables;
}
