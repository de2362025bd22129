/**
 * asynclab: the helper library of the Async TypeScript course. Notebooks import
 * everything from here: `import { sleep, Timeline, WorkQueue } from "asynclab"`.
 * @module
 */
export * from "./async-trace.js";
export {
  type BlockingServer,
  type BlockingServerOptions,
  type BlockingServerResponse,
  startBlockingServer,
} from "./blocking-server.js";
export { type CaseResult, type CheckOptions, type CheckResult, check } from "./check.js";
export * from "./clock.js";
export * from "./display.js";
export * from "./loop-lag.js";
export * from "./pool.js";
export {
  type ExerciseRecord,
  type ProgressReport,
  type ProgressRow,
  progress,
  progressFile,
  readProgress,
  resetProgress,
} from "./progress.js";
export * from "./queue.js";
export * from "./timeline.js";
export {
  KIND_COLORS,
  showTimelines,
  type TimelineChartOptions,
  type TimelinesChartOptions,
  timelineSvg,
  timelinesSvg,
} from "./timeline-chart.js";
export {
  type TimelineData,
  type TimelineLike,
  type TimelineTextOptions,
  timelineText,
} from "./timeline-text.js";
export * from "./timer.js";
export { blockingSleep, MAX_DELAY, type SleepOptions, sleep } from "./timers.js";
export { type RunResult, VirtualClock, type VirtualClockOptions } from "./virtual-clock.js";
