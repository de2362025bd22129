import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Timeline } from "../src/timeline.js";
import {
  formatSeconds,
  kindsOf,
  lanesOf,
  readTimeline,
  timeDomain,
  timelineText,
} from "../src/timeline-text.js";

function queue(): Timeline {
  const tl = new Timeline();
  tl.span("One", "sleep", 0, 1500, "run");
  tl.span("One", "wait", 1500, 2000, "wait");
  tl.span("Two", "count", 800, 2300, "blocked");
  return tl;
}

describe("timelineText()", () => {
  test("draws one row per lane, an axis in seconds and a legend (exact)", () => {
    assert.equal(
      timelineText(queue(), { width: 29, xDomain: [0, 3.2] }),
      [
        "One │██████████████░░░░           │",
        "Two │       ▓▓▓▓▓▓▓▓▓▓▓▓▓▓        │",
        "    0 s                       3.2 s",
        "    █ run  ░ wait  ▓ blocked",
      ].join("\n"),
    );
  });

  test("defaults to 60 columns from 0 to the last end, with the title first", () => {
    const tl = new Timeline({ title: "Synchronous" });
    tl.span("One", "a", 0, 1500, "blocked");
    tl.span("Two", "b", 1500, 3000, "blocked");
    assert.equal(
      timelineText(tl),
      [
        "Synchronous",
        `One │${"▓".repeat(30)}${" ".repeat(30)}│`,
        `Two │${" ".repeat(30)}${"▓".repeat(30)}│`,
        `    0 s${" ".repeat(56)}3 s`,
        "    ▓ blocked",
      ].join("\n"),
    );
    assert.equal(
      timelineText(tl, { title: null }).split("\n")[0],
      `One │${"▓".repeat(30)}${" ".repeat(30)}│`,
    );
    assert.equal(timelineText(tl, { title: "Other" }).split("\n")[0], "Other");
  });

  test("draws a nested span over the one around it, and a tiny span as one character", () => {
    const tl = new Timeline();
    tl.span("main", "inner", 200, 400, "run");
    tl.span("main", "outer", 0, 1000, "wait");
    tl.span("main", "blip", 900, 901, "blocked");
    assert.equal(timelineText(tl, { width: 10 }).split("\n")[0], "main │░░██░░░░░▓│");
  });

  test("marks are dots on their lane; custom kinds get their own characters in order", () => {
    const tl = new Timeline();
    tl.span("A", "", 0, 500, "gc");
    tl.span("B", "", 500, 1000, "io");
    tl.span("A", "", 500, 1000, "run");
    tl.mark("B", "done", { at: 1000 });
    tl.mark("A", "start", { at: 0 });
    assert.equal(
      timelineText(tl, { width: 10 }),
      ["A │•▒▒▒▒█████│", "B │     ■■■■•│", "  0 s      1 s", "  █ run  ▒ gc  ■ io  • mark"].join(
        "\n",
      ),
    );
  });

  test("a shared xDomain puts timelines on one scale; spans outside it are cut or left out", () => {
    const tl = new Timeline();
    tl.span("A", "", 0, 1000, "run");
    tl.span("A", "", 1500, 1800, "wait");
    tl.span("B", "", 3000, 4000, "run");
    tl.mark("B", "late", { at: 5000 });
    assert.equal(
      timelineText(tl, { width: 10, xDomain: [0, 2] }),
      ["A │█████   ░ │", "B │          │", "  0 s      2 s", "  █ run  ░ wait  • mark"].join("\n"),
    );
    assert.equal(timelineText(tl, { width: 10, xDomain: [1, 2] }).split("\n")[0], "A │     ░░░  │");
  });

  test("shortens long lane names and takes TimelineJSON input", () => {
    const lane = "a-very-long-lane-name-that-goes-on";
    const text = timelineText(
      {
        spans: [{ lane, label: "", start: 0, end: 1000, kind: "run" }],
        marks: [],
      },
      { width: 10 },
    );
    assert.equal(text.split("\n")[0], `${lane.slice(0, 23)}… │██████████│`);
  });

  test("an empty timeline says so", () => {
    assert.equal(timelineText(new Timeline()), "(no spans or marks recorded)");
    assert.equal(
      timelineText(new Timeline({ title: "Nothing" })),
      "Nothing\n(no spans or marks recorded)",
    );
  });

  test("is deterministic", () => {
    assert.equal(timelineText(queue()), timelineText(queue()));
  });

  test("rejects bad input, naming it", () => {
    assert.throws(() => timelineText(queue(), { width: 5 }), {
      name: "TypeError",
      message: "Expected `width` to be an integer ≥ 10, got 5",
    });
    assert.throws(() => timelineText(queue(), { xDomain: [2, 1] }), {
      message:
        "Expected `xDomain` to be [from, to] in seconds with from < to, got an array of length 2",
    });
    assert.throws(() => timelineText(queue(), { title: 3 as unknown as string }), /`title`/);
    assert.throws(() => timelineText(queue(), null as never), /`options`/);
    assert.throws(() => timelineText(null as never), {
      message:
        "Expected `timeline` to be a Timeline or its toJSON() { title?, spans, marks }, got null",
    });
  });
});

describe("readTimeline()", () => {
  test("returns checked data with lanes and duration", () => {
    const data = readTimeline(queue());
    assert.deepEqual(data.lanes, ["One", "Two"]);
    assert.equal(data.duration, 2300);
    assert.equal(data.title, undefined);
    const json = readTimeline({
      spans: [],
      marks: [{ lane: "M", label: "", at: 40, kind: "mark" }],
    });
    assert.equal(json.duration, 40);
    assert.deepEqual(readTimeline({ spans: [] }).marks, []);
  });

  test("names the bad field", () => {
    const span = { lane: "A", label: "", start: 0, end: 1, kind: "run" };
    const cases: [unknown, RegExp | string][] = [
      [{ spans: "x" }, /`timeline` to be a Timeline/],
      [
        { spans: [], marks: {} },
        "Expected `timeline.marks` to be an array of marks, got an object",
      ],
      [{ spans: [], title: 1 }, "Expected `timeline.title` to be a string, got 1"],
      [
        { spans: [5] },
        "Expected `timeline.spans[0]` to be a span { lane, label, start, end, kind }, got 5",
      ],
      [{ spans: [{ ...span, lane: "" }] }, /`timeline.spans\[0\].lane` to be a non-empty string/],
      [{ spans: [{ ...span, label: null }] }, /`timeline.spans\[0\].label` to be a string/],
      [{ spans: [{ ...span, start: "0" }] }, /`timeline.spans\[0\].start` to be a finite number/],
      [
        { spans: [span, { ...span, end: -1 }] },
        /`timeline.spans\[1\].end` to be a finite number ≥ 0/,
      ],
      [{ spans: [{ ...span, kind: 1 }] }, /`timeline.spans\[0\].kind` to be a non-empty string/],
      [
        { spans: [], marks: [null] },
        "Expected `timeline.marks[0]` to be a mark { lane, label, at, kind }, got null",
      ],
      [{ spans: [], marks: [{ lane: 1, label: "", at: 0, kind: "m" }] }, /marks\[0\].lane/],
      [{ spans: [], marks: [{ lane: "A", label: 1, at: 0, kind: "m" }] }, /marks\[0\].label/],
      [{ spans: [], marks: [{ lane: "A", label: "", at: 0, kind: "" }] }, /marks\[0\].kind/],
    ];
    for (const [value, message] of cases) {
      assert.throws(
        () => readTimeline(value),
        typeof message === "string" ? { name: "TypeError", message } : message,
      );
    }
  });
});

describe("lanesOf(), kindsOf(), formatSeconds(), timeDomain()", () => {
  test("lanes in order of first appearance in time, ties keep the given order", () => {
    const s = (lane: string, start: number) => ({
      lane,
      label: "",
      start,
      end: start + 1,
      kind: "run",
    });
    assert.deepEqual(lanesOf([s("B", 5), s("A", 0), s("C", 5)], []), ["A", "B", "C"]);
    assert.deepEqual(lanesOf([s("B", 5)], [{ lane: "M", label: "", at: 5, kind: "mark" }]), [
      "B",
      "M",
    ]);
  });

  test("kinds: built-in ones first in their order, then custom ones as they appear", () => {
    const s = (kind: string) => ({ lane: "A", label: "", start: 0, end: 1, kind });
    assert.deepEqual(kindsOf([s("io"), s("blocked"), s("run"), s("gc"), s("io")]), [
      "run",
      "blocked",
      "io",
      "gc",
    ]);
  });

  test("formatSeconds keeps at most 3 significant decimals", () => {
    assert.equal(formatSeconds(3.2), "3.2");
    assert.equal(formatSeconds(0), "0");
    assert.equal(formatSeconds(0.125), "0.125");
    assert.equal(formatSeconds(1.755), "1.75");
    assert.equal(formatSeconds(12.34), "12.3");
    assert.equal(formatSeconds(150.4), "150");
    assert.equal(formatSeconds(-0.0001), "0");
  });

  test("timeDomain: [0, duration in s], 1 s when empty, or a checked option", () => {
    assert.deepEqual(timeDomain(undefined, 3200), [0, 3.2]);
    assert.deepEqual(timeDomain(undefined, 0), [0, 1]);
    assert.deepEqual(timeDomain([0.5, 2], 3200), [0.5, 2]);
    assert.throws(() => timeDomain([0, Number.NaN], 1), /`xDomain`/);
    assert.throws(() => timeDomain([0] as unknown as [number, number], 1), /`xDomain`/);
  });
});
