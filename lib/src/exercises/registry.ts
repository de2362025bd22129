import { inspect, isDeepStrictEqual } from "node:util";
import {
  argumentError,
  expectFunction,
  expectNumber,
  expectOptions,
  expectString,
} from "../errors.js";
import type { Span, Timeline } from "../timeline.js";
import type { VirtualClock } from "../virtual-clock.js";

/**
 * The course's exercises, and the small toolkit for writing their cases. `check(id, fn)`
 * (check.ts) looks exercises up here; `progress()` lists them from here.
 *
 * ## How to add an exercise
 *
 * 1. In `lib/src/exercises/<notebook>.ts` (e.g. `02-generators.ts`), call
 *    `defineExercise` once per exercise. The id is `<notebook number>.<exercise number>`
 *    ("02.1"); the title says what is built ("Round-robin scheduler").
 * 2. Each case gets the learner's answer and fresh `tools` (a `VirtualClock`, its `sleep`
 *    and `blockingSleep`, a `Timeline` on that clock) and returns a `Verdict`: `pass()`,
 *    `fail({ expected, got, hint })`, or `expectEqual(got, expected, hint)`. A case that
 *    throws or hangs fails on its own, with what was thrown; no need to catch.
 *    Hand the learner's function `tools.sleep` (not the real `sleep`) and run it with
 *    `tools.clock.run(...)`: time is then virtual and exact, so "took 1700 ms" can be
 *    asserted with `===` and a sequential answer can never pass by luck.
 * 3. Add `import "./<notebook>.js";` to `lib/src/exercises/index.ts` (in course order).
 * 4. In the lesson notebook `notebooks/<notebook>.ipynb`: a **stub cell** tagged
 *    `exercise` (cell metadata `"tags": ["exercise"]`) that declares the learner's function
 *    and fails the check as shipped (a `throw new Error("TODO ...")` body, or a version
 *    that works but is sequential), directly followed by the **check cell**
 *    `await check("02.1", roundRobin);` (never strict here: the lesson must run through
 *    with the stub as shipped).
 * 5. In `notebooks/solutions/<notebook>.ipynb`: a **solution cell** tagged `solution`
 *    declaring the same name, followed by `await check("02.1", roundRobin, { strict: true });`
 *    (strict: a failing reference solution fails the notebook run).
 * 6. Stub and solution cells must be self-contained: they may use anything `asynclab`
 *    exports, but nothing declared in other cells of the notebook.
 *    `lib/test/exercises-both-ways.test.ts` proves each stub fails and each solution
 *    passes, and that every exercise of a notebook that exists has both cells.
 *
 * @example
 * ```ts
 * // lib/src/exercises/03-promises.ts
 * import { defineExercise, expectEqual, fail, pass } from "./registry.js";
 *
 * type Gather = (tasks: (() => Promise<number>)[]) => Promise<number[]>;
 *
 * defineExercise<Gather>({
 *   id: "03.1",
 *   notebook: "03-promises",
 *   title: "Gather, by hand",
 *   hint: "Start every task first, then wait for all of them (Promise.all).",
 *   cases: [
 *     {
 *       name: "returns the results in task order",
 *       run: async (gather, { clock, sleep }) => {
 *         const { value } = await clock.run(() => gather([() => sleep(30).then(() => 1), async () => 2]));
 *         return expectEqual(value, [1, 2]);
 *       },
 *     },
 *     {
 *       name: "runs the tasks at the same time",
 *       run: async (gather, { clock, sleep }) => {
 *         const { elapsed } = await clock.run(() => gather([() => sleep(300).then(() => 1), () => sleep(200).then(() => 2)]));
 *         return elapsed === 300 ? pass() : fail({ expected: "300 ms (the longest task)", got: `${elapsed} ms` });
 *       },
 *     },
 *   ],
 * });
 * ```
 * @module
 */

/** The outcome of one case: passed, or failed with what was expected, what happened, a hint. */
export interface Verdict {
  passed: boolean;
  /** What the case wanted, in words or as a value shown with `formatValue`. */
  expected?: string;
  /** What the answer did instead. */
  got?: string;
  /** One sentence that points the learner at the fix (Markdown allowed). */
  hint?: string;
}

/** What each case receives next to the answer: fresh for every case. */
export interface CaseTools {
  /** A fresh virtual clock at 0: run the answer with `clock.run(...)`. */
  clock: VirtualClock;
  /** `clock.sleep`: hand it to the answer in place of the real `sleep`. */
  sleep: VirtualClock["sleep"];
  /** `clock.blockingSleep`: the virtual `blockingSleep`. */
  blockingSleep: VirtualClock["blockingSleep"];
  /** A timeline on the virtual clock, for answers that record spans. */
  timeline: Timeline;
}

/** One case of an exercise. */
export interface ExerciseCase<A> {
  /** Says what is checked, as a behaviour: "runs the two tasks at the same time". */
  name: string;
  /** Runs the answer and judges it. Throwing or hanging counts as a failure. */
  run(answer: A, tools: CaseTools): Verdict | Promise<Verdict>;
  /** Real ms this case may take before it counts as hung (default: the exercise's). */
  timeoutMs?: number;
}

/** What `defineExercise` takes. */
export interface ExerciseDefinition<A> {
  /** `<notebook number>.<exercise number>`, e.g. "02.1". */
  id: string;
  /** The notebook's file name without `.ipynb`, e.g. "02-generators". */
  notebook: string;
  /** A few words naming what is built, e.g. "Round-robin scheduler". */
  title: string;
  /** At least one case. */
  cases: ExerciseCase<A>[];
  /** Shown for a failed case that has no hint of its own. */
  hint?: string;
  /** Real ms a case may take before it counts as hung (default 5000). */
  timeoutMs?: number;
  /** What the answer must be: a function (default), or anything ("any"). */
  expects?: "function" | "any";
}

/** A registered exercise (what `getExercise` and `exercises` return). */
export interface Exercise<A = never> extends Readonly<ExerciseDefinition<A>> {
  readonly timeoutMs: number;
  readonly expects: "function" | "any";
}

const ID = /^(\d{2})\.(\d+)$/;
const NOTEBOOK = /^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*$/;
const registry = new Map<string, Exercise<unknown>>();

/** Sorts "00.2" before "00.10", notebooks by number. */
function compareIds(a: string, b: string): number {
  const [an, ai] = a.split(".").map(Number) as [number, number];
  const [bn, bi] = b.split(".").map(Number) as [number, number];
  return an - bn || ai - bi;
}

/**
 * Registers an exercise so that `check(id, answer)` can run it and `progress()` lists it.
 * Throws at import time on a malformed definition or a duplicate id, so mistakes show
 * up in the library's tests, not in a learner's notebook. See the module documentation
 * for the whole recipe. Like registering a test with `test(...)`.
 *
 * @example
 * ```ts
 * defineExercise<(x: number) => Promise<number>>({
 *   id: "00.9",
 *   notebook: "00-welcome",
 *   title: "Add one",
 *   cases: [{ name: "adds one", run: async (f) => expectEqual(await f(1), 2) }],
 * });
 * ```
 */
export function defineExercise<A = never>(definition: ExerciseDefinition<A>): Exercise<A> {
  if (definition === null || typeof definition !== "object") {
    throw argumentError("definition", "an exercise definition object", definition);
  }
  const { id, notebook, title, cases, hint } = definition;
  if (typeof id !== "string" || !ID.test(id)) {
    throw argumentError("id", 'a string like "02.1" (notebook number . exercise number)', id);
  }
  if (typeof notebook !== "string" || !NOTEBOOK.test(notebook)) {
    throw argumentError("notebook", 'a notebook name like "02-generators"', notebook);
  }
  if (!id.startsWith(`${notebook.slice(0, 2)}.`)) {
    throw argumentError("id", `an id of notebook ${notebook} (${notebook.slice(0, 2)}.N)`, id);
  }
  expectString("title", title);
  if (hint !== undefined) expectString("hint", hint);
  if (!Array.isArray(cases) || cases.length === 0) {
    throw argumentError("cases", "a non-empty array of cases", cases);
  }
  cases.forEach((c, i) => {
    expectOptions(`cases[${i}]`, c);
    expectString(`cases[${i}].name`, c?.name);
    expectFunction(`cases[${i}].run`, c.run);
    if (c.timeoutMs !== undefined) expectNumber(`cases[${i}].timeoutMs`, c.timeoutMs, { min: 1 });
  });
  const timeoutMs =
    definition.timeoutMs === undefined
      ? 5000
      : expectNumber("timeoutMs", definition.timeoutMs, { min: 1 });
  const expects = definition.expects ?? "function";
  if (expects !== "function" && expects !== "any") {
    throw argumentError("expects", '"function" or "any"', expects);
  }
  if (registry.has(id)) {
    throw new Error(`Exercise ${id} is defined twice (${registry.get(id)?.title} and ${title})`);
  }
  const exercise: Exercise<A> = Object.freeze({
    ...definition,
    cases: Object.freeze([...cases]) as ExerciseCase<A>[],
    timeoutMs,
    expects,
  });
  registry.set(id, exercise as Exercise<unknown>);
  return exercise;
}

/**
 * Every registered exercise in course order (notebook, then number), or only those of
 * one notebook (by name "02-generators" or number "02").
 *
 * @example
 * ```ts
 * exercises("00").map((e) => e.id); // ["00.1", "00.2"]
 * ```
 */
export function exercises(notebook?: string): Exercise<unknown>[] {
  if (notebook !== undefined) expectString("notebook", notebook);
  const all = [...registry.values()].sort((a, b) => compareIds(a.id, b.id));
  if (notebook === undefined) return all;
  return all.filter((e) => e.notebook === notebook || e.id.startsWith(`${notebook}.`));
}

/**
 * The exercise with this id, or `undefined`.
 *
 * @example
 * ```ts
 * getExercise("00.1")?.title; // "Your first async function"
 * ```
 */
export function getExercise(id: string): Exercise<unknown> | undefined {
  return registry.get(id);
}

/**
 * Removes an exercise. For the library's own tests, which define throwaway exercises.
 *
 * @example
 * ```ts
 * forgetExercise("99.1");
 * ```
 */
export function forgetExercise(id: string): boolean {
  return registry.delete(id);
}

// --- verdicts ---------------------------------------------------------------------

/**
 * A passing verdict.
 *
 * @example
 * ```ts
 * return elapsed === 600 ? pass() : fail({ expected: "600 ms", got: `${elapsed} ms` });
 * ```
 */
export function pass(): Verdict {
  return { passed: true };
}

/**
 * A failing verdict: what was expected, what the answer did, and a hint.
 *
 * @example
 * ```ts
 * fail({ expected: "1700 ms", got: "3200 ms", hint: "Do the two workers really overlap?" });
 * ```
 */
export function fail(details: Omit<Verdict, "passed"> = {}): Verdict {
  expectOptions("details", details);
  return { passed: false, ...details };
}

/**
 * Shows a value in a verdict: short, on one line, strings quoted (`util.inspect`, as
 * `console.log` would, but compact).
 *
 * @example
 * ```ts
 * formatValue([1, "two"]); // "[ 1, 'two' ]"
 * ```
 */
export function formatValue(value: unknown): string {
  return inspect(value, {
    depth: 3,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: 12,
    maxStringLength: 120,
  });
}

/**
 * Passes when `got` deeply equals `expected` (`util.isDeepStrictEqual`, like
 * `assert.deepStrictEqual`); otherwise fails showing both values.
 *
 * @example
 * ```ts
 * expectEqual(await double(21), 42, "Return x * 2.");
 * ```
 */
export function expectEqual(got: unknown, expected: unknown, hint?: string): Verdict {
  if (isDeepStrictEqual(got, expected)) return pass();
  const verdict = fail({ expected: formatValue(expected), got: formatValue(got) });
  if (hint !== undefined) verdict.hint = hint;
  return verdict;
}

/**
 * The first failing verdict, or a pass: for cases that check several things in turn.
 *
 * @example
 * ```ts
 * return allOf(expectEqual(value, [1, 2]), expectEqual(elapsed, 300));
 * ```
 */
export function allOf(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => !v.passed) ?? pass();
}

// --- judging timelines --------------------------------------------------------------

/** The part of a span the judges read; `Timeline.spans` items fit. */
export type TimedSpan = Pick<Span, "start" | "end"> & Partial<Pick<Span, "lane" | "label">>;

/**
 * The largest number of spans in progress at the same moment. Spans that only touch
 * (one ends when the next starts) do not overlap: a staircase has a peak of 1.
 *
 * @example
 * ```ts
 * peakConcurrency([{ start: 0, end: 600 }, { start: 0, end: 400 }]); // 2
 * peakConcurrency([{ start: 0, end: 600 }, { start: 600, end: 1000 }]); // 1
 * ```
 */
export function peakConcurrency(spans: readonly TimedSpan[]): number {
  const events: [number, number][] = [];
  for (const s of spans) {
    if (s.end > s.start) events.push([s.start, 1], [s.end, -1]);
  }
  // At equal times ends come first, so touching spans never count as overlapping.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) {
    open += delta;
    if (open > peak) peak = open;
  }
  return peak;
}

/**
 * True when at least two spans are in progress at the same moment (touching is not
 * overlapping).
 *
 * @example
 * ```ts
 * overlaps(tl.spans); // false for a staircase, true when tasks ran concurrently
 * ```
 */
export function overlaps(spans: readonly TimedSpan[]): boolean {
  return peakConcurrency(spans) >= 2;
}

/**
 * From the earliest start to the latest end, in ms (0 for no spans).
 *
 * @example
 * ```ts
 * totalTime([{ start: 100, end: 700 }, { start: 100, end: 500 }]); // 600
 * ```
 */
export function totalTime(spans: readonly TimedSpan[]): number {
  if (spans.length === 0) return 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const s of spans) {
    if (s.start < first) first = s.start;
    if (s.end > last) last = s.end;
  }
  return last - first;
}

/**
 * True when `value` is within a window around `ideal`: `slack` ms either way, or
 * `ratio` × ideal, whichever is larger (both default to 0: exact). For real-time
 * measurements pass a generous window; on a virtual clock, exact is fine.
 *
 * @example
 * ```ts
 * within(1712, 1700, { slack: 50 });  // true
 * within(3200, 1700, { ratio: 0.25 }); // false
 * ```
 */
export function within(
  value: number,
  ideal: number,
  window: { slack?: number; ratio?: number } = {},
): boolean {
  expectNumber("value", value);
  expectNumber("ideal", ideal);
  expectOptions("window", window);
  const slack = window.slack === undefined ? 0 : expectNumber("slack", window.slack, { min: 0 });
  const ratio = window.ratio === undefined ? 0 : expectNumber("ratio", window.ratio, { min: 0 });
  return Math.abs(value - ideal) <= Math.max(slack, ratio * Math.abs(ideal));
}

function orderBy(spans: readonly TimedSpan[], key: "start" | "end"): string[] {
  return spans
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s[key] - b.s[key] || a.i - b.i)
    .map(({ s }) => s.label ?? s.lane ?? "");
}

/**
 * The spans' labels in the order they started (ties keep recording order).
 *
 * @example
 * ```ts
 * expectEqual(startOrder(tl.spans), ["One", "Two", "One"]);
 * ```
 */
export function startOrder(spans: readonly TimedSpan[]): string[] {
  return orderBy(spans, "start");
}

/**
 * The spans' labels in the order they ended (ties keep recording order): for "finish in
 * reverse" exercises such as gathering `sleep(5 - x)`.
 *
 * @example
 * ```ts
 * expectEqual(endOrder(tl.spans), ["task 4", "task 3", "task 2"]);
 * ```
 */
export function endOrder(spans: readonly TimedSpan[]): string[] {
  return orderBy(spans, "end");
}
