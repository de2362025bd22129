import assert from "node:assert/strict";
import { executionAsyncId } from "node:async_hooks";
import { readFile } from "node:fs";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type OrderEntry, traceAsync, traceOrder } from "../src/async-trace.js";
import { Timeline } from "../src/timeline.js";

const show = (entries: OrderEntry[]) => entries.map((e) => `${e.label}:${e.phase}`);

/** Calls `start` from inside an I/O callback (the poll phase), where ordering is deterministic. */
function fromIo<T>(start: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    readFile(import.meta.filename, () => start().then(resolve, reject));
  });
}

/** Calls `start` at the beginning of a fresh macrotask (a check-phase callback). */
function fromImmediate<T>(start: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    setImmediate(() => start().then(resolve, reject));
  });
}

describe("traceAsync()", () => {
  test("records a timer's init, before, after and destroy, in order", async () => {
    const { events, value } = await traceAsync(
      () => {
        setTimeout(() => {}, 0);
        return "started";
      },
      { include: ["Timeout"] },
    );
    assert.equal(value, "started");
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.resourceType}`),
      ["init Timeout", "before Timeout", "after Timeout", "destroy Timeout"],
    );
    assert.equal(new Set(events.map((e) => e.asyncId)).size, 1);
    for (let i = 1; i < events.length; i++) {
      assert.ok((events[i]?.at ?? 0) >= (events[i - 1]?.at ?? 0), "in time order");
    }
  });

  test("draws a lane per queue: a run span per callback, an init mark per resource", async () => {
    const { timeline, events } = await traceAsync(() => {
      setTimeout(() => {}, 0);
      setImmediate(() => {});
      Promise.resolve().then(() => {});
      process.nextTick(() => {});
      queueMicrotask(() => {});
    });
    assert.deepEqual([...timeline.lanes].sort(), [
      "immediates",
      "microtasks",
      "nextTick",
      "sync",
      "timers",
    ]);
    const runs = timeline.spans.filter((s) => s.lane !== "sync").map((s) => s.label);
    assert.deepEqual(runs.sort(), ["immediate 1", "microtask 1", "promise 2", "tick 1", "timer 1"]);
    assert.ok(timeline.spans.every((s) => s.kind === "run"));
    const inits = events.filter((e) => e.type === "init");
    assert.equal(timeline.marks.length, inits.length);
    assert.ok(timeline.marks.every((m) => m.kind === "init"));
    assert.deepEqual(inits.map((e) => e.resourceType).sort(), [
      "Immediate",
      "Microtask",
      "PROMISE",
      "PROMISE",
      "TickObject",
      "Timeout",
    ]);
    const sync = timeline.spans.find((s) => s.lane === "sync");
    assert.equal(sync?.label, "fn");
  });

  test("links a promise to the promise it came from", async () => {
    const { events } = await traceAsync(() => Promise.resolve(1).then((x) => x + 1), {
      include: ["PROMISE"],
    });
    const inits = events.filter((e) => e.type === "init");
    assert.equal(inits.length, 2);
    assert.equal(inits[1]?.triggerAsyncId, inits[0]?.asyncId);
    assert.ok(events.some((e) => e.type === "resolve" && e.asyncId === inits[1]?.asyncId));
  });

  test("returns the value of an async function after it settles", async () => {
    const { value, events, pending, truncated } = await traceAsync(async () => {
      await delay(20);
      return 7;
    });
    assert.equal(value, 7);
    assert.equal(pending, 0);
    assert.equal(truncated, false);
    assert.equal(events.filter((e) => e.type === "init" && e.resourceType === "Timeout").length, 1);
  });

  test("follows activity through resources it does not record (an fs callback)", async () => {
    const { events } = await traceAsync(
      () =>
        new Promise<void>((resolve) => {
          readFile(import.meta.filename, () => setImmediate(resolve));
        }),
    );
    assert.ok(events.some((e) => e.type === "before" && e.resourceType === "Immediate"));
    assert.ok(!events.some((e) => e.resourceType.startsWith("FSREQ")), "fs requests not recorded");
  });

  test("leaves out activity that started before the trace", async () => {
    const outside = new Set<number>();
    const interval = setInterval(() => {
      outside.add(executionAsyncId());
      Promise.resolve().then(() => outside.add(executionAsyncId()));
    }, 5);
    try {
      await delay(10);
      outside.clear();
      const { events } = await traceAsync(() => delay(60));
      assert.ok(outside.size >= 2, "the interval ran during the trace");
      assert.ok(!events.some((e) => outside.has(e.asyncId) || outside.has(e.triggerAsyncId)));
      // Exactly what delay(60) is made of: one timer.
      assert.equal(
        events.filter((e) => e.resourceType === "Timeout" && e.type === "init").length,
        1,
      );
      assert.equal(
        events.filter((e) => e.resourceType === "Timeout" && e.type === "before").length,
        1,
      );
    } finally {
      clearInterval(interval);
    }
  });

  test("waits for the timers fn started without awaiting them", async () => {
    let ran = false;
    const { events, pending } = await traceAsync(() => {
      setTimeout(() => {
        ran = true;
      }, 20);
    });
    assert.equal(ran, true);
    assert.equal(pending, 0);
    assert.ok(events.some((e) => e.type === "after" && e.resourceType === "Timeout"));
  });

  test("gives up waiting after maxWaitMs and says what is still pending", async () => {
    let interval: NodeJS.Timeout | undefined;
    const t0 = performance.now();
    try {
      const { pending, timeline } = await traceAsync(
        () => {
          interval = setInterval(() => {}, 5);
        },
        { maxWaitMs: 50 },
      );
      const took = performance.now() - t0;
      assert.equal(pending, 1);
      assert.ok(took >= 45 && took <= 1000, `took ${took} ms`);
      // An interval runs many times: one span per run, all with the same label.
      const runs = timeline.spans.filter((s) => s.lane === "timers");
      assert.ok(runs.length >= 2, `${runs.length} runs`);
      assert.equal(new Set(runs.map((s) => s.label)).size, 1);
    } finally {
      clearInterval(interval);
    }
  });

  test("stops recording at maxEvents and says so", async () => {
    const { events, truncated } = await traceAsync(
      async () => {
        for (let i = 0; i < 10; i++) await null;
      },
      { maxEvents: 3 },
    );
    assert.equal(events.length, 3);
    assert.equal(truncated, true);
  });

  test("draws on a given timeline with the given labels", async () => {
    const tl = new Timeline();
    const { timeline } = await traceAsync(
      () => {
        setImmediate(() => {});
      },
      { timeline: tl, include: ["Immediate"], label: (type, id) => `${type}#${id}` },
    );
    assert.equal(timeline, tl);
    const run = tl.spans.find((s) => s.lane === "immediates");
    assert.match(run?.label ?? "", /^Immediate#\d+$/);
    assert.equal(tl.marks[0]?.label, run?.label);
  });

  test("switches the hook off afterwards, also when fn throws or rejects", async () => {
    let resolveLater: (v: number) => void = () => {};
    const { events } = await traceAsync(() => {
      const p = new Promise<number>((resolve) => {
        resolveLater = resolve;
      });
      return { p };
    });
    const count = events.length;
    resolveLater(1);
    await delay(5);
    assert.equal(events.length, count, "nothing recorded once the trace ended");

    await assert.rejects(
      traceAsync(() => {
        throw new Error("sync boom");
      }),
      { message: "sync boom" },
    );
    await assert.rejects(
      traceAsync(async () => {
        await null;
        throw new Error("async boom");
      }),
      { message: "async boom" },
    );
  });

  test("a label that is not a string is an error", async () => {
    await assert.rejects(
      traceAsync(() => Promise.resolve(), { label: () => 3 as never }),
      { name: "TypeError", message: "Expected `label` to return a string, got 3" },
    );
  });

  test("rejects bad arguments right away, naming them", () => {
    assert.throws(() => traceAsync(3 as never), {
      name: "TypeError",
      message: "Expected `fn` to be a function, got 3",
    });
    assert.throws(() => traceAsync(() => 1, 5 as never), {
      message: "Expected `options` to be an options object, got 5",
    });
    assert.throws(() => traceAsync(() => 1, { include: "PROMISE" as never }), {
      message: 'Expected `include` to be an array of resource type names, got "PROMISE"',
    });
    assert.throws(() => traceAsync(() => 1, { include: [""] }), {
      message: 'Expected `include[0]` to be a non-empty string, got ""',
    });
    assert.throws(() => traceAsync(() => 1, { timeline: {} as never }), {
      message: "Expected `timeline` to be a Timeline, got an object",
    });
    assert.throws(() => traceAsync(() => 1, { label: "x" as never }), {
      message: 'Expected `label` to be a function, got "x"',
    });
    assert.throws(() => traceAsync(() => 1, { maxEvents: 0 }), {
      message: "Expected `maxEvents` to be an integer ≥ 1, got 0",
    });
    assert.throws(() => traceAsync(() => 1, { maxWaitMs: -1 }), {
      message: "Expected `maxWaitMs` to be a finite number ≥ 0, got -1",
    });
  });
});

describe("traceOrder()", () => {
  const classic = (log: (label: string) => void) => {
    setTimeout(() => log("timeout"), 0);
    setImmediate(() => log("immediate"));
    Promise.resolve().then(() => log("promise"));
    process.nextTick(() => log("tick"));
    log("sync");
  };

  test("from an I/O callback (the default): sync, nextTick, microtask, immediate, timer", async () => {
    const order = await traceOrder(classic);
    assert.deepEqual(show(order), [
      "sync:sync",
      "tick:nextTick",
      "promise:microtask",
      "immediate:immediate",
      "timeout:timer",
    ]);
    assert.deepEqual(
      order.map((e) => e.resourceType),
      ["", "TickObject", "PROMISE", "Immediate", "Timeout"],
    );
    for (let i = 1; i < order.length; i++) {
      assert.ok((order[i]?.at ?? 0) >= (order[i - 1]?.at ?? 0));
    }
  });

  test("from a fresh macrotask: ticks before promises; timer vs immediate is a race", async () => {
    const order = await fromImmediate(() => traceOrder(classic, { from: "now" }));
    assert.deepEqual(show(order).slice(0, 3), ["sync:sync", "tick:nextTick", "promise:microtask"]);
    assert.deepEqual(show(order).slice(3).sort(), ["immediate:immediate", "timeout:timer"]);
  });

  test("from inside a promise job, promise callbacks run before nextTicks", async () => {
    await null; // now inside a microtask, like an awaited notebook cell
    const order = await traceOrder(
      (log) => {
        process.nextTick(() => log("tick"));
        Promise.resolve().then(() => log("promise"));
      },
      { from: "now" },
    );
    assert.deepEqual(show(order), ["promise:microtask", "tick:nextTick"]);
  });

  test("names the phase of nested callbacks and await continuations", async () => {
    const order = await fromIo(() =>
      traceOrder(
        async (log) => {
          setTimeout(() => {
            Promise.resolve().then(() => log("promise in timer"));
            log("timer");
          }, 0);
          queueMicrotask(() => log("queued"));
          await null;
          log("after await");
        },
        { from: "now" },
      ),
    );
    assert.deepEqual(show(order), [
      "queued:microtask",
      "after await:microtask",
      "timer:timer",
      "promise in timer:microtask",
    ]);
    assert.equal(order[0]?.resourceType, "Microtask");
  });

  test("a log from an I/O callback is phase other, with its resource type", async () => {
    const order = await traceOrder(
      (log) =>
        new Promise<void>((resolve) => {
          readFile(import.meta.filename, () => {
            log("read");
            resolve();
          });
        }),
    );
    assert.equal(order.length, 1);
    assert.equal(order[0]?.phase, "other");
    assert.match(order[0]?.resourceType ?? "", /^FSREQ/);
  });

  test("ignores log calls after the trace ended", async () => {
    let late: ((label: string) => void) | undefined;
    const order = await traceOrder((log) => {
      late = log;
      log("in time");
    });
    late?.("too late");
    assert.deepEqual(show(order), ["in time:sync"]);
  });

  test("draws the trace and a log mark per call on a given timeline", async () => {
    const tl = new Timeline();
    await traceOrder(classic, { timeline: tl });
    const logs = tl.marks.filter((m) => m.kind === "log");
    assert.deepEqual(
      logs.map((m) => `${m.label}@${m.lane}`),
      [
        "sync@sync",
        "tick@nextTick",
        "promise@microtasks",
        "immediate@immediates",
        "timeout@timers",
      ],
    );
    assert.ok(tl.spans.some((s) => s.lane === "timers" && s.kind === "run"));
  });

  test("passes on what fn throws", async () => {
    await assert.rejects(
      traceOrder(() => {
        throw new Error("boom");
      }),
      { message: "boom" },
    );
    await assert.rejects(
      traceOrder(
        async () => {
          throw new Error("later boom");
        },
        { from: "now", maxWaitMs: 10 },
      ),
      { message: "later boom" },
    );
  });

  test("rejects bad arguments right away, naming them", async () => {
    assert.throws(() => traceOrder("x" as never), {
      name: "TypeError",
      message: 'Expected `fn` to be a function, got "x"',
    });
    assert.throws(() => traceOrder(() => {}, null as never), {
      message: "Expected `options` to be an options object, got null",
    });
    assert.throws(() => traceOrder(() => {}, { from: "later" as never }), {
      message: 'Expected `from` to be "io" or "now", got "later"',
    });
    assert.throws(() => traceOrder(() => {}, { maxWaitMs: Number.NaN }), /`maxWaitMs`/);
    await assert.rejects(
      traceOrder((log) => log(3 as never)),
      { message: "Expected `label` to be a string, got 3" },
    );
  });
});
