import { AsyncResource, createHook, executionAsyncId } from "node:async_hooks";
import { stat } from "node:fs";
import { now } from "./clock.js";
import {
  argumentError,
  describeValue,
  expectFunction,
  expectInteger,
  expectNumber,
  expectOptions,
  expectString,
} from "./errors.js";
import { Timeline } from "./timeline.js";

/**
 * A tracer of what the event loop really ran, built on `node:async_hooks`: every promise,
 * timer (`Timeout`), immediate (`Immediate`), `process.nextTick` (`TickObject`) and
 * `queueMicrotask` (`Microtask`) that a function started is recorded when it is created
 * (init), each time its callback runs (before → after), when a promise resolves, and
 * when it is destroyed. The result is drawn as a timeline with one lane per queue
 * ("sync", "nextTick", "microtasks", "timers", "immediates"): the real version of what
 * the Loupe visualiser animates, showing JavaScript's ordering
 * sync → nextTick → microtasks → timers / immediates.
 *
 * Only the traced function's own activity is recorded. The function runs inside a fresh
 * `AsyncResource`; a resource belongs to the trace if it is created while a traced
 * resource is executing (`executionAsyncId()`) or is triggered by one (`triggerAsyncId`),
 * and so on down the chain. Everything else the process does meanwhile (the notebook
 * kernel's own promises and sockets, an interval started earlier) is left out, even though
 * the hook sees it while enabled. The hook is enabled only while tracing, and its
 * callbacks do nothing but note numbers in arrays: they never print and never throw
 * (`console.log` inside an async hook would recurse into the hook).
 *
 * @example
 * ```ts
 * const { timeline, events } = await traceAsync(() => {
 *   setTimeout(() => {}, 0);
 *   Promise.resolve().then(() => {});
 *   process.nextTick(() => {});
 * });
 * timeline.lanes; // ["sync", "timers", "microtasks", "nextTick"] (by first appearance)
 * events.map((e) => `${e.type} ${e.resourceType}`);
 * ```
 * @module
 */

/** What happened to an async resource. */
export type AsyncEventType = "init" | "before" | "after" | "resolve" | "destroy";

/** One async_hooks callback, as recorded. */
export interface AsyncEvent {
  type: AsyncEventType;
  /** The resource's id (`asyncId` in async_hooks). */
  asyncId: number;
  /** The id of the resource that caused it (for a promise: its parent promise). */
  triggerAsyncId: number;
  /** "PROMISE", "Timeout", "Immediate", "TickObject", "Microtask", ... */
  resourceType: string;
  /** When, in ms on the trace's timeline. */
  at: number;
}

/** Options for {@link traceAsync}. */
export interface TraceOptions {
  /**
   * The resource types to record (default: "PROMISE", "Timeout", "Immediate",
   * "TickObject", "Microtask"). Other types are still followed, so a timer started from
   * an fs callback belongs to the trace, but their own events are not recorded.
   */
  include?: string[];
  /** The timeline to draw on (default: a new one). It must read the library clock. */
  timeline?: Timeline;
  /** Names a resource on the timeline (default: "promise 1", "timer 2", ... numbered per type). */
  label?: (resourceType: string, asyncId: number) => string;
  /** Stop recording after this many events and set `truncated` (default 100 000). */
  maxEvents?: number;
  /**
   * After `fn` settles, wait at most this long (ms) for the timers, immediates and ticks it
   * started to run (default 1000); a `setInterval` left running would otherwise keep the
   * trace open for ever.
   */
  maxWaitMs?: number;
}

/** What {@link traceAsync} returns. */
export interface TraceResult<T> {
  /** What `fn` returned (awaited). */
  value: T;
  /** The drawing: a span per callback run, a mark per resource created. */
  timeline: Timeline;
  /** Every recorded hook call, in the order they happened. */
  events: AsyncEvent[];
  /** True if `maxEvents` was reached and later events were dropped. */
  truncated: boolean;
  /** Traced timers, immediates and ticks still waiting to run when the trace ended (0 normally). */
  pending: number;
}

const DEFAULT_INCLUDE = ["PROMISE", "Timeout", "Immediate", "TickObject", "Microtask"];
/** Resources whose callback runs once and soon: the trace waits for these before ending. */
const AWAITED = new Set(["Timeout", "Immediate", "TickObject", "Microtask"]);

const LANES: Record<string, string> = {
  TickObject: "nextTick",
  PROMISE: "microtasks",
  Microtask: "microtasks",
  Timeout: "timers",
  Immediate: "immediates",
};
const NAMES: Record<string, string> = {
  TickObject: "tick",
  PROMISE: "promise",
  Microtask: "microtask",
  Timeout: "timer",
  Immediate: "immediate",
};

/** The timeline lane a resource type is drawn on. */
function laneOf(resourceType: string): string {
  return LANES[resourceType] ?? resourceType;
}

interface Settings {
  include: Set<string>;
  timeline: Timeline;
  label: ((resourceType: string, asyncId: number) => string) | undefined;
  maxEvents: number;
  maxWaitMs: number;
}

function readOptions(options: TraceOptions | undefined): Settings {
  expectOptions("options", options);
  const o = options ?? {};
  let include = DEFAULT_INCLUDE;
  if (o.include !== undefined) {
    if (!Array.isArray(o.include)) {
      throw argumentError("include", "an array of resource type names", o.include);
    }
    include = o.include.map((t, i) => expectString(`include[${i}]`, t));
  }
  if (o.timeline !== undefined && !(o.timeline instanceof Timeline)) {
    throw argumentError("timeline", "a Timeline", o.timeline);
  }
  return {
    include: new Set(include),
    timeline: o.timeline ?? new Timeline({ title: "async activity" }),
    label:
      o.label === undefined
        ? undefined
        : expectFunction<(resourceType: string, asyncId: number) => string>("label", o.label),
    maxEvents:
      o.maxEvents === undefined ? 100_000 : expectInteger("maxEvents", o.maxEvents, { min: 1 }),
    maxWaitMs:
      o.maxWaitMs === undefined ? 1000 : expectNumber("maxWaitMs", o.maxWaitMs, { min: 0 }),
  };
}

interface Known {
  type: string;
  trigger: number;
}

/**
 * The shared machinery: a hook that follows one root resource's descendants. Hook
 * callbacks only touch the Maps and the array below: no printing, no throwing, no async
 * work (anything async inside a hook would re-enter it).
 */
class Tracer {
  readonly root = new AsyncResource("asynclab.trace", { requireManualDestroy: true });
  readonly rootId = this.root.asyncId();
  /** Live resources of the trace (every type), with their type and trigger. */
  readonly known = new Map<number, Known>([[this.rootId, { type: "asynclab.trace", trigger: 0 }]]);
  /** The events, final form: the hook writes them here and `traceAsync` returns this array. */
  readonly events: AsyncEvent[] = [];
  truncated = false;
  /** Traced timers, immediates, ticks and microtasks created and not yet destroyed. */
  pending = 0;
  /** Set while the tracer itself creates a promise, so that it is left out. */
  quiet = false;
  readonly hook;

  constructor(readonly settings: Settings) {
    const push = (type: AsyncEventType, asyncId: number, k: Known) => {
      if (!this.settings.include.has(k.type)) return;
      if (this.events.length >= this.settings.maxEvents) {
        this.truncated = true;
        return;
      }
      const at = now() - this.settings.timeline.origin;
      this.events.push({ type, asyncId, triggerAsyncId: k.trigger, resourceType: k.type, at });
    };
    const onRun = (type: AsyncEventType) => (asyncId: number) => {
      const k = this.known.get(asyncId);
      if (k) push(type, asyncId, k);
    };
    this.hook = createHook({
      init: (asyncId, type, triggerAsyncId) => {
        if (this.quiet) return;
        if (!this.known.has(triggerAsyncId) && !this.known.has(executionAsyncId())) return;
        const k = { type, trigger: triggerAsyncId };
        this.known.set(asyncId, k);
        if (AWAITED.has(type)) this.pending += 1;
        push("init", asyncId, k);
      },
      before: onRun("before"),
      after: onRun("after"),
      promiseResolve: onRun("resolve"),
      destroy: (asyncId) => {
        const k = this.known.get(asyncId);
        if (!k) return;
        push("destroy", asyncId, k);
        this.known.delete(asyncId);
        if (AWAITED.has(k.type)) this.pending -= 1;
      },
    });
  }

  /**
   * Runs `fn` inside the trace, waits for it to settle and for what it started to run
   * (up to `maxWaitMs`), then switches the hook off. The hook is off again however `fn`
   * ends. `syncEnd` is the clock reading when the synchronous part returned.
   */
  async run<T>(fn: () => T | PromiseLike<T>): Promise<{ value: Awaited<T>; syncEnd: number }> {
    const start = now();
    let syncEnd = start;
    this.hook.enable();
    try {
      let result: T | PromiseLike<T>;
      try {
        result = this.root.runInAsyncScope(fn);
      } finally {
        syncEnd = now();
      }
      let value: Awaited<T>;
      if (isThenable(result)) {
        // Our own `.then` on fn's promise is not part of what fn did.
        this.quiet = true;
        let settled: Promise<Awaited<T>>;
        try {
          settled = Promise.resolve(result) as Promise<Awaited<T>>;
          settled = settled.then((v) => v);
        } finally {
          this.quiet = false;
        }
        value = await settled;
      } else {
        value = result as Awaited<T>;
      }
      await this.settle();
      return { value, syncEnd };
    } finally {
      this.hook.disable();
      this.root.emitDestroy();
    }
  }

  /** Polls (on a 1 ms timer of its own, outside the trace) until the traced callbacks ran. */
  private async settle(): Promise<void> {
    const deadline = now() + this.settings.maxWaitMs;
    while (this.pending > 0 && now() < deadline) {
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Draws the events on the timeline: the sync part, a span per callback run, a mark per creation. */
  draw(startClock: number, syncEnd: number): void {
    const { timeline, label } = this.settings;
    const counters = new Map<string, number>();
    const names = new Map<number, string>();
    const nameOf = (e: AsyncEvent): string => {
      let name = names.get(e.asyncId);
      if (name === undefined) {
        if (label) {
          name = label(e.resourceType, e.asyncId);
          if (typeof name !== "string") {
            throw new TypeError(
              `Expected \`label\` to return a string, got ${describeValue(name)}`,
            );
          }
        } else {
          const n = (counters.get(e.resourceType) ?? 0) + 1;
          counters.set(e.resourceType, n);
          name = `${NAMES[e.resourceType] ?? e.resourceType} ${n}`;
        }
        names.set(e.asyncId, name);
      }
      return name;
    };
    timeline.span("sync", "fn", timeline.fromClock(startClock), timeline.fromClock(syncEnd), "run");
    // A resource can run more than once (an interval) and runs can nest: a stack per id.
    const open = new Map<number, number[]>();
    for (const e of this.events) {
      const lane = laneOf(e.resourceType);
      if (e.type === "init") {
        timeline.mark(lane, nameOf(e), { at: e.at, kind: "init" });
      } else if (e.type === "before") {
        const starts = open.get(e.asyncId) ?? [];
        starts.push(e.at);
        open.set(e.asyncId, starts);
      } else if (e.type === "after") {
        const start = open.get(e.asyncId)?.pop();
        if (start !== undefined) timeline.span(lane, nameOf(e), start, e.at, "run");
      }
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Runs `fn` (sync or async) with an async_hooks tracer on, and returns its value with a
 * timeline and the list of hook events of everything `fn` started: promises, timers,
 * immediates, nextTicks and microtasks. The trace lasts until `fn`'s promise settles and
 * the timers, immediates and ticks it started have run (at most `maxWaitMs` more). Built
 * on `async_hooks.createHook` (init / before / after / promiseResolve / destroy); the
 * JavaScript picture of the same thing is Loupe's animation of the call stack and queues.
 *
 * The timeline has a "sync" lane (fn's synchronous part) and a lane per queue; each
 * callback run is a "run" span (before → after, usually a few µs), each creation an
 * "init" mark. Events' `at` are ms on that timeline. In a notebook, a `console.log`
 * inside `fn` may add a promise or two: the kernel's own output machinery, started by fn.
 *
 * @example
 * ```ts
 * const { events, timeline } = await traceAsync(async () => {
 *   await sleep(10);
 *   setImmediate(() => {});
 * });
 * events.filter((e) => e.type === "init").map((e) => e.resourceType);
 * // ["PROMISE", "PROMISE", "Timeout", "PROMISE", "Immediate"] or similar
 * timeline.show();
 * ```
 */
export function traceAsync<T>(
  fn: () => T | PromiseLike<T>,
  options?: TraceOptions,
): Promise<TraceResult<Awaited<T>>> {
  if (typeof fn !== "function") throw argumentError("fn", "a function", fn);
  const tracer = new Tracer(readOptions(options));
  const start = now();
  return tracer.run(fn).then(({ value, syncEnd }) => {
    tracer.draw(start, syncEnd);
    return {
      value,
      timeline: tracer.settings.timeline,
      events: tracer.events,
      truncated: tracer.truncated,
      pending: tracer.pending,
    };
  });
}

/** Which part of the event loop ran a piece of code. */
export type Phase = "sync" | "nextTick" | "microtask" | "timer" | "immediate" | "other";

/** One `log(label)` call seen by {@link traceOrder}. */
export interface OrderEntry {
  label: string;
  /** What was running when `log` was called. */
  phase: Phase;
  /** The async_hooks type of the running resource ("PROMISE", "Timeout", ...; "" for sync). */
  resourceType: string;
  /** When, in ms since the trace started. */
  at: number;
}

/** Options for {@link traceOrder}. */
export interface TraceOrderOptions {
  /**
   * Where `fn` starts. "io" (default): inside an I/O callback (an `fs.stat` completion),
   * where the whole order is deterministic: sync, nextTick, microtasks, immediates (the
   * check phase of the same loop turn), then timers (the next turn). "now": right away in
   * the caller's context. From a script's main code the timer-vs-immediate order is a
   * race, and from inside a promise job (an `await`ed notebook cell, an ESM module)
   * promise callbacks even run before nextTicks.
   */
  from?: "io" | "now";
  /** Draw the trace here too, with a "log" mark per `log` call on its phase's lane. */
  timeline?: Timeline;
  /** As for {@link traceAsync} (default 1000). */
  maxWaitMs?: number;
}

const PHASES: Record<string, Phase> = {
  TickObject: "nextTick",
  PROMISE: "microtask",
  Microtask: "microtask",
  Timeout: "timer",
  Immediate: "immediate",
};

/**
 * Shows the order in which JavaScript runs callbacks: `fn` receives a `log(label)`
 * function, and the result lists the labels in the order they were logged, each with the
 * phase that ran it (sync / nextTick / microtask / timer / immediate), read from the
 * async_hooks execution context at the moment of the call (`executionAsyncId()` and the
 * type of that resource). Like the event-loop diagrams in Node's guide "The Node.js Event
 * Loop", measured instead of drawn. Waits for the timers, immediates and ticks `fn`
 * started (up to `maxWaitMs`); `log` calls after the trace ended are ignored.
 *
 * @example
 * ```ts
 * const order = await traceOrder((log) => {
 *   setTimeout(() => log("timeout"), 0);
 *   setImmediate(() => log("immediate"));
 *   Promise.resolve().then(() => log("promise"));
 *   process.nextTick(() => log("tick"));
 *   log("sync");
 * });
 * order.map((e) => `${e.label} (${e.phase})`);
 * // ["sync (sync)", "tick (nextTick)", "promise (microtask)",
 * //  "immediate (immediate)", "timeout (timer)"]
 * ```
 */
export function traceOrder(
  fn: (log: (label: string) => void) => unknown,
  options?: TraceOrderOptions,
): Promise<OrderEntry[]> {
  if (typeof fn !== "function") throw argumentError("fn", "a function", fn);
  expectOptions("options", options);
  const o = options ?? {};
  const from = o.from ?? "io";
  if (from !== "io" && from !== "now") throw argumentError("from", '"io" or "now"', o.from);
  const tracer = new Tracer(
    readOptions({
      ...(o.timeline === undefined ? {} : { timeline: o.timeline }),
      ...(o.maxWaitMs === undefined ? {} : { maxWaitMs: o.maxWaitMs }),
    }),
  );
  const logs: { label: string; phase: Phase; resourceType: string; clock: number }[] = [];
  let done = false;
  const log = (label: string) => {
    expectString("label", label, { allowEmpty: true });
    if (done) return;
    // What is running right now: our root (fn's synchronous part) or a resource of the trace.
    const id = executionAsyncId();
    const resourceType = id === tracer.rootId ? "" : (tracer.known.get(id)?.type ?? "");
    const phase: Phase = id === tracer.rootId ? "sync" : (PHASES[resourceType] ?? "other");
    logs.push({ label, phase, resourceType, clock: now() });
  };
  const begin = async (): Promise<OrderEntry[]> => {
    const start = now();
    try {
      const { syncEnd } = await tracer.run(() => fn(log));
      if (o.timeline) tracer.draw(start, syncEnd);
    } finally {
      done = true;
    }
    return logs.map((l) => {
      if (o.timeline) {
        const lane = l.phase === "sync" ? "sync" : laneOf(l.resourceType);
        o.timeline.mark(lane, l.label, { at: o.timeline.fromClock(l.clock), kind: "log" });
      }
      return { label: l.label, phase: l.phase, resourceType: l.resourceType, at: l.clock - start };
    });
  };
  if (from === "now") return begin();
  // An fs callback runs in the poll phase: the check phase (immediates) comes next in the
  // same loop turn, timers only in the next one, so the order no longer races.
  return new Promise<OrderEntry[]>((resolve, reject) => {
    stat(process.execPath, () => {
      begin().then(resolve, reject);
    });
  });
}
