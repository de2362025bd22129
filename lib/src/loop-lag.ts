import { monitorEventLoopDelay } from "node:perf_hooks";
import { now } from "./clock.js";
import {
  argumentError,
  expectInteger,
  expectNumber,
  expectOptions,
  expectString,
} from "./errors.js";
import { Timeline } from "./timeline.js";

/**
 * An event-loop lag monitor: the measured picture of a blocked loop. A timer is asked
 * to tick every `intervalMs`; each tick notes how late it ran. While the loop is free a
 * tick is at most a millisecond or two late; while something holds the thread (a busy
 * loop, `blockingSleep`, a big `JSON.parse`) the tick cannot run at all, and its
 * lateness is exactly how long the loop was blocked. Late ticks are drawn on a timeline
 * as "blocked" spans, next to the tasks that caused them.
 *
 * Node measures the same thing natively with `perf_hooks.monitorEventLoopDelay()` (a
 * histogram); the monitor reads one of those too, for its percentiles. The browser's
 * equivalent is the Long Tasks API, whose 50 ms threshold this module borrows.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * const { report } = await measureLoopLag(async () => {
 *   await sleep(50);
 *   blockingSleep(300); // the loop is frozen here
 *   await sleep(50);
 * }, { timeline: tl });
 * report.maxLagMs;   // about 300
 * tl.spans;          // [{ lane: "event loop", label: "late 300 ms", kind: "blocked", ... }]
 * ```
 * @module
 */

/** Options for {@link monitorLoopLag} and {@link measureLoopLag}. */
export interface LoopLagOptions {
  /** How often the monitor's timer asks to run, in ms (an integer ≥ 1; default 10). */
  intervalMs?: number;
  /**
   * A tick later than this many ms counts as the loop being blocked (default 50, the
   * web's "long task" threshold): it is drawn as a "blocked" span and counted in
   * `blockedMs`. Smaller lateness is ordinary timer jitter.
   */
  thresholdMs?: number;
  /**
   * Where to draw blocked stretches (and heartbeats). The monitor measures real time, so
   * the timeline must read the library clock (the default for `new Timeline()`).
   */
  timeline?: Timeline;
  /** The timeline lane to draw on (default "event loop"). */
  lane?: string;
  /** Also mark every tick on the timeline (kind "heartbeat"), blocked or not (default false). */
  heartbeats?: boolean;
}

/** One tick of the monitor. */
export interface LagSample {
  /** When the tick ran, in ms since the monitor started. */
  at: number;
  /** How late it ran, in ms (0 = on time). */
  lagMs: number;
}

/** Node's own measurement (`perf_hooks.monitorEventLoopDelay`), converted to lateness in ms. */
export interface LagHistogram {
  /** How many delays Node recorded. */
  count: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  p50: number;
  p99: number;
}

/** What a monitor saw between its start and `stop()`. All durations in ms. */
export interface LagReport {
  /** Every tick, in order. */
  samples: LagSample[];
  /** The latest tick (0 if there were none). */
  maxLagMs: number;
  /** The mean lateness of all ticks (0 if there were none). */
  meanLagMs: number;
  /** Median lateness (nearest rank). */
  p50: number;
  /** 99th percentile of lateness (nearest rank). */
  p99: number;
  /** Total lateness of the ticks later than the threshold: the length of the blocked spans. */
  blockedMs: number;
  /** How long the monitor ran. */
  durationMs: number;
  /** The library clock reading when the monitor started (`samples[i].at` counts from it). */
  startedAt: number;
  /** The threshold that was used. */
  thresholdMs: number;
  /** Node's histogram of the same lateness, when it recorded anything. */
  histogram?: LagHistogram;
}

/** A running monitor; see {@link monitorLoopLag}. */
export interface LoopLagMonitor {
  /** True until `stop()` is called. */
  readonly running: boolean;
  /** Stops the monitor (clears its timer and histogram) and returns the report. Later calls return the same report. */
  stop(): LagReport;
}

const DEFAULT_INTERVAL = 10;
const DEFAULT_THRESHOLD = 50;

function nearestRank(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

interface Settings {
  intervalMs: number;
  thresholdMs: number;
  timeline: Timeline | undefined;
  lane: string;
  heartbeats: boolean;
}

function readOptions(options: LoopLagOptions | undefined): Settings {
  expectOptions("options", options);
  const o = options ?? {};
  const intervalMs =
    o.intervalMs === undefined
      ? DEFAULT_INTERVAL
      : expectInteger("intervalMs", o.intervalMs, { min: 1, max: 60_000 });
  const thresholdMs =
    o.thresholdMs === undefined
      ? DEFAULT_THRESHOLD
      : expectNumber("thresholdMs", o.thresholdMs, { min: 0 });
  if (o.timeline !== undefined && !(o.timeline instanceof Timeline)) {
    throw argumentError("timeline", "a Timeline", o.timeline);
  }
  const lane = o.lane === undefined ? "event loop" : expectString("lane", o.lane);
  if (o.heartbeats !== undefined && typeof o.heartbeats !== "boolean") {
    throw argumentError("heartbeats", "a boolean", o.heartbeats);
  }
  return { intervalMs, thresholdMs, timeline: o.timeline, lane, heartbeats: o.heartbeats === true };
}

/**
 * Starts measuring event-loop lag: a timer asks to run every `intervalMs` and each run
 * records how late it was. Ticks later than `thresholdMs` are drawn on `timeline` as
 * "blocked" spans from when the tick was due to when it actually ran. Like Node's
 * `perf_hooks.monitorEventLoopDelay()` (which it also reads for `report.histogram`),
 * with a timeline picture on top.
 *
 * Call `stop()` when done: it clears the timer and returns the report. The timer is
 * `unref`'d, so a forgotten monitor never keeps a script alive, but it keeps ticking
 * (in a notebook, until the kernel restarts) until stopped. `stop()` also counts the tick
 * that is due but has not run yet, so a block right before `stop()` is not missed.
 *
 * @example
 * ```ts
 * const monitor = monitorLoopLag({ intervalMs: 10 });
 * blockingSleep(200);
 * await sleep(50);
 * const report = monitor.stop();
 * report.maxLagMs;  // about 200
 * report.blockedMs; // about 200
 * ```
 */
export function monitorLoopLag(options?: LoopLagOptions): LoopLagMonitor {
  const { intervalMs, thresholdMs, timeline, lane, heartbeats } = readOptions(options);
  const startedAt = now();
  const samples: LagSample[] = [];
  let blockedMs = 0;
  // The clock reading at which the next tick should run.
  let due = startedAt + intervalMs;

  const record = (ranAt: number, lagMs: number) => {
    samples.push({ at: ranAt - startedAt, lagMs });
    if (lagMs > thresholdMs) {
      blockedMs += lagMs;
      timeline?.span(
        lane,
        `late ${lagMs.toFixed(0)} ms`,
        timeline.fromClock(ranAt - lagMs),
        timeline.fromClock(ranAt),
        "blocked",
      );
    }
    if (heartbeats) {
      timeline?.mark(lane, `lag ${lagMs.toFixed(1)} ms`, {
        at: timeline.fromClock(ranAt),
        kind: "heartbeat",
      });
    }
  };

  // setInterval re-arms itself from when each run starts, so `due` follows the same rule.
  // Node's timers read a cached loop time, so a tick can look a hair early: clamp at 0.
  const timer = setInterval(() => {
    const t = now();
    record(t, Math.max(0, t - due));
    due = t + intervalMs;
  }, intervalMs);
  timer.unref();

  // Node's own histogram of the same thing; its timer lives in C++ and is unref'd too.
  const histogram = monitorEventLoopDelay({ resolution: intervalMs });
  histogram.enable();

  let report: LagReport | undefined;
  return {
    get running() {
      return report === undefined;
    },
    stop() {
      if (report) return report;
      clearInterval(timer);
      histogram.disable();
      const stoppedAt = now();
      // A tick that is overdue but never got to run: the loop was blocked until now.
      if (stoppedAt > due) record(stoppedAt, stoppedAt - due);
      const lags = samples.map((s) => s.lagMs).sort((a, b) => a - b);
      const total = lags.reduce((sum, lag) => sum + lag, 0);
      report = {
        samples,
        maxLagMs: lags.length ? (lags[lags.length - 1] ?? 0) : 0,
        meanLagMs: lags.length ? total / lags.length : 0,
        p50: nearestRank(lags, 0.5),
        p99: nearestRank(lags, 0.99),
        blockedMs,
        durationMs: stoppedAt - startedAt,
        startedAt,
        thresholdMs,
      };
      if (histogram.count > 0) {
        // Node records the time between its timer's runs, interval included: subtract
        // the interval so these numbers mean lateness, like the samples.
        const lag = (ns: number) => Math.max(0, ns / 1e6 - intervalMs);
        report.histogram = {
          count: histogram.count,
          minMs: lag(histogram.min),
          meanMs: lag(histogram.mean),
          maxMs: lag(histogram.max),
          p50: lag(histogram.percentile(50)),
          p99: lag(histogram.percentile(99)),
        };
      }
      return report;
    },
  };
}

/**
 * Runs `fn` (sync or async) with a lag monitor around it and returns its value with the
 * report; the monitor is stopped even if `fn` throws (the error is rethrown). Like
 * wrapping a call in `monitorEventLoopDelay()` enable/disable, in one line.
 *
 * @example
 * ```ts
 * const { report } = await measureLoopLag(() => blockingSleep(300));
 * report.maxLagMs; // about 300: the whole call held the loop
 * const calm = await measureLoopLag(() => sleep(300));
 * calm.report.maxLagMs; // a few ms: awaiting never blocks
 * ```
 */
export function measureLoopLag<T>(
  fn: () => T | PromiseLike<T>,
  options?: LoopLagOptions,
): Promise<{ value: Awaited<T>; report: LagReport }> {
  if (typeof fn !== "function") throw argumentError("fn", "a function", fn);
  const monitor = monitorLoopLag(options);
  const measure = async () => {
    try {
      const value = await fn();
      return { value, report: monitor.stop() };
    } finally {
      monitor.stop();
    }
  };
  return measure();
}
