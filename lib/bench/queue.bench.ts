/**
 * Benchmarks of WorkQueue and runPool against p-queue and fastq, measured in the same
 * run: per-task overhead of a pool, bulk submission, memory per queued item, and how
 * close a pool over timers comes to the ideal wall time.
 *
 * Run: node --import tsx --expose-gc lib/bench/queue.bench.ts
 */
import { setTimeout as nodeSleep } from "node:timers/promises";
import fastq from "fastq";
import PQueue from "p-queue";
import { now } from "../src/clock.js";
import { runPool } from "../src/pool.js";
import { WorkQueue } from "../src/queue.js";
import { sleep } from "../src/timers.js";
import { allResults, atMost, info, median } from "./report.js";

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error("run with --expose-gc");
  });

const BATCH = 1000;
const CONCURRENCY = 16;
const task = async (x: number): Promise<number> => x;

/**
 * Times `rounds` rounds of each contender (after `warmup` untimed ones), alternating who
 * goes first; returns each one's median, or its best round with `stat: "min"`.
 */
async function compare(
  contenders: Record<string, () => Promise<number>>,
  { warmup = 3, rounds = 9, stat = "median" as "median" | "min" } = {},
): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = {};
  for (const name of names) samples[name] = [];
  for (let round = -warmup; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      gc();
      const value = await contenders[name]!();
      if (round >= 0) samples[name]!.push(value);
    }
  }
  const medians: Record<string, number> = {};
  for (const name of names) {
    medians[name] = stat === "min" ? Math.min(...samples[name]!) : median(samples[name]!);
  }
  return medians;
}

/** ns per task for `batches` batches of BATCH tasks run by `runBatch`. */
function perTask(batches: number, runBatch: () => Promise<unknown>): () => Promise<number> {
  return async () => {
    const t0 = now();
    for (let b = 0; b < batches; b++) await runBatch();
    return ((now() - t0) * 1e6) / (batches * BATCH);
  };
}

// --- 1, 2: per-task overhead -------------------------------------------------------------

const ITEMS = Array.from({ length: BATCH }, (_, i) => i);

async function oursBatch(): Promise<void> {
  const q = new WorkQueue<number>();
  for (let i = 0; i < BATCH; i++) q.tryPut(i);
  q.close();
  const report = await runPool(q, task, { concurrency: CONCURRENCY });
  if (report.done !== BATCH) throw new Error("lost items");
}

async function oursArrayBatch(): Promise<void> {
  const report = await runPool(ITEMS, task, { concurrency: CONCURRENCY });
  if (report.done !== BATCH) throw new Error("lost items");
}

const pq = new PQueue({ concurrency: CONCURRENCY });
async function pQueueBatch(): Promise<void> {
  for (let i = 0; i < BATCH; i++) pq.add(() => task(i));
  await pq.onIdle();
}

const fq = fastq.promise(task, CONCURRENCY);
async function fastqBatch(): Promise<void> {
  const all: Promise<number>[] = new Array(BATCH);
  for (let i = 0; i < BATCH; i++) all[i] = fq.push(i);
  await Promise.all(all);
}

const overhead = await compare(
  {
    ours: perTask(20, oursBatch),
    "ours (array)": perTask(20, oursArrayBatch),
    "p-queue": perTask(20, pQueueBatch),
    fastq: perTask(20, fastqBatch),
  },
  { warmup: 4, rounds: 11 },
);
info(
  "per-task overhead (ns)",
  Object.entries(overhead)
    .map(([k, v]) => `${k} ${v.toFixed(0)}`)
    .join(", "),
);
atMost("pool per-task overhead vs p-queue", overhead.ours! / overhead["p-queue"]!, 0.5, "×");
atMost("pool per-task overhead vs fastq.promise", overhead.ours! / overhead.fastq!, 1.0, "×");

// --- 3: bulk submit ------------------------------------------------------------------------

const BULK = 100_000;

/** ns per item to put BULK items into a queue that a 16-worker pool is draining. */
async function oursBulk(): Promise<number> {
  const q = new WorkQueue<number>();
  const pool = runPool(q, task, { concurrency: CONCURRENCY });
  await nodeSleep(0); // the workers are parked in get()
  const t0 = now();
  for (let i = 0; i < BULK; i++) q.put(i);
  const ns = ((now() - t0) * 1e6) / BULK;
  q.close();
  const report = await pool;
  if (report.done !== BULK) throw new Error("lost items");
  return ns;
}

/** ns per item to add BULK tasks to a p-queue of concurrency 16. */
async function pQueueBulk(): Promise<number> {
  const queue = new PQueue({ concurrency: CONCURRENCY });
  const t0 = now();
  for (let i = 0; i < BULK; i++) queue.add(() => task(i));
  const ns = ((now() - t0) * 1e6) / BULK;
  await queue.onIdle();
  return ns;
}

const bulk = await compare({ ours: oursBulk, "p-queue": pQueueBulk }, { warmup: 2, rounds: 7 });
info(
  "bulk submit (ns per item)",
  `ours ${bulk.ours!.toFixed(0)}, p-queue ${bulk["p-queue"]!.toFixed(0)}`,
);
atMost("bulk submit 100k vs p-queue (per item)", bulk.ours! / bulk["p-queue"]!, 1.0, "×");

// --- 4: memory -------------------------------------------------------------------------

/** Heap bytes per item for BULK items given to a queue of `capacity` (items allocated beforehand). */
function heapPerItem(capacity: number): number {
  const items = Array.from({ length: BULK }, (_, i) => ({ i }));
  let q: WorkQueue<object> | undefined = new WorkQueue<object>({ capacity });
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  // Unbounded: every put resolves (to one shared promise). Bounded: the waiting puts stay
  // pending and are dropped with the queue below, so they never reject.
  for (const item of items) q.put(item);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  // Also keeps `items` alive through the measurement: were it freed by the second gc(),
  // its 800 kB array would be subtracted from the queue's cost.
  if (q.size + q.waitingPutters !== items.length) throw new Error("lost items");
  q = undefined;
  return (after - before) / BULK;
}

const heap = median(Array.from({ length: 7 }, () => heapPerItem(Infinity)));
atMost("heap per queued item", heap, 300, " B", 1);
// The price of backpressure: a put that waits holds a promise, its resolvers and a waiter.
const waiting = median(Array.from({ length: 3 }, () => heapPerItem(1)));
info("heap per waiting putter (capacity 1)", `${waiting.toFixed(1)} B`);

// --- 5: pool over timers -----------------------------------------------------------------

const N = 1000;
const C = 100;
const L = 20;
const ideal = Math.ceil(N / C) * L;
const sleepItems = Array.from({ length: N }, (_, i) => i);

async function poolOverTimers(): Promise<number> {
  const t0 = now();
  const report = await runPool(sleepItems, () => sleep(L), { concurrency: C });
  if (report.done !== N) throw new Error("lost items");
  return now() - t0;
}

/** The same work with no pool: N/C waves of C timers each. */
async function bareWaves(): Promise<number> {
  const t0 = now();
  for (let wave = 0; wave < N / C; wave++) {
    await Promise.all(Array.from({ length: C }, () => sleep(L)));
  }
  return now() - t0;
}

// Wall time against an ideal can only be pushed up by noise (a timer fires late when the
// OS schedules the process late, never early), so the target takes each side's best
// round, as timeit does; the medians are printed beside it.
const contenders = { pool: poolOverTimers, bare: bareWaves };
const timers = await compare(contenders, { warmup: 2, rounds: 9, stat: "min" });
const timersMedian = await compare(contenders, { warmup: 0, rounds: 5 });
info(
  "pool over timers, median of 5 (ms)",
  `pool ${timersMedian.pool!.toFixed(1)}, bare setTimeout waves ${timersMedian.bare!.toFixed(1)}`,
);
info(
  "pool over timers, best of 9 (ms)",
  `pool ${timers.pool!.toFixed(1)}, bare setTimeout waves ${timers.bare!.toFixed(1)}, ideal ${ideal}`,
);
info(
  "pool over timers wall vs bare setTimeout waves",
  `${(timers.pool! / timers.bare!).toFixed(3)}×`,
);
atMost("pool over timers wall vs ideal", timers.pool! / ideal, 1.03, "×", 3);

process.exitCode = allResults().some((r) => !r.ok) ? 1 : 0;
