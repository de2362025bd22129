import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type MimeBundle, setDisplaySink, svgBundle } from "../src/display.js";
import { Timeline } from "../src/timeline.js";
import {
  KIND_COLORS,
  kindColors,
  LABELS_MAX_SPANS,
  showTimelines,
  timelineSvg,
  timelinesSvg,
  wrapText,
} from "../src/timeline-chart.js";
import { timelineText } from "../src/timeline-text.js";

const here = dirname(fileURLToPath(import.meta.url));
const snapshots = join(here, "__snapshots__");

/**
 * Compares `actual` with the committed snapshot `name`. `UPDATE_SNAPSHOTS=1` (re)writes it;
 * a missing snapshot fails rather than passing silently.
 */
function matchSnapshot(name: string, actual: string): void {
  const file = join(snapshots, name);
  if (process.env.UPDATE_SNAPSHOTS === "1") {
    mkdirSync(snapshots, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(
    existsSync(file),
    `snapshot ${name} is missing: run with UPDATE_SNAPSHOTS=1 to write it, then review it`,
  );
  const expected = readFileSync(file, "utf8");
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  assert.fail(
    `SVG differs from snapshot ${name} at character ${at}:\n` +
      `  expected …${expected.slice(Math.max(0, at - 60), at + 60)}…\n` +
      `  actual   …${actual.slice(Math.max(0, at - 60), at + 60)}…\n` +
      "If the change is intended, run with UPDATE_SNAPSHOTS=1 and review the new file.",
  );
}

/**
 * Checks that `xml` is well-formed XML with one root element (an SVG <img> shows nothing
 * otherwise): tags balance, attributes are quoted, `&` and `<` appear only as entities.
 */
function assertWellFormedXml(xml: string): void {
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(token)) {
    const index = m.index ?? 0;
    const [, closing, name, attributes, selfClosing, text, stray] = m;
    assert.equal(stray, undefined, `a stray "<" at ${index}: ${xml.slice(index, index + 40)}`);
    const checked = text ?? attributes ?? "";
    const badAmp = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-f]+);)/i.exec(checked);
    assert.equal(badAmp, null, `an unescaped "&" near ${index}`);
    if (text !== undefined) {
      assert.ok(stack.length > 0 || text.trim() === "", `text outside the root at ${index}`);
      continue;
    }
    if (closing) {
      assert.equal(stack.pop(), name, `</${name}> closes the wrong element at ${index}`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name!);
    }
  }
  const consumed = [...xml.matchAll(token)].reduce((n, m) => n + m[0].length, 0);
  assert.equal(consumed, xml.length, "unparsable markup");
  assert.deepEqual(stack, [], "unclosed elements");
  assert.equal(roots, 1, "exactly one root element");
}

/** The seed's work queue at 1/10 scale, run synchronously: a staircase of 3.2 s. */
function synchronous(): Timeline {
  const tl = new Timeline({ title: "Synchronous" });
  tl.span("One", "count 1.5 s", 0, 1500, "blocked");
  tl.span("Two", "count 1.0 s", 1500, 2500, "blocked");
  tl.span("One", "count 0.5 s", 2500, 3000, "blocked");
  tl.span("Two", "count 0.2 s", 3000, 3200, "blocked");
  tl.mark("Two", "queue empty", { at: 3200 });
  return tl;
}

/** The same queue with non-blocking sleeps: overlapping, 1.7 s. */
function asynchronous(): Timeline {
  const tl = new Timeline({ title: "Asynchronous" });
  tl.span("One", "sleep 1.5 s", 0, 1500, "wait");
  tl.span("Two", "sleep 1.0 s", 0, 1000, "wait");
  tl.span("Two", "sleep 0.5 s", 1000, 1500, "wait");
  tl.span("One", "sleep 0.2 s", 1500, 1700, "wait");
  tl.span("One", "print", 1700, 1710, "run");
  tl.span("loop", "gc & <sweep>", 400, 650, "gc");
  return tl;
}

function count(svg: string, pattern: RegExp): number {
  return svg.match(pattern)?.length ?? 0;
}

/** The <rect>s Plot drew for spans (inside the `aria-label="bar"` group). */
function bars(svg: string): string[] {
  const groups = svg.match(/<g[^>]*aria-label="bar"[^>]*>.*?<\/g>/g) ?? [];
  return groups.flatMap((g) => g.match(/<rect[^>]*>/g) ?? []);
}

/** The x position of each x-axis tick label, by its text, for every chart in `svg`. */
function tickPositions(svg: string): Map<string, number>[] {
  const groups = svg.match(/<g[^>]*aria-label="x-axis tick label"[^>]*>.*?<\/g>/g) ?? [];
  return groups.map((g) => {
    const ticks = new Map<string, number>();
    for (const m of g.matchAll(/translate\(([\d.]+),[\d.]+\)" y="[^"]*">([^<]+)</g)) {
      ticks.set(m[2]!, Number(m[1]));
    }
    return ticks;
  });
}

describe("timelineSvg()", () => {
  test("matches the committed snapshot (byte for byte)", () => {
    matchSnapshot(
      "timeline-chart.single.svg",
      timelineSvg(synchronous(), { caption: "Total elapsed time: 3.2 s" }),
    );
  });

  test("is the same in another process (no clock, no random or counter ids)", () => {
    const script = `
      import { Timeline } from "./lib/src/timeline.ts";
      const tl = new Timeline({ title: "T" });
      tl.span("One", "a", 0, 1000 / 3, "wait");
      tl.span("Two", "b", 100, 2000 / 7, "gc");
      tl.mark("One", "m", { at: 250 });
      process.stdout.write(tl.toSvg());
    `;
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        cwd: join(here, "..", ".."),
        encoding: "utf8",
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const tl = new Timeline({ title: "T" });
    tl.span("One", "a", 0, 1000 / 3, "wait");
    tl.span("Two", "b", 100, 2000 / 7, "gc");
    tl.mark("One", "m", { at: 250 });
    timelineSvg(tl); // an earlier chart in this process must not change the next one
    assert.equal(child.stdout, tl.toSvg());
  });

  test("is ONE standalone <svg> root, well-formed XML, no HTML wrapper", () => {
    const svg = timelineSvg(asynchronous(), {
      title: "Sync & async",
      subtitle: "1/10 scale",
      caption: "1.7 s",
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" /);
    assert.ok(svg.endsWith("</svg>"));
    assert.doesNotMatch(svg, /<(figure|div|h2|h3|figcaption|span)\b/);
    assertWellFormedXml(svg);
    assert.match(svg, /Sync &amp; async/);
    assert.match(svg, /<title>loop · gc &amp; &lt;sweep&gt; · gc · 0.40–0.65 s<\/title>/);
    // What display.showSvg does with it still parses.
    const html = svgBundle(svg)["text/html"]!;
    const decoded = Buffer.from(/base64,([^"]+)"/.exec(html)![1]!, "base64").toString("utf8");
    assert.equal(decoded, svg);
  });

  test("draws one bar per span, each with its tooltip title", () => {
    const tl = asynchronous();
    const svg = timelineSvg(tl);
    assert.equal(bars(svg).length, tl.spans.length);
    for (const s of tl.spans) {
      const title = `${s.lane} · ${s.label} · ${s.kind} · ${(s.start / 1000).toFixed(2)}–${(s.end / 1000).toFixed(2)} s`;
      const escaped = title.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      assert.ok(svg.includes(`<title>${escaped}</title>`), `missing the title ${title}`);
    }
    assert.match(synchronous().toSvg(), /<title>Two · queue empty · mark · at 3.20 s<\/title>/);
    const unlabelled = new Timeline();
    unlabelled.span("A", "", 0, 500, "run");
    assert.match(timelineSvg(unlabelled), /<title>A · run · 0.00–0.50 s<\/title>/);
  });

  test("colours bars by kind: fixed colours for run, wait, blocked, the next ones for custom kinds", () => {
    const svg = timelineSvg(asynchronous());
    const fills = bars(svg).map((rect) => /fill="([^"]+)"/.exec(rect)?.[1]);
    assert.ok(fills.includes(KIND_COLORS.wait));
    assert.ok(fills.includes(KIND_COLORS.run));
    assert.ok(fills.includes("#3ca951"), "the first custom kind's colour");
    assert.deepEqual(
      [...kindColors(["gc", "run", "io", "wait", "gc"])],
      [
        ["gc", "#3ca951"],
        ["run", "#4269d0"],
        ["io", "#efb118"],
        ["wait", "#a9bfe3"],
      ],
    );
  });

  test("the legend lists the kinds present (built-in first) and marks", () => {
    const legend = (svg: string) =>
      [
        ...(/<g aria-label="legend">(.*?)<\/g>/.exec(svg)?.[1] ?? "").matchAll(/>([^<]+)<\/text>/g),
      ].map((m) => m[1]);
    assert.deepEqual(legend(timelineSvg(asynchronous())), ["run", "wait", "gc"]);
    assert.deepEqual(legend(timelineSvg(synchronous())), ["blocked", "mark"]);
    assert.equal(count(timelineSvg(synchronous(), { legend: false }), /aria-label="legend"/g), 0);
  });

  test("puts lanes on y in order of first appearance and time on x in seconds", () => {
    const svg = timelineSvg(asynchronous());
    const lanes = /aria-label="y-axis tick label"[^>]*>(.*?)<\/g>/.exec(svg)![1]!;
    assert.deepEqual(
      [...lanes.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]),
      ["One", "Two", "loop"],
    );
    assert.match(svg, />time \(s\) →<\/text>/);
    assert.deepEqual(
      [...tickPositions(svg)[0]!.keys()],
      ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "1.2", "1.4", "1.6"],
    );
  });

  test("labels bars where they fit, and only there", () => {
    const svg = timelineSvg(asynchronous());
    const labels = [...svg.matchAll(/<g[^>]*aria-label="text"[^>]*>(.*?)<\/g>/g)]
      .flatMap((g) => [...g[1]!.matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]))
      .sort();
    // "sleep 0.5 s" (500 ms ≈ 170 px) fits; "sleep 0.2 s" (≈ 68 px) and "print" do not.
    assert.deepEqual(labels, [
      "gc &amp; &lt;sweep&gt;",
      "sleep 0.5 s",
      "sleep 1.0 s",
      "sleep 1.5 s",
    ]);
    assert.equal(count(timelineSvg(asynchronous(), { labels: false }), /aria-label="text"/g), 0);
    // Dark text on the light wait bars, white on the others.
    assert.match(svg, /fill="#1f2328" aria-label="text"[^>]*>.*sleep 1.5 s/);
    assert.match(svg, /fill="white" aria-label="text"[^>]*>.*gc &amp;/);
  });

  test(`leaves labels out above ${LABELS_MAX_SPANS} spans unless labels: true`, () => {
    const tl = new Timeline();
    for (let i = 0; i < LABELS_MAX_SPANS; i++) tl.span(`L${i % 2}`, "x", i * 100, i * 100 + 90);
    tl.span("L2", "the whole run", 0, LABELS_MAX_SPANS * 100);
    assert.equal(count(timelineSvg(tl), />the whole run<\/text>/g), 0);
    assert.equal(count(timelineSvg(tl, { labels: true }), />the whole run<\/text>/g), 1);
    const fewer = Timeline.fromJSON({ ...tl.toJSON(), spans: tl.toJSON().spans.slice(1) });
    assert.equal(count(timelineSvg(fewer), />the whole run<\/text>/g), 1);
  });

  test("rounds coordinates to 2 decimals but keeps labels and titles as given", () => {
    const tl = new Timeline();
    tl.span("A", "pi 3.14159265", 0, 1000 / 3, "run");
    tl.span("A", "b", 1000 / 3, 1000, "wait");
    const svg = timelineSvg(tl, { width: 613 });
    const tags = svg.match(/<[^>]+>/g)!.join("");
    assert.doesNotMatch(tags, /\d\.\d{3}/);
    assert.match(svg, />pi 3.14159265</);
  });

  test("xDomain (seconds) fixes the scale and cuts spans to it; height derives from lanes", () => {
    const tl = asynchronous();
    const svg = timelineSvg(tl, { xDomain: [0, 1] });
    // Kept: One 0–1.5 s (cut at 1 s), Two 0–1 s, loop 0.4–0.65 s; the rest starts at 1 s or later.
    assert.equal(bars(svg).length, 3);
    for (const rect of bars(svg)) {
      const x = Number(/ x="([\d.]+)"/.exec(rect)![1]);
      const w = Number(/ width="([\d.]+)"/.exec(rect)![1]);
      assert.ok(x + w <= 620.01, `a bar runs past the end of the axis: ${rect}`);
    }
    const height = (s: string) => Number(/^<svg[^>]* height="(\d+)"/.exec(s)![1]);
    const three = timelineSvg(tl, { legend: false, title: null });
    const one = timelineSvg(
      { spans: [{ lane: "A", label: "", start: 0, end: 1, kind: "run" }] },
      { legend: false },
    );
    assert.equal(height(three) - height(one), 2 * 28);
    assert.equal(height(timelineSvg(tl, { height: 400, legend: false, title: null })), 416);
    assert.match(timelineSvg(tl, { width: 800 }), /^<svg[^>]* width="800"/);
  });

  test("draws an empty timeline as an empty chart", () => {
    const svg = timelineSvg(new Timeline({ title: "Nothing yet" }));
    assertWellFormedXml(svg);
    assert.equal(bars(svg).length, 0);
    assert.match(svg, /\(nothing recorded\)/);
  });

  test("rejects bad input, naming it", () => {
    const tl = synchronous();
    assert.throws(() => timelineSvg(tl, { width: 50 }), {
      name: "TypeError",
      message: "Expected `width` to be an integer ≥ 100, got 50",
    });
    assert.throws(() => timelineSvg(tl, { height: 10.5 }), /`height`/);
    assert.throws(() => timelineSvg(tl, { xDomain: [1, 1] }), /`xDomain`/);
    assert.throws(() => timelineSvg(tl, { labels: "yes" as unknown as boolean }), {
      message: 'Expected `labels` to be a boolean, got "yes"',
    });
    assert.throws(() => timelineSvg(tl, { caption: 3 as unknown as string }), /`caption`/);
    assert.throws(() => timelineSvg(tl, { subtitle: 3 as unknown as string }), /`subtitle`/);
    assert.throws(() => timelineSvg(tl, { title: 3 as unknown as string }), /`title`/);
    assert.throws(
      () => timelineSvg({ spans: [{ lane: "A" }] } as never),
      /`timeline.spans\[0\].label`/,
    );
  });
});

describe("timelinesSvg()", () => {
  test("matches the committed snapshot (byte for byte)", () => {
    matchSnapshot(
      "timeline-chart.stacked.svg",
      timelinesSvg([synchronous(), asynchronous()], {
        title: "The same queue, twice",
        subtitle: "1/10 scale",
        titles: ["Synchronous: 3.2 s", "Asynchronous: 1.7 s"],
        caption: "Total elapsed time: 3.2 s vs 1.7 s",
      }),
    );
  });

  test("stacks the timelines in ONE svg on the SAME x scale", () => {
    const svg = timelinesSvg([synchronous(), asynchronous()]);
    assertWellFormedXml(svg);
    assert.equal(count(svg, /<svg\b/g), 1);
    const [top, bottom] = tickPositions(svg);
    assert.deepEqual([...top!], [...bottom!], "both charts have the same ticks at the same x");
    assert.ok(top!.has("3.0"), "the shared scale reaches the longer run");
    // A span starting at 1.5 s starts at the same x in both charts.
    const xOf = (title: string) => {
      const at = svg.indexOf(`<title>${title}`);
      assert.ok(at > 0, `no span titled ${title}`);
      const rect = svg.slice(svg.lastIndexOf("<rect", at), at);
      return / x="([\d.]+)"/.exec(rect)![1];
    };
    assert.equal(xOf("Two · count 1.0 s · blocked · 1.50"), xOf("One · sleep 0.2 s · wait · 1.50"));
    assert.equal(bars(svg).length, synchronous().spans.length + asynchronous().spans.length);
  });

  test("titles each timeline (default its own title, null for none)", () => {
    const texts = (svg: string) =>
      [
        ...svg.matchAll(
          /<text x="8" y="[\d.]+" font-size="12" font-weight="bold">([^<]*)<\/text>/g,
        ),
      ].map((m) => m[1]);
    assert.deepEqual(texts(timelinesSvg([synchronous(), asynchronous()])), [
      "Synchronous",
      "Asynchronous",
    ]);
    assert.deepEqual(
      texts(timelinesSvg([synchronous(), asynchronous()], { titles: ["A", null] })),
      ["A"],
    );
  });

  test("a shared xDomain option overrides the longest run", () => {
    const svg = timelinesSvg([synchronous(), asynchronous()], { xDomain: [0, 4] });
    const [top, bottom] = tickPositions(svg);
    assert.ok(top!.has("4.0") && bottom!.has("4.0"));
  });

  test("rejects bad input", () => {
    assert.throws(() => timelinesSvg([]), {
      message:
        "Expected `timelines` to be a non-empty array of timelines, got an array of length 0",
    });
    assert.throws(() => timelinesSvg([synchronous()], { titles: "x" as never }), /`titles`/);
    assert.throws(() => timelinesSvg([synchronous(), {} as never]), /`timelines\[1\]`/);
    assert.throws(() => timelinesSvg([synchronous()], { title: 3 as never }), /`title`/);
  });
});

describe("showTimelines()", () => {
  test("shows one image, with both text renderings on one scale as plain text", () => {
    const seen: MimeBundle[] = [];
    const restore = setDisplaySink((bundle) => seen.push(bundle));
    try {
      showTimelines([synchronous(), asynchronous()], {
        title: "Queue",
        titles: ["sync", undefined],
        caption: "3.2 s vs 1.7 s",
      });
    } finally {
      restore();
    }
    assert.equal(seen.length, 1);
    const bundle = seen[0]!;
    assert.match(bundle["text/html"]!, /^<img src="data:image\/svg\+xml;base64,/);
    const xDomain: [number, number] = [0, 3.2];
    assert.equal(
      bundle["text/plain"],
      [
        "Queue",
        timelineText(synchronous(), { xDomain, title: "sync" }),
        "",
        timelineText(asynchronous(), { xDomain }),
        "3.2 s vs 1.7 s",
      ].join("\n"),
    );
    assert.match(bundle["text/plain"]!, /^Asynchronous$/m);
  });
});

describe("wrapText()", () => {
  test("breaks at spaces so no line is longer than the limit", () => {
    assert.deepEqual(wrapText("the same 3.2 s of waiting, drawn twice", 16), [
      "the same 3.2 s",
      "of waiting,",
      "drawn twice",
    ]);
  });
  test("a word longer than the limit stands on its own line", () => {
    assert.deepEqual(wrapText("a supercalifragilistic word", 8), [
      "a",
      "supercalifragilistic",
      "word",
    ]);
  });
  test("a long caption becomes several <text> lines inside the width", () => {
    const tl = new Timeline({ clock: () => 0 });
    tl.span("One", "x", 0, 1000, "wait");
    const caption = "word ".repeat(60).trim();
    const svg = timelineSvg(tl, { caption, width: 320 });
    const lines = [...svg.matchAll(/<text[^>]*font-size="12"[^>]*>([^<]*)<\/text>/g)].map(
      (m) => m[1]!,
    );
    assert.ok(lines.length >= 6, `expected the caption on several lines, got ${lines.length}`);
    assert.equal(lines.join(" "), caption);
    for (const line of lines) assert.ok(line.length * 6.8 <= 320 - 2 * 8 + 6.8, line);
  });
});
