import { format } from "node:util";
import type { VirtualClock } from "../virtual-clock.js";
import { defineExercise, expectEqual, fail, formatValue, pass, type Verdict } from "./registry.js";

/**
 * The exercises of notebook 01-synchronous: two tasks taking turns at a queue of
 * blocking work (timed with `Timer`, judged line by line on a virtual clock), the waiting
 * line of a synchronous server, and the cost of polling. All deterministic: the first
 * runs on a `VirtualClock` whose `blockingSleep` takes no real time and whose readings
 * are exact; the other two are pure functions of their inputs.
 * @module
 */

/** The clock the learner's queue runner is given: blocking sleep and a reading, both virtual. */
type QueueClock = Pick<VirtualClock, "blockingSleep" | "now">;
type TakeTurns = (delays: number[], names: string[], clock: QueueClock) => void;
type ServerWaits = (arrivals: number[], workMs: number) => number[];
type PollingReport = { checks: number; wasted: number; worstDelay: number };
type PollingCost = (finishTimes: number[], period: number) => PollingReport;

// --- 01.1 taking turns ----------------------------------------------------------------

/** What the seed's blocking generators print: one item per turn, then the total. */
function turnsTranscript(delays: number[], names: string[]): string[] {
  const lines: string[] = [];
  delays.forEach((seconds, i) => {
    const name = names[i % names.length];
    lines.push(`Task ${name} running`, `Task ${name} elapsed time: ${seconds.toFixed(1)}`);
  });
  const total = delays.reduce((sum, s) => sum + s, 0);
  lines.push("", `Total elapsed time: ${total.toFixed(1)}`);
  return lines;
}

/** Runs the answer on the case's virtual clock, collecting what it prints. */
async function runTurns(
  takeTurns: TakeTurns,
  delays: number[],
  names: string[],
  clock: VirtualClock,
): Promise<{ lines: string[]; elapsed: number }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(...format(...args).split("\n"));
  };
  try {
    const { elapsed } = await clock.run(() =>
      takeTurns([...delays], [...names], { blockingSleep: clock.blockingSleep, now: clock.now }),
    );
    // "nothing to do" lines are allowed: a task may find the queue empty on its turn.
    return { lines: lines.filter((line) => !/ nothing to do$/.test(line)), elapsed };
  } finally {
    console.log = log;
  }
}

const TURNS_HINT =
  "Let each task take ONE item, run it, then pass the turn to the next task " +
  "(One, Two, One, Two, ...), until the queue is empty.";

const MILLISECONDS_HINT =
  "`blockingSleep` takes MILLISECONDS and the delays are in seconds: sleep `seconds * 1000`.";

function judgeTranscript(
  got: string[],
  expected: string[],
  elapsed: number,
  expectedMs: number,
): Verdict {
  const at = expected.findIndex((line, i) => got[i] !== line);
  if (at < 0 && got.length === expected.length) return pass();
  const index = at < 0 ? expected.length : at;
  const gotLine = got[index];
  const verdict = fail({
    expected: `line ${index + 1}: ${formatValue(expected[index] ?? "(no more lines)")}`,
    got: `line ${index + 1}: ${gotLine === undefined ? "(no more lines)" : formatValue(gotLine)}`,
    hint: TURNS_HINT,
  });
  if (
    gotLine !== undefined &&
    / elapsed time: 0\.0$/.test(gotLine) &&
    Math.abs(elapsed - expectedMs) > 1
  ) {
    verdict.hint = MILLISECONDS_HINT;
  } else if (gotLine !== undefined && / elapsed time: 0\.0$/.test(gotLine)) {
    verdict.hint =
      "Your timers read the real clock, but the check's `blockingSleep` is virtual: create " +
      "each Timer with `clock: clock.now` so that it reads the clock you are given.";
  } else if (gotLine !== undefined && expected[index]?.startsWith("Task ")) {
    const wantName = expected[index]?.split(" ")[1];
    const gotName = gotLine.split(" ")[1];
    if (wantName !== gotName) {
      verdict.hint = `It is Task ${wantName}'s turn here, not Task ${gotName}'s. ${TURNS_HINT}`;
    }
  }
  return verdict;
}

function turnsCase(name: string, delays: number[], names: string[]) {
  return {
    name,
    run: async (takeTurns: TakeTurns, { clock }: { clock: VirtualClock }) => {
      const { lines, elapsed } = await runTurns(takeTurns, delays, names, clock);
      const expectedMs = delays.reduce((sum, s) => sum + s * 1000, 0);
      return judgeTranscript(lines, turnsTranscript(delays, names), elapsed, expectedMs);
    },
  };
}

defineExercise<TakeTurns>({
  id: "01.1",
  notebook: "01-synchronous",
  title: "Take turns at the queue",
  hint: TURNS_HINT,
  cases: [
    turnsCase(
      "two tasks take turns at 1.5, 1.0, 0.5, 0.2 s (the seed's output, total 3.2)",
      [1.5, 1.0, 0.5, 0.2],
      ["One", "Two"],
    ),
    turnsCase("three tasks share five items", [0.4, 0.3, 0.2, 0.1, 0.6], ["One", "Two", "Three"]),
    turnsCase("one task alone takes every item", [0.2, 0.7], ["Solo"]),
    turnsCase("an empty queue: only the total, 0.0", [], ["One", "Two"]),
    {
      name: "taking turns saves no time: the blocking calls still add up to 3.2 s",
      run: async (takeTurns, { clock }) => {
        const { elapsed } = await runTurns(takeTurns, [1.5, 1.0, 0.5, 0.2], ["One", "Two"], clock);
        if (elapsed === 3200) return pass();
        let hint = "Call `clock.blockingSleep(ms)` once per item, for the item's delay.";
        if (elapsed === 0)
          hint = "Use the `blockingSleep` of the clock you are given, not another one.";
        else if (elapsed === 3.2) hint = MILLISECONDS_HINT;
        return fail({
          expected: "3200 ms of blocking (on the check's virtual clock)",
          got: `${elapsed} ms`,
          hint,
        });
      },
    },
  ],
});

// --- 01.2 the waiting line of a synchronous server ----------------------------------

/** First come, first served, one at a time: each client's wait from arrival to reply. */
function referenceWaits(arrivals: number[], workMs: number): number[] {
  const order = arrivals.map((at, i) => ({ at, i })).sort((a, b) => a.at - b.at || a.i - b.i);
  const waits = new Array<number>(arrivals.length).fill(0);
  let free = 0;
  for (const { at, i } of order) {
    const start = Math.max(free, at);
    free = start + workMs;
    waits[i] = free - at;
  }
  return waits;
}

const WAITS_HINT =
  "The server serves one request at a time, in order of arrival: a request starts when it " +
  "has arrived AND the previous one is finished, and its client waits from arrival to finish.";

function waitsCase(name: string, arrivals: number[], workMs: number, hint = WAITS_HINT) {
  return {
    name,
    run: (serverWaits: ServerWaits) => {
      const given = [...arrivals];
      const got = serverWaits(given, workMs);
      const verdict = expectEqual(got, referenceWaits(arrivals, workMs), hint);
      if (verdict.passed && given.join() !== arrivals.join()) {
        return fail({
          expected: `the arrivals left as they were: ${formatValue(arrivals)}`,
          got: formatValue(given),
          hint: "Sort a copy (`[...arrivals]`), not the array you were given.",
        });
      }
      return verdict;
    },
  };
}

defineExercise<ServerWaits>({
  id: "01.2",
  notebook: "01-synchronous",
  title: "The waiting line of a synchronous server",
  hint: WAITS_HINT,
  cases: [
    waitsCase(
      "four clients at once, 300 ms each: the staircase 300, 600, 900, 1200",
      [0, 0, 0, 0],
      300,
      "Only the first client is served at once; each of the others also waits for everyone before it.",
    ),
    waitsCase("clients who arrive spread out never queue", [0, 400, 800], 300),
    waitsCase("a burst, then a lull", [0, 0, 100, 1000, 1050], 200),
    waitsCase(
      "arrivals out of order are served first come, first served (waits in input order)",
      [300, 0, 0],
      100,
      "Serve in order of arrival time (ties: in input order), but return the waits in the " +
        "order the clients were given.",
    ),
  ],
});

// --- 01.3 the cost of polling -------------------------------------------------------

function referencePolling(finishTimes: number[], period: number): PollingReport {
  const checks = Math.ceil(Math.max(...finishTimes) / period);
  const noticedAt = finishTimes.map((t) => Math.ceil(t / period) * period);
  const useful = new Set(noticedAt).size;
  const worstDelay = Math.max(...finishTimes.map((t, i) => noticedAt[i]! - t));
  return { checks, wasted: checks - useful, worstDelay };
}

const POLLING_HINT =
  "The parent checks at period, 2 × period, ... and stops after the check that notices the " +
  "last finished appliance. A check is wasted when it notices nothing new; an appliance " +
  "is noticed at the first check at or after its finish time.";

function pollingCase(name: string, finishTimes: number[], period: number, hint = POLLING_HINT) {
  return {
    name,
    run: (pollingCost: PollingCost) => {
      const got = pollingCost([...finishTimes], period) as Partial<PollingReport> | null;
      const shown =
        got !== null && typeof got === "object"
          ? { checks: got.checks, wasted: got.wasted, worstDelay: got.worstDelay }
          : got;
      return expectEqual(shown, referencePolling(finishTimes, period), hint);
    },
  };
}

defineExercise<PollingCost>({
  id: "01.3",
  notebook: "01-synchronous",
  title: "The cost of polling",
  hint: POLLING_HINT,
  cases: [
    pollingCase(
      "the notebook's parent: finishes at 450, 700, 1150 ms, a check every 400 ms",
      [450, 700, 1150],
      400,
    ),
    pollingCase(
      "two that finish between the same two checks are noticed by one check",
      [120, 150],
      100,
      "One check can notice several appliances: count the checks that notice nothing, not " +
        "`checks - appliances`.",
    ),
    pollingCase(
      "a finish exactly at a check is noticed at once (delay 0)",
      [200, 400],
      200,
      "The delay is the time from the finish to the first check AT or after it: it can be " +
        "0, and it is usually less than a whole period.",
    ),
    pollingCase("a long quiet wait costs many checks", [1000], 150),
    pollingCase("the order of the finish times does not matter", [1150, 450, 700], 400),
    pollingCase("polling faster: smaller delays, more wasted checks", [450, 700, 1150], 100),
  ],
});
