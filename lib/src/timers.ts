import { now } from "./clock.js";
import { expectNumber, expectOptions, expectSignal } from "./errors.js";

/**
 * Two ways to wait. `sleep()` waits without blocking: it returns a promise and the event
 * loop carries on with other work meanwhile (like Python's `asyncio.sleep` and Node's
 * `setTimeout` from `node:timers/promises`). `blockingSleep()` holds the thread for the
 * whole time (like Python's `time.sleep`): nothing else runs, not even timers, which is
 * exactly what the course wants to show next to it.
 *
 * @example
 * ```ts
 * import { sleep, blockingSleep } from "asynclab";
 * await Promise.all([sleep(100), sleep(100)]); // about 100 ms: the waits overlap
 * blockingSleep(100); blockingSleep(100);      // 200 ms, and the loop was frozen
 * ```
 * @module
 */

/** The longest delay `setTimeout` honours; longer ones silently fire after 1 ms. */
/** The longest delay `setTimeout` honours (2³¹ − 1 ms, about 24.8 days); longer ones fire at once. */
export const MAX_DELAY = 2_147_483_647;

/** Options for {@link sleep}. */
export interface SleepOptions {
  /** Aborting it ends the sleep early: the promise rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Checks the arguments every sleep takes (this one and the exercise checker's virtual
 * one), so both refuse the same input the same way; returns the signal, if any.
 *
 * @example
 * ```ts
 * checkSleepArguments(-1, {}); // TypeError: Expected `ms` to be a finite number from 0 to 2147483647, got -1
 * ```
 */
export function checkSleepArguments(ms: number, options: SleepOptions): AbortSignal | undefined {
  expectNumber("ms", ms, { min: 0, max: MAX_DELAY });
  expectOptions("options", options);
  return expectSignal("signal", options.signal);
}

/**
 * Waits `ms` milliseconds without blocking: returns a promise that resolves after the
 * delay while the event loop keeps running other tasks. Like Python's
 * `await asyncio.sleep(seconds)` (but in ms) and `setTimeout(ms)` from
 * `node:timers/promises`.
 *
 * With a `signal`, aborting rejects the promise with `signal.reason` at once (an
 * already-aborted signal rejects without starting a timer). Either way no timer and no
 * abort listener is left behind. Bad arguments throw a `TypeError` right away.
 *
 * @example
 * ```ts
 * await sleep(150);                           // 150 ms later
 * const controller = new AbortController();
 * setTimeout(() => controller.abort(new Error("too slow")), 50);
 * await sleep(1000, { signal: controller.signal }).catch((e) => e.message); // "too slow"
 * ```
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const signal = checkSleepArguments(ms, options);
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    // Exactly one of the two callbacks runs, and each removes what the other needed.
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// One shared cell to wait on: nobody ever notifies it, so every wait runs to its timeout.
const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the whole thread for `ms` milliseconds, like Python's `time.sleep`: it returns
 * only when the time is up. It freezes the event loop: no timer fires, no promise
 * settles, no request is answered while it waits. The course uses it to show what a
 * blocking call does to everything else; never use it in real async code.
 *
 * Implemented with `Atomics.wait` on a `SharedArrayBuffer` (a real sleep, not a busy
 * loop), repeated if it ever wakes early.
 *
 * @example
 * ```ts
 * const t0 = now();
 * setTimeout(() => console.log("late"), 0); // can only run after the block ends
 * blockingSleep(200);
 * console.log(`${(now() - t0).toFixed(0)} ms`); // about 200 ms, then "late"
 * ```
 */
export function blockingSleep(ms: number): void {
  expectNumber("ms", ms, { min: 0, max: MAX_DELAY });
  const deadline = now() + ms;
  for (let left = ms; left > 0; left = deadline - now()) {
    Atomics.wait(cell, 0, 0, left);
  }
}
