/**
 * What watching the loop costs: the lag monitor's overhead on promise-heavy work, and the
 * async_hooks tracer's cost per promise. Information only (no targets): both are teaching
 * tools, used around small demos.
 */
import { traceAsync } from "../src/async-trace.js";
import { monitorLoopLag } from "../src/loop-lag.js";
import { allResults, info, median } from "./report.js";

const N = 20_000;

async function work(): Promise<void> {
  for (let i = 0; i < N; i++) await null;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function rounds(run: () => Promise<unknown>, n = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    times.push(await timed(run));
  }
  return median(times);
}

// Warm up every path once.
await work();
await traceAsync(work, { maxEvents: 1000 });

/** How many event-loop turns (a setImmediate chain) fit in `ms`. */
function turnsIn(ms: number): Promise<number> {
  return new Promise((resolve) => {
    const end = performance.now() + ms;
    let turns = 0;
    const step = () => {
      turns += 1;
      if (performance.now() < end) setImmediate(step);
      else resolve(turns);
    };
    setImmediate(step);
  });
}

const free: number[] = [];
const watched: number[] = [];
for (let i = 0; i < 5; i++) {
  free.push(await turnsIn(100));
  const monitor = monitorLoopLag({ intervalMs: 1 });
  watched.push(await turnsIn(100));
  monitor.stop();
}
const plain = await rounds(work);
const traced = await rounds(() => traceAsync(work));

info(
  "loop monitor overhead (1 ms ticks, loop turns lost)",
  `${((1 - median(watched) / median(free)) * 100).toFixed(1)} %`,
);
info("tracer cost per await", `${(((traced - plain) / N) * 1000).toFixed(2)} µs`);
info("tracer slowdown (20k awaits)", `${(traced / plain).toFixed(1)}×`);

process.exitCode = allResults().some((r) => !r.ok) ? 1 : 0;
