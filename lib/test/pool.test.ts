import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { type PoolContext, type PoolProgress, runPool } from "../src/pool.js";
import { WorkQueue } from "../src/queue.js";
import { Timeline } from "../src/timeline.js";
import { type Deferred, deferred } from "./helpers.js";

/** Lets every pending microtask run (setImmediate comes after the microtask queue drains). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A worker whose items finish only when the test says so: `started` lists what runs (in
 * start order), `finish(item, value)` / `fail(item, error)` settle one, `running` counts.
 */
function controlledWorker<T>() {
  const pending = new Map<T, Deferred<unknown>>();
  const started: T[] = [];
  const contexts: PoolContext[] = [];
  let running = 0;
  let peak = 0;
  const worker = async (item: T, ctx: PoolContext) => {
    started.push(item);
    contexts.push(ctx);
    running++;
    peak = Math.max(peak, running);
    const d = deferred<unknown>();
    pending.set(item, d);
    try {
      return await d.promise;
    } finally {
      running--;
    }
  };
  return {
    worker,
    started,
    contexts,
    running: () => running,
    peak: () => peak,
    finish: (item: T, value?: unknown) => pending.get(item)!.resolve(value ?? item),
    fail: (item: T, error: unknown) => pending.get(item)!.reject(error),
  };
}

/** Fails the test on any unhandled rejection while it runs. */
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(async () => {
  await flush();
  process.off("unhandledRejection", onUnhandled);
  assert.deepEqual(unhandled, [], "no unhandled rejection");
});

describe("runPool() arguments", () => {
  const work = async (x: number) => x;
  test("concurrency is required, an integer ≥ 1", async () => {
    await assert.rejects(runPool([1], work, {}), {
      name: "TypeError",
      message: "Expected `concurrency` to be an integer ≥ 1, got undefined",
    });
    await assert.rejects(runPool([1], work, { concurrency: 0 }), {
      message: "Expected `concurrency` to be an integer ≥ 1, got 0",
    });
    await assert.rejects(runPool([1], work, { concurrency: Infinity }), TypeError);
  });

  test("options must be an object", async () => {
    await assert.rejects(runPool([1], work, undefined as never), {
      message: "Expected `options` to be an options object with `concurrency`, got undefined",
    });
  });

  test("the source must be a WorkQueue, an iterable or an async iterable", async () => {
    await assert.rejects(runPool(5 as unknown as number[], work, { concurrency: 1 }), {
      message: "Expected `source` to be a WorkQueue, an iterable or an async iterable, got 5",
    });
    await assert.rejects(runPool(null as unknown as number[], work, { concurrency: 1 }), TypeError);
    await assert.rejects(runPool({} as unknown as number[], work, { concurrency: 1 }), TypeError);
  });

  test("the worker must be a function", async () => {
    await assert.rejects(runPool([1], "work" as unknown as typeof work, { concurrency: 1 }), {
      message: 'Expected `worker` to be a function, got "work"',
    });
  });

  test("names: one non-empty string per worker", async () => {
    await assert.rejects(runPool([1], work, { concurrency: 3, names: ["One", "Two"] }), {
      message: "Expected `names` to be an array of 3 non-empty strings, got an array of length 2",
    });
    await assert.rejects(runPool([1], work, { concurrency: 1, names: [""] }), TypeError);
    await assert.rejects(
      runPool([1], work, { concurrency: 1, names: "One" as unknown as string[] }),
      TypeError,
    );
  });

  test("the other options are checked too", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ signal: {} }, "Expected `signal` to be an AbortSignal, got an object"],
      [{ failFast: 1 }, "Expected `failFast` to be a boolean, got 1"],
      [{ timeline: {} }, "Expected `timeline` to be a Timeline, got an object"],
      [{ label: "x" }, 'Expected `label` to be a function, got "x"'],
      [{ kind: "" }, 'Expected `kind` to be a non-empty string, got ""'],
      [{ onProgress: 3 }, "Expected `onProgress` to be a function, got 3"],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(runPool([1], work, { concurrency: 1, ...options }), { message });
    }
  });
});

describe("runPool() over an array", () => {
  test("runs every item and reports them in source order", async () => {
    const report = await runPool([3, 1, 2], async (n) => n * 10, { concurrency: 2 });
    assert.deepEqual(
      report.items.map((r) => [r.index, r.item, r.status, r.value]),
      [
        [0, 3, "done", 30],
        [1, 1, "done", 10],
        [2, 2, "done", 20],
      ],
    );
    assert.equal(report.done, 3);
    assert.equal(report.failed, 0);
    assert.equal(report.cancelled, 0);
    assert.equal(report.aborted, false);
    assert.equal(report.peakConcurrency, 2);
    assert.equal("sourceError" in report, false);
    assert.ok(report.elapsedMs >= 0);
  });

  test("never runs more than `concurrency` items at once, and hands them out in order", async () => {
    const w = controlledWorker<number>();
    const pool = runPool([0, 1, 2, 3, 4], w.worker, { concurrency: 2 });
    await flush();
    assert.deepEqual(w.started, [0, 1]);
    w.finish(1);
    await flush();
    assert.deepEqual(w.started, [0, 1, 2], "the free worker took the next item");
    assert.equal(w.running(), 2);
    w.finish(0);
    w.finish(2);
    await flush();
    assert.deepEqual(w.started, [0, 1, 2, 3, 4]);
    w.finish(3);
    w.finish(4);
    const report = await pool;
    assert.equal(w.peak(), 2);
    assert.equal(report.peakConcurrency, 2);
    assert.equal(report.done, 5);
  });

  test("gives the worker its context: index, worker id and name, signal", async () => {
    const seen: PoolContext[] = [];
    const report = await runPool(
      ["a", "b", "c"],
      (_item, ctx) => {
        seen.push(ctx);
      },
      { concurrency: 2 },
    );
    assert.deepEqual(
      seen.map((c) => [c.index, c.worker, c.workerName]),
      [
        [0, 0, "worker 1"],
        [1, 1, "worker 2"],
        [2, 0, "worker 1"],
      ],
    );
    assert.ok(seen.every((c) => c.signal instanceof AbortSignal && !c.signal.aborted));
    assert.deepEqual(
      report.items.map((r) => [r.worker, r.workerName]),
      [
        [0, "worker 1"],
        [1, "worker 2"],
        [0, "worker 1"],
      ],
    );
  });

  test("names the workers, and takes the concurrency from the names", async () => {
    const report = await runPool([1, 2], async (n) => n, { names: ["One", "Two"] });
    assert.deepEqual(
      report.items.map((r) => r.workerName),
      ["One", "Two"],
    );
    assert.equal(report.peakConcurrency, 2);
  });

  test("starts no more workers than there are items", async () => {
    const report = await runPool([1], async (n) => n, { concurrency: 50 });
    assert.equal(report.peakConcurrency, 1);
    const empty = await runPool([], async (n) => n, { concurrency: 4 });
    assert.deepEqual(empty.items, []);
    assert.equal(empty.peakConcurrency, 0);
  });

  test("a failing item never stops the others", async () => {
    const report = await runPool(
      [1, 2, 3, 4],
      async (n) => {
        if (n % 2 === 0) throw new Error(`bad ${n}`);
        return n;
      },
      { concurrency: 2 },
    );
    assert.deepEqual(
      report.items.map((r) => r.status),
      ["done", "failed", "done", "failed"],
    );
    assert.equal((report.items[1]!.error as Error).message, "bad 2");
    assert.equal(report.done, 2);
    assert.equal(report.failed, 2);
    assert.equal(report.aborted, false);
  });

  test("a worker that throws synchronously fails its item only", async () => {
    const report = await runPool(
      [1, 2],
      (n) => {
        if (n === 1) throw new Error("sync");
        return n;
      },
      { concurrency: 1 },
    );
    assert.deepEqual(
      report.items.map((r) => r.status),
      ["failed", "done"],
    );
  });

  test("records start and end times (ms since the pool started)", async () => {
    const report = await runPool([1, 2, 3], async (n) => n, { concurrency: 1 });
    for (const r of report.items) {
      assert.ok(r.start! >= 0 && r.end! >= r.start!, `${r.start} .. ${r.end}`);
      assert.ok(r.end! <= report.elapsedMs);
    }
    assert.ok(report.items[1]!.start! >= report.items[0]!.end!);
  });
});

describe("runPool() with failFast", () => {
  test("the first failure aborts the rest: in flight cancelled, not started cancelled", async () => {
    const w = controlledWorker<number>();
    const pool = runPool([0, 1, 2, 3, 4], w.worker, { concurrency: 3, failFast: true });
    await flush();
    assert.deepEqual(w.started, [0, 1, 2]);
    const boom = new Error("boom");
    w.fail(1, boom);
    await flush();
    assert.equal(w.contexts[0]!.signal.aborted, true);
    assert.equal(w.contexts[0]!.signal.reason, boom, "the reason is the first failure");
    w.fail(0, w.contexts[0]!.signal.reason); // a worker that gives up on abort
    w.finish(2); // one that finishes anyway
    const report = await pool;
    assert.deepEqual(
      report.items.map((r) => r.status),
      ["cancelled", "failed", "done", "cancelled", "cancelled"],
    );
    assert.equal(report.items[0]!.error, boom);
    assert.equal(report.items[3]!.worker, undefined, "never started");
    assert.deepEqual(w.started, [0, 1, 2], "nothing started after the failure");
    assert.equal(report.aborted, true);
    assert.deepEqual([report.done, report.failed, report.cancelled], [1, 1, 3]);
  });
});

describe("runPool() with a signal", () => {
  test("abort stops handing out items and aborts the in-flight items' signals", async () => {
    const w = controlledWorker<string>();
    const controller = new AbortController();
    const pool = runPool(["a", "b", "c", "d"], w.worker, {
      concurrency: 2,
      signal: controller.signal,
    });
    await flush();
    const reason = new Error("user abort");
    controller.abort(reason);
    assert.ok(w.contexts.every((c) => c.signal.aborted && c.signal.reason === reason));
    w.fail("a", reason);
    w.finish("b");
    const report = await pool;
    assert.deepEqual(
      report.items.map((r) => [r.item, r.status]),
      [
        ["a", "cancelled"],
        ["b", "done"],
        ["c", "cancelled"],
        ["d", "cancelled"],
      ],
    );
    assert.equal(report.aborted, true);
    assert.deepEqual(w.started, ["a", "b"]);
  });

  test("an already aborted signal cancels everything without calling the worker", async () => {
    let calls = 0;
    const report = await runPool([1, 2, 3], () => calls++, {
      concurrency: 2,
      signal: AbortSignal.abort(),
    });
    assert.equal(calls, 0);
    assert.equal(report.cancelled, 3);
    assert.equal(report.items.length, 3);
    assert.equal(report.peakConcurrency, 0);
  });

  test("removes its abort listener when done", async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof remove;
    await runPool([1, 2], async (n) => n, { concurrency: 1, signal });
    assert.equal(added, 1);
    assert.equal(removed, 1);
  });
});

describe("runPool() over a WorkQueue", () => {
  test("waits for items until the queue is closed and drained", async () => {
    const q = new WorkQueue<number>();
    const w = controlledWorker<number>();
    let settled = false;
    const pool = runPool(q, w.worker, { concurrency: 2 }).then((r) => {
      settled = true;
      return r;
    });
    await flush();
    assert.equal(q.waitingGetters, 2, "both workers wait for items");
    q.tryPut(1);
    await flush();
    assert.deepEqual(w.started, [1]);
    w.finish(1);
    await flush();
    assert.equal(settled, false, "an open queue keeps the pool running");
    q.tryPut(2);
    q.tryPut(3);
    q.tryPut(4);
    await flush();
    w.finish(2);
    w.finish(3);
    await flush();
    w.finish(4);
    q.close();
    const report = await pool;
    assert.deepEqual(
      report.items.map((r) => [r.index, r.item, r.status]),
      [
        [0, 1, "done"],
        [1, 2, "done"],
        [2, 3, "done"],
        [3, 4, "done"],
      ],
    );
  });

  test("an abort releases workers waiting on get(); queued items stay in the queue", async () => {
    const q = new WorkQueue<number>();
    const controller = new AbortController();
    const pool = runPool(q, async (n) => n, { concurrency: 3, signal: controller.signal });
    await flush();
    assert.equal(q.waitingGetters, 3);
    controller.abort();
    const report = await pool;
    assert.equal(q.waitingGetters, 0);
    assert.equal(report.items.length, 0);
    assert.equal(report.aborted, true);
    q.tryPut(1);
    assert.equal(q.size, 1, "the queue still works and nobody took the item");
  });

  test("an item handed over just before the abort is reported cancelled, not lost", async () => {
    const q = new WorkQueue<string>();
    const controller = new AbortController();
    let calls = 0;
    const pool = runPool(q, () => calls++, { concurrency: 1, signal: controller.signal });
    await flush();
    q.tryPut("x"); // handed to the waiting worker...
    controller.abort(); // ...which resumes only after the abort
    const report = await pool;
    assert.equal(calls, 0);
    assert.deepEqual(
      report.items.map((r) => [r.item, r.status]),
      [["x", "cancelled"]],
    );
    assert.equal(q.size, 0);
  });

  test("an item put before the pool starts and a closed queue: runs then ends", async () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    q.tryPut(2);
    q.close();
    const report = await runPool(q, async (n) => n * 2, { concurrency: 4 });
    assert.deepEqual(
      report.items.map((r) => r.value),
      [2, 4],
    );
  });
});

describe("runPool() over iterables", () => {
  test("draws lazily from a generator, in order", async () => {
    const drawn: number[] = [];
    function* numbers() {
      for (let n = 0; n < 5; n++) {
        drawn.push(n);
        yield n;
      }
    }
    const w = controlledWorker<number>();
    const pool = runPool(numbers(), w.worker, { concurrency: 2 });
    await flush();
    assert.deepEqual(drawn, [0, 1], "only what the workers need");
    for (let n = 0; n < 5; n++) {
      w.finish(n);
      await flush();
    }
    const report = await pool;
    assert.deepEqual(
      report.items.map((r) => r.item),
      [0, 1, 2, 3, 4],
    );
  });

  test("a source that throws stops drawing; the report carries sourceError", async () => {
    function* failing() {
      yield 1;
      yield 2;
      throw new Error("source broke");
    }
    const report = await runPool(failing(), async (n) => n, { concurrency: 2 });
    assert.equal((report.sourceError as Error).message, "source broke");
    assert.deepEqual(
      report.items.map((r) => [r.item, r.status]),
      [
        [1, "done"],
        [2, "done"],
      ],
    );
  });

  test("a broken iterator (bad result, throwing [Symbol.iterator]) is a sourceError", async () => {
    const badResult = { [Symbol.iterator]: () => ({ next: () => null }) } as unknown as number[];
    const r1 = await runPool(badResult, async (n) => n, { concurrency: 1 });
    assert.ok(r1.sourceError instanceof TypeError);
    const throwing = {
      [Symbol.iterator]() {
        throw new Error("no iterator");
      },
    } as unknown as number[];
    const r2 = await runPool(throwing, async (n) => n, { concurrency: 1 });
    assert.equal((r2.sourceError as Error).message, "no iterator");
    assert.equal(r2.items.length, 0);
  });

  test("on abort, a generator is closed (its finally runs) and not drawn further", async () => {
    let closed = false;
    let drawn = 0;
    function* endless() {
      try {
        for (;;) yield drawn++;
      } finally {
        closed = true;
      }
    }
    const controller = new AbortController();
    const report = await runPool(
      endless(),
      async (n) => {
        if (n === 3) controller.abort();
        await flush();
        return n;
      },
      { concurrency: 2, signal: controller.signal },
    );
    assert.equal(closed, true);
    assert.equal(report.items.length, drawn, "every drawn item is reported");
    assert.ok(report.items.every((r) => r.status === "done"));
  });

  test("draws from an async generator, one next() at a time, in order", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    async function* numbers() {
      for (let n = 0; n < 6; n++) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await flush();
        inFlight--;
        yield n;
      }
    }
    const report = await runPool(numbers(), async (n) => n * n, { concurrency: 3 });
    assert.deepEqual(
      report.items.map((r) => [r.index, r.value]),
      [
        [0, 0],
        [1, 1],
        [2, 4],
        [3, 9],
        [4, 16],
        [5, 25],
      ],
    );
    assert.equal(maxInFlight, 1);
  });

  test("an async source that fails is a sourceError", async () => {
    async function* failing() {
      yield "a";
      throw new Error("async source broke");
    }
    const report = await runPool(failing(), async (s) => s, { concurrency: 2 });
    assert.equal((report.sourceError as Error).message, "async source broke");
    assert.deepEqual(
      report.items.map((r) => r.item),
      ["a"],
    );
    const bad = {
      [Symbol.asyncIterator]: () => ({ next: async () => undefined }),
    } as unknown as AsyncIterable<number>;
    const r2 = await runPool(bad, async (n) => n, { concurrency: 1 });
    assert.equal((r2.sourceError as Error).message, "Iterator result undefined is not an object");
    const syncThrow = {
      [Symbol.asyncIterator]: () => ({
        next() {
          throw new Error("next threw");
        },
      }),
    } as unknown as AsyncIterable<number>;
    const r3 = await runPool(syncThrow, async (n) => n, { concurrency: 1 });
    assert.equal((r3.sourceError as Error).message, "next threw");
  });

  test("on abort, stops waiting for a stuck async source and settles", async () => {
    const gate = deferred<number>();
    let returned = false;
    const stuck: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => gate.promise.then((value) => ({ value, done: false })),
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    const controller = new AbortController();
    const pool = runPool(stuck, async (n) => n, { concurrency: 2, signal: controller.signal });
    await flush();
    controller.abort();
    const report = await pool;
    assert.equal(report.aborted, true);
    assert.equal(report.items.length, 0);
    assert.equal(returned, true, "the source was told to clean up");
    gate.resolve(1); // too late: not in the report, and nothing breaks
    await flush();
    assert.equal(report.items.length, 0);
  });

  test("an async item that arrives while the pool is still settling is reported cancelled", async () => {
    const gate = deferred<number>();
    let pulls = 0;
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: () => {
          pulls++;
          return pulls === 1
            ? Promise.resolve({ value: 0, done: false })
            : gate.promise.then((value) => ({ value, done: false }));
        },
      }),
    };
    const controller = new AbortController();
    const w = controlledWorker<number>();
    const pool = runPool(source, w.worker, { concurrency: 2, signal: controller.signal });
    await flush();
    assert.deepEqual(w.started, [0]);
    controller.abort();
    gate.resolve(1); // the pending next() answers while item 0 still runs
    await flush();
    w.finish(0);
    const report = await pool;
    assert.deepEqual(
      report.items.map((r) => [r.item, r.status]),
      [
        [0, "done"],
        [1, "cancelled"],
      ],
    );
  });

  test("an async source whose return() fails is still accounted for", async () => {
    const source: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ value: 1, done: false }),
        return: () => Promise.reject(new Error("cleanup failed")),
      }),
    };
    const controller = new AbortController();
    const report = await runPool(
      source,
      async (n, ctx) => {
        if (ctx.index === 2) controller.abort();
        return n;
      },
      { concurrency: 1, signal: controller.signal },
    );
    assert.equal(report.aborted, true);
    assert.equal(report.items.length, 3);
    const syncSource = {
      [Symbol.iterator]: () => ({
        next: () => ({ value: 1, done: false }),
        return: () => {
          throw new Error("cleanup failed");
        },
      }),
    } as unknown as number[];
    const c2 = new AbortController();
    const r2 = await runPool(
      syncSource,
      (n, ctx) => {
        if (ctx.index === 1) c2.abort();
        return n;
      },
      { concurrency: 1, signal: c2.signal },
    );
    assert.equal(r2.items.length, 2);
  });
});

describe("runPool() with a timeline", () => {
  test("records each item as a span on its worker's lane, on the timeline's clock", async () => {
    let t = 1000;
    const tl = new Timeline({ clock: () => t });
    const w = controlledWorker<string>();
    const pool = runPool(["a", "b", "c"], w.worker, {
      names: ["One", "Two"],
      timeline: tl,
      label: (item, index) => `${item}#${index}`,
    });
    await flush();
    t = 1050;
    w.finish("b");
    await flush();
    t = 1100;
    w.fail("a", new Error("x"));
    await flush();
    t = 1120;
    w.finish("c");
    const report = await pool;
    assert.deepEqual(
      tl.spans.map((s) => [s.lane, s.label, s.start, s.end, s.kind]),
      [
        ["Two", "b#1", 0, 50, "run"],
        ["One", "a#0", 0, 100, "failed"],
        ["Two", "c#2", 50, 120, "run"],
      ],
    );
    assert.deepEqual(
      report.items.map((r) => [r.start, r.end]),
      [
        [0, 100],
        [0, 50],
        [50, 120],
      ],
    );
  });

  test("uses String(item) and the kind option; cancelled items that ran are 'cancelled'", async () => {
    const tl = new Timeline();
    const controller = new AbortController();
    await runPool(
      [1, 2, 3],
      async (n, ctx) => {
        if (n === 2) {
          controller.abort();
          throw ctx.signal.reason;
        }
        return n;
      },
      { concurrency: 1, timeline: tl, kind: "wait", signal: controller.signal },
    );
    assert.deepEqual(
      tl.spans.map((s) => [s.lane, s.label, s.kind]),
      [
        ["worker 1", "1", "wait"],
        ["worker 1", "2", "cancelled"],
      ],
    );
  });

  test("a label function that throws makes runPool reject after everything settled", async () => {
    let ran = 0;
    await assert.rejects(
      runPool(
        [1, 2, 3],
        async () => {
          ran++;
        },
        {
          concurrency: 1,
          timeline: new Timeline(),
          label: () => {
            throw new Error("bad label");
          },
        },
      ),
      { message: "bad label" },
    );
    assert.equal(ran, 3, "the items still ran");
  });
});

describe("runPool() onProgress", () => {
  test("is called each time an item settles, with the counts so far", async () => {
    const seen: [number, number, number, number | undefined, string][] = [];
    await runPool(
      [1, 2, 3],
      async (n) => {
        if (n === 2) throw new Error("two");
        return n;
      },
      {
        concurrency: 1,
        onProgress: (p: PoolProgress<number, unknown>) =>
          seen.push([p.done, p.failed, p.cancelled, p.total, p.record.status]),
      },
    );
    assert.deepEqual(seen, [
      [1, 0, 0, 3, "done"],
      [1, 1, 0, 3, "failed"],
      [2, 1, 0, 3, "done"],
    ]);
  });

  test("reports cancelled items too, so the counts add up", async () => {
    let last: PoolProgress<number, unknown> | undefined;
    await runPool([1, 2, 3], async (n) => n, {
      concurrency: 1,
      signal: AbortSignal.abort(),
      onProgress: (p) => {
        last = p;
      },
    });
    assert.equal(last!.cancelled, 3);
    assert.equal(last!.running, 0);
    assert.ok(last!.elapsedMs >= 0);
  });

  test("a throwing onProgress is called no more and runPool rejects with its error at the end", async () => {
    let calls = 0;
    let ran = 0;
    await assert.rejects(
      runPool(
        [1, 2, 3],
        async () => {
          ran++;
        },
        {
          concurrency: 2,
          onProgress: () => {
            calls++;
            throw new Error("display broke");
          },
        },
      ),
      { message: "display broke" },
    );
    assert.equal(calls, 1);
    assert.equal(ran, 3);
  });
});
