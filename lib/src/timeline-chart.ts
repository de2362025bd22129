import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { showSvg } from "./display.js";
import { argumentError, expectInteger, expectOptions, expectString } from "./errors.js";
import type { Mark, Span } from "./timeline.js";
import {
  kindsOf,
  readTimeline,
  type TimelineData,
  type TimelineLike,
  timeDomain,
  timelineText,
} from "./timeline-text.js";

/**
 * Timelines drawn as SVG Gantt charts with Observable Plot, rendered in Node on a
 * linkedom document: lanes on y (in order of first appearance), time on x in seconds,
 * one bar per span coloured by kind (run blue, wait light grey-blue, blocked orange-red,
 * custom kinds further colours), labels inside the bars that fit, marks as ticks, a
 * legend, and a `<title>` per span and mark for native tooltips.
 *
 * The result is always ONE standalone `<svg>` root (with `xmlns`, a white background, no
 * HTML wrapper), so it shows as an `<img>` and can be saved as a `.svg` file: the title,
 * legend and caption are drawn as SVG here rather than by Plot, which would wrap them in
 * an HTML `<figure>`. The output is deterministic (no clock, no random ids, coordinates
 * rounded to 2 decimals), so fixed spans give byte-identical SVG in every run.
 *
 * @example
 * ```ts
 * import { Timeline, timelineSvg, showTimelines } from "asynclab";
 * const tl = new Timeline({ title: "Synchronous" });
 * tl.span("One", "sleep 1.5 s", 0, 1500, "blocked");
 * tl.span("Two", "sleep 1.0 s", 1500, 2500, "blocked");
 * const svg = timelineSvg(tl, { caption: "Total elapsed time: 2.5 s" });
 * ```
 * @module
 */

/** Options for {@link timelineSvg} (and `Timeline.show()` / `toSvg()`). */
export interface TimelineChartOptions {
  /** Width of the image in px (default 640). */
  width?: number;
  /** Height of the chart area in px (default from the lane count: 28 px a lane plus axes). */
  height?: number;
  /** A title above the chart; default the timeline's title, `null` for none. */
  title?: string | null;
  /** A line under the title. */
  subtitle?: string;
  /** A line under the chart, e.g. "Total elapsed time: 3.2 s". */
  caption?: string;
  /**
   * The time range in SECONDS `[from, to]`, as on the axis (default from 0 to the last
   * end). Give several charts the same one to compare them on one scale.
   */
  xDomain?: readonly [number, number];
  /**
   * Span labels inside the bars (only where they fit). Default: on up to
   * 300 spans, off above (a chart that full has no room for them).
   */
  labels?: boolean;
  /** The colour legend (default true). */
  legend?: boolean;
}

/** Options for {@link timelinesSvg} and {@link showTimelines}. */
export interface TimelinesChartOptions extends Omit<TimelineChartOptions, "title"> {
  /** One title per timeline, drawn above its chart (default each timeline's title). */
  titles?: readonly (string | null | undefined)[];
  /** A title above all the charts. */
  title?: string;
}

/**
 * Above this many spans in one chart, span labels are left out unless `labels: true`
 * (they would not fit, and each costs a DOM node while rendering).
 *
 * @example
 * ```ts
 * timelineSvg(bigRun, { labels: bigRun.spans.length <= 600 });
 * ```
 */
export const LABELS_MAX_SPANS = 300;

/**
 * The fixed colours of the built-in kinds: run a solid blue, wait a light grey-blue,
 * blocked an orange-red. Custom kinds get further colours (see {@link kindColors}).
 *
 * @example
 * ```ts
 * KIND_COLORS.blocked; // "#e8590c"
 * ```
 */
export const KIND_COLORS: Readonly<Record<string, string>> = {
  run: "#4269d0",
  wait: "#a9bfe3",
  blocked: "#e8590c",
  // runPool's outcomes: a failure should look alarming, a cancellation faded.
  failed: "#d62728",
  cancelled: "#c4c4c4",
};

// Further colours for custom kinds, in order of first appearance (from Plot's observable10).
const CUSTOM_COLORS = [
  "#3ca951",
  "#efb118",
  "#a463f2",
  "#ff8ab7",
  "#9c6b4e",
  "#6cc5b0",
  "#9498a0",
  "#97bbf5",
];
const INK = "#1f2328";
const CLASS_NAME = "asynclab-timeline";
const LANE_HEIGHT = 28;
const MARGIN = { top: 8, right: 20, bottom: 36 };
const PAD = 8;
// Rough width of one character at Plot's 10 px sans-serif, to decide whether a label fits.
const CHAR_WIDTH = 6;

/**
 * The colour of each kind: run, wait and blocked always get theirs, custom kinds the
 * next free colour in the order given (cycling), so a chart's colours never depend on
 * chance.
 *
 * @example
 * ```ts
 * kindColors(["run", "gc"]); // Map { "run" => "#4269d0", "gc" => "#3ca951" }
 * ```
 */
export function kindColors(kinds: readonly string[]): Map<string, string> {
  const colors = new Map<string, string>();
  let next = 0;
  for (const kind of kinds) {
    if (colors.has(kind)) continue;
    colors.set(kind, KIND_COLORS[kind] ?? CUSTOM_COLORS[next++ % CUSTOM_COLORS.length]!);
  }
  return colors;
}

// White text on dark bars, ink on light ones (relative luminance of a #rrggbb colour).
function textColorOn(color: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(color.slice(i, i + 2), 16) / 255);
  const luminance = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  return luminance > 0.55 ? INK : "white";
}

function seconds2(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function spanTitle(s: Span): string {
  const label = s.label ? ` · ${s.label}` : "";
  return `${s.lane}${label} · ${s.kind} · ${seconds2(s.start)}–${seconds2(s.end)} s`;
}

function markTitle(m: Mark): string {
  const label = m.label ? ` · ${m.label}` : "";
  return `${m.lane}${label} · ${m.kind} · at ${seconds2(m.at)} s`;
}

function shortLane(lane: string): string {
  return lane.length > 28 ? `${lane.slice(0, 27)}…` : lane;
}

let cachedDocument: unknown;
// One linkedom document serves every chart: Plot only creates detached nodes in it.
function svgDocument(): unknown {
  cachedDocument ??= parseHTML("<!DOCTYPE html><html><body></body></html>").document;
  return cachedDocument;
}

interface DomNode {
  ownerDocument: { createComment(text: string): unknown };
  appendChild(node: unknown): unknown;
}

// The scaled channel values Plot hands a bar mark's render function.
interface BarValues {
  x1: ArrayLike<number>;
  x2: ArrayLike<number>;
  y: ArrayLike<number>;
  fill: ArrayLike<string>;
  title: ArrayLike<string>;
}

const BARS_MARKER = "asynclab-bars";

function round2(value: number): number {
  return Math.round(value * 100) / 100 || 0;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The bars as SVG text, placed exactly where Plot's barX would put its <rect>s. Big
 * charts are the reason: linkedom spends most of a 10k-span chart creating DOM nodes for
 * bars and titles and collecting them afterwards; a string costs a fraction of that.
 */
function barsMarkup(index: readonly number[], v: BarValues, bandwidth: number): string {
  const height = round2(bandwidth);
  let out = "";
  for (const i of index) {
    const x1 = v.x1[i]!;
    const x2 = v.x2[i]!;
    out +=
      `<rect x="${round2(Math.min(x1, x2))}" y="${round2(v.y[i]!)}" width="${round2(Math.abs(x2 - x1))}" ` +
      `height="${height}" fill="${v.fill[i]}"><title>${escapeText(v.title[i]!)}</title></rect>`;
  }
  return out;
}

interface PlotElement {
  tagName: string;
  innerHTML: string;
  querySelector(selector: string): { remove(): void } | null;
}

interface Layout {
  width: number;
  height: number | undefined;
  domain: [number, number];
  marginLeft: number;
  colors: Map<string, string>;
  labels: boolean | undefined;
}

interface Bar {
  lane: string;
  x1: number;
  x2: number;
  kind: string;
  span: Span;
}

/** One timeline's chart area, drawn by Plot: the children of its `<svg>`, and its height. */
function renderPanel(data: TimelineData, layout: Layout): { body: string; height: number } {
  const [x0, x1] = layout.domain;
  const lanes = data.lanes.length > 0 ? data.lanes : ["(nothing recorded)"];
  const height = layout.height ?? MARGIN.top + MARGIN.bottom + LANE_HEIGHT * lanes.length;
  const pxPerSecond = (layout.width - layout.marginLeft - MARGIN.right) / (x1 - x0);

  // Clamp to the drawn range here rather than clip in Plot (its clip paths get global ids).
  const bars: Bar[] = [];
  for (const span of data.spans) {
    const a = Math.max(x0, span.start / 1000);
    const b = Math.min(x1, span.end / 1000);
    // Outside the range, or cut down to nothing (a span of length 0 inside it stays).
    if (b < a || (b === a && span.end > span.start)) continue;
    bars.push({ lane: span.lane, x1: a, x2: b, kind: span.kind, span });
  }
  // Longest first, so a span nested in another is drawn on top of it (as in the text view).
  bars.sort((a, b) => b.span.end - b.span.start - (a.span.end - a.span.start));
  const showLabels = layout.labels ?? data.spans.length <= LABELS_MAX_SPANS;
  const onDark: Bar[] = [];
  const onLight: Bar[] = [];
  if (showLabels) {
    for (const bar of bars) {
      const room = (bar.x2 - bar.x1) * pxPerSecond;
      if (bar.span.label === "" || bar.span.label.length * CHAR_WIDTH + 8 > room) continue;
      (textColorOn(layout.colors.get(bar.kind)!) === INK ? onLight : onDark).push(bar);
    }
  }
  const marks = data.marks.filter((m) => m.at / 1000 >= x0 && m.at / 1000 <= x1);
  const mid = (d: Bar) => (d.x1 + d.x2) / 2;
  const label = (d: Bar) => d.span.label;

  let rects = "";
  const plot = Plot.plot({
    document: svgDocument() as never,
    className: CLASS_NAME,
    width: layout.width,
    height,
    marginLeft: layout.marginLeft,
    marginRight: MARGIN.right,
    marginTop: MARGIN.top,
    marginBottom: MARGIN.bottom,
    x: { domain: [x0, x1], label: "time (s) →", grid: true },
    y: { domain: lanes, label: null, padding: 0.15, tickFormat: shortLane },
    color: { domain: [...layout.colors.keys()], range: [...layout.colors.values()] },
    marks: [
      Plot.barX(bars, {
        x1: "x1",
        x2: "x2",
        y: "lane",
        fill: "kind",
        title: (d: Bar) => spanTitle(d.span),
        render: (index, scales, values, dimensions, context, next) => {
          // Plot lays the bars out (scaled x1, x2, y, fill, title); we write them as text.
          const g = next!([], scales, values, dimensions, context) as unknown as DomNode;
          const y = scales.y as unknown as { bandwidth(): number };
          rects = barsMarkup(index, values as unknown as BarValues, y.bandwidth());
          g.appendChild(g.ownerDocument.createComment(BARS_MARKER));
          return g as never;
        },
      }),
      Plot.text(onDark, { x: mid, y: "lane", text: label, fill: "white" }),
      Plot.text(onLight, { x: mid, y: "lane", text: label, fill: INK }),
      Plot.tickX(marks, {
        x: (m: Mark) => m.at / 1000,
        y: "lane",
        stroke: INK,
        strokeWidth: 2,
        title: markTitle,
      }),
    ],
  }) as unknown as PlotElement;
  /* c8 ignore next 3 -- Plot wraps the SVG only for its own titles and legends, unused here */
  if (plot.tagName.toLowerCase() !== "svg") {
    throw new Error(`Plot returned a <${plot.tagName}>, expected an <svg>`);
  }
  plot.querySelector("style")?.remove();
  return { body: plot.innerHTML.replace(`<!--${BARS_MARKER}-->`, () => rects), height };
}

// Plot writes coordinates as computed (191.24999999999997): keep two decimals, inside
// tags only, so labels and titles stay exactly as given.
function roundCoordinates(svg: string): string {
  return svg.replace(/<[^>]+>/g, (tag) =>
    LONG_NUMBER_TEST.test(tag)
      ? tag.replace(LONG_NUMBER, (n) => String(+Number(n).toFixed(2) || 0))
      : tag,
  );
}
const LONG_NUMBER_TEST = /\d\.\d{3}/;
const LONG_NUMBER = /-?\d+\.\d{3,}(?:e-?\d+)?/g;

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escapeText(content)}</text>`;
}

function legendSvg(colors: Map<string, string>, withMarks: boolean, y: number): string {
  let x = PAD;
  const items: string[] = [];
  for (const [kind, color] of colors) {
    items.push(`<rect x="${x}" y="${y + 3}" width="12" height="12" rx="2" fill="${color}"/>`);
    items.push(text(x + 16, y + 13, kind, 'font-size="11"'));
    x += 16 + kind.length * CHAR_WIDTH + 18;
  }
  if (withMarks) {
    items.push(`<path d="M${x + 6},${y + 2}V${y + 16}" stroke="${INK}" stroke-width="2"/>`);
    items.push(text(x + 16, y + 13, "mark", 'font-size="11"'));
  }
  return `<g aria-label="legend">${items.join("")}</g>`;
}

function checkChartOptions(options: Omit<TimelineChartOptions, "title">): void {
  expectOptions("options", options);
  if (options.width !== undefined) expectInteger("width", options.width, { min: 100 });
  if (options.height !== undefined) expectInteger("height", options.height, { min: 60 });
  if (options.subtitle !== undefined) expectString("subtitle", options.subtitle);
  if (options.caption !== undefined) expectString("caption", options.caption);
  for (const flag of ["labels", "legend"] as const) {
    const value = options[flag];
    if (value !== undefined && typeof value !== "boolean") {
      throw argumentError(flag, "a boolean", value);
    }
  }
}

interface Section {
  data: TimelineData;
  title: string | undefined;
}

// Average width of a 12 px system-ui character, generous so a wrapped line never overflows.
const CAPTION_CHAR_WIDTH = 6.8;

/**
 * Splits text at spaces into lines of at most `max` characters (a longer word stands alone).
 *
 * @example
 * ```ts
 * wrapText("one two three", 7); // ["one two", "three"]
 * ```
 */
export function wrapText(content: string, max: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of content.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > max) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Lays out title, legend, one chart per section on one x scale, and the caption. */
function compose(
  sections: Section[],
  options: Omit<TimelineChartOptions, "title">,
  title: string | undefined,
): string {
  const width = options.width ?? 640;
  let durationMs = 0;
  const allSpans: Span[] = [];
  let longestLane = 0;
  let withMarks = false;
  for (const { data } of sections) {
    durationMs = Math.max(durationMs, data.duration);
    for (const s of data.spans) allSpans.push(s);
    for (const lane of data.lanes) longestLane = Math.max(longestLane, shortLane(lane).length);
    withMarks ||= data.marks.length > 0;
  }
  const layout: Layout = {
    width,
    height: options.height,
    domain: timeDomain(options.xDomain, durationMs),
    marginLeft: Math.min(200, Math.max(40, 16 + longestLane * CHAR_WIDTH)),
    colors: kindColors(kindsOf(allSpans)),
    labels: options.labels,
  };

  const parts: string[] = [];
  let y = PAD;
  if (title) {
    parts.push(text(PAD, y + 15, title, 'font-size="15" font-weight="bold"'));
    y += 22;
  }
  if (options.subtitle) {
    parts.push(text(PAD, y + 13, options.subtitle, 'font-size="12" fill="#57606a"'));
    y += 18;
  }
  if (options.legend !== false && (layout.colors.size > 0 || withMarks)) {
    parts.push(legendSvg(layout.colors, withMarks, y));
    y += 22;
  }
  for (const section of sections) {
    if (section.title) {
      parts.push(text(PAD, y + 14, section.title, 'font-size="12" font-weight="bold"'));
      y += 20;
    }
    const panel = renderPanel(section.data, layout);
    parts.push(`<g transform="translate(0,${y})" text-anchor="middle">${panel.body}</g>`);
    y += panel.height;
  }
  if (options.caption) {
    // SVG text does not wrap: break the caption into lines that fit the width.
    for (const line of wrapText(
      options.caption,
      Math.floor((width - 2 * PAD) / CAPTION_CHAR_WIDTH),
    )) {
      parts.push(text(PAD, y + 14, line, 'font-size="12"'));
      y += 17;
    }
    y += 3;
  }
  const height = y + PAD;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" class="${CLASS_NAME}" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="10" ` +
    `fill="currentColor" color="${INK}">` +
    `<style>.${CLASS_NAME} text { white-space: pre; }</style>` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
  return roundCoordinates(svg);
}

function optionalTitle(name: string, value: unknown, fallback: string | undefined) {
  if (value === undefined) return fallback;
  if (value === null) return undefined;
  return expectString(name, value, { allowEmpty: true });
}

/**
 * Draws one timeline as a standalone SVG Gantt chart and returns the markup (one
 * `<svg>` root). Like a Plot `barX` Gantt chart with `x1`/`x2`/`y`, plus the course's
 * legend and tooltips. Options: `width` (px, default 640), `height` (chart area px),
 * `title` (default the timeline's), `subtitle`, `caption`, `xDomain` in SECONDS,
 * `labels`, `legend`.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * tl.span("One", "sleep 1.5 s", 0, 1500, "wait");
 * writeFileSync("one.svg", timelineSvg(tl, { title: "One task", xDomain: [0, 2] }));
 * ```
 */
export function timelineSvg(timeline: TimelineLike, options: TimelineChartOptions = {}): string {
  const data = readTimeline(timeline);
  checkChartOptions(options);
  const title = optionalTitle("title", options.title, data.title);
  return compose([{ data, title: undefined }], options, title);
}

/**
 * Draws several timelines one above the other ON THE SAME time scale, in ONE SVG: the
 * course's central picture (the synchronous run as a staircase above the async run that
 * overlaps). The shared range runs from 0 to the latest end of them all unless
 * `xDomain` (seconds) is given; colours and the legend cover every timeline's kinds.
 *
 * @example
 * ```ts
 * const svg = timelinesSvg([syncRun, asyncRun], {
 *   titles: ["Synchronous: 3.2 s", "Asynchronous: 1.7 s"],
 * });
 * ```
 */
export function timelinesSvg(
  timelines: readonly TimelineLike[],
  options: TimelinesChartOptions = {},
): string {
  if (!Array.isArray(timelines) || timelines.length === 0) {
    throw argumentError("timelines", "a non-empty array of timelines", timelines);
  }
  checkChartOptions(options);
  const titles = options.titles;
  if (titles !== undefined && !Array.isArray(titles)) {
    throw argumentError("titles", "an array of titles", titles);
  }
  const sections = timelines.map((timeline, i) => {
    const data = readTimeline(timeline, `timelines[${i}]`);
    return { data, title: optionalTitle(`titles[${i}]`, titles?.[i], data.title) };
  });
  const title = options.title === undefined ? undefined : expectString("title", options.title);
  return compose(sections, options, title);
}

/**
 * Shows several timelines on one time scale in the notebook (through the display
 * module), or as text on one scale outside it. Takes the options of {@link timelinesSvg}.
 *
 * @example
 * ```ts
 * showTimelines([syncRun, asyncRun], { titles: ["sync", "async"], caption: "3.2 s vs 1.7 s" });
 * ```
 */
export function showTimelines(
  timelines: readonly TimelineLike[],
  options: TimelinesChartOptions = {},
): void {
  const svg = timelinesSvg(timelines, options);
  let durationMs = 0;
  for (const t of timelines) durationMs = Math.max(durationMs, readTimeline(t).duration);
  const xDomain = timeDomain(options.xDomain, durationMs);
  const blocks = timelines.map((t, i) => {
    const title = options.titles?.[i];
    return timelineText(t, { xDomain, title: title === undefined ? (t.title ?? null) : title });
  });
  const lines = [options.title, options.subtitle, blocks.join("\n\n"), options.caption];
  showSvg(svg, { text: lines.filter((l) => l).join("\n") });
}
