import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { now as realNow } from "../src/clock.js";
import { STALL_ERROR_NAME, VirtualClock } from "../src/virtual-clock.js";

/** The seed's work queue: two workers take items from one shared list until it is empty. */
async function twoWorkers(items: number[], wait: (ms: number) => Promise<void> | void) {
  const queue = [...items];
  const done: string[] = [];
  const worker = async (name: string) => {
    for (let ms = queue.shift(); ms !== undefined; ms = queue.shift()) {
      await wait(ms);
      done.push(`${name}:${ms}`);
    }
  };
  await Promise.all([worker("One"), worker("Two")]);
  return done;
}

describe("new VirtualClock()", () => {
  test("starts at 0, or at `start`", () => {
    assert.equal(new VirtualClock().now(), 0);
    assert.equal(new VirtualClock({ start: 1000 }).now(), 1000);
  });
  test("rejects bad options with the library's error shape", () => {
    assert.throws(() => new VirtualClock({ guardMs: 0 }), {
      name: "TypeError",
      message: "Expected `guardMs` to be a finite number ≥ 1, got 0",
    });
    assert.throws(() => new VirtualClock(5 as never), {
      message: "Expected `options` to be an options object, got 5",
    });
  });
});

describe("VirtualClock.sleep()", () => {
  test("sequential sleeps add up", async () => {
    const clock = new VirtualClock();
    const { value, elapsed } = await clock.run(async () => {
      await clock.sleep(1500);
      await clock.sleep(1000);
      await clock.sleep(500);
      await clock.sleep(200);
      return clock.now();
    });
    assert.equal(value, 3200);
    assert.equal(elapsed, 3200);
  });
  test("Promise.all of sleeps takes as long as the longest", async () => {
    const clock = new VirtualClock();
    const { elapsed } = await clock.run(() =>
      Promise.all([clock.sleep(600), clock.sleep(400), clock.sleep(0)]),
    );
    assert.equal(elapsed, 600);
  });
  test("takes (almost) no real time", async () => {
    const clock = new VirtualClock();
    const t0 = realNow();
    const { elapsed } = await clock.run(() => clock.sleep(60_000));
    assert.equal(elapsed, 60_000);
    assert.ok(realNow() - t0 < 1000, `took ${realNow() - t0} real ms`);
  });
  test("wakes sleeps in time order, and equal times in the order they were made", async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    const nap = async (label: string, ms: number) => {
      await clock.sleep(ms);
      order.push(`${label}@${clock.now()}`);
    };
    await clock.run(() => Promise.all([nap("a", 300), nap("b", 100), nap("c", 300), nap("d", 0)]));
    assert.deepEqual(order, ["d@0", "b@100", "a@300", "c@300"]);
  });
  test("is a bound function that can be passed around", async () => {
    const clock = new VirtualClock();
    const { sleep, now } = clock;
    const { value } = await clock.run(async () => {
      await sleep(42);
      return now();
    });
    assert.equal(value, 42);
  });
  test("aborting rejects with signal.reason and drops the sleep", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const { value } = await clock.run(async () => {
      const long = clock.sleep(10_000, { signal: controller.signal });
      await clock.sleep(100);
      controller.abort(new Error("too slow"));
      const error = await long.catch((e: Error) => e.message);
      return { error, at: clock.now(), pending: clock.pending };
    });
    assert.deepEqual(value, { error: "too slow", at: 100, pending: 0 });
  });
  test("an already-aborted signal rejects at once", async () => {
    const clock = new VirtualClock();
    const reason = new Error("cancelled before start");
    await assert.rejects(clock.sleep(10, { signal: AbortSignal.abort(reason) }), reason);
    assert.equal(clock.pending, 0);
  });
  test("a sleep that ends normally removes its abort listener", async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let removed = 0;
    const signal = controller.signal;
    const original = signal.removeEventListener.bind(signal);
    signal.removeEventListener = ((...args: Parameters<typeof original>) => {
      removed++;
      return original(...args);
    }) as typeof signal.removeEventListener;
    await clock.run(() => clock.sleep(5, { signal }));
    assert.equal(removed, 1);
  });
  test("rejects bad arguments at once", () => {
    const clock = new VirtualClock();
    assert.throws(() => clock.sleep(-1), {
      name: "TypeError",
      message: "Expected `ms` to be a finite number from 0 to 2147483647, got -1",
    });
    assert.throws(() => clock.sleep(1, { signal: "no" as never }), {
      message: 'Expected `signal` to be an AbortSignal, got "no"',
    });
  });
  test("stays pending until a run moves time", async () => {
    const clock = new VirtualClock();
    let woke = false;
    void clock.sleep(10).then(() => {
      woke = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(woke, false);
    assert.equal(clock.pending, 1);
    await clock.run(() => clock.sleep(20));
    assert.equal(woke, true);
  });
});

describe("VirtualClock.blockingSleep()", () => {
  test("moves time at once, synchronously", () => {
    const clock = new VirtualClock();
    for (const ms of [1500, 1000, 500, 200]) clock.blockingSleep(ms);
    assert.equal(clock.now(), 3200);
  });
  test("sleeps that fell due during a block wake late, after it", async () => {
    const clock = new VirtualClock();
    const { value } = await clock.run(async () => {
      const woke = clock.sleep(100).then(() => clock.now());
      clock.blockingSleep(500);
      return woke;
    });
    assert.equal(value, 500);
  });
  test("rejects bad arguments", () => {
    assert.throws(() => new VirtualClock().blockingSleep(Number.NaN), {
      message: "Expected `ms` to be a finite number from 0 to 2147483647, got NaN",
    });
  });
});

describe("VirtualClock.run() on the seed's work queue [1.5, 1.0, 0.5, 0.2] s", () => {
  test("two async workers finish in exactly 1700 virtual ms", async () => {
    const clock = new VirtualClock();
    const { value, elapsed } = await clock.run(() =>
      twoWorkers([1500, 1000, 500, 200], clock.sleep),
    );
    assert.equal(elapsed, 1700);
    assert.deepEqual(value, ["Two:1000", "One:1500", "Two:500", "One:200"]);
  });
  test("with a blocking sleep they take the sum, 3200 virtual ms", async () => {
    const clock = new VirtualClock();
    const { elapsed } = await clock.run(() =>
      twoWorkers([1500, 1000, 500, 200], clock.blockingSleep),
    );
    assert.equal(elapsed, 3200);
  });
});

describe("VirtualClock.run()", () => {
  test("returns a plain value and 0 elapsed for a function that never waits", async () => {
    const clock = new VirtualClock({ start: 50 });
    assert.deepEqual(await clock.run(() => 7), { value: 7, elapsed: 0 });
  });
  test("rejects with what the function threw, after the time it took", async () => {
    const clock = new VirtualClock();
    await assert.rejects(
      clock.run(async () => {
        await clock.sleep(300);
        throw new Error("boom");
      }),
      { message: "boom" },
    );
    assert.equal(clock.now(), 300);
    assert.equal(clock.running, false);
  });
  test("lets the program finish work that hops through setImmediate before moving time", async () => {
    const clock = new VirtualClock();
    const hop = () => new Promise((resolve) => setImmediate(resolve));
    const { value } = await clock.run(async () => {
      const a = (async () => {
        await clock.sleep(100);
        for (let i = 0; i < 20; i++) await hop();
        await clock.sleep(50);
        return clock.now();
      })();
      const b = clock.sleep(120).then(() => clock.now());
      return Promise.all([a, b]);
    });
    assert.deepEqual(value, [150, 120]);
  });
  test("waits in real time for real work that finishes", async () => {
    const clock = new VirtualClock();
    const { value, elapsed } = await clock.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await clock.sleep(100);
      return "ok";
    });
    assert.deepEqual({ value, elapsed }, { value: "ok", elapsed: 100 });
  });
  test("fails clearly when the function waits on something that is not the provided sleep", async () => {
    const clock = new VirtualClock({ guardMs: 100 });
    const t0 = realNow();
    await assert.rejects(
      clock.run(() => new Promise(() => {})),
      (error: Error) => {
        assert.equal(error.name, STALL_ERROR_NAME);
        assert.match(
          error.message,
          /^the answer is waiting on something that is not the provided sleep/,
        );
        assert.match(error.message, /100 ms of real time/);
        return true;
      },
    );
    const waited = realNow() - t0;
    assert.ok(waited >= 90 && waited < 3000, `gave up after ${waited} ms`);
    assert.equal(clock.running, false);
  });
  test("does not nest: a run inside a run fails with a clear error", async () => {
    const clock = new VirtualClock();
    await assert.rejects(
      clock.run(() => clock.run(() => 1)),
      /VirtualClock.run\(\) is already running on this clock: runs cannot nest/,
    );
    // The clock is usable again afterwards.
    assert.equal((await clock.run(() => clock.sleep(10))).elapsed, 10);
  });
  test("rejects a non-function", async () => {
    await assert.rejects(new VirtualClock().run(42 as never), {
      name: "TypeError",
      message: "Expected `fn` to be a function, got 42",
    });
  });
});

describe("VirtualClock.timeline()", () => {
  test("records exact virtual spans", async () => {
    const clock = new VirtualClock();
    const tl = clock.timeline({ title: "virtual" });
    await clock.run(() =>
      Promise.all(
        [600, 400].map(async (ms, i) => {
          const span = tl.begin(`T${i}`, `sleep ${ms}`, "wait");
          await clock.sleep(ms);
          span.end();
        }),
      ),
    );
    assert.equal(tl.title, "virtual");
    assert.deepEqual(
      tl.spans.map((s) => [s.lane, s.start, s.end]),
      [
        ["T1", 0, 400],
        ["T0", 0, 600],
      ],
    );
  });
  test("starts at the clock's current time", () => {
    const clock = new VirtualClock();
    clock.blockingSleep(100);
    const tl = clock.timeline();
    clock.blockingSleep(50);
    assert.equal(tl.now(), 50);
  });
});
