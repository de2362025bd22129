import type { VirtualClock } from "../virtual-clock.js";
import { allOf, defineExercise, expectEqual, fail, pass, peakConcurrency } from "./registry.js";

/**
 * The exercises of notebook 02-generators: a lazy generator, a round-robin scheduler, a
 * coroutine driven with `next(value)`, and a tiny event loop. Every check is
 * deterministic: values and order are compared exactly, and the event loop runs on a
 * virtual clock, so a loop that waits for one sleep at a time takes 3200 virtual ms
 * where the right answer takes 1700, on any machine.
 * @module
 */

type Chunks = (items: Iterable<unknown>, size: number) => Iterable<unknown[]>;
type Trace = [string, unknown][];
type RoundRobin = (tasks: Record<string, Iterator<unknown>>, perTurn: number) => Trace;
type RunningTotal = () => Iterator<number, unknown, number>;
type SleepRequest = { sleep: number };
type SleepyTask = Generator<SleepRequest, void, void>;
/** What the learner's loop is given: the case's virtual clock (its sleeps recorded). */
type LoopClock = Pick<VirtualClock, "sleep" | "now" | "blockingSleep">;
type RunLoop = (tasks: SleepyTask[], clock: LoopClock) => Promise<void>;

// --- 02.1 chunks ----------------------------------------------------------------------

/** An iterable over `count` numbers that counts how many of them have been pulled. */
function countingSource(count: number): { items: Iterable<number>; pulled: () => number } {
  let pulled = 0;
  function* items() {
    for (let i = 1; i <= count; i++) {
      pulled += 1;
      yield i;
    }
  }
  return { items: items(), pulled: () => pulled };
}

defineExercise<Chunks>({
  id: "02.1",
  notebook: "02-generators",
  title: "Chunks, lazily",
  hint: "Fill one chunk from the input, `yield` it, then start the next one; yield the last, shorter chunk if it is not empty.",
  cases: [
    {
      name: "splits into chunks of `size`, the last one shorter",
      run: (chunks) =>
        allOf(
          expectEqual([...chunks([1, 2, 3, 4, 5, 6, 7], 3)], [[1, 2, 3], [4, 5, 6], [7]]),
          expectEqual(
            [...chunks([1, 2, 3, 4], 2)],
            [
              [1, 2],
              [3, 4],
            ],
          ),
          expectEqual([...chunks(["a", "b"], 1)], [["a"], ["b"]]),
        ),
    },
    {
      name: "works on any iterable: a Set, a string, a generator",
      run: (chunks) =>
        allOf(
          expectEqual([...chunks(new Set(["x", "y", "z"]), 2)], [["x", "y"], ["z"]]),
          expectEqual([...chunks("abcde", 2)], [["a", "b"], ["c", "d"], ["e"]]),
          expectEqual([...chunks(countingSource(5).items, 4)], [[1, 2, 3, 4], [5]]),
        ),
    },
    {
      name: "yields nothing for an empty input (not an empty chunk)",
      run: (chunks) => expectEqual([...chunks([], 3)], []),
    },
    {
      name: "is lazy: the first chunk pulls only 3 of 1000 items",
      run: (chunks) => {
        const source = countingSource(1000);
        const first = chunks(source.items, 3)[Symbol.iterator]().next();
        const verdict = expectEqual(first.value, [1, 2, 3]);
        if (!verdict.passed) return verdict;
        const pulled = source.pulled();
        if (pulled <= 4) return pass();
        return fail({
          expected: "3 items pulled from the input to make the first chunk of 3",
          got: `${pulled} items pulled before the first chunk came out`,
          hint:
            "Don't read the whole input first (`[...items]` reads all of it): loop over the input " +
            "with `for...of`, and `yield` each chunk as soon as it is full. A generator only " +
            "runs when asked for its next value, and that is what makes it lazy.",
        });
      },
    },
  ],
});

// --- 02.2 round robin -----------------------------------------------------------------

/** A task for the scheduler: yields its steps, noting in `log` when each one really runs. */
function* steps(name: string, values: unknown[], log: string[]): Generator<unknown, void, unknown> {
  for (const value of values) {
    log.push(`${name} ${String(value)}`);
    yield value;
  }
}

/** The seed's counting task: takes counts from a shared queue and yields after each unit. */
function* counting(name: string, queue: number[], log: string[]): Generator<number, void, unknown> {
  while (queue.length > 0) {
    const count = queue.shift()!;
    for (let i = 0; i < count; i++) {
      log.push(`${name} ${count}`);
      yield count;
    }
  }
}

const SHOWN_STEPS = 10;

/** Two long step lists, shown from the first step where they differ. */
function fromDifference(wanted: string[], got: string[]): { expected: string; got: string } {
  let i = 0;
  while (i < wanted.length && i < got.length && wanted[i] === got[i]) i++;
  const show = (steps: string[]) => {
    if (steps.length === 0) return "no steps at all";
    const part = steps.slice(i, i + SHOWN_STEPS);
    const more = steps.length > i + SHOWN_STEPS ? ", …" : "";
    const shown = part.length === 0 ? "(nothing more)" : part.join(", ") + more;
    return i === 0
      ? `${shown} (${steps.length} steps)`
      : `from step ${i + 1}: ${shown} (${steps.length} steps)`;
  };
  return { expected: show(wanted), got: show(got) };
}

/** Compares a trace and the log of when steps ran with what was expected. */
function judgeTrace(got: unknown, log: string[], expected: Trace, hint: string) {
  if (!Array.isArray(got)) {
    return fail({
      expected: "an array of [task name, yielded value] pairs",
      got: `${typeof got} ${String(got)}`,
      hint: "Collect `[name, step.value]` for every step that yielded, and return that array.",
    });
  }
  const wanted = expected.map(([n, v]) => `${n} ${String(v)}`);
  const trace = (got as Trace).map((pair) =>
    Array.isArray(pair) ? `${pair[0]} ${String(pair[1])}` : String(pair),
  );
  if (trace.join() !== wanted.join()) return fail({ ...fromDifference(wanted, trace), hint });
  if (log.join() !== wanted.join()) {
    const diff = fromDifference(wanted, log);
    return fail({
      expected: `the steps to RUN in the trace's order: ${diff.expected}`,
      got: `they ran in this order: ${diff.got}`,
      hint: "Don't drain the tasks first and interleave afterwards: call `next()` on a task only when it is its turn.",
    });
  }
  return pass();
}

const ROUND_ROBIN_HINT =
  "Keep a line of [name, task] pairs; take the first, call `next()` up to `perTurn` times " +
  "(recording each value), then put it back at the end unless it finished.";

defineExercise<RoundRobin>({
  id: "02.2",
  notebook: "02-generators",
  title: "Round-robin scheduler",
  hint: ROUND_ROBIN_HINT,
  cases: [
    {
      name: "alternates two tasks, one step per turn",
      run: (roundRobin) => {
        const log: string[] = [];
        const got = roundRobin(
          { One: steps("One", [1, 2, 3], log), Two: steps("Two", ["a", "b", "c"], log) },
          1,
        );
        return judgeTrace(
          got,
          log,
          [
            ["One", 1],
            ["Two", "a"],
            ["One", 2],
            ["Two", "b"],
            ["One", 3],
            ["Two", "c"],
          ],
          "Give each task one step, then move on to the next task: the tasks should alternate.",
        );
      },
    },
    {
      name: "lets a finished task drop out without skipping the next one",
      run: (roundRobin) => {
        const log: string[] = [];
        const got = roundRobin(
          {
            A: steps("A", [1, 2, 3], log),
            B: steps("B", [1], log),
            C: steps("C", [1, 2], log),
          },
          1,
        );
        return judgeTrace(
          got,
          log,
          [
            ["A", 1],
            ["B", 1],
            ["C", 1],
            ["A", 2],
            ["C", 2],
            ["A", 3],
          ],
          "When a task finishes, the task after it must still get its turn in the same round " +
            "(removing items from an array while looping over it by index skips the next one).",
        );
      },
    },
    {
      name: "gives each task up to `perTurn` steps per turn",
      run: (roundRobin) => {
        const log: string[] = [];
        const got = roundRobin(
          { One: steps("One", [1, 2, 3, 4, 5], log), Two: steps("Two", ["a", "b", "c"], log) },
          2,
        );
        return judgeTrace(
          got,
          log,
          [
            ["One", 1],
            ["One", 2],
            ["Two", "a"],
            ["Two", "b"],
            ["One", 3],
            ["One", 4],
            ["Two", "c"],
            ["One", 5],
          ],
          "A turn is up to `perTurn` calls of `next()`; it ends early when the task finishes.",
        );
      },
    },
    {
      name: "shares the seed's queue [15, 10, 5, 2] fairly: One counts 15 and 2, Two 10 and 5",
      run: (roundRobin) => {
        const log: string[] = [];
        const queue = [15, 10, 5, 2];
        const got = roundRobin(
          { One: counting("One", queue, log), Two: counting("Two", queue, log) },
          1,
        );
        const expected: Trace = [];
        for (let round = 1; round <= 15; round++) {
          expected.push(["One", 15], ["Two", round <= 10 ? 10 : 5]);
        }
        expected.push(["One", 2], ["One", 2]);
        return judgeTrace(got, log, expected, ROUND_ROBIN_HINT);
      },
    },
    {
      name: "records nothing for a task without steps, and returns [] for no tasks",
      run: (roundRobin) => {
        const log: string[] = [];
        const got = roundRobin({ Empty: steps("Empty", [], log), One: steps("One", [1], log) }, 1);
        const verdict = judgeTrace(
          got,
          log,
          [["One", 1]],
          "Record a step only when `next()` yields (`done` is false).",
        );
        return allOf(
          verdict,
          expectEqual(roundRobin({}, 1), [], "With no tasks there is nothing to run."),
        );
      },
    },
  ],
});

// --- 02.3 running total -----------------------------------------------------------------

/** Primes a fresh coroutine, sends it `values`, and returns the priming reply and the replies. */
function talkTo(make: RunningTotal, values: number[]): { primed: unknown; replies: unknown[] } {
  const coroutine = make();
  const primed = coroutine.next().value;
  const replies = values.map((v) => coroutine.next(v).value);
  return { primed, replies };
}

const ONE_YIELD_HINT =
  "Each `next(value)` resumes exactly one `yield`, and that same `yield` must hand back the " +
  "new total: `total += yield total` receives and replies in one step.";

defineExercise<RunningTotal>({
  id: "02.3",
  notebook: "02-generators",
  title: "A running-total coroutine",
  hint: ONE_YIELD_HINT,
  cases: [
    {
      name: "priming with next() replies 0 (nothing added yet)",
      run: (runningTotal) => {
        const first = runningTotal().next();
        return expectEqual(
          { value: first.value, done: first.done },
          { value: 0, done: false },
          "The coroutine's first `yield` should hand out the starting total, 0.",
        );
      },
    },
    {
      name: "after priming, replies to 5, 3, 10 with 5, 8, 18",
      run: (runningTotal) => expectEqual(talkTo(runningTotal, [5, 3, 10]).replies, [5, 8, 18]),
    },
    {
      name: "counts every value: 1.5, -4, 2.5 → 1.5, -2.5, 0",
      run: (runningTotal) =>
        expectEqual(talkTo(runningTotal, [1.5, -4, 2.5]).replies, [1.5, -2.5, 0]),
    },
    {
      name: "keeps going: 1 + 2 + … + 100 = 5050, and is not done",
      run: (runningTotal) => {
        const coroutine = runningTotal();
        coroutine.next();
        let last: IteratorResult<number, unknown> = { value: 0, done: false };
        for (let i = 1; i <= 100; i++) last = coroutine.next(i);
        return expectEqual({ value: last.value, done: last.done }, { value: 5050, done: false });
      },
    },
    {
      name: "two coroutines keep separate totals",
      run: (runningTotal) => {
        const a = runningTotal();
        const b = runningTotal();
        a.next();
        b.next();
        const replies = [a.next(10).value, b.next(1).value, a.next(10).value, b.next(1).value];
        return expectEqual(
          replies,
          [10, 1, 20, 2],
          "Keep the total in a local variable inside the generator, not outside it.",
        );
      },
    },
  ],
});

// --- 02.4 event loop ------------------------------------------------------------------

interface LoopRun {
  elapsed: number;
  peak: number;
  finished: string[];
  wakes: string[];
  badSleeps: string[];
}

/**
 * Runs the learner's loop on the case's virtual clock over tasks that each ask for the
 * given sleeps (or share a queue of them), recording a span around every sleep.
 */
async function runTasks(
  runLoop: RunLoop,
  clock: VirtualClock,
  plan: Record<string, number[]>,
  shared?: number[],
): Promise<LoopRun> {
  const tl = clock.timeline();
  const finished: string[] = [];
  const wakes: string[] = [];
  const badSleeps: string[] = [];
  function* task(name: string, own: number[]): SleepyTask {
    const queue = shared ?? own;
    while (queue.length > 0) {
      const ms = queue.shift()!;
      const span = tl.begin(name, `sleep ${ms}`, "wait");
      yield { sleep: ms };
      const { start, end } = span.end();
      wakes.push(`${name} woke at ${end}`);
      if (end - start !== ms) badSleeps.push(`${name} asked for ${ms} ms, slept ${end - start}`);
    }
    finished.push(name);
  }
  // The loop gets the clock with its sleeps recorded, so the overlap of the waits is judged.
  const waits = clock.timeline();
  const loopClock: LoopClock = {
    now: clock.now,
    blockingSleep: clock.blockingSleep,
    sleep: (ms, options) => {
      const span = waits.begin("loop", `sleep ${ms}`, "wait");
      return clock.sleep(ms, options).then(() => {
        span.end();
      });
    },
  };
  const tasks = Object.entries(plan).map(([name, own]) => task(name, [...own]));
  const { elapsed } = await clock.run(() => runLoop(tasks, loopClock));
  return { elapsed, peak: peakConcurrency(waits.spans), finished, wakes, badSleeps };
}

/** Judges a run: every task finished, the total virtual time, each sleep exactly as asked. */
function judgeLoop(run: LoopRun, expected: number, names: string[], sum: number) {
  if (run.finished.length !== names.length) {
    return fail({
      expected: `every task to finish: ${names.join(", ")}`,
      got: `finished: ${run.finished.join(", ") || "none"} (after ${run.elapsed} virtual ms)`,
      hint: "Resolve the loop's promise only when the last task has finished (its `next()` says `done`).",
    });
  }
  if (run.elapsed !== expected) {
    let hint =
      "Start every task's sleep as soon as it asks, and resume each task when its own sleep " +
      "resolves; never wait for one sleep before resuming the others.";
    if (run.elapsed === 0) {
      hint =
        "Wait with `clock.sleep(ms)` (the clock your loop is given): only that sleep moves the check's clock.";
    } else if (run.elapsed === sum && names.length > 1) {
      hint = `One sleep at a time adds up to ${sum} ms, as if it blocked. ${hint}`;
    } else if (run.elapsed < expected) {
      hint =
        "Some task was resumed before its own sleep was over: resume a task only when *its* `clock.sleep(ms)` resolves.";
    }
    const staircase = run.peak < 2 && names.length > 1 && run.elapsed > 0;
    return fail({
      expected: `${expected} virtual ms, the sleeps overlapping`,
      got: `${run.elapsed} virtual ms${staircase ? ", one sleep at a time (a staircase)" : ""}`,
      hint,
    });
  }
  if (run.badSleeps.length > 0) {
    return fail({
      expected: "each task resumed exactly when its own sleep is over",
      got: run.badSleeps.slice(0, 3).join("; "),
      hint: "Resume a task when *its* sleep resolves: `clock.sleep(step.value.sleep).then(() => resume(task))`.",
    });
  }
  return pass();
}

const SEED_QUEUE = [1500, 1000, 500, 200];

defineExercise<RunLoop>({
  id: "02.4",
  notebook: "02-generators",
  title: "A tiny event loop",
  hint: "Resume each task when its own `clock.sleep(ms)` resolves, and resolve the loop when every task is done.",
  cases: [
    {
      name: "runs the seed's queue with two tasks in 1700 ms (not 3200)",
      run: async (runLoop, { clock }) => {
        const run = await runTasks(runLoop, clock, { One: [], Two: [] }, [...SEED_QUEUE]);
        return judgeLoop(run, 1700, ["One", "Two"], 3200);
      },
    },
    {
      name: "runs the same queue with three tasks in 1500 ms",
      run: async (runLoop, { clock }) => {
        const run = await runTasks(runLoop, clock, { One: [], Two: [], Three: [] }, [
          ...SEED_QUEUE,
        ]);
        return judgeLoop(run, 1500, ["One", "Two", "Three"], 3200);
      },
    },
    {
      name: "tasks with their own sleeps: 3 × 300 ms, 900 ms and 100 ms take 900 ms",
      run: async (runLoop, { clock }) => {
        const run = await runTasks(runLoop, clock, { A: [300, 300, 300], B: [900], C: [100] });
        return judgeLoop(run, 900, ["A", "B", "C"], 1900);
      },
    },
    {
      name: "wakes tasks in time order: 100 ms steps come before a 250 ms sleep",
      run: async (runLoop, { clock }) => {
        const run = await runTasks(runLoop, clock, { Slow: [250], Quick: [100, 100, 100] });
        const verdict = judgeLoop(run, 300, ["Slow", "Quick"], 550);
        if (!verdict.passed) return verdict;
        return expectEqual(
          run.wakes,
          ["Quick woke at 100", "Quick woke at 200", "Slow woke at 250", "Quick woke at 300"],
          "Resume whichever sleep is over first, not the tasks in a fixed order.",
        );
      },
    },
    {
      name: "one task alone takes the sum of its sleeps; no tasks resolve at once",
      run: async (runLoop, { clock }) => {
        const one = await runTasks(runLoop, clock, { Solo: [200, 300] });
        const verdict = judgeLoop(one, 500, ["Solo"], 500);
        if (!verdict.passed) return verdict;
        const none = await runTasks(runLoop, clock, {});
        return none.elapsed === 0
          ? pass()
          : fail({
              expected: "with no tasks, the loop resolves at once (0 ms)",
              got: `${none.elapsed} ms`,
            });
      },
    },
  ],
});
