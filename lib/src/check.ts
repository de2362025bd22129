import { format, inspect } from "node:util";
import { showMarkdown } from "./display.js";
import { describeValue } from "./errors.js";
import "./exercises/index.js";
import { type Exercise, exercises, getExercise, type Verdict } from "./exercises/registry.js";
import { recordAttempt } from "./progress.js";
import { STALL_ERROR_NAME, VirtualClock } from "./virtual-clock.js";

/**
 * The exercise checker: `await check("02.1", roundRobin)` runs the exercise's cases
 * against the learner's function and says, for each case that fails, what was expected,
 * what happened and a hint. Like the ready-made check calls after each exercise in
 * *Think Python*, or a tiny test runner with one suite per exercise.
 *
 * A check never breaks the notebook: unknown ids, a missing answer, an answer that
 * throws, rejects or hangs all become a failed result with a message, never an
 * exception (except in `strict` mode, for the solution notebooks). Cases run the answer
 * on a virtual clock (see virtual-clock.ts), so timing verdicts are exact. What the
 * answer prints while a case runs is held back, and shown (a few lines) only under a
 * failed case, so the report stays short. Every attempt is recorded for `progress()`.
 *
 * @example
 * ```ts
 * async function slowDouble(x: number, sleep: (ms: number) => Promise<void>) {
 *   await sleep(100);
 *   return x * 2;
 * }
 * await check("00.1", slowDouble); // ✓ 00.1 Your first async function — all 3 cases pass
 * ```
 * @module
 */

/** Options for {@link check}. */
export interface CheckOptions {
  /** Throw an `Error` (after the report) when the check fails: for solution notebooks. */
  strict?: boolean;
  /** Record the attempt in the progress file (default true). */
  progress?: boolean;
  /** Print nothing; just return the result. */
  quiet?: boolean;
}

/** The verdict on one case. */
export interface CaseResult {
  name: string;
  passed: boolean;
  expected?: string;
  got?: string;
  hint?: string;
  /** What the answer threw, when it threw. */
  error?: unknown;
  /** The first lines the answer printed during a failed case. */
  output?: string[];
}

/** What {@link check} resolves to. */
export interface CheckResult {
  id: string;
  /** The exercise's title, when the id is known. */
  title?: string;
  passed: boolean;
  cases: CaseResult[];
}

const SHOWN_OUTPUT_LINES = 5;
const TODO_HINT =
  "Your function still throws the stub's TODO error: replace its body with your solution, " +
  "run that cell, then run this check again.";

/** Runs `body` with console output collected instead of printed; restores the console after. */
async function capturingConsole<T>(lines: string[], body: () => Promise<T>): Promise<T> {
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      lines.push(...format(...args).split("\n"));
    };
  }
  try {
    return await body();
  } finally {
    methods.forEach((m, i) => {
      console[m] = saved[i]!;
    });
  }
}

/** Rejects after `ms` real ms unless `work` settles first; clears its timer either way. */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HungError(ms)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

class HungError extends Error {
  constructor(readonly ms: number) {
    super(`still running after ${ms / 1000} s`);
  }
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `${describeValue(error)} (not an Error)`;
}

function isStall(error: unknown): error is Error {
  return error instanceof Error && error.name === STALL_ERROR_NAME;
}

/** Turns what a case threw into what the learner reads. */
function thrownVerdict(error: unknown): Verdict {
  if (error instanceof HungError) {
    return {
      passed: false,
      got: `${error.message} (real time): it never finished`,
      hint: "Is something awaited that never settles, such as a promise nobody resolves, or a loop that never ends?",
    };
  }
  if (isStall(error)) {
    return {
      passed: false,
      got: `it never finished: ${error.message}`,
      hint: "Wait with the `sleep` your function is given, not a real timer or the library's own `sleep`.",
    };
  }
  const verdict: Verdict = { passed: false, got: `threw ${describeThrown(error)}` };
  if (error instanceof Error && /\bTODO\b/.test(error.message)) verdict.hint = TODO_HINT;
  return verdict;
}

async function runCase(
  exercise: Exercise<unknown>,
  index: number,
  answer: unknown,
): Promise<CaseResult> {
  const c = exercise.cases[index]!;
  const timeoutMs = c.timeoutMs ?? exercise.timeoutMs;
  // The virtual clock's own guard gives the better message, so it must fire first.
  const clock = new VirtualClock({ guardMs: Math.min(2000, timeoutMs / 2) });
  const tools = {
    clock,
    sleep: clock.sleep,
    blockingSleep: clock.blockingSleep,
    timeline: clock.timeline(),
  };
  const output: string[] = [];
  let verdict: Verdict;
  let error: unknown;
  let threw = false;
  try {
    verdict = await capturingConsole(output, () =>
      withTimeout(
        Promise.resolve().then(() => c.run(answer, tools)),
        timeoutMs,
      ),
    );
    if (verdict === null || typeof verdict !== "object" || typeof verdict.passed !== "boolean") {
      verdict = {
        passed: false,
        got: `the case returned ${describeValue(verdict)}, not a verdict (a bug in the exercise)`,
      };
    }
  } catch (thrown) {
    threw = true;
    error = thrown;
    verdict = thrownVerdict(thrown);
  }
  const result: CaseResult = { name: c.name, passed: verdict.passed };
  if (verdict.passed) return result;
  if (verdict.expected !== undefined) result.expected = verdict.expected;
  if (verdict.got !== undefined) result.got = verdict.got;
  const hint = verdict.hint ?? exercise.hint;
  if (hint !== undefined) result.hint = hint;
  if (threw) result.error = error;
  if (output.length > 0) result.output = output.slice(0, SHOWN_OUTPUT_LINES);
  return result;
}

// --- the report ---------------------------------------------------------------------

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|~#]/g, "\\$&");
}

function heading(result: CheckResult): string {
  const name = `${result.id} ${result.title}`;
  const passing = result.cases.filter((c) => c.passed).length;
  const total = result.cases.length;
  if (result.passed) return `✓ ${name} — all ${total} case${total === 1 ? "" : "s"} pass`;
  return `✗ ${name} — ${passing} of ${total} case${total === 1 ? "" : "s"} pass`;
}

/** Failed cases in runs that failed the same way (say, every case threw TODO): details once. */
function failureGroups(result: CheckResult): { names: string[]; details: CaseResult }[] {
  const groups: { names: string[]; details: CaseResult }[] = [];
  for (const c of result.cases) {
    if (c.passed) continue;
    const last = groups[groups.length - 1];
    const same =
      last !== undefined &&
      last.details.expected === c.expected &&
      last.details.got === c.got &&
      last.details.hint === c.hint &&
      last.details.output === undefined &&
      c.output === undefined;
    if (same) last.names.push(c.name);
    else groups.push({ names: [c.name], details: c });
  }
  return groups;
}

function textReport(result: CheckResult): string {
  const lines = [heading(result)];
  for (const { names, details: c } of failureGroups(result)) {
    lines.push(...names.map((name) => `✗ ${name}`));
    if (c.expected !== undefined) lines.push(`  expected: ${c.expected}`);
    if (c.got !== undefined) lines.push(`  got: ${c.got}`);
    if (c.hint !== undefined) lines.push(`  hint: ${c.hint}`);
    if (c.output) lines.push("  it printed:", ...c.output.map((l) => `    ${l}`));
  }
  return lines.join("\n");
}

function markdownReport(result: CheckResult): string {
  const [mark, ...rest] = heading(result).split(" ");
  const parts = [`**${mark} ${escapeMarkdown(rest.join(" "))}**`];
  for (const { names, details: c } of failureGroups(result)) {
    const item = names.map((name) => `- ✗ **${escapeMarkdown(name)}**`);
    if (c.expected !== undefined) item.push(`  - expected: ${escapeMarkdown(c.expected)}`);
    if (c.got !== undefined) item.push(`  - got: ${escapeMarkdown(c.got)}`);
    if (c.hint !== undefined) item.push(`  - hint: ${c.hint}`);
    if (c.output) {
      item.push("  - it printed:", "", "    ```", ...c.output.map((l) => `    ${l}`), "    ```");
    }
    parts.push(item.join("\n"));
  }
  return parts.join("\n\n");
}

function similarIds(id: string): string[] {
  const known = exercises().map((e) => e.id);
  const normalized = id.trim().replace(/[-_,: ]+/g, ".");
  const padded = /^\d\./.test(normalized) ? `0${normalized}` : normalized;
  return known.filter((k) => k === padded || editDistance(k, id) <= 1);
}

/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost);
    }
    row = next;
  }
  return row[b.length]!;
}

function unknownIdMessage(id: unknown): string {
  if (typeof id !== "string" || id === "") {
    return `✗ check(id, answer) needs an exercise id such as "00.1" as its first argument, got ${describeValue(id)}`;
  }
  const lines = [`✗ There is no exercise "${id}".`];
  const prefix = /^\d+/.exec(id.trim())?.[0]?.padStart(2, "0");
  const sameNotebook = prefix === undefined ? [] : exercises(prefix);
  if (sameNotebook.length > 0) {
    lines.push(
      `  Exercises of notebook ${sameNotebook[0]!.notebook}: ${sameNotebook.map((e) => `${e.id} ${e.title}`).join(", ")}.`,
    );
  } else {
    lines.push(
      `  Known exercises: ${exercises()
        .map((e) => e.id)
        .join(", ")}.`,
    );
  }
  const similar = similarIds(id);
  if (similar.length > 0) lines.push(`  Did you mean ${similar.join(" or ")}?`);
  return lines.join("\n");
}

function answerProblem(exercise: Exercise<unknown>, answer: unknown): string | undefined {
  if (exercise.expects === "any" || typeof answer === "function") return undefined;
  const advice =
    answer === undefined
      ? " — did you run the stub cell above?"
      : " — pass the function itself, without calling it (no parentheses)";
  return `expected a function, got ${describeValue(answer)}${advice}`;
}

function report(text: string, markdown: string, quiet: boolean): void {
  if (!quiet) showMarkdown(markdown, { text });
}

/** A notebook prints a cell's last value: keep it to one line under the report. */
function oneLineInspect(result: CheckResult): CheckResult {
  Object.defineProperty(result, inspect.custom, {
    value: () => `CheckResult ${result.id}: ${result.passed ? "passed" : "failed"}`,
  });
  return result;
}

async function runCheck(id: string, answer: unknown, opts: CheckOptions): Promise<CheckResult> {
  const quiet = opts.quiet === true;
  const exercise = typeof id === "string" ? getExercise(id.trim()) : undefined;
  if (!exercise) {
    const message = unknownIdMessage(id);
    const unknown = result0(id);
    report(message, escapeMarkdown(message).replace(/\n/g, "  \n"), quiet);
    return unknown;
  }
  const result: CheckResult = { id: exercise.id, title: exercise.title, passed: false, cases: [] };
  const problem = answerProblem(exercise, answer);
  if (problem) {
    result.cases.push({ name: "the answer", passed: false, got: problem });
    const text = `✗ ${exercise.id} ${exercise.title}: ${problem}`;
    const markdown = `**✗ ${exercise.id} ${escapeMarkdown(exercise.title)}**: ${escapeMarkdown(problem)}`;
    report(text, markdown, quiet);
  } else {
    let stuck = false;
    for (let i = 0; i < exercise.cases.length; i++) {
      if (stuck) {
        // Each hang costs seconds of real time; one is enough to say what is wrong.
        const name = exercise.cases[i]!.name;
        result.cases.push({ name, passed: false, got: "not run: an earlier case never finished" });
        continue;
      }
      const outcome = await runCase(exercise, i, answer);
      stuck = outcome.error instanceof HungError || isStall(outcome.error);
      result.cases.push(outcome);
    }
    result.passed = result.cases.every((c) => c.passed);
    report(textReport(result), markdownReport(result), quiet);
  }
  if (opts.progress !== false) recordAttempt(exercise.id, result.passed);
  return result;
}

function result0(id: unknown): CheckResult {
  return { id: String(id), passed: false, cases: [] };
}

/**
 * Checks an answer to exercise `id`: runs every case, prints a short report (a line when
 * all pass; for each failed case what was expected, what happened and a hint), records
 * the attempt for `progress()`, and resolves to the result. Never throws unless
 * `options.strict` is set (then it throws after the report when the check fails).
 *
 * @example
 * ```ts
 * const result = await check("00.2", both);
 * result.passed; // true or false
 * await check("00.2", both, { strict: true }); // in a solutions notebook
 * ```
 */
export async function check(
  id: string,
  answer: unknown,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const opts: CheckOptions = options !== null && typeof options === "object" ? options : {};
  let result: CheckResult;
  try {
    result = await runCheck(id, answer, opts);
  } catch (error) {
    // A bug in the checker or an exercise must not break the learner's notebook either.
    result = result0(id);
    result.cases.push({
      name: "the check itself",
      passed: false,
      got: `the checker failed: ${describeThrown(error)}`,
      error,
    });
    if (opts.quiet !== true) console.error(`✗ check("${String(id)}"): ${result.cases[0]!.got}`);
  }
  oneLineInspect(result);
  if (opts.strict && !result.passed) {
    const failed = result.cases.filter((c) => !c.passed).map((c) => c.name);
    throw new Error(
      `check("${result.id}") failed in strict mode` +
        (failed.length > 0 ? `: ${failed.join("; ")}` : ": unknown exercise"),
    );
  }
  return result;
}
