/**
 * Property tests for WorkQueue and runPool: random operation sequences against a model
 * of the queue, and random pools (sources, capacities, concurrencies, failures, aborts,
 * closes) whose interleavings are chosen by fast-check's scheduler, so every failure
 * replays from its seed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { type PoolContext, type PoolReport, runPool } from "../src/pool.js";
import { QueueClosedError, WorkQueue } from "../src/queue.js";

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs `body` with a listener that records unhandled rejections; fails if there was one. */
async function noUnhandledRejection(body: () => Promise<void>): Promise<void> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await body();
    await flush();
    await flush();
  } finally {
    process.off("unhandledRejection", listener);
  }
  assert.deepEqual(seen, [], "no unhandled rejection");
}

/** Fails instead of hanging when `promise` does not settle within `ms`. */
async function settlesWithin<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// --- The queue against a model -------------------------------------------------------------

type Op =
  | { t: "put"; signal: boolean }
  | { t: "tryPut" }
  | { t: "get"; signal: boolean }
  | { t: "tryGet" }
  | { t: "next" }
  | { t: "return" }
  | { t: "abort"; target: number }
  | { t: "close"; drop: boolean }
  | { t: "flush" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant("put" as const), signal: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("tryPut" as const) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("get" as const), signal: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("tryGet" as const) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("next" as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("return" as const) }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant("abort" as const), target: fc.nat({ max: 50 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("close" as const), drop: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("flush" as const) }) },
);

/** How an operation ended: a value, a rejection (closed or aborted), or an iterator's done. */
type Outcome = { ok: unknown } | { err: "closed" | "aborted" } | { done: true };

const ABORTED = new Error("aborted by the property");

function outcomeOfError(error: unknown): Outcome {
  if (error instanceof QueueClosedError) return { err: "closed" };
  if (error === ABORTED) return { err: "aborted" };
  throw error;
}

/** The model: what the queue should hold and who should be waiting, as plain arrays. */
class Model {
  buf: number[] = [];
  putters: { id: number; item: number }[] = [];
  getters: { id: number; next: boolean }[] = [];
  closed = false;
  iteratorFinished = false;
  readonly expected = new Map<number, Outcome>();
  constructor(readonly capacity: number) {}

  give(item: number): boolean {
    const g = this.getters.shift();
    if (!g) return false;
    this.expected.set(g.id, { ok: item });
    return true;
  }

  take(): number {
    const item = this.buf.shift()!;
    const p = this.putters.shift();
    if (p) {
      this.buf.push(p.item);
      this.expected.set(p.id, { ok: undefined });
    }
    return item;
  }
}

describe("WorkQueue (property: behaves like its model)", () => {
  test("random put/get/tryPut/tryGet/next/return/abort/close sequences", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
        fc.array(opArb, { maxLength: 60 }),
        async (capacity, ops) => {
          await noUnhandledRejection(async () => {
            const q = new WorkQueue<number>({ capacity });
            const model = new Model(capacity);
            const actual = new Map<number, Outcome>();
            const controllers: { id: number; controller: AbortController }[] = [];
            const it = q[Symbol.asyncIterator]();
            const putItems = new Map<number, number>();
            const dropped: number[] = [];
            const delivered: number[] = [];

            const observe = (id: number, promise: Promise<unknown>, next = false) => {
              promise.then(
                (value) => {
                  const r = value as IteratorResult<number>;
                  if (next && r.done) actual.set(id, { done: true });
                  else actual.set(id, { ok: next ? r.value : value });
                },
                (error: unknown) => actual.set(id, outcomeOfError(error)),
              );
            };
            const signalFor = (id: number, wanted: boolean) => {
              if (!wanted) return undefined;
              const controller = new AbortController();
              controllers.push({ id, controller });
              return { signal: controller.signal };
            };

            for (let id = 0; id < ops.length; id++) {
              const op = ops[id]!;
              switch (op.t) {
                case "put": {
                  putItems.set(id, id);
                  observe(id, q.put(id, signalFor(id, op.signal)));
                  if (model.closed) model.expected.set(id, { err: "closed" });
                  else if (model.give(id)) model.expected.set(id, { ok: undefined });
                  else if (model.buf.length < capacity) {
                    model.buf.push(id);
                    model.expected.set(id, { ok: undefined });
                  } else model.putters.push({ id, item: id });
                  break;
                }
                case "tryPut": {
                  let got: boolean | "closed";
                  try {
                    got = q.tryPut(id);
                  } catch (error) {
                    assert.ok(error instanceof QueueClosedError);
                    got = "closed";
                  }
                  let want: boolean | "closed";
                  if (model.closed) want = "closed";
                  else if (model.give(id)) want = true;
                  else if (model.buf.length < capacity) {
                    model.buf.push(id);
                    want = true;
                  } else want = false;
                  assert.equal(got, want, `tryPut #${id}`);
                  if (got === true) putItems.set(id, id);
                  break;
                }
                case "get": {
                  observe(id, q.get(signalFor(id, op.signal)));
                  if (model.buf.length > 0) model.expected.set(id, { ok: model.take() });
                  else if (model.closed) model.expected.set(id, { err: "closed" });
                  else model.getters.push({ id, next: false });
                  break;
                }
                case "tryGet": {
                  let got: { value: number } | undefined | "closed";
                  try {
                    got = q.tryGet();
                  } catch (error) {
                    assert.ok(error instanceof QueueClosedError);
                    got = "closed";
                  }
                  let want: { value: number } | undefined | "closed";
                  if (model.buf.length > 0) want = { value: model.take() };
                  else if (model.closed) want = "closed";
                  else want = undefined;
                  assert.deepEqual(got, want, `tryGet #${id}`);
                  if (typeof got === "object") delivered.push(got.value);
                  break;
                }
                case "next": {
                  observe(id, it.next(), true);
                  if (model.iteratorFinished) model.expected.set(id, { done: true });
                  else if (model.buf.length > 0) model.expected.set(id, { ok: model.take() });
                  else if (model.closed) model.expected.set(id, { done: true });
                  else model.getters.push({ id, next: true });
                  break;
                }
                case "return": {
                  await it.return!();
                  model.iteratorFinished = true;
                  for (const g of model.getters)
                    if (g.next) model.expected.set(g.id, { done: true });
                  model.getters = model.getters.filter((g) => !g.next);
                  break;
                }
                case "abort": {
                  if (controllers.length === 0) break;
                  const { id: target, controller } = controllers[op.target % controllers.length]!;
                  if (controller.signal.aborted) break;
                  controller.abort(ABORTED);
                  const waitingGet = model.getters.findIndex((g) => g.id === target);
                  const waitingPut = model.putters.findIndex((p) => p.id === target);
                  if (waitingGet >= 0) model.getters.splice(waitingGet, 1);
                  if (waitingPut >= 0) model.putters.splice(waitingPut, 1);
                  if (waitingGet >= 0 || waitingPut >= 0) {
                    model.expected.set(target, { err: "aborted" });
                  }
                  break;
                }
                case "close": {
                  dropped.push(...q.close({ drop: op.drop }));
                  model.closed = true;
                  for (const p of model.putters) model.expected.set(p.id, { err: "closed" });
                  model.putters = [];
                  const wantDropped = op.drop ? model.buf.splice(0) : [];
                  assert.deepEqual(dropped.slice(dropped.length - wantDropped.length), wantDropped);
                  if (model.buf.length === 0) {
                    for (const g of model.getters) {
                      model.expected.set(g.id, g.next ? { done: true } : { err: "closed" });
                    }
                    model.getters = [];
                  }
                  break;
                }
                case "flush":
                  await flush();
                  break;
              }
              assert.equal(q.size, model.buf.length, `size after op #${id} ${op.t}`);
              assert.equal(q.waitingGetters, model.getters.length, `waitingGetters after #${id}`);
              assert.equal(q.waitingPutters, model.putters.length, `waitingPutters after #${id}`);
              assert.equal(q.closed, model.closed);
            }

            await flush();
            for (let id = 0; id < ops.length; id++) {
              assert.deepEqual(actual.get(id), model.expected.get(id), `outcome of op #${id}`);
            }

            // Conservation: close everything and account for every item ever put.
            q.close();
            await flush();
            const remaining: number[] = [];
            while (q.size > 0) remaining.push(q.tryGet()!.value);
            const rejected: number[] = [];
            for (const [id, outcome] of actual) {
              if (ops[id]!.t === "put" && "err" in outcome) rejected.push(id);
              if ((ops[id]!.t === "get" || ops[id]!.t === "next") && "ok" in outcome) {
                delivered.push(outcome.ok as number);
              }
            }
            const accounted = [...delivered, ...remaining, ...dropped, ...rejected].sort(
              (a, b) => a - b,
            );
            const everyItem = [...putItems.keys()].sort((a, b) => a - b);
            assert.deepEqual(accounted, everyItem, "no item lost, none duplicated");
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

// --- The pool under a controlled scheduler --------------------------------------------------

interface Item {
  id: number;
  fails: boolean;
  /** Throws the abort reason when it finds its signal aborted. */
  cooperative: boolean;
  /** Settles synchronously (no await inside the worker). */
  sync: boolean;
}

const itemArb: fc.Arbitrary<Item> = fc.record({
  id: fc.constant(0),
  fails: fc.integer({ min: 0, max: 3 }).map((n) => n === 0), // one in four fails
  cooperative: fc.boolean(),
  sync: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
});

type SourceKind = "array" | "queue" | "generator" | "async-generator";

/** Checks what must hold of every report, whatever happened. */
function checkReport(
  report: PoolReport<Item, number>,
  items: Item[],
  started: number[],
  concurrency: number,
  failFast: boolean,
): void {
  const { items: records } = report;
  records.forEach((r, i) => {
    assert.equal(r.index, i, "records in source order, indices 0..n-1");
    assert.equal(r.item, items[i], "record i holds source item i");
  });
  const count = (s: string) => records.filter((r) => r.status === s).length;
  assert.equal(report.done, count("done"));
  assert.equal(report.failed, count("failed"));
  assert.equal(report.cancelled, count("cancelled"));
  assert.equal(report.done + report.failed + report.cancelled, records.length, "each item once");
  assert.ok(report.peakConcurrency <= concurrency, "never more than concurrency at once");
  // FIFO hand-out: the worker was called for items 0, 1, 2, ... in that order, no gaps.
  assert.deepEqual(
    started,
    started.map((_, i) => i),
  );
  for (const r of records) {
    if (r.status === "done") assert.equal(r.value, r.item.id);
    if (r.status === "failed") assert.ok(r.item.fails, "only failing items fail");
    if (r.status === "cancelled") assert.ok(report.aborted, "cancelled only after an abort");
    if (r.status !== "cancelled" || r.worker !== undefined) {
      assert.ok(started.includes(r.index), "a done or failed item was started");
    }
  }
  if (!report.aborted) {
    for (const r of records) assert.equal(r.status, r.item.fails ? "failed" : "done");
  }
  if (failFast) assert.ok(report.failed <= 1, "fail-fast: at most one failure counts");
  if (failFast && report.failed === 1) assert.ok(report.aborted);
}

describe("runPool (property: every item ends once, within the limit, in order)", () => {
  test("random sources, concurrencies, failures, aborts and closes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.constantFrom<SourceKind>("array", "queue", "generator", "async-generator"),
        fc.array(itemArb, { maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.constantFrom("none", "scheduled", "inline"),
        fc.nat({ max: 12 }),
        fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(Infinity)),
        fc.option(fc.nat({ max: 12 }), { nil: undefined }),
        async (s, kind, rawItems, concurrency, failFast, abort, abortAt, capacity, closeEarly) => {
          const items = rawItems.map((item, id) => ({ ...item, id }));
          await noUnhandledRejection(async () => {
            const controller = new AbortController();
            const started: number[] = [];
            let running = 0;
            let over = false;
            const worker = (item: Item, ctx: PoolContext): Promise<number> | number => {
              started.push(ctx.index);
              if (++running > concurrency) over = true;
              // An abort from inside a worker, while other workers are in all sorts of states.
              if (abort === "inline" && kind !== "queue" && item.id === abortAt) {
                controller.abort(new Error("abort"));
              }
              const finish = () => {
                running--;
                if (item.cooperative && ctx.signal.aborted) throw ctx.signal.reason;
                if (item.fails) throw new Error(`item ${item.id} failed`);
                return item.id;
              };
              if (item.sync) return finish();
              return s.schedule(Promise.resolve(), `run ${item.id}`).then(finish);
            };

            // The source, and what it handed out (to account for everything at the end).
            let yielded = 0;
            let source: WorkQueue<Item> | Iterable<Item> | AsyncIterable<Item>;
            let queue: WorkQueue<Item> | undefined;
            const refused: Item[] = [];
            let producer: Promise<void> = Promise.resolve();
            if (kind === "array") source = items;
            else if (kind === "generator") {
              source = (function* () {
                for (const item of items) {
                  yielded++;
                  yield item;
                }
              })();
            } else if (kind === "async-generator") {
              source = (async function* () {
                for (const item of items) {
                  await s.schedule(Promise.resolve(), `produce ${item.id}`);
                  yielded++;
                  yield item;
                }
              })();
            } else {
              const q = new WorkQueue<Item>({ capacity });
              queue = q;
              source = q;
              producer = (async () => {
                for (const item of items) {
                  await s.schedule(Promise.resolve(), `put ${item.id}`);
                  if (closeEarly === item.id) q.close();
                  try {
                    const put = q.put(item);
                    // An abort right after a put: the item may be in a waiting worker's
                    // hands already, with that worker not yet resumed.
                    if (abort === "inline" && item.id === abortAt)
                      controller.abort(new Error("abort"));
                    await put;
                  } catch (error) {
                    assert.ok(error instanceof QueueClosedError);
                    refused.push(item);
                  }
                }
                q.close();
              })();
            }
            // An abort at a point of the scheduler's choosing (or never).
            let abortTask: Promise<void> = Promise.resolve();
            if (abort === "scheduled") {
              abortTask = s
                .schedule(Promise.resolve(), "abort")
                .then(() => controller.abort(new Error("abort")));
            }

            const pool = runPool(source, worker, {
              concurrency,
              failFast,
              signal: controller.signal,
            });
            const report = await settlesWithin(s.waitFor(pool), 5000, "the pool");
            // Release whatever is still scheduled (a blocked producer, a late abort).
            queue?.close();
            await settlesWithin(s.waitIdle(), 5000, "the scheduler");
            await producer;
            await abortTask;

            assert.ok(!over, "the worker never saw more than `concurrency` running");
            const accepted = kind === "queue" ? items.filter((i) => !refused.includes(i)) : items;
            const drawn = report.items.length;
            checkReport(report, accepted, started, concurrency, failFast);
            if (kind === "array") assert.equal(drawn, items.length, "every array item reported");
            if (kind === "generator") assert.equal(drawn, yielded, "every yielded item reported");
            if (kind === "async-generator") {
              // A next() pending at abort may answer after the report: at most one such item.
              assert.ok(yielded - drawn === 0 || (report.aborted && yielded - drawn === 1));
            }
            if (kind === "queue") {
              const left: Item[] = [];
              while (queue!.size > 0) left.push(queue!.tryGet()!.value);
              assert.deepEqual(
                [...report.items.map((r) => r.item), ...left],
                accepted,
                "queued items: in the report, then left in the queue, in FIFO order",
              );
            }
            if (!report.aborted && kind !== "async-generator" && kind !== "queue") {
              assert.equal(drawn, items.length);
            }
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
