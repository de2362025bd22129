import { expectInteger, expectOptions, expectSignal } from "./errors.js";

/**
 * An async work queue: producers `put` items, consumers `get` them, in order. It is
 * Python's `asyncio.Queue` (with the `shutdown()` of Python 3.13, here called `close()`)
 * and a Go channel in one: `put` waits while a bounded queue is full (backpressure),
 * `get` waits while it is empty, and `close()` lets consumers drain what is left and
 * then stop, which is what ends a `for await` loop over the queue.
 *
 * Nothing is ever lost or delivered twice: an item is in the queue, in the hands of
 * exactly one consumer, or (for a put that was refused) still with its producer.
 *
 * @example
 * ```ts
 * const q = new WorkQueue<string>({ capacity: 2 });
 * const consumer = (async () => {
 *   for await (const job of q) console.log("got", job);
 * })();
 * for (const job of ["a", "b", "c"]) await q.put(job); // waits while 2 are queued
 * q.close(); // the loop above ends once the queue is drained
 * await consumer;
 * ```
 * @module
 */

/**
 * The error of every operation a closed queue refuses: a `put` after (or waiting
 * during) `close()`, and a `get` on a queue that is closed and empty. Like Python's
 * `asyncio.QueueShutDown`.
 *
 * @example
 * ```ts
 * const q = new WorkQueue<number>();
 * q.close();
 * await q.put(1).catch((e) => e instanceof QueueClosedError); // true
 * ```
 */
export class QueueClosedError extends Error {
  constructor(message = "The queue is closed") {
    super(message);
    this.name = "QueueClosedError";
  }
}

/** Options for a new {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** How many items the queue holds before `put` waits: an integer ≥ 1 or `Infinity` (the default). */
  capacity?: number;
}

/** Options of a waiting operation (`put`, `get`). */
export interface QueueWaitOptions {
  /** Gives up waiting when aborted: the promise rejects with `signal.reason` and the queue is unchanged. */
  signal?: AbortSignal;
}

/** Options of {@link WorkQueue.close}. */
export interface QueueCloseOptions {
  /** Also take the queued items out (they are returned), like Python's `shutdown(immediate=True)`. */
  drop?: boolean;
}

/**
 * A FIFO on a power-of-two ring buffer: push and shift are O(1) with no copying, unlike
 * `Array.prototype.shift`, which moves every element of a large array.
 */
class Ring<E> {
  buf: (E | undefined)[];
  head = 0;
  length = 0;
  mask: number;

  constructor(size = 16) {
    this.buf = new Array<E | undefined>(size).fill(undefined);
    this.mask = size - 1;
  }

  push(e: E): void {
    if (this.length > this.mask) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.length) & this.mask] = e;
    this.length++;
  }

  /** Removes and returns the first element; the caller checks `length` first. */
  shift(): E {
    const e = this.buf[this.head] as E;
    this.buf[this.head] = undefined; // let the element be collected
    this.head = (this.head + 1) & this.mask;
    this.length--;
    // Give memory back after a burst, keeping a quarter's slack so this stays amortised O(1).
    if (this.mask >= 1023 && this.length <= this.mask >> 2) this.resize(this.buf.length >> 1);
    return e;
  }

  resize(size: number): void {
    const old = this.buf;
    const buf = new Array<E | undefined>(size).fill(undefined);
    for (let i = 0; i < this.length; i++) buf[i] = old[(this.head + i) & this.mask];
    this.buf = buf;
    this.head = 0;
    this.mask = size - 1;
  }

  /** Forgets every element. */
  clear(): void {
    if (this.length === 0) return;
    this.buf = new Array<E | undefined>(16).fill(undefined);
    this.head = 0;
    this.length = 0;
    this.mask = 15;
  }

  /** Takes every element out, oldest first. */
  drain(): E[] {
    const out: E[] = [];
    while (this.length > 0) out.push(this.shift());
    return out;
  }
}

/** Who waits: a `get` (answered with the item), an iterator's `next()` (an iterator result), a `put`. */
const GET = 0;
const NEXT = 1;
const PUT = 2;

/**
 * A caller parked in `put`, `get` or an iterator's `next()`. Waiters leave their list
 * lazily: an aborted one is only marked `settled` and skipped when it reaches the front,
 * so cancelling is O(1) (the list is compacted when the dead outnumber the living).
 */
class Waiter {
  static keepWarm: unknown;
  settled = false;
  signal: AbortSignal | undefined = undefined;
  group: SignalGroup | undefined = undefined;
  constructor(
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    readonly mode: number,
    public item: unknown,
  ) {}

  /** Marks the waiter as answered and stops listening to its signal (it can no longer race). */
  settle(): void {
    this.settled = true;
    const group = this.group;
    if (group !== undefined) {
      this.group = undefined;
      group.leave(this);
    }
  }
}

/**
 * The waiters of one queue parked with one signal share one abort listener. Adding and
 * removing an EventTarget listener costs more than the wait itself (about 0.6 µs per wait,
 * measured), and many waiters on one signal (a pool's workers) would trip Node's
 * MaxListenersExceededWarning.
 */
class SignalGroup {
  readonly waiters = new Set<Waiter>();
  readonly onAbort: () => void;
  constructor(
    readonly signal: AbortSignal,
    readonly groups: Map<AbortSignal, SignalGroup>,
    abort: (group: SignalGroup) => void,
  ) {
    this.onAbort = () => abort(this);
  }

  leave(w: Waiter): void {
    this.waiters.delete(w);
    if (this.waiters.size > 0) return;
    this.signal.removeEventListener("abort", this.onAbort);
    if (this.groups.get(this.signal) === this) this.groups.delete(this.signal);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();
const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

function optionsSignal(options: QueueWaitOptions | undefined): AbortSignal | undefined {
  expectOptions("options", options);
  return options === undefined ? undefined : expectSignal("signal", options.signal);
}

/**
 * An async FIFO queue with optional capacity; see the module documentation.
 *
 * Contract in short:
 * - `put` resolves at once when there is room (or hands the item straight to a waiting
 *   getter), otherwise waits; waiting putters are served first come, first served.
 * - `get` resolves at once when an item is queued, otherwise waits; waiting getters are
 *   served first come, first served.
 * - An aborted `signal` makes the waiting call reject with `signal.reason` and leaves
 *   the queue as it was: an aborted `put` did not enqueue its item, an aborted `get`
 *   took nothing. A signal that is already aborted wins over everything else.
 * - `close()`: every later `put` rejects with {@link QueueClosedError}; waiting putters
 *   reject too, their items not enqueued (the caller still holds them); getters drain the
 *   items left, then reject with `QueueClosedError` (and iterators end) once it is empty.
 *
 * @example
 * ```ts
 * const queue = new WorkQueue<number>({ capacity: 2 }); // like asyncio.Queue(maxsize=2)
 * const consumer = (async () => {
 *   for await (const item of queue) console.log("got", item);
 * })();
 * for (const item of [1, 2, 3]) await queue.put(item); // waits while the queue is full
 * queue.close();
 * await consumer; // got 1, got 2, got 3
 * ```
 */
export class WorkQueue<T> implements AsyncIterable<T> {
  readonly #capacity: number;
  readonly #items = new Ring<T>();
  readonly #getters = new Ring<Waiter>();
  readonly #putters = new Ring<Waiter>();
  #liveGetters = 0;
  #livePutters = 0;
  #closed = false;
  /** The abort listeners of waiting callers, one per signal (made on first use). */
  #groups: Map<AbortSignal, SignalGroup> | undefined;

  /**
   * @example
   * ```ts
   * const unbounded = new WorkQueue<number>();
   * const bounded = new WorkQueue<number>({ capacity: 10 }); // put waits at 10 items
   * ```
   */
  constructor(options: WorkQueueOptions = {}) {
    expectOptions("options", options);
    this.#capacity =
      options.capacity === undefined
        ? Infinity
        : expectInteger("capacity", options.capacity, { min: 1, allowInfinity: true });
  }

  /** Items queued now (not counting the items of waiting putters). Like `qsize()`. */
  get size(): number {
    return this.#items.length;
  }

  /** How many items fit before `put` waits (`Infinity` when unbounded). Like `maxsize`. */
  get capacity(): number {
    return this.#capacity;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Callers waiting in `get()` or in an iterator's `next()`. */
  get waitingGetters(): number {
    return this.#liveGetters;
  }

  /** Callers waiting in `put()` because the queue is full. */
  get waitingPutters(): number {
    return this.#livePutters;
  }

  /**
   * Adds an item at the back, waiting while the queue is full. Like `await queue.put(x)`
   * in asyncio, or a send on a buffered Go channel.
   *
   * Rejects with {@link QueueClosedError} if the queue is closed before or while waiting,
   * and with `signal.reason` if the signal aborts while waiting; in both cases the item
   * was not enqueued.
   *
   * @example
   * ```ts
   * const q = new WorkQueue<number>({ capacity: 1 });
   * await q.put(1);                                        // room: resolves at once
   * const second = q.put(2);                               // full: waits...
   * await q.get();                                         // ...until this makes room
   * await second;
   * ```
   */
  put(item: T, options?: QueueWaitOptions): Promise<void> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        signal = optionsSignal(options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
    }
    if (this.#closed)
      return Promise.reject(new QueueClosedError("Cannot put: the queue is closed"));
    if (this.#liveGetters > 0 && this.#handOver(item)) return RESOLVED;
    if (this.#items.length < this.#capacity) {
      this.#items.push(item);
      return RESOLVED;
    }
    return new Promise<void>((resolve, reject) => {
      const w = new Waiter(resolve as (v: unknown) => void, reject, PUT, item);
      this.#park(w, this.#putters, signal);
      this.#livePutters++;
    });
  }

  /**
   * Adds an item if there is room now and returns true, or returns false when the queue
   * is full. Never waits. Like `put_nowait` (which raises `QueueFull` instead of
   * returning false). Throws {@link QueueClosedError} if the queue is closed.
   *
   * @example
   * ```ts
   * const q = new WorkQueue<number>({ capacity: 1 });
   * q.tryPut(1); // true
   * q.tryPut(2); // false: full
   * ```
   */
  tryPut(item: T): boolean {
    if (this.#closed) throw new QueueClosedError("Cannot put: the queue is closed");
    if (this.#liveGetters > 0 && this.#handOver(item)) return true;
    if (this.#items.length < this.#capacity) {
      this.#items.push(item);
      return true;
    }
    return false;
  }

  /**
   * Takes the item at the front, waiting while the queue is empty. Like
   * `await queue.get()` in asyncio, or a receive from a Go channel.
   *
   * Once the queue is closed, getters still drain the items left; when it is closed and
   * empty, `get` rejects with {@link QueueClosedError} (waiting getters are released at
   * once, none is left pending). An abort while waiting rejects with `signal.reason` and
   * takes nothing.
   *
   * Note: as with any promise, an item that is itself a promise is awaited by `get`.
   *
   * @example
   * ```ts
   * const q = new WorkQueue<string>();
   * setTimeout(() => q.put("hello"), 10);
   * await q.get(); // "hello", after about 10 ms
   * await q.get({ signal: AbortSignal.timeout(50) }).catch((e) => e.name); // "TimeoutError"
   * ```
   */
  get(options?: QueueWaitOptions): Promise<T> {
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      try {
        signal = optionsSignal(options);
      } catch (error) {
        return Promise.reject(error);
      }
      if (signal?.aborted) return Promise.reject(signal.reason);
    }
    if (this.#items.length > 0) return Promise.resolve(this.#take());
    if (this.#closed) {
      return Promise.reject(new QueueClosedError("Cannot get: the queue is closed and empty"));
    }
    return new Promise<T>((resolve, reject) => {
      this.#park(
        new Waiter(resolve as (v: unknown) => void, reject, GET, undefined),
        this.#getters,
        signal,
      );
      this.#liveGetters++;
    });
  }

  /**
   * Takes the front item now if there is one: `{ value }`, or `undefined` when the queue
   * is empty. Never waits. Like `get_nowait` (which raises `QueueEmpty` instead). Throws
   * {@link QueueClosedError} when the queue is closed and empty, so a polling loop ends.
   *
   * @example
   * ```ts
   * const q = new WorkQueue<number>();
   * q.tryGet(); // undefined
   * q.tryPut(7);
   * q.tryGet(); // { value: 7 }
   * ```
   */
  tryGet(): { value: T } | undefined {
    if (this.#items.length > 0) return { value: this.#take() };
    if (this.#closed) throw new QueueClosedError("Cannot get: the queue is closed and empty");
    return undefined;
  }

  /**
   * Closes the queue; calling it again does nothing more (except `drop`, see below).
   * Like Python 3.13's `queue.shutdown()`, or `close(ch)` in Go.
   *
   * - later `put`/`tryPut` fail with {@link QueueClosedError};
   * - waiting putters reject with `QueueClosedError`, their items not enqueued (each
   *   caller still holds its item, so nothing is lost);
   * - getters drain the queued items, then reject with `QueueClosedError`; if the queue
   *   is already empty every waiting getter is released now;
   * - async iterators end (`done`) once the queue is drained.
   *
   * With `{ drop: true }` the queued items are taken out as well and returned (like
   * `shutdown(immediate=True)`, except that the items are handed back rather than
   * discarded), so getters and iterators stop at once.
   *
   * @returns the items taken out by `drop` (an empty array otherwise).
   *
   * @example
   * ```ts
   * const q = new WorkQueue<number>();
   * q.tryPut(1);
   * q.close();
   * await q.get(); // 1: closed queues drain
   * await q.get().catch((e) => e.name); // "QueueClosedError"
   * ```
   */
  close(options?: QueueCloseOptions): T[] {
    expectOptions("options", options);
    this.#closed = true;
    while (this.#livePutters > 0) {
      const w = this.#putters.shift();
      if (w.settled) continue;
      this.#livePutters--;
      w.settle();
      w.reject(
        w.signal?.aborted
          ? w.signal.reason
          : new QueueClosedError("Cannot put: the queue was closed"),
      );
    }
    this.#putters.clear();
    const dropped = options?.drop === true ? this.#items.drain() : [];
    if (this.#items.length === 0) {
      while (this.#liveGetters > 0) {
        const w = this.#getters.shift();
        if (w.settled) continue;
        this.#liveGetters--;
        w.settle();
        if (w.signal?.aborted) w.reject(w.signal.reason);
        else if (w.mode === NEXT) w.resolve(DONE);
        else w.reject(new QueueClosedError("Cannot get: the queue was closed and is empty"));
      }
      this.#getters.clear();
    }
    return dropped;
  }

  /**
   * Iterates over the items until the queue is closed and drained:
   * `for await (const item of queue)`, like `async for` over a channel. Several loops may
   * consume one queue (each item goes to one of them). Leaving a loop early (`break`,
   * `return()`) takes nothing more from the queue: an item is removed only when it is
   * handed to the loop body, and a `next()` still waiting is answered `done`.
   *
   * @example
   * ```ts
   * const q = new WorkQueue<number>();
   * [1, 2, 3].forEach((n) => q.tryPut(n));
   * q.close();
   * for await (const n of q) console.log(n); // 1, 2, 3
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    let finished = false;
    let pending: Waiter[] = [];
    const iterator: AsyncIterableIterator<T> = {
      next: (): Promise<IteratorResult<T>> => {
        if (finished) return Promise.resolve(DONE);
        if (this.#items.length > 0) return Promise.resolve({ value: this.#take(), done: false });
        if (this.#closed) return Promise.resolve(DONE);
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          const w = new Waiter(resolve as (v: unknown) => void, reject, NEXT, undefined);
          this.#park(w, this.#getters, undefined);
          this.#liveGetters++;
          if (pending.length > 0) pending = pending.filter((p) => !p.settled);
          pending.push(w);
        });
      },
      return: (value?: unknown): Promise<IteratorResult<T>> => {
        finished = true;
        for (const w of pending) {
          if (w.settled) continue;
          w.settle();
          this.#liveGetters--;
          w.resolve(DONE);
        }
        pending = [];
        this.#tidy(this.#getters, this.#liveGetters);
        return Promise.resolve({ value, done: true } as IteratorResult<T>);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Removes the front item and lets the first waiting putter (if any) into the freed slot. */
  #take(): T {
    const item = this.#items.shift();
    while (this.#livePutters > 0) {
      const w = this.#putters.shift();
      if (w.settled) continue;
      this.#livePutters--;
      w.settle();
      // An abort whose listener has not run yet (the abort event is being dispatched):
      // the abort wins, the item stays with its putter.
      if (w.signal?.aborted) {
        w.reject(w.signal.reason);
        continue;
      }
      this.#items.push(w.item as T);
      w.item = undefined;
      w.resolve(undefined);
      break;
    }
    if (this.#livePutters === 0) this.#putters.clear();
    return item;
  }

  /**
   * Gives an item straight to the first waiting getter. Settling the waiter removes its
   * abort listener in the same synchronous step, so a hand-over and an abort can never
   * both happen: either the getter gets the item, or it rejects and the item goes on to
   * the next getter or into the queue.
   */
  #handOver(item: T): boolean {
    let delivered = false;
    while (this.#liveGetters > 0) {
      const w = this.#getters.shift();
      if (w.settled) continue;
      this.#liveGetters--;
      w.settle();
      if (w.signal?.aborted) {
        w.reject(w.signal.reason);
        continue;
      }
      w.resolve(w.mode === NEXT ? { value: item, done: false } : item);
      delivered = true;
      break;
    }
    if (this.#liveGetters === 0) this.#getters.clear();
    return delivered;
  }

  /** Queues a waiter and wires its abort signal. */
  #park(w: Waiter, list: Ring<Waiter>, signal: AbortSignal | undefined): void {
    list.push(w);
    if (signal === undefined) return;
    w.signal = signal;
    this.#groups ??= new Map();
    let group = this.#groups.get(signal);
    if (group === undefined) {
      group = new SignalGroup(signal, this.#groups, (g) => this.#abortGroup(g));
      this.#groups.set(signal, group);
      signal.addEventListener("abort", group.onAbort, { once: true });
    }
    group.waiters.add(w);
    w.group = group;
  }

  /** A signal aborted: every caller still waiting with it rejects, first come first. */
  #abortGroup(group: SignalGroup): void {
    if (this.#groups!.get(group.signal) === group) this.#groups!.delete(group.signal);
    const reason = group.signal.reason;
    for (const w of group.waiters) {
      w.settled = true;
      w.group = undefined;
      if (w.mode === PUT) this.#livePutters--;
      else this.#liveGetters--;
      w.reject(reason);
    }
    group.waiters.clear();
    this.#tidy(this.#getters, this.#liveGetters);
    this.#tidy(this.#putters, this.#livePutters);
  }

  /** Drops settled waiters once they outnumber the live ones, so cancelled waits cannot pile up. */
  #tidy(list: Ring<Waiter>, live: number): void {
    if (live === 0) {
      list.clear();
      return;
    }
    if (list.length <= 2 * live + 16) return;
    const keep = list.drain().filter((w) => !w.settled);
    for (const w of keep) list.push(w);
  }
}

// Idle instances that keep the hidden classes of the queue's objects alive. V8's optimised
// code holds hidden classes weakly: once every queue is gone, a full GC drops them and
// throws the optimised code away, so the next queue starts cold (measured: 3-4× slower
// for the first 20 000 items after each `gc()`). They hang off a class, not a module
// constant, because V8 keeps a module variable that no function refers to on the stack
// of the module's body, which ends.
Waiter.keepWarm = [
  new WorkQueue<unknown>(),
  new Waiter(
    () => {},
    () => {},
    GET,
    undefined,
  ),
  new SignalGroup(new AbortController().signal, new Map(), () => {}),
];
