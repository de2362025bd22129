import { now as realNow } from "./clock.js";
import { expectFunction, expectNumber, expectOptions } from "./errors.js";
import { Timeline, type TimelineOptions } from "./timeline.js";
import { checkSleepArguments, MAX_DELAY } from "./timers.js";

/**
 * Deterministic time for exercise checks and tests: a clock whose `sleep` takes no real
 * time and whose readings are exact. Code under test is handed `clock.sleep` instead of
 * the real `sleep`; `clock.run(fn)` runs it and, each time the program has nothing left
 * to do but wait, jumps virtual time straight to the next pending sleep. So a right
 * answer never fails because the machine was busy, and a wrong one (sequential where
 * concurrent was asked, blocking where non-blocking was asked) can never pass by luck:
 * two concurrent 600 ms and 400 ms sleeps take exactly 600 virtual ms, one after the
 * other exactly 1000. Like RxJS's `TestScheduler`, Python's `looptime` or sinon's fake
 * timers, but driven by idleness rather than by explicit ticks.
 *
 * How idleness is detected: after each step, `run` yields to the event loop through
 * `setImmediate`, at least twice and then for as long as the program still has
 * immediates queued (`process.getActiveResourcesInfo()`). Every microtask (promise
 * reactions, `await` continuations, `process.nextTick`) runs before an immediate, so
 * when the yields come back and the function has not finished, everything it could do
 * without time passing has been done.
 *
 * Limits, by design: only `clock.sleep` is virtual. Real I/O, a real `setTimeout` or the
 * library's real `sleep` inside `fn` take real time, and virtual time may move on while
 * they are in flight. When `fn` waits on something real and no virtual sleep is pending,
 * `run` waits for it in real time, but if there has been no progress for `guardMs`
 * (2 s by default) it fails with "the answer is waiting on something that is not the
 * provided sleep". A synchronous endless loop cannot be interrupted at all.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const { value, elapsed } = await clock.run(async () => {
 *   await Promise.all([clock.sleep(600), clock.sleep(400)]);
 *   return "both done";
 * });
 * value;   // "both done"
 * elapsed; // 600, exactly, in (almost) no real time
 * ```
 * @module
 */

/** Options for a new {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** The first reading of `now()`, in virtual ms (default 0). */
  start?: number;
  /** Real ms `run` waits without any progress before it gives up (default 2000). */
  guardMs?: number;
}

/** What {@link VirtualClock.run} resolves to: the function's value and the virtual ms it took. */
export interface RunResult<T> {
  value: T;
  elapsed: number;
}

interface PendingSleep {
  at: number;
  seq: number;
  wake: () => void;
}

/** The fewest `setImmediate` turns taken before the program may count as idle. */
const IDLE_TURNS = 2;
/** The most turns taken while other immediates keep coming (a program that never rests). */
const MAX_BUSY_TURNS = 10_000;
/** Real ms between looks while the function waits on something that is not virtual. */
const REAL_POLL_MS = 5;

/**
 * The `name` of the error `run` fails with when the function waits on something that is
 * not the clock's `sleep` (so a checker can tell it from an error the code threw).
 *
 * @example
 * ```ts
 * await clock.run(fn).catch((e) => e.name === STALL_ERROR_NAME); // true when fn stalled
 * ```
 */
export const STALL_ERROR_NAME = "VirtualClockStall";

function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock whose time only moves when the program waits on it; see the module
 * documentation.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const { elapsed } = await clock.run(async () => {
 *   await clock.sleep(1500); // sequential: the times add up
 *   await clock.sleep(200);
 * });
 * elapsed; // 1700
 * ```
 */
export class VirtualClock {
  #now: number;
  #seq = 0;
  #running = false;
  readonly #guardMs: number;
  readonly #pending: PendingSleep[] = [];

  constructor(options: VirtualClockOptions = {}) {
    expectOptions("options", options);
    this.#now = options.start === undefined ? 0 : expectNumber("start", options.start);
    this.#guardMs =
      options.guardMs === undefined ? 2000 : expectNumber("guardMs", options.guardMs, { min: 1 });
  }

  /**
   * The current virtual time in ms. A bound function: pass `clock.now` around as it is.
   *
   * @example
   * ```ts
   * new VirtualClock().now(); // 0
   * ```
   */
  readonly now = (): number => this.#now;

  /** How many sleeps are waiting for virtual time to reach them. */
  get pending(): number {
    return this.#pending.length;
  }

  /** True while {@link VirtualClock.run} is driving this clock. */
  get running(): boolean {
    return this.#running;
  }

  /**
   * Waits `ms` virtual milliseconds without blocking: resolves when `run` has moved virtual
   * time to `now() + ms`. The virtual twin of the library's `sleep` (and of
   * `asyncio.sleep`): same arguments, same abort behaviour (rejects with `signal.reason`,
   * leaves no listener behind). A bound function: hand `clock.sleep` to the code under test.
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * await clock.run(async () => {
   *   await clock.sleep(1500);
   *   return clock.now(); // 1500
   * });
   * ```
   */
  readonly sleep = (ms: number, options: { signal?: AbortSignal } = {}): Promise<void> => {
    // The real sleep's checks, so an answer that passes here also runs for real.
    const signal = checkSleepArguments(ms, options);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#pending.indexOf(entry);
        if (index >= 0) this.#pending.splice(index, 1);
        reject(signal?.reason);
      };
      const entry: PendingSleep = {
        at: this.#now + ms,
        seq: this.#seq++,
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#pending.push(entry);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  };

  /**
   * Models a blocking call, like the library's `blockingSleep` or Python's `time.sleep`:
   * virtual time jumps forward by `ms` at once, synchronously, and nothing else runs
   * meanwhile. Sleeps that fell due during the block wake up late, after it, as real
   * timers do. A bound function.
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * for (const ms of [1500, 1000, 500, 200]) clock.blockingSleep(ms);
   * clock.now(); // 3200
   * ```
   */
  readonly blockingSleep = (ms: number): void => {
    expectNumber("ms", ms, { min: 0, max: MAX_DELAY });
    this.#now += ms;
  };

  /**
   * A new `Timeline` that reads this clock, so spans recorded by the code under test are
   * virtual and exact. Its origin is the current virtual time.
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * const tl = clock.timeline();
   * await clock.run(async () => {
   *   const s = tl.begin("One", "sleep", "wait");
   *   await clock.sleep(250);
   *   s.end();
   * });
   * tl.spans[0]; // { lane: "One", label: "sleep", start: 0, end: 250, kind: "wait" }
   * ```
   */
  timeline(options: Omit<TimelineOptions, "clock"> = {}): Timeline {
    expectOptions("options", options);
    return new Timeline({ ...options, clock: this.now });
  }

  /**
   * Runs the async function `fn`, moving virtual time to the next pending sleep whenever
   * the program is idle, until `fn` settles. Resolves to its value and the virtual ms it
   * took; rejects with what `fn` threw. Like `asyncio.run` on a loop with a fake clock.
   *
   * Fails with a clear error when `fn` waits on something that is not `clock.sleep` and
   * makes no progress for `guardMs` real ms, and when a run is already in progress on
   * this clock (runs do not nest: use a second clock).
   *
   * @example
   * ```ts
   * const clock = new VirtualClock();
   * const worker = async (items: number[]) => { for (const ms of items) await clock.sleep(ms); };
   * const { elapsed } = await clock.run(() => Promise.all([worker([1500, 200]), worker([1000, 500])]));
   * elapsed; // 1700
   * ```
   */
  async run<T>(fn: () => T | Promise<T>): Promise<RunResult<T>> {
    expectFunction("fn", fn);
    if (this.#running) {
      throw new Error(
        "VirtualClock.run() is already running on this clock: runs cannot nest. " +
          "Await the first run before starting another, or use a second VirtualClock.",
      );
    }
    this.#running = true;
    try {
      return await this.#drive(fn);
    } finally {
      this.#running = false;
    }
  }

  async #drive<T>(fn: () => T | Promise<T>): Promise<RunResult<T>> {
    const start = this.#now;
    let settled = false;
    let endedAt = start;
    const outcome = Promise.resolve()
      .then(fn)
      .finally(() => {
        settled = true;
        endedAt = this.#now;
      });
    // The outcome is awaited at the end; this keeps an early rejection from being "unhandled".
    outcome.catch(() => {});
    let lastProgress = realNow();
    while (!settled) {
      for (let i = 0; i < MAX_BUSY_TURNS && !settled; i++) {
        await turn();
        // Idle = no immediate of the program's still queued (it may hop through several).
        if (i + 1 >= IDLE_TURNS && !process.getActiveResourcesInfo().includes("Immediate")) break;
      }
      if (settled) break;
      const next = this.#takeNext();
      if (next) {
        this.#now = Math.max(this.#now, next.at);
        next.wake();
        lastProgress = realNow();
        continue;
      }
      if (realNow() - lastProgress > this.#guardMs) {
        const error = new Error(
          `the answer is waiting on something that is not the provided sleep: nothing ` +
            `happened for ${this.#guardMs} ms of real time and no virtual sleep is pending ` +
            `(a real sleep or setTimeout, a promise that never settles, real I/O?)`,
        );
        error.name = STALL_ERROR_NAME;
        throw error;
      }
      await this.#realPause(outcome);
    }
    const value = await outcome;
    return { value, elapsed: endedAt - start };
  }

  /** Removes and returns the earliest pending sleep (the first scheduled among equals). */
  #takeNext(): PendingSleep | undefined {
    let best = -1;
    for (let i = 0; i < this.#pending.length; i++) {
      const p = this.#pending[i]!;
      const b = this.#pending[best];
      if (!b || p.at < b.at || (p.at === b.at && p.seq < b.seq)) best = i;
    }
    return best < 0 ? undefined : this.#pending.splice(best, 1)[0];
  }

  /** Waits a few real ms, or less if the function settles meanwhile; leaves no timer behind. */
  async #realPause(outcome: Promise<unknown>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        outcome.then(
          () => {},
          () => {},
        ),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, REAL_POLL_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
