import { type Clock, now as monotonicNow } from "./clock.js";
import { showSvg } from "./display.js";
import { argumentError, expectFunction, expectNumber, expectString } from "./errors.js";
import { type TimelineChartOptions, timelineSvg } from "./timeline-chart.js";
import { lanesOf, readTimeline, type TimelineTextOptions, timelineText } from "./timeline-text.js";

/**
 * A recorder of what tasks did and when: spans (a lane, a label, a start, an end and a
 * kind) and instant marks, all on the library's one monotonic clock and measured in
 * milliseconds from the moment the timeline was created. Drawing it gives the course's
 * central picture: lanes are tasks, x is time, a blocking program is a staircase and an
 * async one overlaps.
 *
 * @example
 * ```ts
 * const tl = new Timeline();
 * await Promise.all([
 *   tl.time("One", "sleep 150", sleep(150), "wait"),
 *   tl.time("Two", "sleep 100", sleep(100), "wait"),
 * ]);
 * tl.spans.length; // 2
 * ```
 * @module
 */

/** What a span shows a task doing. `run` = on the CPU, `wait` = awaiting without
 * blocking, `blocked` = holding the thread while waiting. Any other string is a custom kind. */
export type SpanKind = "run" | "wait" | "blocked" | (string & {});

/** One stretch of time a task spent doing one thing. Times are ms since the timeline's origin. */
export interface Span {
  lane: string;
  label: string;
  start: number;
  end: number;
  kind: SpanKind;
}

/** An instant on a lane: a request sent, a heartbeat, an error. */
export interface Mark {
  lane: string;
  label: string;
  at: number;
  kind: string;
}

/** Options for a new timeline. */
export interface TimelineOptions {
  /** A title used when the timeline is drawn. */
  title?: string;
  /** The clock to read (default: the library's monotonic clock). Tests pass a fake one. */
  clock?: Clock;
}

/** A timeline as plain data: what `toJSON()` returns and `Timeline.fromJSON()` reads. */
export interface TimelineJSON {
  title?: string;
  spans: Span[];
  marks: Mark[];
}

/** A span that has started and not ended yet; call `end()` once it has. */
export interface OpenSpan {
  /** Closes the span at the current time (or `at`) and records it. Only the first call counts. */
  end(at?: number): Span;
}

const KINDS_DOC = "a non-empty string such as run, wait or blocked";

// The handle begin() returns: one object per open span, holding what end() needs.
class OpenSpanHandle implements OpenSpan {
  #closed: Span | undefined;
  constructor(
    private readonly timeline: Timeline,
    private readonly list: Span[],
    private readonly lane: string,
    private readonly label: string,
    private readonly kind: SpanKind,
    private readonly start: number,
  ) {}

  end(at?: number): Span {
    if (this.#closed) return this.#closed;
    const end =
      at === undefined ? this.timeline.now() : expectNumber("at", at, { min: this.start });
    const span: Span = {
      lane: this.lane,
      label: this.label,
      start: this.start,
      end,
      kind: this.kind,
    };
    this.#closed = span;
    this.list.push(span);
    return span;
  }
}

async function settle<T>(
  open: OpenSpan,
  work: PromiseLike<T> | (() => PromiseLike<T> | T),
): Promise<T> {
  try {
    return await (typeof work === "function" ? work() : work);
  } finally {
    open.end();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

/**
 * Records spans and marks on one clock; see the module documentation.
 *
 * @example
 * ```ts
 * const tl = new Timeline({ title: "Two waits" });
 * await Promise.all([tl.time("One", "sleep", sleep(60)), tl.time("Two", "sleep", sleep(40))]);
 * console.log(tl.toText()); // two overlapping lanes, about 0.06 s in all
 * tl.show(); // the chart, in a notebook
 * ```
 */
export class Timeline {
  /** The title shown when drawn. */
  title: string | undefined;
  /** The clock reading (ms) that is time zero on this timeline. */
  readonly origin: number;
  readonly #clock: Clock;
  readonly #spans: Span[] = [];
  readonly #marks: Mark[] = [];

  constructor(options: TimelineOptions = {}) {
    if (options === null || typeof options !== "object") {
      throw argumentError("options", "an options object", options);
    }
    this.#clock =
      options.clock === undefined ? monotonicNow : expectFunction("clock", options.clock);
    this.title = options.title === undefined ? undefined : expectString("title", options.title);
    this.origin = this.#clock();
  }

  /** Milliseconds since this timeline's origin. */
  now(): number {
    return this.#clock() - this.origin;
  }

  /** Converts a reading of the library clock (`now()` from the clock module) to this timeline's time. */
  fromClock(reading: number): number {
    return reading - this.origin;
  }

  /** Every recorded span, in the order they ended. */
  get spans(): readonly Span[] {
    return this.#spans;
  }

  /** Every recorded mark, in the order they were made. */
  get marks(): readonly Mark[] {
    return this.#marks;
  }

  /** The lanes in order of first appearance (spans and marks). */
  get lanes(): string[] {
    return lanesOf(this.#spans, this.#marks);
  }

  /** From the earliest start (or 0) to the latest end or mark, in ms. */
  get duration(): number {
    let end = 0;
    for (const s of this.#spans) if (s.end > end) end = s.end;
    for (const m of this.#marks) if (m.at > end) end = m.at;
    return end;
  }

  /**
   * Records a finished span with explicit times (ms since origin).
   *
   * @example
   * ```ts
   * tl.span("One", "count 15", 0, 1500, "blocked");
   * ```
   */
  span(lane: string, label: string, start: number, end: number, kind: SpanKind = "run"): Span {
    // The hot path: plain typeof checks, the error helpers only run when a check fails.
    if (typeof lane !== "string" || lane === "") expectString("lane", lane);
    if (typeof label !== "string") expectString("label", label, { allowEmpty: true });
    if (typeof start !== "number" || !Number.isFinite(start)) expectNumber("start", start);
    if (typeof end !== "number" || !Number.isFinite(end) || end < start) {
      expectNumber("end", end, { min: start });
    }
    if (typeof kind !== "string" || kind === "") throw argumentError("kind", KINDS_DOC, kind);
    const span: Span = { lane, label, start, end, kind };
    this.#spans.push(span);
    return span;
  }

  /**
   * Starts a span now; the returned handle's `end()` records it. Spans may nest and
   * overlap freely, on one lane or many: each handle closes only its own span.
   *
   * @example
   * ```ts
   * const s = tl.begin("One", "download", "wait");
   * await sleep(100);
   * s.end();
   * ```
   */
  begin(lane: string, label: string, kind: SpanKind = "run"): OpenSpan {
    if (typeof lane !== "string" || lane === "") expectString("lane", lane);
    if (typeof label !== "string") expectString("label", label, { allowEmpty: true });
    if (typeof kind !== "string" || kind === "") throw argumentError("kind", KINDS_DOC, kind);
    return new OpenSpanHandle(this, this.#spans, lane, label, kind, this.now());
  }

  /**
   * Runs a synchronous `fn` now and records the time it took as a span (default kind
   * `run`: it holds the thread). Returns what `fn` returns; if `fn` throws, the span is
   * still recorded and the error passed on. Like wrapping a call in
   * `console.time`/`console.timeEnd`. For async work use {@link Timeline.time}: an async
   * function given here is recorded only until its first `await`.
   *
   * @example
   * ```ts
   * const total = tl.wrap("One", "count to 1e6", () => {
   *   let n = 0;
   *   for (let i = 0; i < 1e6; i++) n += i;
   *   return n;
   * });
   * ```
   */
  wrap<T>(lane: string, label: string, fn: () => T, kind: SpanKind = "run"): T {
    expectFunction("fn", fn);
    const open = this.begin(lane, label, kind);
    try {
      return fn();
    } finally {
      open.end();
    }
  }

  /**
   * Records how long a promise takes to settle, from now until it fulfils or rejects,
   * and resolves to its value (a rejection is recorded, then passed on). Give it a promise,
   * or a function returning one (it is called now). The default kind is `wait`: an
   * awaited promise is the task waiting without blocking the thread. Like
   * `Promise.resolve(p).finally(record)`.
   *
   * @example
   * ```ts
   * await Promise.all([
   *   tl.time("One", "sleep 1.5 s", sleep(1500)),
   *   tl.time("Two", "sleep 1 s", () => sleep(1000)),
   * ]); // two overlapping "wait" spans
   * await tl.time("Two", "crunch", async () => blockingSleep(200), "blocked");
   * ```
   */
  time<T>(
    lane: string,
    label: string,
    work: PromiseLike<T> | (() => PromiseLike<T> | T),
    kind: SpanKind = "wait",
  ): Promise<T> {
    // Bad arguments throw here, at the call; what `work` does is recorded and rejects.
    if (typeof work !== "function" && !isThenable(work)) {
      throw argumentError("work", "a promise or a function that returns one", work);
    }
    return settle(this.begin(lane, label, kind), work);
  }

  /**
   * Records an instant on a lane, now or at a given time.
   *
   * @example
   * ```ts
   * tl.mark("loop", "heartbeat");
   * ```
   */
  mark(lane: string, label: string, options: { at?: number; kind?: string } = {}): Mark {
    expectString("lane", lane);
    expectString("label", label, { allowEmpty: true });
    const at = options.at === undefined ? this.now() : expectNumber("at", options.at);
    const kind = options.kind === undefined ? "mark" : expectString("kind", options.kind);
    const mark: Mark = { lane, label, at, kind };
    this.#marks.push(mark);
    return mark;
  }

  /**
   * The timeline as plain data, numbers as recorded (ms since the origin), ready for
   * `JSON.stringify` and for {@link Timeline.fromJSON}.
   *
   * @example
   * ```ts
   * writeFileSync("run.json", JSON.stringify(tl));
   * ```
   */
  toJSON(): TimelineJSON {
    const json: TimelineJSON = {
      spans: this.#spans.map((s) => ({ ...s })),
      marks: this.#marks.map((m) => ({ ...m })),
    };
    if (this.title !== undefined) json.title = this.title;
    return json;
  }

  /**
   * Rebuilds a timeline from `toJSON()` output (or its JSON text), for saved runs. Every
   * span and mark is checked; a bad one is named in the error. The new timeline's own
   * clock starts now, so spans recorded on it later follow its own origin.
   *
   * @example
   * ```ts
   * const again = Timeline.fromJSON(readFileSync("run.json", "utf8"));
   * again.show();
   * ```
   */
  static fromJSON(json: TimelineJSON | string, options: { clock?: Clock } = {}): Timeline {
    let value: unknown = json;
    if (typeof json === "string") {
      try {
        value = JSON.parse(json);
      } catch {
        throw argumentError("json", "a timeline or its JSON text", json);
      }
    }
    const data = readTimeline(value, "json");
    const timeline = new Timeline(
      data.title === undefined ? options : { ...options, title: data.title },
    );
    for (const s of data.spans) {
      timeline.#spans.push({
        lane: s.lane,
        label: s.label,
        start: s.start,
        end: s.end,
        kind: s.kind,
      });
    }
    for (const m of data.marks) {
      timeline.#marks.push({ lane: m.lane, label: m.label, at: m.at, kind: m.kind });
    }
    return timeline;
  }

  /**
   * The timeline drawn as text for a terminal: one row per lane, `█` run, `░` wait,
   * `▓` blocked, `•` marks, a time axis in seconds. See `timelineText` for the options.
   *
   * @example
   * ```ts
   * console.log(tl.toText({ width: 40 }));
   * ```
   */
  toText(options?: TimelineTextOptions): string {
    return timelineText(this, options);
  }

  /**
   * The timeline drawn as a standalone SVG Gantt chart (Observable Plot): lanes on y,
   * seconds on x, bars coloured by kind, a legend, a tooltip per span. See
   * `timelineSvg` for the options.
   *
   * @example
   * ```ts
   * writeFileSync("run.svg", tl.toSvg({ caption: "Total elapsed time: 3.2 s" }));
   * ```
   */
  toSvg(options?: TimelineChartOptions): string {
    return timelineSvg(this, options);
  }

  /**
   * Shows the chart in the notebook (through the display module, as an image), or its
   * text rendering outside one. Takes the options of `timelineSvg`.
   *
   * @example
   * ```ts
   * tl.show({ title: "Synchronous", caption: "Total elapsed time: 3.2 s" });
   * ```
   */
  show(options?: TimelineChartOptions): void {
    const svg = timelineSvg(this, options);
    const text = timelineText(this, {
      title: options?.title,
      xDomain: options?.xDomain,
    });
    const caption = options?.caption ? `\n${options.caption}` : "";
    showSvg(svg, { text: text + caption });
  }
}
