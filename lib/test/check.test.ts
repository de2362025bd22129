import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { inspect } from "node:util";
import { type CheckResult, check } from "../src/check.js";
import { type MimeBundle, setDisplaySink } from "../src/display.js";
import {
  allOf,
  defineExercise,
  type ExerciseDefinition,
  endOrder,
  exercises,
  expectEqual,
  fail,
  forgetExercise,
  formatValue,
  getExercise,
  overlaps,
  pass,
  peakConcurrency,
  startOrder,
  totalTime,
  within,
} from "../src/exercises/registry.js";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "asynclab-check-"));
  process.env.ASYNCLAB_PROGRESS = join(dir, "progress.json");
});
after(() => {
  delete process.env.ASYNCLAB_PROGRESS;
  rmSync(dir, { recursive: true, force: true });
});

const defined: string[] = [];
afterEach(() => {
  for (const id of defined.splice(0)) forgetExercise(id);
});

type Fn = (...args: never[]) => unknown;

/** Defines a throwaway exercise in notebook 99 that the test forgets afterwards. */
function define(id: string, rest: Partial<ExerciseDefinition<Fn>> = {}) {
  defined.push(id);
  return defineExercise<Fn>({
    id,
    notebook: "99-testing",
    title: `Exercise ${id}`,
    cases: [{ name: "passes", run: () => pass() }],
    ...rest,
  });
}

/** Runs `body` with the display captured: what a notebook would show, as bundles. */
async function shown<T>(body: () => Promise<T>): Promise<{ value: T; bundles: MimeBundle[] }> {
  const bundles: MimeBundle[] = [];
  const restore = setDisplaySink((bundle) => bundles.push(bundle));
  try {
    return { value: await body(), bundles };
  } finally {
    restore();
  }
}

async function text<T>(body: () => Promise<T>): Promise<{ value: T; text: string }> {
  const { value, bundles } = await shown(body);
  return { value, text: bundles.map((b) => b["text/plain"]).join("\n") };
}

const double = async (x: number, sleep: (ms: number) => Promise<void>) => {
  await sleep(100);
  return x * 2;
};

describe("check()", () => {
  test("passes when every case passes, and prints one line", async () => {
    define("99.1", {
      title: "Double it",
      cases: [
        {
          name: "doubles",
          run: async (f, { clock, sleep }) =>
            expectEqual((await clock.run(() => (f as typeof double)(2, sleep))).value, 4),
        },
        { name: "waits", run: () => pass() },
      ],
    });
    const { value, text: out } = await text(() => check("99.1", double));
    assert.deepEqual(value, {
      id: "99.1",
      title: "Double it",
      passed: true,
      cases: [
        { name: "doubles", passed: true },
        { name: "waits", passed: true },
      ],
    });
    assert.equal(out, "✓ 99.1 Double it — all 2 cases pass");
  });

  test("reports each failed case with expected, got and hint", async () => {
    define("99.1", {
      title: "Double it",
      hint: "the exercise's hint",
      cases: [
        { name: "doubles", run: () => expectEqual(3, 4, "Return x * 2.") },
        { name: "waits", run: () => fail({ expected: "100 ms", got: "0 ms" }) },
        { name: "fine", run: () => pass() },
      ],
    });
    const { value, text: out } = await text(() => check("99.1", double));
    assert.equal(value.passed, false);
    assert.deepEqual(value.cases[0], {
      name: "doubles",
      passed: false,
      expected: "4",
      got: "3",
      hint: "Return x * 2.",
    });
    assert.equal(
      out,
      [
        "✗ 99.1 Double it — 1 of 3 cases pass",
        "✗ doubles",
        "  expected: 4",
        "  got: 3",
        "  hint: Return x * 2.",
        "✗ waits",
        "  expected: 100 ms",
        "  got: 0 ms",
        "  hint: the exercise's hint",
      ].join("\n"),
    );
  });

  test("shows it as Markdown in a notebook, with values escaped", async () => {
    define("99.1", {
      title: "Stars *here*",
      cases: [
        { name: "a_case", run: () => fail({ expected: "<b>", got: "`x`", hint: "Use `await`." }) },
      ],
    });
    const { bundles } = await shown(() => check("99.1", double));
    assert.equal(bundles.length, 1);
    assert.equal(
      bundles[0]?.["text/markdown"],
      [
        "**✗ 99.1 Stars \\*here\\* — 0 of 1 case pass**",
        "",
        "- ✗ **a\\_case**",
        "  - expected: \\<b\\>",
        "  - got: \\`x\\`",
        "  - hint: Use `await`.",
      ].join("\n"),
    );
  });

  test("says the same thing once for cases that failed the same way", async () => {
    define("99.1", {
      cases: ["one", "two", "three"].map((name) => ({
        name,
        run: (f: Fn) => f() as never,
      })),
    });
    const stub = () => {
      throw new Error("TODO: write me");
    };
    const { value, text: out } = await text(() => check("99.1", stub));
    assert.equal(value.cases.length, 3);
    assert.ok(value.cases.every((c) => c.error instanceof Error));
    assert.equal(
      out,
      [
        "✗ 99.1 Exercise 99.1 — 0 of 3 cases pass",
        "✗ one",
        "✗ two",
        "✗ three",
        "  got: threw Error: TODO: write me",
        "  hint: Your function still throws the stub's TODO error: replace its body with your solution, run that cell, then run this check again.",
      ].join("\n"),
    );
  });

  test("turns a throw or a rejection of anything into a failed case", async () => {
    define("99.1", {
      cases: [
        { name: "rejects", run: async () => Promise.reject(new RangeError("too far")) },
        {
          name: "throws a string",
          run: () => {
            throw "oops";
          },
        },
        { name: "returns junk", run: () => 42 as never },
      ],
    });
    const { value } = await text(() => check("99.1", double));
    assert.deepEqual(
      value.cases.map((c) => c.got),
      [
        "threw RangeError: too far",
        'threw "oops" (not an Error)',
        "the case returned 42, not a verdict (a bug in the exercise)",
      ],
    );
    assert.ok(value.cases[0]?.error instanceof RangeError);
  });

  test("a hung case fails after its timeout, and the cases after it are not run", async () => {
    let ranSecond = false;
    define("99.1", {
      cases: [
        { name: "hangs", run: () => new Promise(() => {}), timeoutMs: 100 },
        {
          name: "second",
          run: () => {
            ranSecond = true;
            return pass();
          },
        },
      ],
    });
    const { value, text: out } = await text(() => check("99.1", double));
    assert.equal(ranSecond, false);
    assert.deepEqual(
      value.cases.map((c) => c.got),
      [
        "still running after 0.1 s (real time): it never finished",
        "not run: an earlier case never finished",
      ],
    );
    assert.match(out, /hint: Is something awaited that never settles/);
  });

  test("an answer waiting on something that is not the provided sleep fails with that message", async () => {
    define("99.1", {
      timeoutMs: 200,
      cases: [
        {
          name: "waits",
          run: async (f, { clock }) => (await clock.run(f as () => Promise<never>)).value,
        },
      ],
    });
    const { value } = await text(() => check("99.1", () => new Promise(() => {})));
    assert.match(
      value.cases[0]?.got ?? "",
      /^it never finished: the answer is waiting on something that is not the provided sleep/,
    );
    assert.match(value.cases[0]?.hint ?? "", /Wait with the `sleep` your function is given/);
  });

  test("holds back what the answer prints, and shows the first lines under a failed case", async () => {
    define("99.1", {
      cases: [
        {
          name: "quiet pass",
          run: () => {
            console.log("not shown");
            return pass();
          },
        },
        {
          name: "noisy fail",
          run: () => {
            for (let i = 1; i <= 7; i++) console.log("line", i);
            console.error("oh\nno");
            return fail({ got: "noise" });
          },
        },
      ],
    });
    const original = console.log;
    const { value, text: out } = await text(() => check("99.1", double));
    assert.equal(console.log, original);
    assert.deepEqual(value.cases[1]?.output, ["line 1", "line 2", "line 3", "line 4", "line 5"]);
    assert.equal(value.cases[0]?.output, undefined);
    assert.match(out, /it printed:\n {4}line 1\n/);
    assert.doesNotMatch(out, /not shown/);
  });

  test("shows printed lines in the Markdown report as a code block", async () => {
    define("99.1", {
      cases: [
        {
          name: "noisy",
          run: () => {
            console.log("hello");
            return fail({ got: "x" });
          },
        },
      ],
    });
    const { bundles } = await shown(() => check("99.1", double));
    assert.match(
      bundles[0]?.["text/markdown"] ?? "",
      /- it printed:\n\n {4}```\n {4}hello\n {4}```/,
    );
  });

  test("an unknown id lists the notebook's exercises and similar ids", async () => {
    define("99.1", { title: "First" });
    define("99.2", { title: "Second" });
    const { value, text: out } = await text(() => check("99.3", double));
    assert.deepEqual(value, { id: "99.3", passed: false, cases: [] });
    assert.equal(
      out,
      [
        '✗ There is no exercise "99.3".',
        "  Exercises of notebook 99-testing: 99.1 First, 99.2 Second.",
        "  Did you mean 99.1 or 99.2?",
      ].join("\n"),
    );
  });

  test("an unknown id of an unknown notebook lists every id; close spellings are suggested", async () => {
    define("99.1");
    const { text: out } = await text(() => check("98-1", double));
    assert.match(out, /Known exercises: .*99\.1\./);
    const { text: padded } = await text(() => check("0.2", double));
    assert.match(padded, /Exercises of notebook 00-welcome: 00\.1 .*\n {2}Did you mean 00\.2\b/);
    const { text: far } = await text(() => check("42", double));
    assert.doesNotMatch(far, /Did you mean/);
    const { text: dashed } = await text(() => check("99-1", double));
    assert.match(dashed, /Did you mean 99\.1\?/);
  });

  test("a missing id says what an id looks like", async () => {
    const { value, text: out } = await text(() => check(undefined as never, double));
    assert.equal(value.passed, false);
    assert.equal(
      out,
      '✗ check(id, answer) needs an exercise id such as "00.1" as its first argument, got undefined',
    );
  });

  test("an undefined answer asks whether the stub cell was run", async () => {
    define("99.1", { title: "Double it" });
    const { value, text: out } = await text(() => check("99.1", undefined));
    assert.equal(value.passed, false);
    assert.equal(
      out,
      "✗ 99.1 Double it: expected a function, got undefined — did you run the stub cell above?",
    );
    const { text: called } = await text(() => check("99.1", 42));
    assert.equal(
      called,
      "✗ 99.1 Double it: expected a function, got 42 — pass the function itself, without calling it (no parentheses)",
    );
  });

  test('`expects: "any"` accepts answers that are not functions', async () => {
    define("99.1", {
      expects: "any",
      cases: [{ name: "is 42", run: (answer) => expectEqual(answer, 42) }],
    });
    const { value } = await text(() => check("99.1", 42 as never));
    assert.equal(value.passed, true);
  });

  test("quiet prints nothing", async () => {
    define("99.1");
    const { value, bundles } = await shown(() => check("99.1", double, { quiet: true }));
    assert.equal(value.passed, true);
    assert.equal(bundles.length, 0);
  });

  test("strict throws after the report when the check fails, and not when it passes", async () => {
    define("99.1", { cases: [{ name: "nope", run: () => fail() }] });
    define("99.2");
    const { bundles } = await shown(async () => {
      await assert.rejects(check("99.1", double, { strict: true }), {
        name: "Error",
        message: 'check("99.1") failed in strict mode: nope',
      });
      await assert.rejects(check("99.9", double, { strict: true, quiet: true }), {
        message: 'check("99.9") failed in strict mode: unknown exercise',
      });
      assert.equal((await check("99.2", double, { strict: true })).passed, true);
    });
    assert.equal(bundles.length, 2);
  });

  test("never throws, even when showing the report fails", async () => {
    define("99.1");
    const restore = setDisplaySink(() => {
      throw new Error("display broke");
    });
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    let result: CheckResult;
    try {
      result = await check("99.1", double, { options: 1 } as never);
    } finally {
      console.error = original;
      restore();
    }
    assert.equal(result.passed, false);
    assert.equal(result.cases[0]?.got, "the checker failed: Error: display broke");
    assert.deepEqual(errors, ['✗ check("99.1"): the checker failed: Error: display broke']);
  });

  test("ignores options that are not an object", async () => {
    define("99.1");
    const { value } = await text(() => check("99.1", double, null as never));
    assert.equal(value.passed, true);
  });

  test("records the attempt in progress, unless `progress: false`", async () => {
    define("99.1", { cases: [{ name: "nope", run: () => fail() }] });
    const file = process.env.ASYNCLAB_PROGRESS!;
    rmSync(file, { force: true });
    await text(() => check("99.1", double, { progress: false }));
    assert.equal(existsSync(file), false);
    await text(() => check("99.1", double));
    await text(() => check("99.1", undefined));
    const saved = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(saved.exercises["99.1"].status, "failed");
    assert.equal(saved.exercises["99.1"].attempts, 2);
  });

  test("its result prints as one line (a notebook shows a cell's last value)", async () => {
    define("99.1");
    const { value } = await text(() => check("99.1", double));
    assert.equal(inspect(value), "CheckResult 99.1: passed");
    const { value: failed } = await text(() => check("99.7", double));
    assert.equal(inspect(failed), "CheckResult 99.7: failed");
  });

  test("checks 00.1, the welcome exercise, both ways", async () => {
    const stub = async (_x: number, _sleep: (ms: number) => Promise<void>): Promise<number> => {
      throw new Error("TODO: wait 100 ms, then return x * 2");
    };
    assert.equal((await check("00.1", stub, { quiet: true, progress: false })).passed, false);
    assert.equal((await check("00.1", double, { quiet: true, progress: false })).passed, true);
  });

  test("00.1 explains what is wrong with near misses", async () => {
    const options = { quiet: true, progress: false };
    const noWait = await check("00.1", async (x: number) => x * 2, options);
    assert.deepEqual(
      noWait.cases.filter((c) => !c.passed).map((c) => [c.name, c.got]),
      [["waits 100 ms before answering", "0 ms"]],
    );
    assert.match(noWait.cases[2]?.hint ?? "", /Use the `sleep` your function is given/);
    const twice = await check(
      "00.1",
      async (x: number, sleep: (ms: number) => Promise<void>) => {
        await sleep(100);
        await sleep(100);
        return x * 2;
      },
      options,
    );
    assert.equal(twice.cases[2]?.hint, "Sleep once, for 100 ms.");
    const notAsync = await check(
      "00.1",
      (x: number, sleep: (ms: number) => Promise<void>) => sleep(100).then(() => x * 2),
      options,
    );
    assert.equal(notAsync.passed, true, "a function returning a promise is async enough");
    const plain = await check("00.1", (x: number) => x * 2, options);
    assert.equal(plain.cases[1]?.got, "number (not a promise)");
    const nothing = await check("00.1", async () => {}, options);
    assert.equal(nothing.cases[0]?.got, "[ undefined, undefined, undefined ]");
    const nullish = await check("00.1", () => null, options);
    assert.equal(nullish.cases[1]?.got, "null (not a promise)");
  });

  test("00.2 tells a staircase from an overlap", async () => {
    const options = { quiet: true, progress: false };
    const sequential = async (a: () => Promise<unknown>, b: () => Promise<unknown>) => [
      await a(),
      await b(),
    ];
    const result = await check("00.2", sequential, options);
    assert.deepEqual(
      result.cases.map((c) => [c.passed, c.got]),
      [
        [true, undefined],
        [false, "1000 ms, one task after the other (a staircase)"],
      ],
    );
    const concurrent = (a: () => Promise<unknown>, b: () => Promise<unknown>) =>
      Promise.all([a(), b()]);
    assert.equal((await check("00.2", concurrent, options)).passed, true);
    // Overlapping but padded with an extra wait: the overlap is there, the time is wrong.
    const padded = async (a: () => Promise<unknown>, b: () => Promise<unknown>) => {
      const both = await Promise.all([a(), b()]);
      await new Promise((resolve) => setTimeout(resolve, 1));
      return both;
    };
    assert.equal((await check("00.2", padded, options)).passed, true, "real waits are not virtual");
  });
});

describe("defineExercise()", () => {
  test("registers an exercise that getExercise() and exercises() find, in course order", () => {
    define("99.10");
    define("99.2");
    assert.equal(getExercise("99.2")?.title, "Exercise 99.2");
    assert.equal(getExercise("99.2")?.timeoutMs, 5000);
    assert.equal(getExercise("99.2")?.expects, "function");
    assert.deepEqual(
      exercises("99").map((e) => e.id),
      ["99.2", "99.10"],
    );
    assert.deepEqual(
      exercises("99-testing").map((e) => e.id),
      ["99.2", "99.10"],
    );
    const all = exercises().map((e) => e.id);
    assert.ok(all.indexOf("00.1") < all.indexOf("99.2"));
  });

  test("rejects a duplicate id", () => {
    define("99.1");
    assert.throws(() => defineExercise({ ...getExercise("99.1")!, title: "Again" }), {
      message: "Exercise 99.1 is defined twice (Exercise 99.1 and Again)",
    });
  });

  test("rejects malformed definitions with the library's error shape", () => {
    const ok = {
      id: "99.1",
      notebook: "99-testing",
      title: "t",
      cases: [{ name: "c", run: pass }],
    };
    const bad: [unknown, string][] = [
      [null, "Expected `definition` to be an exercise definition object, got null"],
      [
        { ...ok, id: "9.1" },
        'Expected `id` to be a string like "02.1" (notebook number . exercise number), got "9.1"',
      ],
      [
        { ...ok, notebook: "Testing" },
        'Expected `notebook` to be a notebook name like "02-generators", got "Testing"',
      ],
      [
        { ...ok, id: "98.1" },
        'Expected `id` to be an id of notebook 99-testing (99.N), got "98.1"',
      ],
      [{ ...ok, title: "" }, 'Expected `title` to be a non-empty string, got ""'],
      [{ ...ok, hint: 3 }, "Expected `hint` to be a non-empty string, got 3"],
      [
        { ...ok, cases: [] },
        "Expected `cases` to be a non-empty array of cases, got an array of length 0",
      ],
      [
        { ...ok, cases: [{ name: "c" }] },
        "Expected `cases[0].run` to be a function, got undefined",
      ],
      [
        { ...ok, cases: [{ name: "c", run: pass, timeoutMs: 0 }] },
        "Expected `cases[0].timeoutMs` to be a finite number ≥ 1, got 0",
      ],
      [{ ...ok, timeoutMs: -1 }, "Expected `timeoutMs` to be a finite number ≥ 1, got -1"],
      [{ ...ok, expects: "class" }, 'Expected `expects` to be "function" or "any", got "class"'],
    ];
    for (const [definition, message] of bad) {
      assert.throws(() => defineExercise(definition as never), { name: "TypeError", message });
    }
    assert.equal(getExercise("99.1"), undefined);
  });
});

describe("verdict helpers", () => {
  test("pass() and fail()", () => {
    assert.deepEqual(pass(), { passed: true });
    assert.deepEqual(fail(), { passed: false });
    assert.deepEqual(fail({ got: "x" }), { passed: false, got: "x" });
    assert.throws(() => fail(7 as never), {
      message: "Expected `details` to be an options object, got 7",
    });
  });
  test("expectEqual() compares deeply and shows both values", () => {
    assert.deepEqual(expectEqual([1, { a: "b" }], [1, { a: "b" }]), { passed: true });
    assert.deepEqual(expectEqual("1", 1), { passed: false, expected: "1", got: "'1'" });
    assert.deepEqual(expectEqual([2], [1], "hint"), {
      passed: false,
      expected: "[ 1 ]",
      got: "[ 2 ]",
      hint: "hint",
    });
  });
  test("formatValue() keeps long values on one short line", () => {
    assert.equal(formatValue({ a: [1, 2] }), "{ a: [ 1, 2 ] }");
    assert.match(formatValue(Array.from({ length: 20 }, (_, i) => i)), /\.\.\. 8 more items/);
  });
  test("allOf() is the first failure, or a pass", () => {
    assert.deepEqual(allOf(pass(), fail({ got: "a" }), fail({ got: "b" })), {
      passed: false,
      got: "a",
    });
    assert.deepEqual(allOf(pass(), pass()), { passed: true });
    assert.deepEqual(allOf(), { passed: true });
  });
});

describe("timeline judges", () => {
  const staircase = [
    { lane: "One", label: "a", start: 0, end: 600 },
    { lane: "Two", label: "b", start: 600, end: 1000 },
  ];
  const overlap = [
    { lane: "One", label: "a", start: 0, end: 600 },
    { lane: "Two", label: "b", start: 0, end: 400 },
    { lane: "Two", label: "c", start: 400, end: 500 },
  ];
  test("peakConcurrency() counts spans in progress at once; touching is not overlapping", () => {
    assert.equal(peakConcurrency([]), 0);
    assert.equal(peakConcurrency(staircase), 1);
    assert.equal(peakConcurrency(overlap), 2);
    assert.equal(
      peakConcurrency([
        { start: 0, end: 10 },
        { start: 1, end: 9 },
        { start: 2, end: 8 },
        { start: 5, end: 5 },
      ]),
      3,
    );
  });
  test("overlaps()", () => {
    assert.equal(overlaps(staircase), false);
    assert.equal(overlaps(overlap), true);
  });
  test("totalTime() spans the earliest start to the latest end", () => {
    assert.equal(totalTime([]), 0);
    assert.equal(totalTime(staircase), 1000);
    assert.equal(
      totalTime([
        { start: 100, end: 700 },
        { start: 100, end: 500 },
      ]),
      600,
    );
  });
  test("within() allows a window of slack ms or a ratio of the ideal", () => {
    assert.equal(within(1700, 1700), true);
    assert.equal(within(1701, 1700), false);
    assert.equal(within(1712, 1700, { slack: 50 }), true);
    assert.equal(within(3200, 1700, { ratio: 0.25 }), false);
    assert.equal(within(2000, 1700, { ratio: 0.25 }), true);
    assert.throws(() => within(1, 1, { slack: -1 }), {
      message: "Expected `slack` to be a finite number ≥ 0, got -1",
    });
    assert.throws(() => within(1, 1, { ratio: -1 }), {
      message: "Expected `ratio` to be a finite number ≥ 0, got -1",
    });
    assert.throws(() => within(Number.NaN, 1), {
      message: "Expected `value` to be a finite number, got NaN",
    });
  });
  test("startOrder() and endOrder() list labels (or lanes), ties in recording order", () => {
    assert.deepEqual(startOrder(overlap), ["a", "b", "c"]);
    assert.deepEqual(endOrder(overlap), ["b", "c", "a"]);
    assert.deepEqual(
      endOrder([
        { lane: "L", start: 0, end: 1 },
        { start: 0, end: 1 },
      ]),
      ["L", ""],
    );
  });
});
