import { setMaxListeners } from "node:events";
import { now } from "./clock.js";
import {
  argumentError,
  expectFunction,
  expectInteger,
  expectOptions,
  expectSignal,
  expectString,
} from "./errors.js";
import { QueueClosedError, WorkQueue } from "./queue.js";
import { type SpanKind, Timeline } from "./timeline.js";

/**
 * A worker pool: N workers take items from a source one at a time and run an async
 * function on each, so that at most N run at once, and every item is accounted for in
 * the report as done, failed or cancelled. It is what Python spells
 * `asyncio.gather(*(limited(x) for x in xs))` with a semaphore, or an `asyncio.Queue` with
 * N worker tasks, or `concurrent.futures.ThreadPoolExecutor(max_workers=N).map(fn, xs)`,
 * except that a failure never stops the others (unless `failFast`) and nothing is lost.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * const report = await runPool([1500, 1000, 500, 200], (ms) => sleep(ms), {
 *   concurrency: 2,
 *   names: ["One", "Two"],
 *   timeline: tl,
 *   label: (ms) => `sleep ${ms}`,
 * });
 * report.done; // 4
 * report.elapsedMs; // about 1700
 * tl.show();
 * ```
 * @module
 */

/** Where the items come from: a queue (drained until closed), an iterable or an async iterable. */
export type PoolSource<T> = WorkQueue<T> | Iterable<T> | AsyncIterable<T>;

/** What a worker function learns about the item it runs. */
export interface PoolContext {
  /** The 0-based position of the item in the source. */
  index: number;
  /** The 0-based id of the worker running it. */
  worker: number;
  /** That worker's name (its timeline lane). */
  workerName: string;
  /** Aborted when the pool is aborted (the `signal` option, or the first failure with `failFast`). */
  signal: AbortSignal;
}

/** The function a pool runs on each item; it may be sync or async. */
export type PoolWorker<T, R> = (item: T, context: PoolContext) => Promise<R> | R;

/** How an item ended. */
export type ItemStatus = "done" | "failed" | "cancelled";

/** What happened to one item. Times are ms on the timeline's clock, or since the pool started. */
export interface ItemRecord<T, R> {
  /** The 0-based position of the item in the source. */
  index: number;
  item: T;
  /**
   * `done`: the worker returned `value`. `failed`: it threw or rejected `error`.
   * `cancelled`: the pool was aborted before the item started, or while it ran and the
   * worker then threw (`error` holds what it threw, usually the abort reason).
   */
  status: ItemStatus;
  value?: R;
  error?: unknown;
  /** The worker that ran it (absent if it never started). */
  worker?: number;
  workerName?: string;
  start?: number;
  end?: number;
}

/** The state of a run, passed to `onProgress` each time an item settles. */
export interface PoolProgress<T, R> {
  done: number;
  failed: number;
  cancelled: number;
  /** Items running now. */
  running: number;
  /** How many items the source holds, when that is known (an array); else undefined. */
  total: number | undefined;
  elapsedMs: number;
  /** The item that just settled. */
  record: ItemRecord<T, R>;
}

/** What `runPool` resolves to. */
export interface PoolReport<T, R> {
  /** One record per item drawn from the source, in source order. */
  items: ItemRecord<T, R>[];
  done: number;
  failed: number;
  cancelled: number;
  elapsedMs: number;
  /** The most items that ran at the same time. */
  peakConcurrency: number;
  /** True if the pool was aborted (by `signal`, or by a failure with `failFast`). */
  aborted: boolean;
  /** Set if the source itself threw (its iterator's `next()` failed): drawing stopped there. */
  sourceError?: unknown;
}

/** Options of {@link runPool}. */
export interface PoolOptions<T, R = unknown> {
  /** How many items may run at once: an integer ≥ 1. Required unless `names` is given. */
  concurrency?: number;
  /** Worker names, one per worker (default "worker 1" … "worker N"); they are the timeline lanes. */
  names?: readonly string[];
  /** Aborting it stops handing out items and aborts the in-flight items' `context.signal`. */
  signal?: AbortSignal;
  /** Abort the rest at the first failure (default false: failures never stop the others). */
  failFast?: boolean;
  /** Records each item as a span on its worker's lane. */
  timeline?: Timeline;
  /** The span label of an item (default `String(item)`). */
  label?: (item: T, index: number) => string;
  /** The span kind of a done item (default "run"); failed items are "failed", cancelled "cancelled". */
  kind?: SpanKind;
  /** Called each time an item settles, for progress displays. */
  onProgress?: (progress: PoolProgress<T, R>) => void;
}

const ARRAY = 0;
const QUEUE = 1;
const ITERATOR = 2;
const ASYNC_ITERATOR = 3;
const STOPPED: unique symbol = Symbol("stopped");

type Pulled<T> = IteratorResult<T> | typeof STOPPED;

/** One run of a pool: the shared state of its workers. */
class PoolRun<T, R> {
  static keepWarm: unknown;
  readonly records: ItemRecord<T, R>[] = [];
  done = 0;
  failed = 0;
  cancelled = 0;
  running = 0;
  peak = 0;
  /** Set on abort or source failure: no more items are handed out. */
  stopped = false;
  exhausted = false;
  finished = false;
  hasSourceError = false;
  sourceError: unknown = undefined;
  hasObserverError = false;
  observerError: unknown = undefined;
  /** Items drawn so far = the next item's index. */
  drawn = 0;
  readonly controller = new AbortController();
  readonly t0 = now();
  readonly kind: number;
  readonly observed: boolean;
  readonly array: readonly T[] | undefined;
  readonly queue: WorkQueue<T> | undefined;
  readonly iterator: Iterator<T> | AsyncIterator<T> | undefined;
  /** The end of the chain of async pulls: one `next()` at a time, in order. */
  pullTail: Promise<unknown> = Promise.resolve();
  /** Resolves when the pool is aborted; created only for async iterators. */
  abortWait: Promise<typeof STOPPED> | undefined;

  constructor(
    source: PoolSource<T>,
    readonly worker: PoolWorker<T, R>,
    readonly names: readonly string[],
    readonly failFast: boolean,
    readonly timeline: Timeline | undefined,
    readonly label: ((item: T, index: number) => string) | undefined,
    readonly spanKind: SpanKind,
    readonly onProgress: ((progress: PoolProgress<T, R>) => void) | undefined,
  ) {
    // Every worker waiting on a queue listens to this signal: more than Node's default 10.
    setMaxListeners(0, this.controller.signal);
    this.observed = timeline !== undefined || onProgress !== undefined;
    if (source instanceof WorkQueue) {
      this.kind = QUEUE;
      this.queue = source;
    } else if (Array.isArray(source)) {
      this.kind = ARRAY;
      this.array = source;
    } else {
      // Like `for await`, prefer the async iterator when a source has both.
      const isAsync = typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === "function";
      this.kind = isAsync ? ASYNC_ITERATOR : ITERATOR;
      try {
        this.iterator = isAsync
          ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
          : (source as Iterable<T>)[Symbol.iterator]();
      } catch (error) {
        this.failSource(error);
      }
      if (isAsync) {
        this.abortWait = new Promise((resolve) => {
          this.controller.signal.addEventListener("abort", () => resolve(STOPPED), { once: true });
        });
      }
    }
  }

  clock(): number {
    return this.timeline === undefined ? now() - this.t0 : this.timeline.now();
  }

  abort(reason: unknown): void {
    if (this.controller.signal.aborted) return;
    this.stopped = true;
    this.controller.abort(reason);
  }

  failSource(error: unknown): void {
    if (!this.hasSourceError) {
      this.hasSourceError = true;
      this.sourceError = error;
    }
    this.stopped = true;
  }

  record(item: T): ItemRecord<T, R> {
    // Every field from the start: one hidden class for all records, no property-array growth.
    const record: ItemRecord<T, R> = {
      index: this.drawn++,
      item,
      status: "cancelled",
      value: undefined,
      worker: undefined,
      workerName: undefined,
      start: undefined,
      end: undefined,
    };
    this.records.push(record);
    return record;
  }

  /** One worker: draw an item, run it, record it, until the source is done or the pool stops. */
  async work(id: number): Promise<void> {
    const name = this.names[id]!;
    const signal = this.controller.signal;
    // The end time of the previous item is also the start of the next one when nothing was
    // awaited in between (the item was drawn synchronously): one clock read per item, not two.
    let time = Number.NaN;
    for (;;) {
      if (this.stopped) return;
      let record: ItemRecord<T, R>;
      if (this.kind === ARRAY) {
        const array = this.array!;
        if (this.drawn >= array.length) return;
        record = this.record(array[this.drawn] as T);
      } else if (this.kind === QUEUE) {
        const queue = this.queue!;
        let item: T;
        if (queue.size > 0) item = queue.tryGet()!.value;
        else if (queue.closed) return;
        else {
          try {
            item = await queue.get({ signal });
          } catch (error) {
            // Closed and drained, or the pool was aborted while waiting (nothing taken).
            if (!(error instanceof QueueClosedError) && !signal.aborted) this.failSource(error);
            return;
          }
          time = Number.NaN;
        }
        record = this.record(item);
      } else if (this.kind === ITERATOR) {
        if (this.exhausted) return;
        let result: IteratorResult<T>;
        try {
          result = (this.iterator as Iterator<T>).next();
          if (result.done) {
            this.exhausted = true;
            return;
          }
        } catch (error) {
          this.failSource(error);
          return;
        }
        record = this.record(result.value);
        time = Number.NaN; // the generator may have worked for a while
      } else {
        const pulled = await this.pull();
        if (pulled === STOPPED || pulled.done) return;
        record = this.record(pulled.value);
        time = Number.NaN;
      }
      // Drawn while (or just before) the pool was aborted: accounted for, not run.
      if (this.stopped) {
        this.settle(record);
        return;
      }
      record.worker = id;
      record.workerName = name;
      record.start = Number.isNaN(time) ? this.clock() : time;
      if (++this.running > this.peak) this.peak = this.running;
      try {
        record.value = await this.worker(record.item, {
          index: record.index,
          worker: id,
          workerName: name,
          signal,
        });
        record.status = "done";
      } catch (error) {
        record.error = error;
        if (!signal.aborted) {
          record.status = "failed";
          if (this.failFast) this.abort(error);
        }
      }
      this.running--;
      record.end = time = this.clock();
      this.settle(record);
      if (this.observed) time = Number.NaN; // observers take time: read the clock afresh
    }
  }

  /**
   * The next result of an async iterator. Pulls are chained so that only one `next()` is
   * in flight at a time and indices follow the source order. An abort stops the wait (a
   * `next()` cannot be interrupted), so the pool settles even if the source never answers.
   */
  pull(): Promise<Pulled<T>> {
    const pulled = this.pullTail.then(() => this.pullNext());
    this.pullTail = pulled;
    return Promise.race([pulled, this.abortWait!]);
  }

  pullNext(): Pulled<T> | Promise<Pulled<T>> {
    if (this.exhausted || this.stopped) return STOPPED;
    let next: Promise<IteratorResult<T>>;
    try {
      next = Promise.resolve((this.iterator as AsyncIterator<T>).next());
    } catch (error) {
      this.failSource(error);
      return STOPPED;
    }
    return next.then(
      (result): Pulled<T> => {
        if (typeof result !== "object" || result === null) {
          this.failSource(new TypeError(`Iterator result ${String(result)} is not an object`));
          return STOPPED;
        }
        if (result.done) {
          this.exhausted = true;
          return result;
        }
        if (this.stopped) {
          // The pool stopped while this next() was pending and no worker waits for it
          // any more: account for the item as cancelled, if the report is still open.
          if (!this.finished) this.settle(this.record(result.value));
          return STOPPED;
        }
        return result;
      },
      (error: unknown): Pulled<T> => {
        this.failSource(error);
        return STOPPED;
      },
    );
  }

  /** Counts a settled record and tells the observers (timeline, onProgress). */
  settle(record: ItemRecord<T, R>): void {
    if (record.status === "done") this.done++;
    else if (record.status === "failed") this.failed++;
    else this.cancelled++;
    if (!this.observed) return;
    try {
      if (this.timeline !== undefined && record.start !== undefined) {
        const label = this.label ? this.label(record.item, record.index) : String(record.item);
        const kind = record.status === "done" ? this.spanKind : record.status;
        this.timeline.span(record.workerName!, label, record.start, record.end!, kind);
      }
      if (this.onProgress !== undefined && !this.hasObserverError) {
        this.onProgress({
          done: this.done,
          failed: this.failed,
          cancelled: this.cancelled,
          running: this.running,
          total: this.array?.length,
          elapsedMs: now() - this.t0,
          record,
        });
      }
    } catch (error) {
      if (!this.hasObserverError) {
        this.hasObserverError = true;
        this.observerError = error;
      }
    }
  }

  async run(concurrency: number, signal: AbortSignal | undefined): Promise<PoolReport<T, R>> {
    const onAbort = () => this.abort(signal!.reason);
    if (signal?.aborted) this.abort(signal.reason);
    else signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const n = this.kind === ARRAY ? Math.min(concurrency, this.array!.length) : concurrency;
      const workers: Promise<void>[] = [];
      for (let id = 0; id < n; id++) workers.push(this.work(id));
      await Promise.all(workers);
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
    if (this.kind === ARRAY) {
      const array = this.array!;
      while (this.drawn < array.length) this.settle(this.record(array[this.drawn] as T));
    }
    if (this.stopped && !this.exhausted && !this.hasSourceError && this.iterator !== undefined) {
      this.closeIterator();
    }
    this.finished = true;
    if (this.hasObserverError) throw this.observerError;
    const report: PoolReport<T, R> = {
      items: this.records,
      done: this.done,
      failed: this.failed,
      cancelled: this.cancelled,
      elapsedMs: now() - this.t0,
      peakConcurrency: this.peak,
      aborted: this.controller.signal.aborted,
    };
    if (this.hasSourceError) report.sourceError = this.sourceError;
    return report;
  }

  /** Lets an iterator we stopped early clean up, like `break` in a `for...of` loop does. */
  closeIterator(): void {
    try {
      const returned = this.iterator!.return?.();
      // An async generator answers after its pending next(); don't wait, but don't leak a rejection.
      if (returned instanceof Promise) returned.catch(() => {});
    } catch {
      // The source's cleanup failed; the items are all accounted for, so there is nothing to add.
    }
  }
}

/**
 * Runs `worker` on every item of `source` with at most `concurrency` items at once and
 * reports how each item ended. Like Python's `asyncio.gather` over a semaphore-guarded
 * coroutine, an `asyncio.Queue` with N worker tasks, or
 * `ThreadPoolExecutor(max_workers=N).map(fn, items)`.
 *
 * - Items are handed out in source order, one at a time, to whichever worker is free.
 * - A failing item is recorded as `failed` and never stops the others, unless `failFast`:
 *   then the first failure aborts the pool (its error becomes `context.signal.reason`).
 * - Aborting `signal` stops handing out items and aborts every in-flight item's
 *   `context.signal`. In-flight items that then reject are `cancelled`, those that still
 *   resolve are `done`. Of an array, the items not started are recorded `cancelled`; other
 *   sources are not drawn further (a queue keeps its items, an iterator is `return()`ed).
 * - With a {@link WorkQueue} as the source, the workers wait for items until the queue is
 *   closed and drained, or the pool is aborted: a queue that is never closed keeps the
 *   pool running.
 * - An async iterator's pending `next()` cannot be interrupted: on abort the pool stops
 *   waiting for it and settles; an item it yields while the pool is still settling is
 *   recorded `cancelled`, one that comes later is not in the report. Use a WorkQueue as
 *   the source when every item must be accounted for under abort.
 * - If the source itself throws, drawing stops, the items in flight finish, and the
 *   report carries `sourceError`.
 * - The returned promise never rejects because of an item. It rejects for bad arguments,
 *   and with the first error thrown by `onProgress` or `label` (after everything settled).
 *
 * @example
 * ```ts
 * const q = new WorkQueue<number>();
 * const pool = runPool(q, async (n, { workerName }) => {
 *   await sleep(100);
 *   return `${workerName} did ${n}`;
 * }, { concurrency: 3 });
 * for (let n = 0; n < 9; n++) await q.put(n);
 * q.close(); // the pool ends once the queue is drained
 * const report = await pool; // report.done === 9, report.elapsedMs ≈ 300
 * ```
 */
export async function runPool<T, R>(
  source: PoolSource<T>,
  worker: PoolWorker<T, R>,
  options: PoolOptions<T, R>,
): Promise<PoolReport<T, R>> {
  const isSource =
    source instanceof WorkQueue ||
    (source !== null &&
      (typeof source === "object" || typeof source === "string") &&
      (typeof (source as Iterable<T>)[Symbol.iterator] === "function" ||
        typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === "function"));
  if (!isSource) {
    throw argumentError("source", "a WorkQueue, an iterable or an async iterable", source);
  }
  expectFunction("worker", worker);
  if (options === undefined || options === null || typeof options !== "object") {
    throw argumentError("options", "an options object with `concurrency`", options);
  }
  expectOptions("options", options);
  let names = options.names;
  const concurrency =
    options.concurrency === undefined && Array.isArray(names) && names.length > 0
      ? names.length
      : expectInteger("concurrency", options.concurrency, { min: 1 });
  if (names === undefined) {
    names = Array.from({ length: concurrency }, (_, i) => `worker ${i + 1}`);
  } else if (
    !Array.isArray(names) ||
    names.length !== concurrency ||
    !names.every((n) => typeof n === "string" && n.length > 0)
  ) {
    throw argumentError("names", `an array of ${concurrency} non-empty strings`, names);
  }
  const signal = expectSignal("signal", options.signal);
  if (options.failFast !== undefined && typeof options.failFast !== "boolean") {
    throw argumentError("failFast", "a boolean", options.failFast);
  }
  if (options.timeline !== undefined && !(options.timeline instanceof Timeline)) {
    throw argumentError("timeline", "a Timeline", options.timeline);
  }
  if (options.label !== undefined) expectFunction("label", options.label);
  const kind = options.kind === undefined ? "run" : expectString("kind", options.kind);
  if (options.onProgress !== undefined) expectFunction("onProgress", options.onProgress);
  const run = new PoolRun<T, R>(
    source,
    worker,
    names,
    options.failFast === true,
    options.timeline,
    options.label,
    kind,
    options.onProgress,
  );
  return run.run(concurrency, signal);
}

// An idle instance that keeps the hidden classes of `PoolRun` alive, as in queue.ts: V8's
// optimised code holds hidden classes weakly, so when every pool has finished a full GC
// would drop them and throw the pool's optimised code away (the next pool starts cold).
PoolRun.keepWarm = new PoolRun(
  [],
  () => undefined,
  [],
  false,
  undefined,
  undefined,
  "run",
  undefined,
);
