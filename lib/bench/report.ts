/**
 * The benchmark report format: one line per target,
 * `<name>: <value> (target <bound>) ok|MISS`, with the verdict computed from numbers
 * measured in the same run. Collects results so the runner can exit non-zero on a miss.
 */

export interface BenchResult {
  name: string;
  value: number;
  /** How the value is shown, e.g. "0.31×", "212 ms", "180 B". */
  shown: string;
  /** The bound as shown, e.g. "≤ 0.5×". */
  target: string;
  ok: boolean;
}

const results: BenchResult[] = [];

/**
 * Records and prints a result that must be at most `bound`.
 * `unit` is appended to both numbers ("×", " ms", " B", " µs").
 */
export function atMost(
  name: string,
  value: number,
  bound: number,
  unit: string,
  digits = 2,
): BenchResult {
  const result: BenchResult = {
    name,
    value,
    shown: `${value.toFixed(digits)}${unit}`,
    target: `≤ ${bound}${unit}`,
    ok: value <= bound,
  };
  results.push(result);
  console.log(`${name}: ${result.shown} (target ${result.target}) ${result.ok ? "ok" : "MISS"}`);
  return result;
}

/** Prints an informational measurement that has no target (always ok). */
export function info(name: string, shown: string): void {
  console.log(`${name}: ${shown} (target none) ok`);
}

/** All results recorded so far in this process. */
export function allResults(): readonly BenchResult[] {
  return results;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0..1) of a list of numbers, nearest-rank. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
