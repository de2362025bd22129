import { type Clock, now as monotonicNow } from "./clock.js";
import {
  argumentError,
  expectFunction,
  expectNumber,
  expectOptions,
  expectString,
} from "./errors.js";

/**
 * A stopwatch with the habits of Python's `codetiming.Timer`: `start()` and `stop()`,
 * a text template that reports the elapsed time in seconds, a logger (default
 * `console.log`), and named timers that add up in one shared registry, `Timer.timers`.
 * It can time a block (`run`) or every call of a function (`wrap`, like codetiming's
 * decorator).
 *
 * @example
 * ```ts
 * import { Timer, sleep } from "asynclab";
 * const timer = new Timer({ name: "One", text: "Task {name} elapsed time: {:.1f}" });
 * await timer.run(() => sleep(1500)); // prints "Task One elapsed time: 1.5"
 * Timer.timers.total("One");          // 1.5…
 * ```
 * @module
 */

/** What `text` may be: a template, or a function of the elapsed seconds. */
export type TimerText = string | ((seconds: number) => string);

/** Where the report goes; `null` keeps the timer quiet. */
export type TimerLogger = ((text: string) => void) | null;

/** Options for a new {@link Timer}. */
export interface TimerOptions {
  /** Names the timer: its times accumulate under this name in `Timer.timers`. */
  name?: string;
  /**
   * The report printed by `stop()`, in SECONDS, like codetiming: `{}` or `{:.2f}` is the
   * elapsed time, `{name}` the name, `{seconds}`, `{milliseconds}`, `{minutes}` (each may
   * take a format such as `{milliseconds:.0f}`), `{{`/`}}` are literal braces. Or a
   * function `(seconds) => string`. Default `"Elapsed time: {:0.4f} seconds"`.
   */
  text?: TimerText;
  /** Receives the report (default `console.log`, looked up at each stop); `null` silences it. */
  logger?: TimerLogger;
  /** The clock to read, in ms (default: the library's monotonic clock). Tests pass a fake one. */
  clock?: Clock;
}

/**
 * The error a timer throws when used out of order (stopped when not running, started
 * twice), like codetiming's `TimerError`.
 *
 * @example
 * ```ts
 * try { new Timer().stop(); } catch (e) { e instanceof TimerError; } // true
 * ```
 */
export class TimerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimerError";
  }
}

/**
 * Every time recorded by named timers, by name, like codetiming's `Timer.timers`: the
 * total, count and statistics of each name's runs, in seconds.
 *
 * @example
 * ```ts
 * Timer.timers.clear();
 * new Timer({ name: "fetch", logger: null }).run(() => blockingSleep(10));
 * Timer.timers.count("fetch"); // 1
 * Timer.timers.toJSON();       // { fetch: 0.01… }
 * ```
 */
export class Timers {
  readonly #timings = new Map<string, number[]>();

  /** Records one run of `seconds` under `name`. */
  add(name: string, seconds: number): void {
    expectString("name", name);
    if (typeof seconds !== "number" || Number.isNaN(seconds)) {
      throw argumentError("seconds", "a number", seconds);
    }
    const list = this.#timings.get(name);
    if (list) list.push(seconds);
    else this.#timings.set(name, [seconds]);
  }

  /** Forgets every recorded time. */
  clear(): void {
    this.#timings.clear();
  }

  /** True when `name` has recorded at least one run. */
  has(name: string): boolean {
    return this.#timings.has(name);
  }

  /** The names that have recorded runs, in order of their first run. */
  names(): string[] {
    return [...this.#timings.keys()];
  }

  /** Every time recorded under `name`, in seconds, in order. */
  timings(name: string): number[] {
    return [...this.#values(name)];
  }

  /** How many runs `name` recorded. */
  count(name: string): number {
    return this.#values(name).length;
  }

  /** The sum of `name`'s runs, in seconds. */
  total(name: string): number {
    let sum = 0;
    for (const v of this.#values(name)) sum += v;
    return sum;
  }

  /** The shortest of `name`'s runs, in seconds. */
  min(name: string): number {
    return Math.min(...this.#values(name));
  }

  /** The longest of `name`'s runs, in seconds. */
  max(name: string): number {
    return Math.max(...this.#values(name));
  }

  /** The mean of `name`'s runs, in seconds. */
  mean(name: string): number {
    return this.total(name) / this.count(name);
  }

  /** The median of `name`'s runs, in seconds (the mean of the middle two for an even count). */
  median(name: string): number {
    const sorted = [...this.#values(name)].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  /** The sample standard deviation of `name`'s runs (NaN with fewer than two), like `statistics.stdev`. */
  stdev(name: string): number {
    const values = this.#values(name);
    if (values.length < 2) return Number.NaN;
    const mean = this.mean(name);
    let squares = 0;
    for (const v of values) squares += (v - mean) ** 2;
    return Math.sqrt(squares / (values.length - 1));
  }

  /** A plain snapshot: name → total seconds, like codetiming's `dict(Timer.timers)`. */
  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.#timings.keys()) out[name] = this.total(name);
    return out;
  }

  #values(name: string): number[] {
    const values = this.#timings.get(name);
    if (values === undefined) {
      const known = this.names();
      const hint = known.length ? ` (${known.join(", ")})` : "";
      throw argumentError("name", `the name of a timer that has stopped${hint}`, name);
    }
    return values;
  }
}

const DEFAULT_TEXT = "Elapsed time: {:0.4f} seconds";
const FIELDS = new Set(["", "name", "seconds", "milliseconds", "minutes"]);
// A replacement field (`{name:spec}`) or an escaped brace.
const FIELD = /\{\{|\}\}|\{([a-z]*)(?::([^{}]*))?\}/g;
// The subset of Python's format spec we honour: [0][width][.precision][f].
const SPEC = /^0?(\d*)(?:\.(\d+))?f?$/;

function checkTemplate(text: string): void {
  const rest = text.replace(FIELD, (match, field: string | undefined, spec: string | undefined) => {
    if (match === "{{" || match === "}}") return "";
    if (!FIELDS.has(field ?? "") || (spec !== undefined && !SPEC.test(spec))) {
      throw argumentError(
        "text",
        "a template using {}, {:.Nf}, {name}, {seconds}, {milliseconds} or {minutes}",
        match,
      );
    }
    return "";
  });
  if (/[{}]/.test(rest)) {
    throw argumentError(
      "text",
      "a template with matched braces (write {{ and }} for braces)",
      text,
    );
  }
}

function formatNumber(value: number, spec: string | undefined): string {
  if (spec === undefined || spec === "") return String(value);
  const [, width = "", precision] = SPEC.exec(spec) ?? [];
  const shown = precision === undefined ? String(value) : value.toFixed(Number(precision));
  return shown.padStart(Number(width || 0));
}

/**
 * Fills a codetiming-style template with a time in seconds, as `Timer.stop()` does:
 * like Python's `str.format(seconds, name=..., seconds=..., milliseconds=..., minutes=...)`.
 *
 * @example
 * ```ts
 * formatElapsed("\nTotal elapsed time: {:.1f}", 3.2); // "\nTotal elapsed time: 3.2"
 * formatElapsed("{name}: {milliseconds:.0f} ms", 0.25, "One"); // "One: 250 ms"
 * ```
 */
export function formatElapsed(text: string, seconds: number, name?: string): string {
  expectString("text", text, { allowEmpty: true });
  checkTemplate(text);
  expectNumber("seconds", seconds);
  if (name !== undefined) expectString("name", name);
  return fill(text, seconds, name);
}

function fill(text: string, seconds: number, name: string | undefined): string {
  return text.replace(FIELD, (match, field: string | undefined, spec: string | undefined) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    if (field === "name") return name ?? "";
    const value =
      field === "milliseconds" ? seconds * 1000 : field === "minutes" ? seconds / 60 : seconds;
    return formatNumber(value, spec);
  });
}

/**
 * A stopwatch with codetiming's habits; see the module documentation.
 *
 * @example
 * ```ts
 * const t = new Timer({ text: "took {milliseconds:.0f} ms" });
 * t.start();
 * blockingSleep(20);
 * t.stop(); // prints "took 20 ms", returns 0.02…
 * ```
 */
export class Timer {
  /** The shared registry where named timers add their times, like codetiming's `Timer.timers`. */
  static readonly timers = new Timers();

  /** The name under which stops accumulate in `Timer.timers` (none: not recorded). */
  readonly name: string | undefined;
  /** The report template or function. */
  readonly text: TimerText;
  /** Seconds of the last finished run (NaN before the first). */
  last = Number.NaN;
  readonly #logger: TimerLogger | undefined;
  readonly #clock: Clock;
  #started: number | undefined;

  constructor(options: TimerOptions = {}) {
    expectOptions("options", options);
    this.name = options.name === undefined ? undefined : expectString("name", options.name);
    const text = options.text ?? DEFAULT_TEXT;
    if (typeof text === "string") checkTemplate(text);
    else if (typeof text !== "function") {
      throw argumentError("text", "a template string or a function (seconds) => string", text);
    }
    this.text = text;
    const logger = options.logger;
    if (logger !== undefined && logger !== null && typeof logger !== "function") {
      throw argumentError("logger", "a function, or null for silence", logger);
    }
    this.#logger = logger;
    this.#clock =
      options.clock === undefined ? monotonicNow : expectFunction("clock", options.clock);
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#started !== undefined;
  }

  /**
   * Starts the stopwatch. Throws a `TimerError` if it is already running.
   *
   * @example
   * ```ts
   * timer.start();
   * ```
   */
  start(): void {
    if (this.#started !== undefined) {
      throw new TimerError("Timer is running. Use .stop() to stop it");
    }
    this.#started = this.#clock();
  }

  /**
   * Stops the stopwatch: records the time in `last` (and in `Timer.timers` under the
   * name), logs the report, and returns the elapsed SECONDS. Throws a `TimerError` if the
   * timer is not running.
   *
   * @example
   * ```ts
   * timer.start();
   * const seconds = timer.stop();
   * ```
   */
  stop(): number {
    if (this.#started === undefined) {
      throw new TimerError("Timer is not running. Use .start() to start it");
    }
    const started = this.#started;
    this.#started = undefined;
    return this.#finish(started);
  }

  /**
   * Times a block, like codetiming's `with Timer():`. A sync `fn` is timed until it
   * returns and its value is returned; when it returns a promise the timer stops when
   * that settles and the promise's value is returned. The timer stops even if `fn`
   * throws or rejects, and the error is passed on. Throws a `TimerError` if already running.
   *
   * @example
   * ```ts
   * const n = new Timer().run(() => 6 * 7);            // logs the time, n = 42
   * await new Timer({ name: "One" }).run(() => sleep(150));
   * ```
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
  run<T>(fn: () => T): T;
  run<T>(fn: () => T | Promise<T>): T | Promise<T> {
    expectFunction("fn", fn);
    this.start();
    let result: T | Promise<T>;
    try {
      result = fn();
    } catch (error) {
      this.stop();
      throw error;
    }
    if (!isThenable(result)) {
      this.stop();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        this.stop();
        return value;
      },
      (error: unknown) => {
        this.stop();
        throw error;
      },
    );
  }

  /**
   * Returns a function with the same signature as `fn` that times every call, like
   * codetiming's `@Timer()` decorator. Calls may overlap (several awaited at once): each
   * call is timed on its own, logged and recorded when it returns or settles, and
   * `start()`/`stop()` are not involved.
   *
   * @example
   * ```ts
   * const fetchPage = new Timer({ name: "fetch", text: "{name}: {:.2f} s" }).wrap(
   *   async (url: string) => { await sleep(100); return url.length; },
   * );
   * await Promise.all([fetchPage("a"), fetchPage("bb")]); // two lines, two runs recorded
   * ```
   */
  wrap<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    expectFunction("fn", fn);
    const timer = this;
    return function timed(this: unknown, ...args: A): R {
      const started = timer.#clock();
      let result: R;
      try {
        result = fn.apply(this, args);
      } catch (error) {
        timer.#finish(started);
        throw error;
      }
      if (!isThenable(result)) {
        timer.#finish(started);
        return result;
      }
      return Promise.resolve(result).then(
        (value) => {
          timer.#finish(started);
          return value;
        },
        (error: unknown) => {
          timer.#finish(started);
          throw error;
        },
      ) as R;
    };
  }

  #finish(started: number): number {
    const seconds = (this.#clock() - started) / 1000;
    this.last = seconds;
    if (this.name !== undefined) Timer.timers.add(this.name, seconds);
    if (this.#logger !== null) {
      const text =
        typeof this.text === "function"
          ? String(this.text(seconds))
          : fill(this.text, seconds, this.name);
      (this.#logger ?? console.log)(text);
    }
    return seconds;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
