/**
 * Benchmarks of the timeline: recording must be cheap enough to leave on around every
 * task (≤ 0.3 µs a span), and drawing must stay quick for big runs (10k spans ≤ 250 ms
 * warm) and for a notebook's first chart (import + first chart ≤ 0.5 s, measured in a
 * fresh process on the compiled library in lib/dist).
 *
 * Run: node --import tsx --expose-gc lib/bench/timeline.bench.ts
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Timeline } from "../src/timeline.js";
import { timelineSvg } from "../src/timeline-chart.js";
import { timelineText } from "../src/timeline-text.js";
import { allResults, atMost, info, median } from "./report.js";

const here = dirname(fileURLToPath(import.meta.url));
const lib = join(here, "..");
const ROUNDS = 7;
const SPANS = 1_000_000;
const KINDS = ["run", "wait", "blocked"];

/** Median over rounds of `measure()`, after `warm` unmeasured rounds. */
function medianOf(measure: () => number, rounds = ROUNDS, warm = 2): number {
  for (let i = 0; i < warm; i++) measure();
  const values: number[] = [];
  for (let i = 0; i < rounds; i++) {
    globalThis.gc?.();
    values.push(measure());
  }
  return median(values);
}

// Recording: 1e6 spans on a fresh timeline per round, µs per span.
const spanCost = medianOf(() => {
  const tl = new Timeline();
  const t0 = performance.now();
  for (let i = 0; i < SPANS; i++) tl.span("worker", "item", i, i + 0.5, "run");
  return ((performance.now() - t0) * 1000) / SPANS;
});
atMost("span() with explicit times, per span", spanCost, 0.3, " µs", 3);

const beginCost = medianOf(() => {
  const tl = new Timeline();
  const t0 = performance.now();
  for (let i = 0; i < SPANS; i++) tl.begin("worker", "item", "wait").end();
  return ((performance.now() - t0) * 1000) / SPANS;
});
atMost("begin().end(), per span", beginCost, 0.3, " µs", 3);

const wrapCost = medianOf(() => {
  const tl = new Timeline();
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < SPANS; i++) n += tl.wrap("worker", "item", () => i);
  if (n === -1) console.log(n);
  return ((performance.now() - t0) * 1000) / SPANS;
});
info("wrap(syncFn), per span", `${wrapCost.toFixed(3)} µs`);

// Drawing: 10k spans on 8 lanes, rendered and serialized, warm.
const big = new Timeline({ title: "10k spans" });
for (let i = 0; i < 10_000; i++) {
  big.span(`task ${i % 8}`, `item ${i}`, i * 10, i * 10 + 8, KINDS[i % 3]);
}
let size = 0;
const chartMs = medianOf(() => {
  const t0 = performance.now();
  size = timelineSvg(big).length;
  return performance.now() - t0;
});
atMost("10k-span chart, render + serialize (warm)", chartMs, 250, " ms", 1);
info("10k-span chart size", `${(size / 1e6).toFixed(2)} MB`);

const textMs = medianOf(() => {
  const t0 = performance.now();
  timelineText(big);
  return performance.now() - t0;
});
atMost("10k-span text rendering", textMs, 50, " ms", 1);

// Cold: a fresh process imports the compiled library and draws its first chart.
const tsc = spawnSync(
  process.execPath,
  [join(lib, "..", "node_modules", "typescript", "bin", "tsc"), "-p", lib],
  {
    encoding: "utf8",
  },
);
const compiled = join(lib, "dist", "timeline.js");
if (tsc.status !== 0) {
  // Another module in the tree may not compile right now; ours are emitted all the same.
  info("tsc -p lib", `exit ${tsc.status}: ${tsc.stdout.split("\n")[0] ?? ""}`);
}
if (!existsSync(compiled)) {
  atMost("import + first chart, cold (lib/dist missing)", Number.POSITIVE_INFINITY, 500, " ms", 0);
} else {
  const script = `
    const t0 = performance.now();
    const { Timeline } = await import(${JSON.stringify(pathToFileURL(compiled).href)});
    const tl = new Timeline({ title: "first" });
    tl.span("One", "sleep 1.5 s", 0, 1500, "wait");
    tl.span("Two", "sleep 1.0 s", 0, 1000, "wait");
    const svg = tl.toSvg({ caption: "Total elapsed time: 1.5 s" });
    process.stdout.write(JSON.stringify({ ms: performance.now() - t0, boot: t0, ok: svg.startsWith("<svg") }));
  `;
  const runs: { ms: number; boot: number; ok: boolean }[] = [];
  for (let i = 0; i < 3; i++) {
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      encoding: "utf8",
    });
    if (child.status !== 0) throw new Error(`cold run failed: ${child.stderr}`);
    runs.push(JSON.parse(child.stdout));
  }
  const cold = median(runs.map((r) => r.ms));
  atMost(
    "import + first chart, cold (compiled lib/dist)",
    runs.every((r) => r.ok) ? cold : Number.POSITIVE_INFINITY,
    500,
    " ms",
    0,
  );
  info("node start before that", `${median(runs.map((r) => r.boot)).toFixed(0)} ms`);
}

process.exitCode = allResults().some((r) => !r.ok) ? 1 : 0;
