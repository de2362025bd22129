import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { QueueClosedError, WorkQueue } from "../src/queue.js";

/** Lets every pending microtask run (setImmediate comes after the microtask queue drains). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Observes a promise without awaiting it: `state()` says whether it has settled, and how. */
function watch<T>(promise: Promise<T>) {
  let state:
    | { status: "pending" }
    | { status: "fulfilled"; value: T }
    | {
        status: "rejected";
        reason: unknown;
      } = { status: "pending" };
  promise.then(
    (value) => {
      state = { status: "fulfilled", value };
    },
    (reason: unknown) => {
      state = { status: "rejected", reason };
    },
  );
  return { state: () => state };
}

/** Counts the listeners added to and removed from a signal. */
function countListeners(signal: AbortSignal) {
  const counts = { added: 0, removed: 0 };
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    counts.added++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    counts.removed++;
    remove(...args);
  }) as typeof remove;
  return counts;
}

function isClosedError(error: unknown): boolean {
  return error instanceof QueueClosedError && error.name === "QueueClosedError";
}

describe("new WorkQueue()", () => {
  test("is unbounded, empty and open by default", () => {
    const q = new WorkQueue<number>();
    assert.equal(q.capacity, Infinity);
    assert.equal(q.size, 0);
    assert.equal(q.closed, false);
    assert.equal(q.waitingGetters, 0);
    assert.equal(q.waitingPutters, 0);
  });

  test("takes a capacity: an integer ≥ 1 or Infinity", () => {
    assert.equal(new WorkQueue({ capacity: 3 }).capacity, 3);
    assert.equal(new WorkQueue({ capacity: Infinity }).capacity, Infinity);
  });

  test("rejects a bad capacity with the library's error shape", () => {
    assert.throws(() => new WorkQueue({ capacity: 0 }), {
      name: "TypeError",
      message: "Expected `capacity` to be an integer ≥ 1 (or Infinity), got 0",
    });
    assert.throws(() => new WorkQueue({ capacity: 1.5 }), TypeError);
    assert.throws(() => new WorkQueue({ capacity: "2" as unknown as number }), TypeError);
    assert.throws(() => new WorkQueue(null as never), {
      message: "Expected `options` to be an options object, got null",
    });
  });
});

describe("QueueClosedError", () => {
  test("is an Error named QueueClosedError", () => {
    const error = new QueueClosedError();
    assert.ok(error instanceof Error);
    assert.equal(error.name, "QueueClosedError");
    assert.equal(error.message, "The queue is closed");
  });
});

describe("WorkQueue.put()", () => {
  test("resolves at once when there is room", async () => {
    const q = new WorkQueue<number>({ capacity: 2 });
    const put = watch(q.put(1));
    await flush();
    assert.equal(put.state().status, "fulfilled");
    assert.equal(q.size, 1);
  });

  test("waits when full, until a get makes room (backpressure)", async () => {
    const q = new WorkQueue<string>({ capacity: 1 });
    await q.put("a");
    const second = watch(q.put("b"));
    await flush();
    assert.equal(second.state().status, "pending");
    assert.equal(q.waitingPutters, 1);
    assert.equal(q.size, 1);
    assert.equal(await q.get(), "a");
    await flush();
    assert.equal(second.state().status, "fulfilled");
    assert.equal(q.waitingPutters, 0);
    assert.equal(q.size, 1, "the waiting item moved into the freed slot");
    assert.equal(await q.get(), "b");
  });

  test("serves waiting putters first come, first served", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    q.tryPut(0);
    const order: number[] = [];
    const puts = [1, 2, 3].map((n) => q.put(n).then(() => order.push(n)));
    assert.equal(q.waitingPutters, 3);
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(await q.get());
    await Promise.all(puts);
    assert.deepEqual(got, [0, 1, 2, 3]);
    assert.deepEqual(order, [1, 2, 3]);
  });

  test("hands the item straight to a waiting getter", async () => {
    const q = new WorkQueue<string>({ capacity: 1 });
    const getter = q.get();
    assert.equal(q.waitingGetters, 1);
    await q.put("x");
    assert.equal(q.size, 0, "never queued");
    assert.equal(q.waitingGetters, 0);
    assert.equal(await getter, "x");
  });

  test("rejects with signal.reason when aborted while waiting, and does not enqueue", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    q.tryPut(1);
    const controller = new AbortController();
    const put = q.put(2, { signal: controller.signal });
    const reason = new Error("give up");
    controller.abort(reason);
    await assert.rejects(put, (e) => e === reason);
    assert.equal(q.waitingPutters, 0);
    assert.equal(q.tryGet()?.value, 1);
    assert.equal(q.tryGet(), undefined, "the aborted item was never enqueued");
  });

  test("rejects at once when the signal is already aborted, even with room", async () => {
    const q = new WorkQueue<number>();
    const signal = AbortSignal.abort(new Error("too late"));
    await assert.rejects(q.put(1, { signal }), { message: "too late" });
    assert.equal(q.size, 0);
  });

  test("a signal that never aborts leaves no listener behind", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    const controller = new AbortController();
    q.tryPut(1);
    const put = q.put(2, { signal: controller.signal });
    await q.get();
    await put;
    controller.abort();
    assert.equal(q.size, 1, "aborting after the put completed changes nothing");
  });

  test("rejects with QueueClosedError on a closed queue", async () => {
    const q = new WorkQueue<number>();
    q.close();
    await assert.rejects(q.put(1), (e) => {
      assert.ok(isClosedError(e));
      assert.equal((e as Error).message, "Cannot put: the queue is closed");
      return true;
    });
  });

  test("rejects waiting putters with QueueClosedError when the queue closes; items not enqueued", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    q.tryPut(1);
    const waiting = [q.put(2), q.put(3)];
    q.close();
    for (const put of waiting) await assert.rejects(put, isClosedError);
    assert.equal(q.waitingPutters, 0);
    assert.equal(q.size, 1);
    assert.equal(await q.get(), 1);
    await assert.rejects(q.get(), isClosedError);
  });

  test("rejects bad options (as a rejected promise)", async () => {
    const q = new WorkQueue<number>();
    await assert.rejects(q.put(1, { signal: 5 as unknown as AbortSignal }), {
      name: "TypeError",
      message: "Expected `signal` to be an AbortSignal, got 5",
    });
    await assert.rejects(q.put(1, null as never), TypeError);
    assert.equal(q.size, 0);
  });

  test("an abort being dispatched wins over a get that would admit the putter", async () => {
    const q = new WorkQueue<string>({ capacity: 1 });
    q.tryPut("a");
    const controller = new AbortController();
    // This listener runs before the queue's own, while the signal already says aborted.
    controller.signal.addEventListener("abort", () => {
      assert.equal(q.tryGet()?.value, "a");
    });
    const put = q.put("b", { signal: controller.signal });
    controller.abort(new Error("stop"));
    await assert.rejects(put, { message: "stop" });
    assert.equal(q.size, 0, "b stayed with its putter");
    assert.equal(q.waitingPutters, 0);
  });
});

describe("WorkQueue.tryPut()", () => {
  test("returns true when there is room and false when full", () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    assert.equal(q.tryPut(1), true);
    assert.equal(q.tryPut(2), false);
    assert.equal(q.size, 1);
  });

  test("hands the item to a waiting getter", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    const got = q.get();
    assert.equal(q.tryPut(5), true);
    assert.equal(q.size, 0);
    assert.equal(await got, 5);
  });

  test("throws QueueClosedError on a closed queue", () => {
    const q = new WorkQueue<number>();
    q.close();
    assert.throws(() => q.tryPut(1), isClosedError);
  });
});

describe("WorkQueue.get()", () => {
  test("resolves at once with the front item", async () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    q.tryPut(2);
    assert.equal(await q.get(), 1);
    assert.equal(await q.get(), 2);
  });

  test("waits while empty", async () => {
    const q = new WorkQueue<number>();
    const got = watch(q.get());
    await flush();
    assert.equal(got.state().status, "pending");
    assert.equal(q.waitingGetters, 1);
    q.tryPut(9);
    await flush();
    assert.deepEqual(got.state(), { status: "fulfilled", value: 9 });
  });

  test("serves waiting getters first come, first served", async () => {
    const q = new WorkQueue<number>();
    const getters = [q.get(), q.get(), q.get()];
    for (const n of [1, 2, 3]) q.tryPut(n);
    assert.deepEqual(await Promise.all(getters), [1, 2, 3]);
  });

  test("an aborted getter rejects with signal.reason and takes nothing", async () => {
    const q = new WorkQueue<string>();
    const controller = new AbortController();
    const first = q.get({ signal: controller.signal });
    const second = q.get();
    controller.abort("no thanks");
    await assert.rejects(first, (e) => e === "no thanks");
    assert.equal(q.waitingGetters, 1);
    q.tryPut("x");
    assert.equal(await second, "x", "the item went to the getter still waiting");
  });

  test("rejects at once when the signal is already aborted, leaving the items", async () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    await assert.rejects(q.get({ signal: AbortSignal.abort("nope") }), (e) => e === "nope");
    assert.equal(q.size, 1);
  });

  test("an item handed over before the abort is delivered, not lost", async () => {
    const q = new WorkQueue<number>();
    const controller = new AbortController();
    const got = q.get({ signal: controller.signal });
    q.tryPut(1);
    controller.abort();
    assert.equal(await got, 1);
    assert.equal(q.size, 0);
  });

  test("hand-over and abort cannot race: an abort being dispatched sends the item on", async () => {
    const q = new WorkQueue<string>();
    const controller = new AbortController();
    // Runs before the queue's own abort listener, while the signal already says aborted.
    controller.signal.addEventListener("abort", () => q.tryPut("x"));
    const aborted = q.get({ signal: controller.signal });
    const other = q.get();
    controller.abort(new Error("abort"));
    await assert.rejects(aborted, { message: "abort" });
    assert.equal(await other, "x", "the item went to the next getter");

    const alone = new WorkQueue<string>();
    const c2 = new AbortController();
    c2.signal.addEventListener("abort", () => alone.tryPut("y"));
    const g = alone.get({ signal: c2.signal });
    c2.abort(new Error("abort"));
    await assert.rejects(g);
    assert.equal(alone.size, 1, "no getter left: the item was queued");
    assert.equal(alone.tryGet()?.value, "y");
  });

  test("lets the first waiting putter into the freed slot", async () => {
    const q = new WorkQueue<number>({ capacity: 2 });
    q.tryPut(1);
    q.tryPut(2);
    const third = q.put(3);
    assert.equal(await q.get(), 1);
    await third;
    assert.deepEqual([await q.get(), await q.get()], [2, 3]);
  });

  test("after close, drains the rest, then rejects with QueueClosedError", async () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    q.tryPut(2);
    q.close();
    assert.equal(await q.get(), 1);
    assert.equal(await q.get(), 2);
    await assert.rejects(q.get(), (e) => {
      assert.ok(isClosedError(e));
      assert.equal((e as Error).message, "Cannot get: the queue is closed and empty");
      return true;
    });
  });

  test("close() releases every waiting getter: none is left pending", async () => {
    const q = new WorkQueue<number>();
    const getters = [q.get(), q.get(), q.get()];
    q.close();
    assert.equal(q.waitingGetters, 0);
    for (const g of getters) await assert.rejects(g, isClosedError);
  });

  test("rejects bad options (as a rejected promise)", async () => {
    const q = new WorkQueue<number>();
    await assert.rejects(q.get(42 as never), {
      message: "Expected `options` to be an options object, got 42",
    });
  });

  test("waiters sharing a signal share one listener, and all reject in order when it aborts", async () => {
    const q = new WorkQueue<number>();
    const controller = new AbortController();
    const { signal } = controller;
    const listeners = countListeners(signal);
    const getters = Array.from({ length: 20 }, () => q.get({ signal }));
    assert.equal(listeners.added, 1, "one listener for twenty waiters");
    q.tryPut(1); // the first one is served and leaves
    assert.equal(await getters[0], 1);
    assert.equal(listeners.removed, 0, "the others still listen");
    const order: number[] = [];
    const rest = getters.slice(1).map((g, i) => g.catch(() => order.push(i + 1)));
    controller.abort();
    await Promise.all(rest);
    assert.deepEqual(
      order,
      Array.from({ length: 19 }, (_, i) => i + 1),
    );
    assert.equal(q.waitingGetters, 0);
  });

  test("the last waiter served removes the shared listener", async () => {
    const q = new WorkQueue<number>();
    const { signal } = new AbortController();
    const listeners = countListeners(signal);
    const a = q.get({ signal });
    const b = q.get({ signal });
    q.tryPut(1);
    assert.equal(listeners.removed, 0);
    q.tryPut(2);
    assert.equal(listeners.removed, 1);
    assert.deepEqual([await a, await b], [1, 2]);
    const c = q.get({ signal }); // a new wait listens again
    assert.equal(listeners.added, 2);
    q.tryPut(3);
    assert.equal(await c, 3);
  });

  test("many aborted waits do not pile up and the living getter still gets its item", async () => {
    const q = new WorkQueue<number>();
    const living = q.get();
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      const g = q.get({ signal: controller.signal });
      controller.abort();
      await assert.rejects(g);
    }
    assert.equal(q.waitingGetters, 1);
    q.tryPut(7);
    assert.equal(await living, 7);
    // Aborted waits alone, with nobody else waiting, are forgotten too.
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const g = q.get({ signal: controller.signal });
      controller.abort();
      await assert.rejects(g);
    }
    assert.equal(q.waitingGetters, 0);
    q.tryPut(8);
    assert.equal(q.size, 1);
  });
});

describe("WorkQueue.tryGet()", () => {
  test("returns undefined when empty, { value } otherwise", () => {
    const q = new WorkQueue<number | undefined>();
    assert.equal(q.tryGet(), undefined);
    q.tryPut(undefined);
    assert.deepEqual(q.tryGet(), { value: undefined }, "an undefined item is still an item");
  });

  test("lets a waiting putter in", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    q.tryPut(1);
    const put = q.put(2);
    assert.deepEqual(q.tryGet(), { value: 1 });
    await put;
    assert.deepEqual(q.tryGet(), { value: 2 });
  });

  test("drains a closed queue, then throws QueueClosedError", () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    q.close();
    assert.deepEqual(q.tryGet(), { value: 1 });
    assert.throws(() => q.tryGet(), isClosedError);
  });
});

describe("WorkQueue.close()", () => {
  test("is idempotent and returns nothing to hand back by default", async () => {
    const q = new WorkQueue<number>();
    q.tryPut(1);
    assert.deepEqual(q.close(), []);
    assert.deepEqual(q.close(), []);
    assert.equal(q.closed, true);
    assert.equal(q.size, 1);
  });

  test("with drop: takes the queued items out and returns them; getters stop at once", async () => {
    const q = new WorkQueue<number>();
    for (const n of [1, 2, 3]) q.tryPut(n);
    assert.deepEqual(q.close({ drop: true }), [1, 2, 3]);
    assert.equal(q.size, 0);
    await assert.rejects(q.get(), isClosedError);
    // A later drop on an already closed queue still hands back what is left.
    const r = new WorkQueue<number>();
    r.tryPut(4);
    r.close();
    assert.deepEqual(r.close({ drop: true }), [4]);
  });

  test("ends waiting async iterators", async () => {
    const q = new WorkQueue<number>();
    const it = q[Symbol.asyncIterator]();
    const next = it.next();
    q.close();
    assert.deepEqual(await next, { value: undefined, done: true });
  });

  test("a waiter whose signal is being aborted gets the abort reason, not QueueClosedError", async () => {
    const q = new WorkQueue<number>({ capacity: 1 });
    q.tryPut(1);
    const controller = new AbortController();
    controller.signal.addEventListener("abort", () => q.close());
    const put = q.put(2, { signal: controller.signal });
    const empty = new WorkQueue<number>();
    const c2 = new AbortController();
    c2.signal.addEventListener("abort", () => empty.close());
    const get = empty.get({ signal: c2.signal });
    controller.abort("reason 1");
    c2.abort("reason 2");
    await assert.rejects(put, (e) => e === "reason 1");
    await assert.rejects(get, (e) => e === "reason 2");
  });

  test("rejects bad options", () => {
    assert.throws(() => new WorkQueue().close("drop" as never), {
      message: 'Expected `options` to be an options object, got "drop"',
    });
  });
});

describe("WorkQueue[Symbol.asyncIterator]()", () => {
  test("yields the items in order until the queue is closed and drained", async () => {
    const q = new WorkQueue<number>({ capacity: 2 });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const n of q) seen.push(n);
    })();
    for (let n = 0; n < 10; n++) await q.put(n);
    q.close();
    await consumer;
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test("several loops share one queue, each item going to exactly one of them", async () => {
    const q = new WorkQueue<number>();
    const seen: number[][] = [[], [], []];
    const consumers = seen.map(async (mine) => {
      for await (const n of q) {
        mine.push(n);
        await flush();
      }
    });
    for (let n = 0; n < 30; n++) q.tryPut(n);
    q.close();
    await Promise.all(consumers);
    const all = seen.flat().sort((a, b) => a - b);
    assert.deepEqual(
      all,
      Array.from({ length: 30 }, (_, i) => i),
    );
    assert.ok(
      seen.every((mine) => mine.length > 0),
      "every loop got work",
    );
  });

  test("break takes nothing more from the queue", async () => {
    const q = new WorkQueue<number>();
    for (const n of [1, 2, 3]) q.tryPut(n);
    for await (const n of q) {
      assert.equal(n, 1);
      break;
    }
    assert.equal(q.size, 2);
    assert.equal(q.tryGet()?.value, 2);
  });

  test("return() answers a pending next() with done and does not consume a later item", async () => {
    const q = new WorkQueue<number>();
    const it = q[Symbol.asyncIterator]();
    const pending = it.next();
    assert.equal(q.waitingGetters, 1);
    assert.deepEqual(await it.return!("bye"), { value: "bye", done: true });
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(q.waitingGetters, 0);
    q.tryPut(1);
    assert.equal(q.size, 1, "the item stayed in the queue");
    assert.deepEqual(await it.next(), { value: undefined, done: true });
  });

  test("concurrent next() calls each get the next item", async () => {
    const q = new WorkQueue<number>();
    const it = q[Symbol.asyncIterator]();
    const a = it.next();
    const b = it.next();
    const c = it.next();
    q.tryPut(1);
    q.tryPut(2);
    assert.deepEqual(await a, { value: 1, done: false });
    assert.deepEqual(await b, { value: 2, done: false });
    q.close();
    assert.deepEqual(await c, { value: undefined, done: true });
    assert.equal(it[Symbol.asyncIterator](), it);
  });

  test("next() on a closed, drained queue is done at once", async () => {
    const q = new WorkQueue<number>();
    q.close();
    assert.deepEqual(await q[Symbol.asyncIterator]().next(), { value: undefined, done: true });
  });
});

describe("WorkQueue (ring buffer)", () => {
  test("keeps FIFO order across growth, wrap-around and shrinking", async () => {
    const q = new WorkQueue<number>();
    const expected: number[] = [];
    const got: number[] = [];
    let next = 0;
    // Interleave bursts so that head wraps around and the buffer grows and shrinks.
    for (const [puts, gets] of [
      [10, 5],
      [3000, 2000],
      [5, 1000],
      [20000, 20000],
      [7, 7],
    ] as const) {
      for (let i = 0; i < puts; i++) {
        q.tryPut(next);
        expected.push(next++);
      }
      for (let i = 0; i < gets; i++) got.push(q.tryGet()!.value);
    }
    q.close();
    for await (const n of q) got.push(n);
    assert.deepEqual(got, expected);
  });

  test("many waiting putters keep their order", async () => {
    const q = new WorkQueue<number>({ capacity: 3 });
    const puts: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) puts.push(q.put(i));
    assert.equal(q.waitingPutters, 97);
    const got: number[] = [];
    for (let i = 0; i < 100; i++) got.push(await q.get());
    await Promise.all(puts);
    assert.deepEqual(
      got,
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});
