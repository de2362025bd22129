import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { measureLoopLag, monitorLoopLag } from "../src/loop-lag.js";
import { Timeline } from "../src/timeline.js";

// Holds the thread like a blocking call does (a real sleep, not a busy loop).
const cell = new Int32Array(new SharedArrayBuffer(4));
function block(ms: number): void {
  const end = performance.now() + ms;
  for (let left = ms; left > 0; left = end - performance.now()) Atomics.wait(cell, 0, 0, left);
}

/** Runs `fn` and returns the ids of the Timeouts it created and of those destroyed since. */
function watchTimeouts<T>(fn: () => T): { value: T; created: number[]; destroyed: Set<number> } {
  const created: number[] = [];
  const destroyed = new Set<number>();
  let watching = true;
  const hook = createHook({
    init(id, type) {
      if (watching && type === "Timeout") created.push(id);
    },
    destroy(id) {
      destroyed.add(id);
    },
  }).enable();
  try {
    return { value: fn(), created, destroyed };
  } finally {
    watching = false;
    // Keep listening for destroys; the caller disables it.
    setTimeout(() => hook.disable(), 200).unref();
  }
}

describe("monitorLoopLag()", () => {
  test("measures a blocked loop as one late tick and draws it as a blocked span", async () => {
    const tl = new Timeline();
    const monitor = monitorLoopLag({ timeline: tl });
    await delay(30);
    block(200);
    await delay(30);
    const report = monitor.stop();
    assert.ok(report.maxLagMs >= 150 && report.maxLagMs <= 600, `maxLagMs ${report.maxLagMs}`);
    const blocked = tl.spans.filter((s) => s.kind === "blocked");
    assert.ok(blocked.length >= 1);
    const longest = Math.max(...blocked.map((s) => s.end - s.start));
    assert.ok(longest >= 150 && longest <= 600, `blocked span of ${longest} ms`);
    assert.ok(blocked.every((s) => s.lane === "event loop" && /^late \d+ ms$/.test(s.label)));
    // blockedMs is exactly the drawn blocked time.
    const drawn = blocked.reduce((sum, s) => sum + (s.end - s.start), 0);
    assert.ok(Math.abs(report.blockedMs - drawn) < 1e-6);
    assert.equal(report.thresholdMs, 50);
  });

  test("stays calm while the code only awaits", async () => {
    const monitor = monitorLoopLag();
    await delay(200);
    const report = monitor.stop();
    assert.ok(report.maxLagMs < 100, `maxLagMs ${report.maxLagMs}`);
    assert.ok(report.blockedMs < 100);
    // About 20 ticks of 10 ms in 200 ms; a loaded box manages fewer, never many more.
    assert.ok(
      report.samples.length >= 5 && report.samples.length <= 25,
      `${report.samples.length}`,
    );
    assert.ok(report.durationMs >= 190 && report.durationMs <= 1000);
  });

  test("reports statistics that agree with its samples", async () => {
    const monitor = monitorLoopLag({ intervalMs: 5 });
    await delay(40);
    block(80);
    await delay(40);
    const r = monitor.stop();
    const lags = r.samples.map((s) => s.lagMs).sort((a, b) => a - b);
    assert.equal(r.maxLagMs, lags[lags.length - 1]);
    assert.ok(Math.abs(r.meanLagMs - lags.reduce((a, b) => a + b, 0) / lags.length) < 1e-9);
    assert.equal(r.p50, lags[Math.ceil(0.5 * lags.length) - 1]);
    assert.equal(r.p99, lags[Math.ceil(0.99 * lags.length) - 1]);
    assert.ok(r.p50 <= r.p99 && r.p99 <= r.maxLagMs);
    // Samples are in time order and counted from the start.
    for (let i = 1; i < r.samples.length; i++) {
      assert.ok((r.samples[i]?.at ?? 0) >= (r.samples[i - 1]?.at ?? 0));
    }
    assert.ok(r.startedAt > 0);
  });

  test("reads Node's histogram of the same lateness", async () => {
    const monitor = monitorLoopLag();
    await delay(30);
    block(150);
    await delay(40);
    const { histogram } = monitor.stop();
    assert.ok(histogram, "a histogram after some ticks");
    assert.ok(histogram.count >= 2);
    assert.ok(histogram.maxMs >= 100 && histogram.maxMs <= 600, `histogram max ${histogram.maxMs}`);
    assert.ok(histogram.minMs <= histogram.p50 && histogram.p50 <= histogram.p99);
    assert.ok(histogram.p99 <= histogram.maxMs && histogram.meanMs >= 0);
  });

  test("counts the overdue tick at stop(), so a block just before it is not missed", () => {
    const monitor = monitorLoopLag();
    block(200);
    const report = monitor.stop();
    assert.equal(report.samples.length, 1);
    assert.ok(report.maxLagMs >= 150 && report.maxLagMs <= 600, `maxLagMs ${report.maxLagMs}`);
    assert.equal(report.histogram, undefined);
  });

  test("an empty report when stopped before the first tick", () => {
    const report = monitorLoopLag({ intervalMs: 5000 }).stop();
    assert.deepEqual(
      [report.samples, report.maxLagMs, report.meanLagMs, report.p50, report.p99, report.blockedMs],
      [[], 0, 0, 0, 0, 0],
    );
    assert.equal(report.histogram, undefined);
  });

  test("marks every tick as a heartbeat when asked, on the chosen lane", async () => {
    const tl = new Timeline();
    const monitor = monitorLoopLag({ timeline: tl, heartbeats: true, lane: "loop" });
    await delay(60);
    const report = monitor.stop();
    assert.ok(report.samples.length >= 2);
    assert.equal(tl.marks.length, report.samples.length);
    assert.ok(tl.marks.every((m) => m.kind === "heartbeat" && m.lane === "loop"));
    assert.match(tl.marks[0]?.label ?? "", /^lag \d+\.\d ms$/);
  });

  test("thresholdMs decides which ticks count as blocked", async () => {
    const tl = new Timeline();
    const monitor = monitorLoopLag({ timeline: tl, thresholdMs: 0 });
    await delay(60);
    block(20);
    await delay(20);
    const report = monitor.stop();
    const late = report.samples.filter((s) => s.lagMs > 0);
    assert.equal(tl.spans.length, late.length);
    assert.ok(tl.spans.length >= 1);
    assert.equal(report.thresholdMs, 0);
  });

  test("stop() clears its timer, and later calls return the same report", async () => {
    const tl = new Timeline();
    const {
      value: monitor,
      created,
      destroyed,
    } = watchTimeouts(() => monitorLoopLag({ timeline: tl, heartbeats: true }));
    assert.equal(created.length, 1, "one timer");
    await delay(30);
    assert.equal(monitor.running, true);
    const report = monitor.stop();
    assert.equal(monitor.running, false);
    const marks = tl.marks.length;
    await delay(50);
    assert.equal(tl.marks.length, marks, "no tick after stop()");
    assert.equal(monitor.stop(), report);
    assert.ok(destroyed.has(created[0] ?? -1), "the timer was destroyed");
  });

  test("its timer does not keep the process alive", () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const monitor = monitorLoopLag();
    const during = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    monitor.stop();
    assert.equal(during, before);
  });

  test("rejects bad options, naming them", () => {
    assert.throws(() => monitorLoopLag(null as never), {
      name: "TypeError",
      message: "Expected `options` to be an options object, got null",
    });
    assert.throws(() => monitorLoopLag({ intervalMs: 0 }), {
      name: "TypeError",
      message: "Expected `intervalMs` to be an integer from 1 to 60000, got 0",
    });
    assert.throws(() => monitorLoopLag({ intervalMs: 2.5 }), /`intervalMs`/);
    assert.throws(() => monitorLoopLag({ thresholdMs: -1 }), {
      message: "Expected `thresholdMs` to be a finite number ≥ 0, got -1",
    });
    assert.throws(() => monitorLoopLag({ timeline: {} as never }), {
      message: "Expected `timeline` to be a Timeline, got an object",
    });
    assert.throws(() => monitorLoopLag({ lane: "" }), {
      message: 'Expected `lane` to be a non-empty string, got ""',
    });
    assert.throws(() => monitorLoopLag({ heartbeats: "yes" as never }), {
      message: 'Expected `heartbeats` to be a boolean, got "yes"',
    });
  });
});

describe("measureLoopLag()", () => {
  test("measures a synchronous function that blocks", async () => {
    const { value, report } = await measureLoopLag(() => {
      block(200);
      return "done";
    });
    assert.equal(value, "done");
    assert.ok(report.maxLagMs >= 150 && report.maxLagMs <= 600, `maxLagMs ${report.maxLagMs}`);
    assert.ok(report.blockedMs >= 150);
  });

  test("measures an async function that only awaits, returning its value", async () => {
    const tl = new Timeline();
    const { value, report } = await measureLoopLag(
      async () => {
        await delay(100);
        return 42;
      },
      { timeline: tl },
    );
    assert.equal(value, 42);
    assert.ok(report.maxLagMs < 100, `maxLagMs ${report.maxLagMs}`);
    assert.ok(report.samples.length >= 3);
  });

  test("stops the monitor and rethrows when the function fails", async () => {
    const tl = new Timeline();
    await assert.rejects(
      measureLoopLag(
        async () => {
          await delay(30);
          throw new Error("boom");
        },
        { timeline: tl, heartbeats: true },
      ),
      { message: "boom" },
    );
    const marks = tl.marks.length;
    await delay(40);
    assert.equal(tl.marks.length, marks, "no tick after the failure");
  });

  test("rejects bad arguments right away", () => {
    assert.throws(() => measureLoopLag(3 as never), {
      name: "TypeError",
      message: "Expected `fn` to be a function, got 3",
    });
    assert.throws(() => measureLoopLag(() => 1, { intervalMs: -5 }), /`intervalMs`/);
  });
});
