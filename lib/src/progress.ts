import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";
import { showMarkdown } from "./display.js";
import { expectOptions, expectString } from "./errors.js";
import "./exercises/index.js";
import { exercises } from "./exercises/registry.js";

/**
 * The learner's progress through the exercises, kept in a small local JSON file that git
 * ignores: `<course folder>/.progress.json`, or the file named by the environment
 * variable `ASYNCLAB_PROGRESS` (`ASYNCLAB_PROGRESS=off` keeps nothing, for headless
 * notebook runs and tests). `check` records every attempt here; `progress()` shows where
 * you are. Writes are atomic (a temporary file renamed over the old one), and a damaged
 * file is set aside as `.bak` instead of stopping anything.
 *
 * @example
 * ```ts
 * progress();        // a table of every exercise: ✓ passed, ✗ failed (2 tries), · not tried
 * resetProgress("00.1"); // forget one exercise
 * ```
 * @module
 */

/** What is kept for one exercise. Dates are ISO 8601 strings. */
export interface ExerciseRecord {
  /** The outcome of the latest attempt. */
  status: "passed" | "failed";
  /** How many times the check ran. */
  attempts: number;
  /** When the check first passed. */
  firstPassedAt?: string;
  /** When the check last ran. */
  lastTriedAt: string;
}

/** One line of the progress table. */
export interface ProgressRow {
  id: string;
  notebook: string;
  title: string;
  status: "passed" | "failed" | "not tried";
  attempts: number;
  firstPassedAt?: string;
  lastTriedAt?: string;
}

/** What `progress()` returns: every exercise of the course, and how many are passed. */
export interface ProgressReport {
  rows: ProgressRow[];
  passed: number;
  total: number;
}

interface ProgressFile {
  version: 1;
  exercises: Record<string, ExerciseRecord>;
}

/** The course folder: two levels above this module (lib/src or lib/dist). */
const DEFAULT_FILE = fileURLToPath(new URL("../../.progress.json", import.meta.url));
const warned = new Set<string>();

function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(message);
}

/**
 * Where progress is kept: `ASYNCLAB_PROGRESS` if set, else `.progress.json` in the course
 * folder; `undefined` when `ASYNCLAB_PROGRESS` is `off` (nothing is kept).
 *
 * @example
 * ```ts
 * progressFile(); // "/home/me/async-typescript/.progress.json"
 * ```
 */
export function progressFile(): string | undefined {
  const fromEnv = process.env.ASYNCLAB_PROGRESS;
  if (fromEnv === "off") return undefined;
  return fromEnv ? fromEnv : DEFAULT_FILE;
}

function isRecord(value: unknown): value is ExerciseRecord {
  const r = value as ExerciseRecord;
  return (
    r !== null &&
    typeof r === "object" &&
    (r.status === "passed" || r.status === "failed") &&
    Number.isInteger(r.attempts) &&
    r.attempts >= 0 &&
    typeof r.lastTriedAt === "string" &&
    (r.firstPassedAt === undefined || typeof r.firstPassedAt === "string")
  );
}

function load(file: string): ProgressFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, exercises: {} };
    throw error;
  }
  try {
    const data = JSON.parse(text) as ProgressFile;
    if (data === null || typeof data !== "object" || typeof data.exercises !== "object") {
      throw new Error("not a progress file");
    }
    const kept: Record<string, ExerciseRecord> = {};
    for (const [id, record] of Object.entries(data.exercises ?? {})) {
      if (isRecord(record)) kept[id] = record;
    }
    return { version: 1, exercises: kept };
  } catch (error) {
    // A damaged file must not stop the course: keep a copy for the curious, start afresh.
    copyFileSync(file, `${file}.bak`);
    rmSync(file, { force: true });
    warnOnce(
      `corrupt:${file}`,
      `asynclab: ${file} could not be read (${(error as Error).message}); ` +
        `kept it as ${file}.bak and started a fresh progress file.`,
    );
    return { version: 1, exercises: {} };
  }
}

function save(file: string, data: ProgressFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(temp, file); // atomic: a reader sees the old file or the new one, never half
  } finally {
    rmSync(temp, { force: true });
  }
}

/**
 * Every exercise's record, by id (empty when nothing is kept yet).
 *
 * @example
 * ```ts
 * readProgress()["00.1"]?.status; // "passed"
 * ```
 */
export function readProgress(): Record<string, ExerciseRecord> {
  const file = progressFile();
  return file === undefined ? {} : load(file).exercises;
}

/**
 * Records one attempt at an exercise (what `check` calls after running the cases) and
 * returns the updated record; `undefined` when nothing is kept. Never throws: a
 * read-only folder costs a one-time warning, not the check.
 *
 * @example
 * ```ts
 * recordAttempt("00.1", true); // { status: "passed", attempts: 1, firstPassedAt: …, lastTriedAt: … }
 * ```
 */
export function recordAttempt(
  id: string,
  passed: boolean,
  at: Date = new Date(),
): ExerciseRecord | undefined {
  expectString("id", id);
  const file = progressFile();
  if (file === undefined) return undefined;
  try {
    const data = load(file);
    const previous = data.exercises[id];
    const when = at.toISOString();
    const firstPassedAt = previous?.firstPassedAt ?? (passed ? when : undefined);
    const record: ExerciseRecord = {
      status: passed ? "passed" : "failed",
      attempts: (previous?.attempts ?? 0) + 1,
      ...(firstPassedAt === undefined ? {} : { firstPassedAt }),
      lastTriedAt: when,
    };
    data.exercises[id] = record;
    save(file, data);
    return record;
  } catch (error) {
    warnOnce(
      `write:${file}`,
      `asynclab: progress could not be saved to ${file} (${(error as Error).message}).`,
    );
    return undefined;
  }
}

/**
 * Forgets one exercise's record, or all of them.
 *
 * @example
 * ```ts
 * resetProgress("00.1"); // that one is "not tried" again
 * resetProgress();       // start the course over
 * ```
 */
export function resetProgress(id?: string): void {
  if (id !== undefined) expectString("id", id);
  const file = progressFile();
  if (file === undefined) return;
  if (id === undefined) {
    rmSync(file, { force: true });
    return;
  }
  const data = load(file);
  if (!(id in data.exercises)) return;
  delete data.exercises[id];
  save(file, data);
}

function statusText(row: ProgressRow): string {
  if (row.status === "failed")
    return `failed (${row.attempts} ${row.attempts === 1 ? "try" : "tries"})`;
  return row.status;
}

const SYMBOL: Record<ProgressRow["status"], string> = {
  passed: "✓",
  failed: "✗",
  "not tried": "·",
};

function summary(report: ProgressReport): string {
  return `${report.passed} of ${report.total} exercise${report.total === 1 ? "" : "s"} passed`;
}

function escapeCell(text: string): string {
  return text.replace(/[\\|*_`<>[\]]/g, "\\$&");
}

/**
 * The progress table as plain text and as Markdown, grouped by notebook.
 *
 * @example
 * ```ts
 * console.log(formatProgress(progress({ quiet: true })).text);
 * ```
 */
export function formatProgress(report: ProgressReport): { text: string; markdown: string } {
  const idWidth = Math.max(0, ...report.rows.map((r) => r.id.length));
  const titleWidth = Math.max(0, ...report.rows.map((r) => r.title.length));
  const text: string[] = [];
  const md = ["| notebook | exercise | status |", "|---|---|---|"];
  let notebook: string | undefined;
  for (const row of report.rows) {
    const first = row.notebook !== notebook;
    if (first) text.push(row.notebook);
    notebook = row.notebook;
    const symbol = SYMBOL[row.status];
    text.push(
      `  ${symbol} ${row.id.padEnd(idWidth)}  ${row.title.padEnd(titleWidth)}  ${statusText(row)}`,
    );
    md.push(
      `| ${first ? `**${escapeCell(row.notebook)}**` : ""} | ${symbol} ${row.id} ${escapeCell(row.title)} | ${statusText(row)} |`,
    );
  }
  if (report.rows.length === 0) text.push("No exercises are defined yet.");
  text.push("", summary(report));
  return {
    text: text.join("\n"),
    markdown: `${md.join("\n")}\n\n**${summary(report)}**`,
  };
}

/**
 * Shows every exercise of the course, grouped by notebook in course order, with its
 * status (✓ passed, ✗ failed (n tries), · not tried) and a count such as "3 of 9
 * exercises passed". In a notebook it is a table; elsewhere plain text (`make progress`
 * prints the same). Returns the data; `quiet` only returns it.
 *
 * @example
 * ```ts
 * const { passed, total } = progress();
 * ```
 */
export function progress(options: { quiet?: boolean } = {}): ProgressReport {
  expectOptions("options", options);
  const records = readProgress();
  const rows = exercises().map((e): ProgressRow => {
    const record = records[e.id];
    const row: ProgressRow = {
      id: e.id,
      notebook: e.notebook,
      title: e.title,
      status: record?.status ?? "not tried",
      attempts: record?.attempts ?? 0,
    };
    if (record?.firstPassedAt) row.firstPassedAt = record.firstPassedAt;
    if (record?.lastTriedAt) row.lastTriedAt = record.lastTriedAt;
    return row;
  });
  const report: ProgressReport = {
    rows,
    passed: rows.filter((r) => r.status === "passed").length,
    total: rows.length,
  };
  // A notebook prints a cell's last value: make that one line, not a dump of every row.
  Object.defineProperty(report, inspect.custom, { value: () => summary(report) });
  if (!options.quiet) {
    const { text, markdown } = formatProgress(report);
    showMarkdown(markdown, { text });
  }
  return report;
}
