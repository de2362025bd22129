import { performance } from "node:perf_hooks";

/**
 * The library's one clock: monotonic milliseconds, shared by timers, timelines and the
 * loop monitor so that everything they record lines up. Like Python's
 * `time.perf_counter()` (and `performance.now()`, which it wraps), it never jumps when the
 * wall clock is changed.
 *
 * @example
 * ```ts
 * const t0 = now();
 * await sleep(50);
 * console.log(`${(now() - t0).toFixed(0)} ms`); // about 50 ms
 * ```
 * @module
 */

/** A source of monotonic time in milliseconds. Tests pass their own to freeze time. */
export type Clock = () => number;

/** Monotonic milliseconds since the process started (`performance.now()`). */
export const now: Clock = () => performance.now();
