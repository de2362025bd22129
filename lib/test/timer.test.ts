import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import { formatElapsed, Timer, TimerError, Timers } from "../src/timer.js";
import { blockingSleep } from "../src/timers.js";
import { deferred, fakeClock } from "./helpers.js";

/** A clock that only moves when told: `clock.advance(1500)` is 1.5 s later. */

/** A logger that keeps what it is given. */
function collect() {
  const lines: string[] = [];
  const logger = (text: string) => {
    lines.push(text);
  };
  return { lines, logger };
}

beforeEach(() => {
  Timer.timers.clear();
});

describe("Timer.stop()", () => {
  test("prints the seed's lines, in seconds", () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const one = new Timer({ name: "One", text: "Task {name} elapsed time: {:.1f}", logger, clock });
    const total = new Timer({ text: "\nTotal elapsed time: {:.1f}", logger, clock });
    total.start();
    one.start();
    clock.advance(1500);
    assert.equal(one.stop(), 1.5);
    clock.advance(1700);
    assert.equal(total.stop(), 3.2);
    assert.deepEqual(lines, ["Task One elapsed time: 1.5", "\nTotal elapsed time: 3.2"]);
  });

  test('uses codetiming\'s default text "Elapsed time: {:0.4f} seconds"', () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const timer = new Timer({ logger, clock });
    timer.start();
    clock.advance(250);
    timer.stop();
    assert.deepEqual(lines, ["Elapsed time: 0.2500 seconds"]);
  });

  test("fills {seconds}, {milliseconds}, {minutes}, widths and escaped braces", () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const text =
      "{} | {seconds:.2f} s | {milliseconds:.0f} ms | {minutes:.3f} min | [{:6.2f}] | {{x}} | {name}";
    const timer = new Timer({ text, logger, clock });
    timer.start();
    clock.advance(1500);
    timer.stop();
    assert.deepEqual(lines, ["1.5 | 1.50 s | 1500 ms | 0.025 min | [  1.50] | {x} | "]);
  });

  test("text may be a function of the seconds", () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const timer = new Timer({ text: (s) => `took ${s * 1000} ms`, logger, clock });
    timer.start();
    clock.advance(40);
    timer.stop();
    assert.deepEqual(lines, ["took 40 ms"]);
  });

  test("logs to console.log by default, and not at all with logger: null", () => {
    const clock = fakeClock();
    const seen: unknown[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => seen.push(args.join(" "));
    try {
      const loud = new Timer({ clock });
      loud.start();
      clock.advance(100);
      loud.stop();
      const quiet = new Timer({ clock, logger: null });
      quiet.start();
      quiet.stop();
    } finally {
      console.log = original;
    }
    assert.deepEqual(seen, ["Elapsed time: 0.1000 seconds"]);
  });

  test("throws a TimerError when the timer is not running", () => {
    const timer = new Timer({ logger: null });
    assert.throws(() => timer.stop(), {
      name: "TimerError",
      message: "Timer is not running. Use .start() to start it",
    });
    assert.throws(() => timer.stop(), TimerError);
  });

  test("records `last` and can run again after a stop", () => {
    const clock = fakeClock();
    const timer = new Timer({ logger: null, clock });
    assert.ok(Number.isNaN(timer.last));
    assert.equal(timer.running, false);
    timer.start();
    assert.equal(timer.running, true);
    clock.advance(300);
    timer.stop();
    assert.equal(timer.last, 0.3);
    timer.start();
    clock.advance(100);
    timer.stop();
    assert.equal(timer.last, 0.1);
  });

  test("measures real time with the library clock by default (window)", () => {
    const timer = new Timer({ logger: null });
    timer.start();
    blockingSleep(20);
    const seconds = timer.stop();
    assert.ok(seconds >= 0.019 && seconds < 1, `measured ${seconds} s`);
  });
});

describe("Timer.start()", () => {
  test("throws a TimerError when already running", () => {
    const timer = new Timer({ logger: null });
    timer.start();
    assert.throws(() => timer.start(), {
      name: "TimerError",
      message: "Timer is running. Use .stop() to stop it",
    });
    const error = new TimerError("x");
    assert.ok(error instanceof Error);
  });
});

describe("new Timer()", () => {
  test("rejects bad options, naming them", () => {
    assert.throws(() => new Timer({ text: "took {hours}" }), {
      name: "TypeError",
      message:
        'Expected `text` to be a template using {}, {:.Nf}, {name}, {seconds}, {milliseconds} or {minutes}, got "{hours}"',
    });
    assert.throws(() => new Timer({ text: "{:.2x}" }), /Expected `text` to be a template/);
    assert.throws(() => new Timer({ text: "a } b" }), {
      message:
        'Expected `text` to be a template with matched braces (write {{ and }} for braces), got "a } b"',
    });
    assert.throws(() => new Timer({ text: 5 as unknown as string }), /Expected `text` to be a/);
    assert.throws(() => new Timer({ name: "" }), {
      message: 'Expected `name` to be a non-empty string, got ""',
    });
    assert.throws(() => new Timer({ logger: "log" as unknown as null }), {
      message: 'Expected `logger` to be a function, or null for silence, got "log"',
    });
    assert.throws(() => new Timer({ clock: 3 as unknown as () => number }), /`clock`/);
    assert.throws(() => new Timer(null as never), /`options`/);
  });
});

describe("Timer.timers", () => {
  test("named timers accumulate on every stop; unnamed ones are not recorded", () => {
    const clock = fakeClock();
    const one = new Timer({ name: "One", logger: null, clock });
    for (const ms of [1000, 2000, 4000]) {
      one.start();
      clock.advance(ms);
      one.stop();
    }
    const anonymous = new Timer({ logger: null, clock });
    anonymous.start();
    anonymous.stop();
    const t = Timer.timers;
    assert.equal(t.total("One"), 7);
    assert.equal(t.count("One"), 3);
    assert.equal(t.mean("One"), 7 / 3);
    assert.equal(t.min("One"), 1);
    assert.equal(t.max("One"), 4);
    assert.equal(t.median("One"), 2);
    assert.ok(Math.abs(t.stdev("One") - Math.sqrt(7 / 3)) < 1e-12);
    assert.deepEqual(t.timings("One"), [1, 2, 4]);
    assert.deepEqual(t.names(), ["One"]);
    assert.deepEqual(t.toJSON(), { One: 7 });
    assert.equal(JSON.stringify(t), '{"One":7}');
  });

  test("two timers with one name add to the same entry", () => {
    const clock = fakeClock();
    for (const ms of [1500, 500]) {
      const timer = new Timer({ name: "queue", logger: null, clock });
      timer.start();
      clock.advance(ms);
      timer.stop();
    }
    assert.equal(Timer.timers.total("queue"), 2);
    assert.equal(Timer.timers.median("queue"), 1);
  });

  test("stdev needs two runs (NaN before), like statistics.stdev", () => {
    Timer.timers.add("single", 1.5);
    assert.ok(Number.isNaN(Timer.timers.stdev("single")));
    assert.equal(Timer.timers.has("single"), true);
    assert.equal(Timer.timers.has("other"), false);
  });

  test("clear() forgets everything; unknown names throw, listing known ones", () => {
    const timers = new Timers();
    assert.throws(() => timers.total("nope"), {
      name: "TypeError",
      message: 'Expected `name` to be the name of a timer that has stopped, got "nope"',
    });
    timers.add("a", 1);
    timers.add("b", 2);
    assert.throws(() => timers.count("c"), {
      message: 'Expected `name` to be the name of a timer that has stopped (a, b), got "c"',
    });
    timers.clear();
    assert.deepEqual(timers.toJSON(), {});
    assert.throws(() => timers.add("", 1), /`name`/);
    assert.throws(() => timers.add("a", Number.NaN), {
      message: "Expected `seconds` to be a number, got NaN",
    });
  });
});

describe("Timer.run()", () => {
  test("times a sync block and returns its value", () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const timer = new Timer({ name: "sum", text: "{name}: {:.1f}", logger, clock });
    const value = timer.run(() => {
      clock.advance(500);
      return 42;
    });
    assert.equal(value, 42);
    assert.deepEqual(lines, ["sum: 0.5"]);
    assert.equal(Timer.timers.count("sum"), 1);
    assert.equal(timer.running, false);
  });

  test("stops even when the sync block throws, and rethrows", () => {
    const clock = fakeClock();
    const timer = new Timer({ logger: null, clock });
    assert.throws(
      () =>
        timer.run(() => {
          clock.advance(200);
          throw new Error("boom");
        }),
      { message: "boom" },
    );
    assert.equal(timer.running, false);
    assert.equal(timer.last, 0.2);
  });

  test("times an async block until it settles and resolves to its value", async () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const timer = new Timer({
      name: "One",
      text: "Task {name} elapsed time: {:.1f}",
      logger,
      clock,
    });
    const gate = deferred<string>();
    const result = timer.run(() => gate.promise);
    clock.advance(1000);
    assert.equal(timer.running, true);
    assert.deepEqual(lines, []);
    clock.advance(500);
    gate.resolve("done");
    assert.equal(await result, "done");
    assert.deepEqual(lines, ["Task One elapsed time: 1.5"]);
  });

  test("stops when the async block rejects, and passes the rejection on", async () => {
    const clock = fakeClock();
    const timer = new Timer({ logger: null, clock });
    const failing = timer.run(async () => {
      clock.advance(300);
      throw new Error("nope");
    });
    await assert.rejects(failing, { message: "nope" });
    assert.equal(timer.running, false);
    assert.equal(timer.last, 0.3);
  });

  test("throws a TimerError when the timer is already running, and rejects non-functions", () => {
    const timer = new Timer({ logger: null });
    timer.start();
    assert.throws(() => timer.run(() => 1), TimerError);
    assert.throws(() => new Timer().run(5 as unknown as () => number), {
      message: "Expected `fn` to be a function, got 5",
    });
  });
});

describe("Timer.wrap()", () => {
  test("times every call of an async function, even overlapping ones", async () => {
    const clock = fakeClock();
    const { lines, logger } = collect();
    const timer = new Timer({
      name: "fetch",
      text: "{name}: {milliseconds:.0f} ms",
      logger,
      clock,
    });
    const gates = [deferred<number>(), deferred<number>()];
    const fetchOne = timer.wrap(async (i: number) => gates[i]!.promise);
    const first = fetchOne(0);
    clock.advance(100);
    const second = fetchOne(1);
    clock.advance(50);
    gates[1]!.resolve(2);
    assert.equal(await second, 2);
    clock.advance(100);
    gates[0]!.resolve(1);
    assert.equal(await first, 1);
    assert.deepEqual(lines, ["fetch: 50 ms", "fetch: 250 ms"]);
    assert.deepEqual(Timer.timers.timings("fetch"), [0.05, 0.25]);
    assert.equal(timer.last, 0.25);
  });

  test("keeps `this` and the arguments, and times sync functions too", () => {
    const clock = fakeClock();
    const timer = new Timer({ name: "add", logger: null, clock });
    const counter = {
      base: 10,
      add: timer.wrap(function (this: { base: number }, a: number, b: number) {
        clock.advance(5);
        return this.base + a + b;
      }),
    };
    assert.equal(counter.add(1, 2), 13);
    assert.equal(Timer.timers.total("add"), 0.005);
  });

  test("records calls that throw or reject, and passes the error on", async () => {
    const clock = fakeClock();
    const timer = new Timer({ name: "bad", logger: null, clock });
    const throwing = timer.wrap(() => {
      clock.advance(10);
      throw new Error("sync");
    });
    const rejecting = timer.wrap(async () => {
      clock.advance(20);
      throw new Error("async");
    });
    assert.throws(() => throwing(), { message: "sync" });
    await assert.rejects(rejecting(), { message: "async" });
    assert.deepEqual(Timer.timers.timings("bad"), [0.01, 0.02]);
    assert.throws(() => timer.wrap("f" as unknown as () => void), /`fn`/);
  });
});

describe("formatElapsed()", () => {
  test("fills a template like Timer.stop() does", () => {
    assert.equal(formatElapsed("\nTotal elapsed time: {:.1f}", 3.2), "\nTotal elapsed time: 3.2");
    assert.equal(formatElapsed("{name}: {milliseconds:.0f} ms", 0.25, "One"), "One: 250 ms");
    assert.equal(formatElapsed("{:0.4f}", 1 / 3), "0.3333");
  });

  test("rejects bad arguments", () => {
    assert.throws(() => formatElapsed("{x}", 1), /Expected `text` to be a template/);
    assert.throws(() => formatElapsed("{}", Number.NaN), {
      message: "Expected `seconds` to be a finite number, got NaN",
    });
    assert.throws(() => formatElapsed("{}", 1, ""), /`name`/);
    assert.throws(() => formatElapsed(1 as unknown as string, 1), /`text`/);
  });
});
