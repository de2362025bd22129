import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, mock, test } from "node:test";
import { now } from "../src/clock.js";
import { blockingSleep, sleep } from "../src/timers.js";

/** How many `setTimeout` timers are alive in this process right now. */
function activeTimeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
}

/** Where a promise stands once every pending microtask has run (setImmediate is not mocked). */
async function state(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let result: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => {
      result = "fulfilled";
    },
    () => {
      result = "rejected";
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return result;
}

describe("sleep()", () => {
  test("resolves only when its time has passed (mock timers)", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const done = sleep(1000);
      mock.timers.tick(999);
      assert.equal(await state(done), "pending");
      mock.timers.tick(1);
      assert.equal(await state(done), "fulfilled");
      assert.equal(await done, undefined);
    } finally {
      mock.timers.reset();
    }
  });

  test("does not block: two sleeps of 100 ms overlap (mock timers)", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const both = Promise.all([sleep(100), sleep(100)]);
      mock.timers.tick(99);
      assert.equal(await state(both), "pending");
      mock.timers.tick(1);
      assert.equal(await state(both), "fulfilled");
    } finally {
      mock.timers.reset();
    }
  });

  test("really waits, while the event loop runs other callbacks (real time, window)", async () => {
    const t0 = now();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      await sleep(60);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = now() - t0;
    assert.ok(elapsed >= 59, `took ${elapsed} ms, expected about 60`);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.ok(ticks >= 1, "no other callback ran during the sleep");
  });

  test("sleep(0) resolves on a later turn of the event loop", async () => {
    const order: string[] = [];
    const done = sleep(0).then(() => order.push("sleep"));
    await Promise.resolve().then(() => order.push("microtask"));
    await done;
    assert.deepEqual(order, ["microtask", "sleep"]);
  });

  test("leaves no timer and no abort listener behind when it resolves", async () => {
    const baseline = activeTimeouts();
    const controller = new AbortController();
    const done = sleep(20, { signal: controller.signal });
    assert.equal(activeTimeouts(), baseline + 1);
    assert.equal(getEventListeners(controller.signal, "abort").length, 1);
    await done;
    assert.equal(activeTimeouts(), baseline);
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  test("rejects with signal.reason when aborted, and clears its timer and listener", async () => {
    const baseline = activeTimeouts();
    const controller = new AbortController();
    const done = sleep(10_000, { signal: controller.signal });
    assert.equal(activeTimeouts(), baseline + 1);
    const reason = new Error("too slow");
    controller.abort(reason);
    await assert.rejects(done, (error) => error === reason);
    assert.equal(activeTimeouts(), baseline);
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  test("an abort without a reason rejects with the signal's AbortError", async () => {
    const controller = new AbortController();
    const done = sleep(10_000, { signal: controller.signal });
    controller.abort();
    await assert.rejects(done, { name: "AbortError" });
  });

  test("an already-aborted signal rejects at once, without creating a timer", async () => {
    const baseline = activeTimeouts();
    const reason = new Error("cancelled before");
    const signal = AbortSignal.abort(reason);
    const add = mock.method(signal, "addEventListener");
    const done = sleep(10_000, { signal });
    assert.equal(activeTimeouts(), baseline);
    assert.equal(add.mock.callCount(), 0);
    await assert.rejects(done, (error) => error === reason);
  });

  test("works with AbortSignal.timeout (rejects with its TimeoutError)", async () => {
    await assert.rejects(sleep(5_000, { signal: AbortSignal.timeout(20) }), {
      name: "TimeoutError",
    });
  });

  test("rejects bad arguments at once, naming them", () => {
    assert.throws(() => sleep(-1), {
      name: "TypeError",
      message: "Expected `ms` to be a finite number from 0 to 2147483647, got -1",
    });
    assert.throws(() => sleep(Number.NaN), /Expected `ms` to be a finite number/);
    assert.throws(() => sleep("5" as unknown as number), /got "5"/);
    assert.throws(() => sleep(2 ** 31), /from 0 to 2147483647, got 2147483648/);
    assert.throws(() => sleep(1, null as never), {
      message: "Expected `options` to be an options object, got null",
    });
    assert.throws(() => sleep(1, { signal: "stop" as unknown as AbortSignal }), {
      message: 'Expected `signal` to be an AbortSignal, got "stop"',
    });
  });
});

describe("blockingSleep()", () => {
  test("returns only after the time has passed (real time, generous window)", () => {
    const t0 = now();
    blockingSleep(30);
    const elapsed = now() - t0;
    assert.ok(elapsed >= 30, `returned after ${elapsed} ms, expected at least 30`);
    assert.ok(elapsed < 500, `returned after ${elapsed} ms`);
  });

  test("freezes the event loop: a due timer cannot fire until it returns", async () => {
    let fired = false;
    const timer = setTimeout(() => {
      fired = true;
    }, 0);
    blockingSleep(30);
    assert.equal(fired, false, "the timer fired during a blocking sleep");
    await sleep(5);
    clearTimeout(timer);
    assert.equal(fired, true);
  });

  test("blockingSleep(0) returns at once", () => {
    const t0 = now();
    blockingSleep(0);
    assert.ok(now() - t0 < 50);
  });

  test("rejects bad arguments, naming them", () => {
    assert.throws(() => blockingSleep(-5), {
      name: "TypeError",
      message: "Expected `ms` to be a finite number from 0 to 2147483647, got -5",
    });
    assert.throws(() => blockingSleep(Number.POSITIVE_INFINITY), /got Infinity/);
  });
});
