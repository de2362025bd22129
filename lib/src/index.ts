/**
 * asynclab: the helper library of the Async TypeScript course. Notebooks import
 * everything from here: `import { sleep, Timeline, WorkQueue } from "asynclab"`.
 * @module
 */
export * from "./clock.js";
export * from "./display.js";
export * from "./timeline.js";
