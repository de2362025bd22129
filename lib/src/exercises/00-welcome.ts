import { allOf, defineExercise, expectEqual, fail, pass, peakConcurrency } from "./registry.js";

/**
 * The exercises of notebook 00-welcome: a first async function, and a first overlap.
 * Both hand the learner's function the `sleep` to use, which is how every check of the
 * course runs answers on a virtual clock.
 * @module
 */

type Sleep = (ms: number) => Promise<void>;
type SlowDouble = (x: number, sleep: Sleep) => Promise<number>;
type Both = <A, B>(first: () => Promise<A>, second: () => Promise<B>) => Promise<[A, B]>;

const USE_GIVEN_SLEEP =
  "Use the `sleep` your function is given (its second parameter), and `await` it: the check " +
  "runs your code on a virtual clock, where only that `sleep` counts.";

defineExercise<SlowDouble>({
  id: "00.1",
  notebook: "00-welcome",
  title: "Your first async function",
  hint: "Write `await sleep(100);` and then `return x * 2;`.",
  cases: [
    {
      name: "returns twice its argument",
      run: async (slowDouble, { clock, sleep }) => {
        const got: unknown[] = [];
        for (const x of [21, 0, -1.5])
          got.push((await clock.run(() => slowDouble(x, sleep))).value);
        return expectEqual(got, [42, 0, -3], "Return `x * 2` after the sleep.");
      },
    },
    {
      name: "returns a promise (it is an async function)",
      run: async (slowDouble, { clock, sleep }) => {
        let returned: unknown;
        await clock.run(async () => {
          returned = slowDouble(1, sleep);
          return await returned;
        });
        return returned instanceof Promise
          ? pass()
          : fail({
              expected: "a Promise",
              got: `${returned === null ? "null" : typeof returned} (not a promise)`,
              hint: "Declare it `async function slowDouble(...)`: an async function always returns a promise.",
            });
      },
    },
    {
      name: "waits 100 ms before answering",
      run: async (slowDouble, { clock, sleep }) => {
        const { elapsed } = await clock.run(() => slowDouble(5, sleep));
        if (elapsed === 100) return pass();
        return fail({
          expected: "100 ms to pass (on the check's virtual clock)",
          got: `${elapsed} ms`,
          hint: elapsed === 0 ? USE_GIVEN_SLEEP : "Sleep once, for 100 ms.",
        });
      },
    },
  ],
});

defineExercise<Both>({
  id: "00.2",
  notebook: "00-welcome",
  title: "Two waits at once",
  hint: "Start both tasks before awaiting either: `Promise.all([first(), second()])`.",
  cases: [
    {
      name: "returns both results, in order",
      run: async (both, { clock, sleep }) => {
        const { value } = await clock.run(() =>
          both(
            () => sleep(300).then(() => "one"),
            () => sleep(100).then(() => 2),
          ),
        );
        return expectEqual(value, ["one", 2], "Return `[result of first, result of second]`.");
      },
    },
    {
      name: "overlaps the waits: 0.6 s and 0.4 s take 0.6 s, not 1.0 s",
      run: async (both, { clock, sleep, timeline }) => {
        const task = (lane: string, ms: number) => async () => {
          const span = timeline.begin(lane, `sleep ${ms} ms`, "wait");
          await sleep(ms);
          span.end();
          return ms;
        };
        const { elapsed } = await clock.run(() => both(task("One", 600), task("Two", 400)));
        const verdict = allOf(
          expectEqual(elapsed, 600),
          expectEqual(peakConcurrency(timeline.spans), 2),
        );
        if (verdict.passed) return verdict;
        return fail({
          expected: "600 ms, both tasks waiting at the same time",
          got: `${elapsed} ms, ${peakConcurrency(timeline.spans) < 2 ? "one task after the other (a staircase)" : "overlapping, but not 600 ms"}`,
          hint:
            "`await first()` waits before `second()` even starts. Call both first, then " +
            "await them together: `return Promise.all([first(), second()]);`",
        });
      },
    },
  ],
});
