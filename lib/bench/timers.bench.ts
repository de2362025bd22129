/**
 * Benchmarks of the timers and the Timer: what reading the clock and timing a block cost,
 * and how close `blockingSleep` / `sleep` come to the delay asked for.
 *
 * Run: node --import tsx --expose-gc lib/bench/timers.bench.ts
 */
import { now } from "../src/clock.js";
import { Timer } from "../src/timer.js";
import { blockingSleep, sleep } from "../src/timers.js";
import { allResults, atMost, info, median, quantile } from "./report.js";

const ROUNDS = 7;

/** Median over rounds of the cost of one call of `body`, in µs. */
function perCall(calls: number, body: (n: number) => void): number {
  body(Math.min(calls, 10_000)); // warm up
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    const t0 = performance.now();
    body(calls);
    rounds.push(((performance.now() - t0) * 1000) / calls);
  }
  return median(rounds);
}

let sink = 0;

const clockCost = perCall(1_000_000, (n) => {
  for (let i = 0; i < n; i++) sink += now();
});
atMost("now() per call", clockCost, 0.2, " µs", 3);

const quiet = new Timer({ logger: null });
const startStop = perCall(200_000, (n) => {
  for (let i = 0; i < n; i++) {
    quiet.start();
    sink += quiet.stop();
  }
});
atMost("Timer start()+stop(), silent, unnamed", startStop, 1, " µs", 3);

Timer.timers.clear();
const named = new Timer({ name: "bench", logger: null });
const namedCost = perCall(200_000, (n) => {
  for (let i = 0; i < n; i++) {
    named.start();
    sink += named.stop();
  }
});
Timer.timers.clear();
atMost("Timer start()+stop(), named (adds to Timer.timers)", namedCost, 1, " µs", 3);

const lines: string[] = [];
const formatted = new Timer({
  text: "Task {name} elapsed time: {:.1f}",
  name: "fmt",
  logger: (t) => lines.push(t),
});
const formatCost = perCall(100_000, (n) => {
  lines.length = 0;
  for (let i = 0; i < n; i++) {
    formatted.start();
    sink += formatted.stop();
  }
});
Timer.timers.clear();
atMost("Timer start()+stop(), with its text template", formatCost, 3, " µs", 3);

const run = perCall(200_000, (n) => {
  for (let i = 0; i < n; i++) sink += quiet.run(() => i);
});
atMost("Timer.run(syncFn), silent", run, 1, " µs", 3);

// How late does blockingSleep(5) return? 50 sleeps, errors in ms.
blockingSleep(5);
const blockingErrors: number[] = [];
for (let i = 0; i < 50; i++) {
  const t0 = now();
  blockingSleep(5);
  blockingErrors.push(now() - t0 - 5);
}
atMost("blockingSleep(5) lateness p50", quantile(blockingErrors, 0.5), 1, " ms", 3);
atMost("blockingSleep(5) lateness p99", quantile(blockingErrors, 0.99), 5, " ms", 3);
info("blockingSleep(5) earliest return", `${Math.min(...blockingErrors).toFixed(3)} ms late`);

// The same for the non-blocking sleep, which depends on the event loop's timer phase.
const sleepErrors: number[] = [];
for (let i = 0; i < 50; i++) {
  const t0 = now();
  await sleep(5);
  sleepErrors.push(now() - t0 - 5);
}
atMost("sleep(5) lateness p50", quantile(sleepErrors, 0.5), 2, " ms", 3);
info("sleep(5) lateness p99", `${quantile(sleepErrors, 0.99).toFixed(3)} ms`);

if (sink === 42) console.log("");
process.exitCode = allResults().some((r) => !r.ok) ? 1 : 0;
