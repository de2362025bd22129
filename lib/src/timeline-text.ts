import { argumentError, expectInteger, expectOptions, expectString } from "./errors.js";
import type { Mark, Span } from "./timeline.js";

/**
 * A timeline drawn with characters, for terminals and for the `text/plain` side of a
 * notebook output: one row per lane, a fixed number of columns for the time scale, one
 * character per kind of span, a time axis in seconds and a legend.
 *
 * ```
 * One │███████████████░░░░░         │
 * Two │        ▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓      │
 *     0 s                       3.2 s
 *     █ run  ░ wait  ▓ blocked
 * ```
 *
 * It also holds what the text and the SVG chart share: reading a `Timeline` or its JSON
 * into checked data ({@link readTimeline}) and showing seconds ({@link formatSeconds}).
 *
 * @example
 * ```ts
 * import { Timeline, timelineText } from "asynclab";
 * const tl = new Timeline();
 * tl.span("One", "sleep", 0, 1500, "wait");
 * console.log(timelineText(tl, { width: 30 }));
 * ```
 * @module
 */

/** Anything that can be drawn: a `Timeline`, or the object its `toJSON()` returns. */
export interface TimelineLike {
  title?: string | undefined;
  spans: readonly Span[];
  marks?: readonly Mark[] | undefined;
}

/** A checked timeline, ready to draw. */
export interface TimelineData {
  title: string | undefined;
  spans: readonly Span[];
  marks: readonly Mark[];
  /** Lanes in order of first appearance in time. */
  lanes: string[];
  /** The latest end or mark, in ms. */
  duration: number;
}

const TIMELINE_DOC = "a Timeline or its toJSON() { title?, spans, marks }";

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

function checkSpan(span: unknown, where: string): void {
  if (!isObject(span)) throw argumentError(where, "a span { lane, label, start, end, kind }", span);
  const { lane, label, start, end, kind } = span;
  if (typeof lane !== "string" || lane === "") expectString(`${where}.lane`, lane);
  if (typeof label !== "string") expectString(`${where}.label`, label, { allowEmpty: true });
  if (typeof start !== "number" || !Number.isFinite(start)) {
    throw argumentError(`${where}.start`, "a finite number", start);
  }
  if (typeof end !== "number" || !Number.isFinite(end) || end < start) {
    throw argumentError(`${where}.end`, `a finite number ≥ ${start}`, end);
  }
  if (typeof kind !== "string" || kind === "") expectString(`${where}.kind`, kind);
}

function checkMark(mark: unknown, where: string): void {
  if (!isObject(mark)) throw argumentError(where, "a mark { lane, label, at, kind }", mark);
  const { lane, label, at, kind } = mark;
  if (typeof lane !== "string" || lane === "") expectString(`${where}.lane`, lane);
  if (typeof label !== "string") expectString(`${where}.label`, label, { allowEmpty: true });
  if (typeof at !== "number" || !Number.isFinite(at)) {
    throw argumentError(`${where}.at`, "a finite number", at);
  }
  if (typeof kind !== "string" || kind === "") expectString(`${where}.kind`, kind);
}

/**
 * The lanes of these spans and marks in order of first appearance in time (ties keep
 * the order given, spans before marks), as `Timeline.lanes` reports them.
 *
 * @example
 * ```ts
 * lanesOf([{ lane: "B", label: "", start: 5, end: 6, kind: "run" },
 *          { lane: "A", label: "", start: 0, end: 9, kind: "run" }], []); // ["A", "B"]
 * ```
 */
export function lanesOf(spans: readonly Span[], marks: readonly Mark[]): string[] {
  const events: { lane: string; t: number }[] = [];
  for (const s of spans) events.push({ lane: s.lane, t: s.start });
  for (const m of marks) events.push({ lane: m.lane, t: m.at });
  events.sort((a, b) => a.t - b.t);
  const seen = new Set<string>();
  for (const e of events) seen.add(e.lane);
  return [...seen];
}

/**
 * Checks that `value` is a `Timeline` or a `TimelineJSON` (every span and mark well
 * formed, `end ≥ start`) and returns what drawing needs. The error names the bad field,
 * e.g. ``Expected `timeline.spans[2].end` to be a finite number ≥ 500, got 100``.
 *
 * @example
 * ```ts
 * readTimeline({ spans: [{ lane: "One", label: "", start: 0, end: 1500, kind: "wait" }] }).lanes;
 * // ["One"]
 * ```
 */
export function readTimeline(value: unknown, name = "timeline"): TimelineData {
  if (!isObject(value) || !Array.isArray(value.spans))
    throw argumentError(name, TIMELINE_DOC, value);
  const { title, spans } = value as { title?: unknown; spans: unknown[] };
  const marks = value.marks === undefined ? [] : value.marks;
  if (!Array.isArray(marks)) throw argumentError(`${name}.marks`, "an array of marks", marks);
  if (title !== undefined && typeof title !== "string") {
    throw argumentError(`${name}.title`, "a string", title);
  }
  let duration = 0;
  for (let i = 0; i < spans.length; i++) {
    checkSpan(spans[i], `${name}.spans[${i}]`);
    const end = (spans[i] as Span).end;
    if (end > duration) duration = end;
  }
  for (let i = 0; i < marks.length; i++) {
    checkMark(marks[i], `${name}.marks[${i}]`);
    const at = (marks[i] as Mark).at;
    if (at > duration) duration = at;
  }
  const checkedSpans = spans as Span[];
  const checkedMarks = marks as Mark[];
  return {
    title,
    spans: checkedSpans,
    marks: checkedMarks,
    lanes: lanesOf(checkedSpans, checkedMarks),
    duration,
  };
}

/**
 * Seconds as the charts show them: at most 3 significant decimals, trailing zeros dropped.
 *
 * @example
 * ```ts
 * formatSeconds(3.2);   // "3.2"
 * formatSeconds(0.125); // "0.125"
 * formatSeconds(12.34); // "12.3"
 * ```
 */
export function formatSeconds(seconds: number): string {
  const size = Math.abs(seconds);
  const digits = size >= 100 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3;
  const shown = seconds.toFixed(digits);
  const trimmed = digits === 0 ? shown : shown.replace(/\.?0+$/, "");
  return trimmed === "-0" ? "0" : trimmed;
}

// The characters of the built-in kinds; custom kinds get CUSTOM_KIND_CHARS in turn.
const KIND_CHARS: Readonly<Record<string, string>> = {
  run: "█",
  wait: "░",
  blocked: "▓",
  failed: "✗",
  cancelled: "·",
};

// Characters for custom kinds, given in order of first appearance (cycling).
const CUSTOM_KIND_CHARS: readonly string[] = ["▒", "■", "◆", "●", "▲", "#", "=", "+", "*"];

const MARK_CHAR = "•";

const STANDARD_KINDS = ["run", "wait", "blocked"];
const MAX_LANE_CHARS = 24;

/**
 * The kinds present in `spans`, built-in ones first (run, wait, blocked), then custom
 * kinds in order of first appearance: the order of every legend.
 *
 * @example
 * ```ts
 * kindsOf([{ lane: "A", label: "", start: 0, end: 1, kind: "gc" },
 *          { lane: "A", label: "", start: 1, end: 2, kind: "run" }]); // ["run", "gc"]
 * ```
 */
export function kindsOf(spans: readonly Span[]): string[] {
  const present = new Set<string>();
  for (const s of spans) present.add(s.kind);
  const standard = STANDARD_KINDS.filter((k) => present.has(k));
  const custom = [...present].filter((k) => !STANDARD_KINDS.includes(k));
  return [...standard, ...custom];
}

/** Options for {@link timelineText}. */
export interface TimelineTextOptions {
  /** Columns for the time scale (default 60, at least 10). */
  width?: number;
  /** A first line; default the timeline's title, `null` for none. */
  title?: string | null;
  /** The time range drawn, in SECONDS `[from, to]` (default from 0 to the last end), to share a scale. */
  xDomain?: readonly [number, number];
}

/**
 * The time range to draw, in seconds: a checked `xDomain` option, or from 0 to the last
 * end (`durationMs`), or to 1 s when nothing has any length.
 *
 * @example
 * ```ts
 * timeDomain(undefined, 3200); // [0, 3.2]
 * timeDomain([0, 5], 3200);    // [0, 5]
 * ```
 */
export function timeDomain(
  xDomain: readonly [number, number] | undefined,
  durationMs: number,
): [number, number] {
  if (xDomain === undefined) return [0, durationMs > 0 ? durationMs / 1000 : 1];
  const ok =
    Array.isArray(xDomain) &&
    xDomain.length === 2 &&
    xDomain.every((x) => typeof x === "number" && Number.isFinite(x)) &&
    xDomain[0] < xDomain[1];
  if (!ok) throw argumentError("xDomain", "[from, to] in seconds with from < to", xDomain);
  return [xDomain[0], xDomain[1]];
}

function shortLane(lane: string): string {
  return lane.length > MAX_LANE_CHARS ? `${lane.slice(0, MAX_LANE_CHARS - 1)}…` : lane;
}

/**
 * Draws a timeline as text: one row per lane (in order of first appearance), `width`
 * columns from the start to the end of the time range, `█` run, `░` wait, `▓` blocked,
 * other kinds `▒ ■ ◆ …`, marks `•`, then the time axis in seconds and a legend. Where
 * spans overlap on a lane the shorter one is drawn on top, so a nested span shows inside
 * the one around it; a span shorter than a column still gets one character.
 * Deterministic: the same spans always give the same text.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * tl.span("One", "sleep", 0, 1500, "run");
 * tl.span("One", "wait", 1500, 2000, "wait");
 * tl.span("Two", "count", 800, 2300, "blocked");
 * timelineText(tl, { width: 29, xDomain: [0, 3.2] });
 * // One │██████████████░░░░           │
 * // Two │       ▓▓▓▓▓▓▓▓▓▓▓▓▓▓        │
 * //     0 s                       3.2 s
 * //     █ run  ░ wait  ▓ blocked
 * ```
 */
export function timelineText(timeline: TimelineLike, options: TimelineTextOptions = {}): string {
  const data = readTimeline(timeline);
  expectOptions("options", options);
  const width =
    options.width === undefined ? 60 : expectInteger("width", options.width, { min: 10 });
  const title =
    options.title === undefined
      ? data.title
      : options.title === null
        ? undefined
        : expectString("title", options.title, { allowEmpty: true });
  const [x0, x1] = timeDomain(options.xDomain, data.duration);
  const lines: string[] = [];
  if (title) lines.push(title);
  if (data.lanes.length === 0) {
    lines.push("(no spans or marks recorded)");
    return lines.join("\n");
  }

  const toColumn = (ms: number) => ((ms / 1000 - x0) / (x1 - x0)) * width;
  const rows = new Map<string, string[]>();
  for (const lane of data.lanes) rows.set(lane, new Array<string>(width).fill(" "));

  const kinds = kindsOf(data.spans);
  const chars = new Map<string, string>();
  let custom = 0;
  for (const kind of kinds) {
    const char = KIND_CHARS[kind] ?? CUSTOM_KIND_CHARS[custom++ % CUSTOM_KIND_CHARS.length]!;
    chars.set(kind, char);
  }

  // Longest first, so shorter (nested) spans are drawn over the spans around them.
  const order = data.spans.map((_, i) => i);
  order.sort((a, b) => {
    const sa = data.spans[a]!;
    const sb = data.spans[b]!;
    return sb.end - sb.start - (sa.end - sa.start) || a - b;
  });
  for (const i of order) {
    const span = data.spans[i]!;
    const row = rows.get(span.lane)!;
    let from = Math.round(toColumn(span.start));
    let to = Math.round(toColumn(span.end));
    if (to <= from) to = from + 1;
    if (to <= 0 || from >= width) continue;
    from = Math.max(0, from);
    to = Math.min(width, to);
    row.fill(chars.get(span.kind)!, from, to);
  }
  for (const mark of data.marks) {
    const column = Math.floor(toColumn(mark.at));
    if (column < 0 || column > width) continue;
    rows.get(mark.lane)![Math.min(column, width - 1)] = MARK_CHAR;
  }

  const names = data.lanes.map(shortLane);
  const labelWidth = Math.max(...names.map((n) => n.length));
  data.lanes.forEach((lane, i) => {
    lines.push(`${names[i]!.padEnd(labelWidth)} │${rows.get(lane)!.join("")}│`);
  });
  const indent = " ".repeat(labelWidth + 1);
  const left = `${formatSeconds(x0)} s`;
  const right = `${formatSeconds(x1)} s`;
  const gap = Math.max(1, width + 2 - left.length - right.length);
  lines.push(`${indent}${left}${" ".repeat(gap)}${right}`);
  const legend = kinds.map((k) => `${chars.get(k)} ${k}`);
  if (data.marks.length > 0) legend.push(`${MARK_CHAR} mark`);
  if (legend.length > 0) lines.push(`${indent}${legend.join("  ")}`);
  return lines.join("\n");
}
