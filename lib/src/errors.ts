/**
 * Argument checks shared by every public function, so that bad input always fails the
 * same way: a `TypeError` that names the argument, says what was expected and shows
 * what was given.
 *
 * @example
 * ```ts
 * expectInteger("concurrency", 0, { min: 1 });
 * // TypeError: Expected `concurrency` to be an integer ≥ 1, got 0
 * ```
 * @module
 */

/**
 * Shows a value the way an error message should: short, typed, never `[object Object]`.
 *
 * @example
 * ```ts
 * describeValue("x"); // '"x"'
 * describeValue(new Map()); // "a Map"
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === "number") {
    return Object.is(value, -0) ? "-0" : String(value);
  }
  if (typeof value === "bigint") return `${value}n`;
  if (value === null || value === undefined || typeof value === "boolean") return String(value);
  if (typeof value === "function") return `a function${value.name ? ` (${value.name})` : ""}`;
  if (typeof value === "symbol") return value.toString();
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = (value as object).constructor?.name;
  return name && name !== "Object" ? `a ${name}` : "an object";
}

/**
 * Builds the one error shape of the library: ``Expected `name` to be <what>, got <value>``.
 *
 * @example
 * ```ts
 * throw argumentError("sink", "a function", null);
 * // TypeError: Expected `sink` to be a function, got null
 * ```
 */
export function argumentError(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected \`${name}\` to be ${expected}, got ${describeValue(value)}`);
}

/** Bounds for numeric checks. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

function boundsText({ min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return "";
}

function inBounds(value: number, { min, max }: NumberBounds): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

/**
 * Checks that `value` is an integer within bounds (`Infinity` is allowed only when
 * `allowInfinity` is set, as for an unbounded capacity).
 *
 * @example
 * ```ts
 * expectInteger("workers", 2, { min: 1 }); // ok, returns 2
 * ```
 */
export function expectInteger(
  name: string,
  value: unknown,
  bounds: NumberBounds & { allowInfinity?: boolean } = {},
): number {
  const ok =
    typeof value === "number" &&
    (Number.isInteger(value) || (bounds.allowInfinity === true && value === Infinity)) &&
    inBounds(value, bounds);
  if (!ok) {
    const infinity = bounds.allowInfinity ? " (or Infinity)" : "";
    throw argumentError(name, `an integer${boundsText(bounds)}${infinity}`, value);
  }
  return value;
}

/**
 * Checks that `value` is a finite number within bounds.
 *
 * @example
 * ```ts
 * expectNumber("ms", 250, { min: 0 }); // ok, returns 250
 * ```
 */
export function expectNumber(name: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !inBounds(value, bounds)) {
    throw argumentError(name, `a finite number${boundsText(bounds)}`, value);
  }
  return value;
}

/**
 * Checks that `value` is a string (non-empty unless `allowEmpty`).
 *
 * @example
 * ```ts
 * expectString("lane", "Task One"); // ok
 * ```
 */
export function expectString(
  name: string,
  value: unknown,
  options: { allowEmpty?: boolean } = {},
): string {
  if (typeof value !== "string" || (!options.allowEmpty && value.length === 0)) {
    throw argumentError(name, options.allowEmpty ? "a string" : "a non-empty string", value);
  }
  return value;
}

/**
 * Checks that `value` is a function.
 *
 * @example
 * ```ts
 * expectFunction("task", async () => 1); // ok
 * ```
 */
export function expectFunction<F extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
): F {
  if (typeof value !== "function") throw argumentError(name, "a function", value);
  return value as F;
}

/**
 * Checks that `value` is an `AbortSignal` or `undefined`.
 *
 * @example
 * ```ts
 * expectSignal("signal", AbortSignal.timeout(100)); // ok
 * ```
 */
export function expectSignal(name: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw argumentError(name, "an AbortSignal", value);
  return value;
}

/**
 * Checks that `value` is a plain options object or `undefined`.
 *
 * @example
 * ```ts
 * expectOptions("options", { signal: undefined }); // ok
 * ```
 */
export function expectOptions(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== "object")) {
    throw argumentError(name, "an options object", value);
  }
}
