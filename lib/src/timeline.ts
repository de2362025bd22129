import { type Clock, now as monotonicNow } from "./clock.js";
import { argumentError, expectFunction, expectNumber, expectString } from "./errors.js";

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

/** A span that has started and not ended yet; call `end()` once it has. */
export interface OpenSpan {
  /** Closes the span at the current time (or `at`) and records it. Only the first call counts. */
  end(at?: number): Span;
}

const KINDS_DOC = "a non-empty string such as run, wait or blocked";

/** Records spans and marks on one clock; see the module documentation. */
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
    const seen = new Set<string>();
    const events: { lane: string; t: number }[] = [
      ...this.#spans.map((s) => ({ lane: s.lane, t: s.start })),
      ...this.#marks.map((m) => ({ lane: m.lane, t: m.at })),
    ];
    events.sort((a, b) => a.t - b.t);
    for (const e of events) seen.add(e.lane);
    return [...seen];
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
    expectString("lane", lane);
    expectString("label", label, { allowEmpty: true });
    expectNumber("start", start);
    expectNumber("end", end, { min: start });
    expectString("kind", kind);
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
    expectString("lane", lane);
    expectString("label", label, { allowEmpty: true });
    if (typeof kind !== "string" || kind === "") throw argumentError("kind", KINDS_DOC, kind);
    const start = this.now();
    let closed: Span | undefined;
    return {
      end: (at?: number) => {
        if (closed) return closed;
        const end = at === undefined ? this.now() : expectNumber("at", at, { min: start });
        closed = { lane, label, start, end, kind };
        this.#spans.push(closed);
        return closed;
      },
    };
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
}
