/**
 * PROPOSAL for lib/test/exercises-02-generators.test.ts (not in the repo: the lesson
 * author owns only the exercise module). The both-ways test proves stub ✗ / solution ✓;
 * this one proves that the typical WRONG answers fail, each with the message meant for it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CheckResult, check } from "../src/check.js";
import "../src/exercises/index.js";

process.env.ASYNCLAB_PROGRESS = "off";

type Nap = { sleep: number };
type Task = Generator<Nap, void, void>;
type LoopClock = { sleep: (ms: number) => Promise<void>; blockingSleep: (ms: number) => void };

const run = (id: string, answer: unknown) => check(id, answer, { quiet: true, progress: false });

/** The first failed case of a result (asserting there is one). */
function firstFailure(result: CheckResult) {
  const failed = result.cases.find((c) => !c.passed);
  assert.ok(failed, "expected a failed case");
  return failed;
}

describe('check("02.1") chunks', () => {
  test("passes a lazy generator", async () => {
    function* chunks<T>(items: Iterable<T>, size: number) {
      let chunk: T[] = [];
      for (const item of items) {
        chunk.push(item);
        if (chunk.length === size) {
          yield chunk;
          chunk = [];
        }
      }
      if (chunk.length > 0) yield chunk;
    }
    assert.equal((await run("02.1", chunks)).passed, true);
  });

  test("fails an eager version on laziness only, saying how much it read", async () => {
    function* eager<T>(items: Iterable<T>, size: number) {
      const all = [...items];
      for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
    }
    const result = await run("02.1", eager);
    assert.deepEqual(
      result.cases.map((c) => c.passed),
      [true, true, true, false],
    );
    assert.equal(firstFailure(result).got, "1000 items pulled before the first chunk came out");
  });

  test("fails an answer whose first chunk is wrong, showing the values", async () => {
    function* offByOne<T>(items: Iterable<T>, size: number) {
      const all = [...items];
      for (let i = 0; i < all.length; i += size + 1) yield all.slice(i, i + size + 1);
    }
    const failed = firstFailure(await run("02.1", offByOne));
    assert.equal(failed.expected, "[ [ 1, 2, 3 ], [ 4, 5, 6 ], [ 7 ] ]");
  });
});

describe('check("02.2") roundRobin', () => {
  const line = (tasks: Record<string, Iterator<unknown>>, perTurn: number) => {
    const trace: [string, unknown][] = [];
    const queue = Object.entries(tasks);
    while (queue.length > 0) {
      const [name, task] = queue.shift()!;
      let done = false;
      for (let i = 0; i < perTurn && !done; i++) {
        const step = task.next();
        if (step.done) done = true;
        else trace.push([name, step.value]);
      }
      if (!done) queue.push([name, task]);
    }
    return trace;
  };

  test("passes a queue-based scheduler", async () => {
    assert.equal((await run("02.2", line)).passed, true);
  });

  test("fails the seed's remove-while-iterating bug on the dropping-out case", async () => {
    const spliceBug = (tasks: Record<string, Iterator<unknown>>) => {
      const list = Object.entries(tasks);
      const trace: [string, unknown][] = [];
      while (list.length > 0) {
        for (let i = 0; i < list.length; i++) {
          const [name, task] = list[i]!;
          const step = task.next();
          if (step.done) list.splice(i, 1);
          else trace.push([name, step.value]);
        }
      }
      return trace;
    };
    const failed = firstFailure(await run("02.2", spliceBug));
    assert.equal(failed.name, "lets a finished task drop out without skipping the next one");
    assert.equal(failed.expected, "from step 5: C 2, A 3 (6 steps)");
    assert.equal(failed.got, "from step 5: A 3, C 2 (6 steps)");
  });

  test("fails an answer that drains the tasks and interleaves afterwards", async () => {
    const drainFirst = (tasks: Record<string, Iterator<unknown>>, perTurn: number) => {
      const drained: Record<string, Iterator<unknown>> = {};
      for (const [name, task] of Object.entries(tasks)) {
        const values: unknown[] = [];
        for (let s = task.next(); !s.done; s = task.next()) values.push(s.value);
        drained[name] = values[Symbol.iterator]();
      }
      return line(drained, perTurn);
    };
    const failed = firstFailure(await run("02.2", drainFirst));
    assert.match(failed.got ?? "", /^they ran in this order: from step 2: One 2/);
  });

  test("fails an answer that returns no array, or nothing", async () => {
    const failed = firstFailure(await run("02.2", () => "One 1, Two a"));
    assert.equal(failed.expected, "an array of [task name, yielded value] pairs");
    const empty = firstFailure(await run("02.2", () => []));
    assert.equal(empty.got, "no steps at all");
  });
});

describe('check("02.3") runningTotal', () => {
  test("passes `total += yield total`", async () => {
    function* runningTotal(): Generator<number, void, number> {
      let total = 0;
      while (true) total += yield total;
    }
    assert.equal((await run("02.3", runningTotal)).passed, true);
  });

  test("fails a shared total", async () => {
    let total = 0;
    function* shared(): Generator<number, void, number> {
      while (true) total += yield total;
    }
    const result = await run("02.3", shared);
    const failed = result.cases.filter((c) => !c.passed).map((c) => c.name);
    assert.ok(failed.includes("two coroutines keep separate totals"));
  });
});

describe('check("02.4") runLoop', () => {
  const perTask = async (tasks: Task[], clock: LoopClock) => {
    await Promise.all(
      tasks.map(async (task) => {
        for (let s = task.next(); !s.done; s = task.next()) await clock.sleep(s.value.sleep);
      }),
    );
  };

  test("passes one async driver per task", async () => {
    assert.equal((await run("02.4", perTask)).passed, true);
  });

  test("fails a blocking loop with 3200 ms, a staircase", async () => {
    const blocking = async (tasks: Task[], clock: LoopClock) => {
      const queue = [...tasks];
      while (queue.length > 0) {
        const task = queue.shift()!;
        const step = task.next();
        if (step.done) continue;
        clock.blockingSleep(step.value.sleep);
        queue.push(task);
      }
    };
    const failed = firstFailure(await run("02.4", blocking));
    assert.equal(failed.expected, "1700 virtual ms, the sleeps overlapping");
    assert.equal(failed.got, "3200 virtual ms, one sleep at a time (a staircase)");
    assert.match(failed.hint ?? "", /^One sleep at a time adds up to 3200 ms/);
  });

  test("fails a loop that resolves when the first task finishes", async () => {
    const early = (tasks: Task[], clock: LoopClock) =>
      new Promise<void>((done) => {
        const resume = (task: Task) => {
          const step = task.next();
          if (step.done) return done();
          void clock.sleep(step.value.sleep).then(() => resume(task));
        };
        tasks.forEach(resume);
        if (tasks.length === 0) done();
      });
    const failed = firstFailure(await run("02.4", early));
    assert.equal(failed.got, "finished: Two (after 1500 virtual ms)");
  });

  test("fails a loop on real timers with 0 virtual ms", async () => {
    const real = (tasks: Task[]) =>
      new Promise<void>((done) => {
        let live = tasks.length;
        if (live === 0) return done();
        const resume = (task: Task) => {
          const step = task.next();
          if (step.done) {
            if (--live === 0) done();
            return;
          }
          setTimeout(() => resume(task), step.value.sleep / 1000);
        };
        tasks.forEach(resume);
      });
    const failed = firstFailure(await run("02.4", real));
    assert.equal(failed.got, "0 virtual ms");
    assert.match(failed.hint ?? "", /clock\.sleep\(ms\)/);
  });

  test("fails a loop that sleeps the shortest request and then resumes everybody", async () => {
    const wakeAll = async (tasks: Task[], clock: LoopClock) => {
      let live = tasks.map((task) => ({ task, step: task.next() }));
      while (true) {
        live = live.filter((t) => !t.step.done);
        if (live.length === 0) return;
        const ms = Math.min(...live.map((t) => (t.step.value as Nap).sleep));
        await clock.sleep(ms);
        for (const t of live) t.step = t.task.next();
      }
    };
    const failed = firstFailure(await run("02.4", wakeAll));
    assert.match(failed.hint ?? "", /resumed before its own sleep was over/);
  });

  test("fails a coarse loop that rounds sleeps up to 100 ms, though its total is right", async () => {
    const coarse = async (tasks: Task[], clock: LoopClock) => {
      await Promise.all(
        tasks.map(async (task) => {
          for (let s = task.next(); !s.done; s = task.next()) {
            await clock.sleep(Math.ceil(s.value.sleep / 100) * 100);
          }
        }),
      );
    };
    const failed = firstFailure(await run("02.4", coarse));
    assert.equal(failed.name, "wakes tasks in time order: 100 ms steps come before a 250 ms sleep");
    assert.equal(failed.expected, "each task resumed exactly when its own sleep is over");
    assert.equal(failed.got, "Slow asked for 250 ms, slept 300");
  });

  test("fails a loop that sleeps even with no tasks", async () => {
    const napFirst = async (tasks: Task[], clock: LoopClock) => {
      if (tasks.length === 0) await clock.sleep(10);
      await perTask(tasks, clock);
    };
    const failed = firstFailure(await run("02.4", napFirst));
    assert.equal(failed.expected, "with no tasks, the loop resolves at once (0 ms)");
    assert.equal(failed.got, "10 ms");
  });
});
