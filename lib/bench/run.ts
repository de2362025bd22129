/**
 * `make bench`: runs every lib/bench/*.bench.ts in its own process, one after the other
 * (so no benchmark disturbs another), prints their lines as they come, and writes the
 * whole run with the machine and Node version to lib/BENCH.md. Exits 1 if any target
 * line says MISS.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();

const sections: string[] = [];
let misses = 0;
for (const file of files) {
  console.log(`\n# ${file}`);
  const run = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(here, file)], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  process.stdout.write(run.stdout);
  const lines = run.stdout.split("\n").filter((l) => / \(target .*\) (ok|MISS)$/.test(l));
  misses += lines.filter((l) => l.endsWith("MISS")).length;
  if (run.status !== 0 && !lines.some((l) => l.endsWith("MISS"))) {
    misses += 1;
    lines.push(`${file}: exited with status ${run.status} (target 0) MISS`);
  }
  sections.push(`## ${file}\n\n\`\`\`\n${lines.join("\n")}\n\`\`\``);
}

const cpu = cpus()[0]?.model ?? "unknown CPU";
const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
writeFileSync(
  join(here, "..", "BENCH.md"),
  `# Benchmarks\n\nThe last \`make bench\` run: ${stamp} UTC on ${machine}.\n` +
    `Every ratio is measured against its peer in the same run. ${misses === 0 ? "All targets ok." : `${misses} target(s) missed.`}\n\n` +
    `${sections.join("\n\n")}\n`,
);
console.log(
  `\n${misses === 0 ? "all targets ok" : `${misses} target(s) MISS`}; written to lib/BENCH.md`,
);
process.exitCode = misses === 0 ? 0 : 1;
