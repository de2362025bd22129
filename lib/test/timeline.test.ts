import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type MimeBundle, setDisplaySink } from "../src/display.js";
import { type Span, Timeline, type TimelineJSON } from "../src/timeline.js";
import { timelineSvg } from "../src/timeline-chart.js";
import { timelineText } from "../src/timeline-text.js";
import { deferred, fakeClock } from "./helpers.js";

/** A clock that only moves when told, starting at 1000 ms (so the origin is not 0). */

const brief = (s: Span) => `${s.lane}:${s.label}:${s.start}-${s.end}:${s.kind}`;

describe("new Timeline()", () => {
  test("starts at time 0 on its clock and keeps a title", () => {
    const clock = fakeClock();
    const tl = new Timeline({ title: "Synchronous", clock });
    assert.equal(tl.origin, 1000);
    assert.equal(tl.now(), 0);
    clock.advance(250);
    assert.equal(tl.now(), 250);
    assert.equal(tl.fromClock(1500), 500);
    assert.equal(tl.title, "Synchronous");
  });

  test("rejects bad options", () => {
    assert.throws(() => new Timeline(null as never), {
      message: "Expected `options` to be an options object, got null",
    });
    assert.throws(() => new Timeline({ title: 3 as unknown as string }), /`title`/);
    assert.throws(() => new Timeline({ clock: "now" as unknown as () => number }), /`clock`/);
  });
});

describe("Timeline.span()", () => {
  test("records a span with explicit times, default kind run", () => {
    const tl = new Timeline();
    const span = tl.span("One", "count 15", 0, 1500);
    assert.deepEqual(span, { lane: "One", label: "count 15", start: 0, end: 1500, kind: "run" });
    assert.deepEqual(tl.spans, [span]);
  });

  test("rejects bad spans, naming the field", () => {
    const tl = new Timeline();
    assert.throws(() => tl.span("One", "x", 5, 3), {
      name: "TypeError",
      message: "Expected `end` to be a finite number ≥ 5, got 3",
    });
    assert.throws(() => tl.span("", "x", 0, 1), {
      message: 'Expected `lane` to be a non-empty string, got ""',
    });
    assert.throws(() => tl.span("One", 5 as unknown as string, 0, 1), /`label` to be a string/);
    assert.throws(() => tl.span("One", "x", Number.NaN, 1), /`start` to be a finite number/);
    assert.throws(() => tl.span("One", "x", 0, Number.POSITIVE_INFINITY), /`end`/);
    assert.throws(() => tl.span("One", "x", 0, 1, ""), {
      message: 'Expected `kind` to be a non-empty string such as run, wait or blocked, got ""',
    });
    assert.equal(tl.spans.length, 0);
  });
});

describe("Timeline.begin()", () => {
  test("end() records the span from begin to now, once", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    clock.advance(100);
    const open = tl.begin("One", "download", "wait");
    clock.advance(300);
    const span = open.end();
    clock.advance(50);
    assert.equal(open.end(), span, "a second end() returns the same span");
    assert.deepEqual(tl.spans.map(brief), ["One:download:100-400:wait"]);
  });

  test("end(at) closes at a given time, not before the start", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    clock.advance(100);
    const open = tl.begin("One", "x");
    assert.throws(() => open.end(50), {
      message: "Expected `at` to be a finite number ≥ 100, got 50",
    });
    assert.deepEqual(open.end(120), { lane: "One", label: "x", start: 100, end: 120, kind: "run" });
  });

  test("nested and overlapping spans each close their own", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    const outer = tl.begin("One", "outer", "wait");
    clock.advance(10);
    const inner = tl.begin("One", "inner");
    const other = tl.begin("Two", "other", "blocked");
    clock.advance(10);
    inner.end();
    clock.advance(10);
    outer.end();
    clock.advance(10);
    other.end();
    assert.deepEqual(tl.spans.map(brief), [
      "One:inner:10-20:run",
      "One:outer:0-30:wait",
      "Two:other:10-40:blocked",
    ]);
  });

  test("rejects bad arguments", () => {
    const tl = new Timeline();
    assert.throws(() => tl.begin("", "x"), /`lane`/);
    assert.throws(() => tl.begin("A", null as unknown as string), /`label`/);
    assert.throws(() => tl.begin("A", "x", 3 as unknown as string), /`kind`/);
  });
});

describe("Timeline.wrap()", () => {
  test("runs a sync function now, records its span, returns its value", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    clock.advance(100);
    const value = tl.wrap("One", "count", () => {
      clock.advance(1500);
      return 42;
    });
    assert.equal(value, 42);
    assert.deepEqual(tl.spans.map(brief), ["One:count:100-1600:run"]);
  });

  test("records the span when the function throws, then rethrows", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    assert.throws(
      () =>
        tl.wrap(
          "One",
          "fail",
          () => {
            clock.advance(20);
            throw new Error("boom");
          },
          "blocked",
        ),
      { message: "boom" },
    );
    assert.deepEqual(tl.spans.map(brief), ["One:fail:0-20:blocked"]);
  });

  test("nested wraps on the same and other lanes record each span", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    tl.wrap("main", "outer", () => {
      clock.advance(5);
      tl.wrap("main", "inner", () => clock.advance(10));
      tl.wrap("worker", "side", () => clock.advance(3));
      clock.advance(2);
    });
    assert.deepEqual(tl.spans.map(brief), [
      "main:inner:5-15:run",
      "worker:side:15-18:run",
      "main:outer:0-20:run",
    ]);
  });

  test("rejects a non-function without recording anything", () => {
    const tl = new Timeline();
    assert.throws(() => tl.wrap("One", "x", 5 as unknown as () => void), {
      message: "Expected `fn` to be a function, got 5",
    });
    assert.equal(tl.spans.length, 0);
  });
});

describe("Timeline.time()", () => {
  test("records a promise from now until it fulfils (default kind wait)", async () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    const gate = deferred<string>();
    clock.advance(100);
    const timed = tl.time("One", "sleep", gate.promise);
    clock.advance(1500);
    gate.resolve("ok");
    assert.equal(await timed, "ok");
    assert.deepEqual(tl.spans.map(brief), ["One:sleep:100-1600:wait"]);
  });

  test("calls an async function now and records until it settles", async () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    let called = false;
    const gate = deferred<number>();
    const timed = tl.time(
      "Two",
      "fetch",
      async () => {
        called = true;
        return gate.promise;
      },
      "io",
    );
    assert.equal(called, true, "the function is called at once");
    clock.advance(700);
    gate.resolve(7);
    assert.equal(await timed, 7);
    assert.deepEqual(tl.spans.map(brief), ["Two:fetch:0-700:io"]);
  });

  test("records a rejection, then passes it on", async () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    const gate = deferred<never>();
    const timed = tl.time("One", "flaky", gate.promise);
    clock.advance(30);
    gate.reject(new Error("reset"));
    await assert.rejects(timed, { message: "reset" });
    assert.deepEqual(tl.spans.map(brief), ["One:flaky:0-30:wait"]);
  });

  test("a function that throws at once becomes a rejection with a span", async () => {
    const tl = new Timeline({ clock: fakeClock() });
    const timed = tl.time("One", "bad", () => {
      throw new Error("sync");
    });
    await assert.rejects(timed, { message: "sync" });
    assert.deepEqual(tl.spans.map(brief), ["One:bad:0-0:wait"]);
  });

  test("overlapping and nested calls each record their own span", async () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const outer = tl.time("One", "outer", async () => {
      clock.advance(10);
      await tl.time("One", "inner", gates[0]!.promise, "run");
      await gates[1]!.promise;
    });
    const side = tl.time("Two", "side", gates[2]!.promise);
    clock.advance(10);
    gates[2]!.resolve();
    await side;
    clock.advance(10);
    gates[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(10);
    gates[1]!.resolve();
    await outer;
    assert.deepEqual(tl.spans.map(brief), [
      "Two:side:10-20:wait",
      "One:inner:10-30:run",
      "One:outer:0-40:wait",
    ]);
  });

  test("rejects what is neither a promise nor a function, at the call", () => {
    const tl = new Timeline();
    assert.throws(() => tl.time("One", "x", 5 as unknown as Promise<void>), {
      name: "TypeError",
      message: "Expected `work` to be a promise or a function that returns one, got 5",
    });
    assert.throws(() => tl.time("", "x", Promise.resolve()), /`lane`/);
    assert.equal(tl.spans.length, 0);
  });
});

describe("Timeline.mark(), .lanes and .duration", () => {
  test("marks instants; lanes come in order of first appearance in time", () => {
    const clock = fakeClock();
    const tl = new Timeline({ clock });
    tl.span("B", "late", 500, 900);
    tl.span("A", "early", 100, 200);
    clock.advance(50);
    const mark = tl.mark("C", "tick");
    assert.deepEqual(mark, { lane: "C", label: "tick", at: 50, kind: "mark" });
    tl.mark("A", "error", { at: 1200, kind: "error" });
    assert.deepEqual(tl.lanes, ["C", "A", "B"]);
    assert.equal(tl.duration, 1200);
    assert.throws(() => tl.mark("A", "x", { at: Number.NaN }), /`at`/);
    assert.throws(() => tl.mark("A", "x", { kind: "" }), /`kind`/);
  });

  test("an empty timeline has no lanes and no duration", () => {
    const tl = new Timeline();
    assert.deepEqual(tl.lanes, []);
    assert.equal(tl.duration, 0);
  });
});

describe("Timeline.toJSON() and Timeline.fromJSON()", () => {
  function sample(): Timeline {
    const tl = new Timeline({ title: "Run 1" });
    tl.span("One", "sleep 1.5 s", 0, 1500.25, "wait");
    tl.span("Two", "", 1500.25, 2500, "blocked");
    tl.mark("Two", "done", { at: 2500 });
    return tl;
  }

  test("gives plain data, numbers as recorded, copies not the live spans", () => {
    const tl = sample();
    const json = tl.toJSON();
    assert.deepEqual(json, {
      title: "Run 1",
      spans: [
        { lane: "One", label: "sleep 1.5 s", start: 0, end: 1500.25, kind: "wait" },
        { lane: "Two", label: "", start: 1500.25, end: 2500, kind: "blocked" },
      ],
      marks: [{ lane: "Two", label: "done", at: 2500, kind: "mark" }],
    });
    json.spans[0]!.end = 9;
    assert.equal(tl.spans[0]!.end, 1500.25);
    assert.equal("title" in new Timeline().toJSON(), false);
  });

  test("round-trips through an object and through JSON text", () => {
    const tl = sample();
    assert.deepEqual(Timeline.fromJSON(tl.toJSON()).toJSON(), tl.toJSON());
    const again = Timeline.fromJSON(JSON.stringify(tl));
    assert.deepEqual(again.toJSON(), tl.toJSON());
    assert.equal(again.title, "Run 1");
    assert.deepEqual(again.lanes, ["One", "Two"]);
    assert.equal(again.duration, 2500);
    const untitled = Timeline.fromJSON({ spans: [], marks: [] });
    assert.equal(untitled.title, undefined);
  });

  test("the rebuilt timeline records on its own clock", () => {
    const clock = fakeClock();
    const tl = Timeline.fromJSON(sample().toJSON(), { clock });
    clock.advance(10);
    tl.begin("Three", "more").end();
    assert.deepEqual(tl.spans.map(brief).at(-1), "Three:more:10-10:run");
  });

  test("rejects malformed data, naming the bad field", () => {
    assert.throws(() => Timeline.fromJSON("{not json"), {
      message: 'Expected `json` to be a timeline or its JSON text, got "{not json"',
    });
    assert.throws(() => Timeline.fromJSON({} as TimelineJSON), {
      message:
        "Expected `json` to be a Timeline or its toJSON() { title?, spans, marks }, got an object",
    });
    const bad = {
      spans: [
        { lane: "A", label: "", start: 0, end: 1, kind: "run" },
        { lane: "A", label: "", start: 5, end: 1, kind: "run" },
      ],
      marks: [],
    };
    assert.throws(() => Timeline.fromJSON(bad), {
      message: "Expected `json.spans[1].end` to be a finite number ≥ 5, got 1",
    });
    assert.throws(
      () =>
        Timeline.fromJSON({
          spans: [],
          marks: [{ lane: "A", label: "x", at: "1", kind: "m" }],
        } as never),
      /`json.marks\[0\].at` to be a finite number, got "1"/,
    );
  });
});

describe("Timeline.toText(), .toSvg() and .show()", () => {
  function sample(): Timeline {
    const tl = new Timeline({ title: "Queue" });
    tl.span("One", "sleep 1.5 s", 0, 1500, "wait");
    tl.span("Two", "count", 1500, 3200, "blocked");
    return tl;
  }

  test("toText() and toSvg() are the text and chart renderings", () => {
    const tl = sample();
    assert.equal(tl.toText({ width: 32 }), timelineText(tl, { width: 32 }));
    assert.equal(tl.toSvg({ caption: "3.2 s" }), timelineSvg(tl, { caption: "3.2 s" }));
    assert.match(tl.toSvg(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test("show() sends the chart as an image with the text rendering as plain text", () => {
    const tl = sample();
    const seen: MimeBundle[] = [];
    const restore = setDisplaySink((bundle) => seen.push(bundle));
    try {
      tl.show({ caption: "Total elapsed time: 3.2 s" });
      tl.show({ title: null, xDomain: [0, 4] });
    } finally {
      restore();
    }
    assert.equal(seen.length, 2);
    const [first, second] = seen as [MimeBundle, MimeBundle];
    assert.match(first["text/html"]!, /^<img src="data:image\/svg\+xml;base64,/);
    const svg = Buffer.from(/base64,([^"]+)"/.exec(first["text/html"]!)![1]!, "base64").toString(
      "utf8",
    );
    assert.equal(svg, tl.toSvg({ caption: "Total elapsed time: 3.2 s" }));
    assert.equal(first["text/plain"], `${tl.toText()}\nTotal elapsed time: 3.2 s`);
    assert.equal(second["text/plain"], tl.toText({ title: null, xDomain: [0, 4] }));
  });
});
