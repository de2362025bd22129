#!/usr/bin/env node
/**
 * `make progress`: prints every exercise of the course and whether you passed it, the
 * same table `progress()` shows in a notebook.
 *
 * Usage: node lib/dist/bin/progress.js [--reset [id]]
 *   --reset       forget every result (start the course over)
 *   --reset 00.1  forget one exercise's result
 * @module
 */
import { progress, progressFile, resetProgress } from "../progress.js";

const args = process.argv.slice(2);
if (args[0] === "--help" || args[0] === "-h") {
  console.log("Usage: progress [--reset [id]]  (shows your progress through the exercises)");
} else if (args[0] === "--reset") {
  resetProgress(args[1]);
  console.log(args[1] ? `Forgot exercise ${args[1]}.` : "Forgot every result.");
  progress();
} else if (args.length > 0) {
  console.error(`Unknown argument ${args[0]}. Usage: progress [--reset [id]]`);
  process.exitCode = 2;
} else {
  progress();
  const file = progressFile();
  console.log(file ? `(kept in ${file})` : "(progress is not kept: ASYNCLAB_PROGRESS=off)");
}
