import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { inspect, promisify } from "node:util";
import { type MimeBundle, setDisplaySink } from "../src/display.js";
import { exercises } from "../src/exercises/registry.js";
import {
  formatProgress,
  progress,
  progressFile,
  readProgress,
  recordAttempt,
  resetProgress,
} from "../src/progress.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
let dir: string;
let file: string;
let n = 0;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "asynclab-progress-"));
});
after(() => {
  delete process.env.ASYNCLAB_PROGRESS;
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  // A fresh file per test: warnings are said once per file.
  file = join(dir, `p${n++}`, "progress.json");
  process.env.ASYNCLAB_PROGRESS = file;
});

function capture(method: "warn" | "log", body: () => void): string[] {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (line: string) => lines.push(line);
  try {
    body();
  } finally {
    console[method] = original;
  }
  return lines;
}

const T1 = new Date("2025-01-01T10:00:00.000Z");
const T2 = new Date("2025-01-02T10:00:00.000Z");
const T3 = new Date("2025-01-03T10:00:00.000Z");

describe("progressFile()", () => {
  test("is .progress.json in the course folder unless ASYNCLAB_PROGRESS says otherwise", () => {
    delete process.env.ASYNCLAB_PROGRESS;
    assert.equal(progressFile(), join(repoRoot, ".progress.json"));
    process.env.ASYNCLAB_PROGRESS = "/somewhere/p.json";
    assert.equal(progressFile(), "/somewhere/p.json");
    process.env.ASYNCLAB_PROGRESS = "";
    assert.equal(progressFile(), join(repoRoot, ".progress.json"));
  });
  test("is undefined with ASYNCLAB_PROGRESS=off, and nothing is kept", () => {
    process.env.ASYNCLAB_PROGRESS = "off";
    assert.equal(progressFile(), undefined);
    assert.equal(recordAttempt("00.1", true), undefined);
    assert.deepEqual(readProgress(), {});
    resetProgress();
    resetProgress("00.1");
  });
});

describe("recordAttempt()", () => {
  test("counts attempts, keeps the latest status and the first pass", () => {
    assert.deepEqual(recordAttempt("00.1", false, T1), {
      status: "failed",
      attempts: 1,
      lastTriedAt: "2025-01-01T10:00:00.000Z",
    });
    assert.deepEqual(recordAttempt("00.1", true, T2), {
      status: "passed",
      attempts: 2,
      firstPassedAt: "2025-01-02T10:00:00.000Z",
      lastTriedAt: "2025-01-02T10:00:00.000Z",
    });
    assert.deepEqual(recordAttempt("00.1", false, T3), {
      status: "failed",
      attempts: 3,
      firstPassedAt: "2025-01-02T10:00:00.000Z",
      lastTriedAt: "2025-01-03T10:00:00.000Z",
    });
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), {
      version: 1,
      exercises: { "00.1": readProgress()["00.1"] },
    });
  });
  test("writes atomically: no temporary file is left behind", () => {
    recordAttempt("00.1", true);
    recordAttempt("00.2", false);
    assert.deepEqual(readdirSync(dirname(file)), ["progress.json"]);
    assert.deepEqual(Object.keys(readProgress()), ["00.1", "00.2"]);
  });
  test("never throws when the file cannot be written; warns once", () => {
    const blocker = join(dir, `blocker${n}`);
    writeFileSync(blocker, "a file, not a folder");
    process.env.ASYNCLAB_PROGRESS = join(blocker, "progress.json");
    const warnings = capture("warn", () => {
      assert.equal(recordAttempt("00.1", true), undefined);
      assert.equal(recordAttempt("00.1", true), undefined);
    });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? "",
      /^asynclab: progress could not be saved to .*blocker.*progress\.json/,
    );
  });
  test("rejects a bad id", () => {
    assert.throws(() => recordAttempt(1 as never, true), {
      name: "TypeError",
      message: "Expected `id` to be a non-empty string, got 1",
    });
  });
});

describe("readProgress() on a damaged file", () => {
  test("keeps a .bak copy, starts afresh and says so once", () => {
    recordAttempt("00.1", true);
    writeFileSync(file, "{ not json");
    const warnings = capture("warn", () => {
      assert.deepEqual(readProgress(), {});
      assert.equal(readFileSync(`${file}.bak`, "utf8"), "{ not json");
      assert.equal(existsSync(file), false);
      writeFileSync(file, "[]");
      assert.deepEqual(readProgress(), {});
    });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0] ?? "",
      /could not be read \(.*JSON.*\); kept it as .*progress\.json\.bak/,
    );
    recordAttempt("00.2", false);
    assert.deepEqual(Object.keys(readProgress()), ["00.2"]);
  });
  test("a JSON file of the wrong shape counts as damaged", () => {
    mkdirSync(dirname(file), { recursive: true });
    for (const content of ["null", '{"exercises": 3}']) {
      writeFileSync(file, content);
      capture("warn", () => assert.deepEqual(readProgress(), {}));
      assert.equal(readFileSync(`${file}.bak`, "utf8"), content);
    }
  });
  test("drops records that make no sense and keeps the rest", () => {
    recordAttempt("00.1", true, T1);
    const good = readProgress()["00.1"];
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        exercises: {
          "00.1": good,
          "00.2": { status: "maybe", attempts: 1, lastTriedAt: "x" },
          "00.3": null,
          "00.4": { status: "failed", attempts: -1, lastTriedAt: "x" },
          "00.5": { status: "failed", attempts: 1, lastTriedAt: "x", firstPassedAt: 5 },
        },
      }),
    );
    assert.deepEqual(readProgress(), { "00.1": good });
  });
  test("a file that cannot be read at all is an error, not a fresh start", () => {
    process.env.ASYNCLAB_PROGRESS = dir; // a folder
    assert.throws(() => readProgress(), { code: "EISDIR" });
  });
});

describe("resetProgress()", () => {
  test("forgets one exercise, or everything", () => {
    recordAttempt("00.1", true);
    recordAttempt("00.2", true);
    resetProgress("00.1");
    assert.deepEqual(Object.keys(readProgress()), ["00.2"]);
    resetProgress("00.9"); // unknown: nothing to do
    assert.deepEqual(Object.keys(readProgress()), ["00.2"]);
    resetProgress();
    assert.equal(existsSync(file), false);
    assert.deepEqual(readProgress(), {});
    resetProgress(); // nothing there: still fine
  });
  test("rejects a bad id", () => {
    assert.throws(() => resetProgress(""), {
      name: "TypeError",
      message: 'Expected `id` to be a non-empty string, got ""',
    });
  });
});

describe("progress()", () => {
  let bundles: MimeBundle[];
  let restore: () => void;
  beforeEach(() => {
    bundles = [];
    restore = setDisplaySink((bundle) => bundles.push(bundle));
  });
  afterEach(() => restore());

  test("lists every exercise of the course in order, with its status and a count", () => {
    recordAttempt("00.1", true);
    recordAttempt("00.2", false);
    recordAttempt("00.2", false);
    recordAttempt("77.1", true); // an id no longer in the course is ignored
    const report = progress();
    const all = exercises();
    assert.equal(report.total, all.length);
    assert.equal(report.passed, 1);
    assert.deepEqual(
      report.rows.map((r) => r.id),
      all.map((e) => e.id),
    );
    const [first, second] = report.rows;
    assert.equal(first?.status, "passed");
    assert.ok(first?.firstPassedAt && first.lastTriedAt);
    assert.deepEqual(
      { status: second?.status, attempts: second?.attempts, first: second?.firstPassedAt },
      { status: "failed", attempts: 2, first: undefined },
    );
    assert.ok(report.rows.slice(2).every((r) => r.status === "not tried" && r.attempts === 0));
    assert.equal(bundles.length, 1);
    const text = bundles[0]?.["text/plain"] ?? "";
    assert.match(
      text,
      /^00-welcome\n {2}✓ 00\.1 {2}Your first async function +passed\n {2}✗ 00\.2 {2}Two waits at once +failed \(2 tries\)\n/,
    );
    assert.match(text, new RegExp(`\\n\\n1 of ${all.length} exercises passed$`));
    const markdown = bundles[0]?.["text/markdown"] ?? "";
    assert.match(
      markdown,
      /^\| notebook \| exercise \| status \|\n\|---\|---\|---\|\n\| \*\*00-welcome\*\* \| ✓ 00\.1 Your first async function \| passed \|\n\| {2}\| ✗ 00\.2 Two waits at once \| failed \(2 tries\) \|/,
    );
    assert.match(markdown, new RegExp(`\\*\\*1 of ${all.length} exercises passed\\*\\*$`));
    assert.equal(inspect(report), `1 of ${all.length} exercises passed`);
  });
  test("quiet only returns the data", () => {
    const report = progress({ quiet: true });
    assert.equal(report.passed, 0);
    assert.equal(bundles.length, 0);
    assert.throws(() => progress(3 as never), {
      message: "Expected `options` to be an options object, got 3",
    });
  });
});

describe("formatProgress()", () => {
  test("aligns columns, groups by notebook, says 'try' for one", () => {
    const { text, markdown } = formatProgress({
      rows: [
        { id: "01.1", notebook: "01-a", title: "Short", status: "failed", attempts: 1 },
        { id: "01.10", notebook: "01-a", title: "Longer title", status: "not tried", attempts: 0 },
        { id: "02.1", notebook: "02-b", title: "A|b", status: "passed", attempts: 3 },
      ],
      passed: 1,
      total: 3,
    });
    assert.equal(
      text,
      [
        "01-a",
        "  ✗ 01.1   Short         failed (1 try)",
        "  · 01.10  Longer title  not tried",
        "02-b",
        "  ✓ 02.1   A|b           passed",
        "",
        "1 of 3 exercises passed",
      ].join("\n"),
    );
    assert.match(markdown, /\| \*\*02-b\*\* \| ✓ 02\.1 A\\\|b \| passed \|/);
  });
  test("says so when there are no exercises", () => {
    const { text } = formatProgress({ rows: [], passed: 0, total: 0 });
    assert.equal(text, "No exercises are defined yet.\n\n0 of 0 exercises passed");
    assert.equal(
      formatProgress({ rows: [], passed: 1, total: 1 }).text.endsWith("1 of 1 exercise passed"),
      true,
    );
  });
});

describe("the progress CLI (make progress)", () => {
  const run = promisify(execFile);
  const cli = fileURLToPath(new URL("../src/bin/progress.ts", import.meta.url));
  const node = (args: string[]) =>
    run(process.execPath, ["--import", "tsx", cli, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ASYNCLAB_PROGRESS: file },
    });

  test("prints the table and where progress is kept; --reset forgets", async () => {
    recordAttempt("00.1", true);
    const { stdout } = await node([]);
    assert.match(stdout, /^00-welcome\n {2}✓ 00\.1 /);
    assert.match(stdout, /\n1 of \d+ exercises passed\n\(kept in .*progress\.json\)\n$/);
    const reset = await node(["--reset", "00.1"]);
    assert.match(reset.stdout, /^Forgot exercise 00\.1\.\n00-welcome\n {2}· 00\.1 /);
    assert.deepEqual(readProgress(), {});
    const all = await node(["--reset"]);
    assert.match(all.stdout, /^Forgot every result\./);
    const help = await node(["--help"]);
    assert.match(help.stdout, /^Usage: progress \[--reset \[id\]\]/);
    await assert.rejects(node(["--bogus"]), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr, /^Unknown argument --bogus/);
      return true;
    });
  });
});
