/**
 * The README's examples, run. Every ```ts block of lib/README.md is written to its own
 * `.mts` file in a temporary folder (tsx reads a `.ts` file there as CommonJS, where
 * top-level `await` fails) with `from "asynclab"` pointing at the library's source, and
 * imported. Each must finish within BLOCK_TIMEOUT_MS and leave nothing running, and
 * what it prints must match its output comments, in order, one printed line each:
 * `// → text` exactly (`…` matches anything), `// ≈ text` with every number free
 * (timings vary). The examples are also type-checked, strict, against lib/src. A block whose
 * info string says `no-run` (```ts no-run) is skipped.
 *
 * Display output goes to a sink (it counts as printed output), and ASYNCLAB_PROGRESS=off
 * keeps `check` away from the real progress file.
 */
import assert from "node:assert/strict";
import { createHook } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { format } from "node:util";

process.env.ASYNCLAB_PROGRESS = "off";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SRC = join(ROOT, "lib", "src");
const README = fileURLToPath(new URL("../README.md", import.meta.url));
const INDEX_URL = pathToFileURL(join(SRC, "index.ts")).href;
const BLOCK_TIMEOUT_MS = 10_000;
/** How long a block's sockets, threads and timers may take to go away after it ends. */
const SETTLE_MS = 1_000;

interface Block {
  /** The line of the opening fence, 1-based. */
  line: number;
  /** The nearest heading above it. */
  heading: string;
  info: string;
  code: string;
}

/** The fenced code blocks of a Markdown text, with their info strings and headings. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  let heading = "(top)";
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) {
      if (/^#{1,6} /.test(lines[i]!)) heading = lines[i]!.replace(/^#+ /, "");
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    assert.ok(i < lines.length, `README line ${start + 1}: code block never closed`);
    blocks.push({ line: start + 1, heading, info: open[1]!.trim(), code: body.join("\n") });
  }
  return blocks;
}

function isExample(block: Block): boolean {
  const [lang, ...flags] = block.info.split(/\s+/);
  return lang === "ts" && !flags.includes("no-run");
}

/** The output comments of an example, as patterns for one whole printed line each. */
function expectations(code: string): { comment: string; pattern: RegExp }[] {
  const out: { comment: string; pattern: RegExp }[] = [];
  for (const m of code.matchAll(/\/\/ ([→≈]) (.*)$/gm)) {
    const text = m[2]!.trimEnd();
    const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/…/g, ".*?");
    const source =
      m[1] === "≈" ? escaped.replace(/\d+(?:\\\.\d+)?/g, "-?\\d+(?:\\.\\d+)?") : escaped;
    out.push({ comment: `// ${m[1]} ${text}`, pattern: new RegExp(`^${source}$`) });
  }
  return out;
}

// --- what a block leaves running --------------------------------------------------------

/** Handles that keep a process (or a notebook kernel) busy when left open. */
const WATCHED = new Set([
  "Timeout",
  "WORKER",
  "TCPSERVERWRAP",
  "TCPWRAP",
  "PIPESERVERWRAP",
  "PIPEWRAP",
  "UDPWRAP",
  "FSEVENTWRAP",
  "STATWATCHER",
  "SIGNALWRAP",
  "PROCESSWRAP",
]);
const live = new Map<number, { type: string; resource: unknown }>();
let tracking = false;
const hook = createHook({
  init(asyncId, type, _trigger, resource) {
    if (tracking && WATCHED.has(type)) live.set(asyncId, { type, resource });
  },
  destroy(asyncId) {
    live.delete(asyncId);
  },
});

/**
 * What is still open among the handles created while tracking. A one-shot timer that is
 * `unref`'d is not counted: it keeps nothing alive and ends by itself (fetch's internal
 * clock is one). A repeating one is (`_repeat` is Node's own field for setInterval).
 */
function leftovers(): string[] {
  const open: string[] = [];
  for (const { type, resource } of live.values()) {
    if (type === "Timeout") {
      const timer = resource as { hasRef(): boolean; _repeat?: number | null };
      if (!timer.hasRef() && !timer._repeat) continue;
      open.push(timer._repeat ? "an interval" : "a timer");
    } else {
      open.push(type);
    }
  }
  return open;
}

/** Lets go of what a failing example left open, so that this file can still end. */
function release(): void {
  for (const { type, resource } of live.values()) {
    if (type === "Timeout") clearTimeout(resource as NodeJS.Timeout);
    else (resource as { unref?: () => void }).unref?.();
  }
  live.clear();
}

async function settled(): Promise<string[]> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const open = leftovers();
    if (open.length === 0 || Date.now() > deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// --- running one block ------------------------------------------------------------------

const output: string[] = [];
const CONSOLE = ["log", "info", "warn", "error", "debug"] as const;

async function runBlock(file: string): Promise<void> {
  const saved = CONSOLE.map((m) => console[m]);
  for (const m of CONSOLE) {
    console[m] = (...args: unknown[]) => {
      output.push(...format(...args).split("\n"));
    };
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running after ${BLOCK_TIMEOUT_MS} ms`)),
      BLOCK_TIMEOUT_MS,
    );
  });
  live.clear();
  tracking = true;
  try {
    await Promise.race([import(pathToFileURL(file).href), timeout]);
  } finally {
    tracking = false;
    clearTimeout(timer);
    CONSOLE.forEach((m, i) => {
      console[m] = saved[i]!;
    });
  }
}

function assertOutput(block: Block): void {
  const expected = expectations(block.code);
  if (expected.length > 0) assert.ok(output.length > 0, "the example printed nothing");
  let from = 0;
  for (const { comment, pattern } of expected) {
    const at = output.findIndex((line, i) => i >= from && pattern.test(line.trimEnd()));
    assert.ok(
      at >= 0,
      `no line printed (after the previous match) fits ${comment}\nprinted:\n${output.join("\n")}`,
    );
    from = at + 1;
  }
}

// --- the tests --------------------------------------------------------------------------

const markdown = readFileSync(README, "utf8");
const blocks = codeBlocks(markdown);
/** The sections that are not about an API. */
const NO_EXAMPLE = ["Contents", "Benchmarks"];
const examples = blocks.filter(isExample);
let dir = "";
let sinkCalls = 0;
let restoreSink: (() => void) | undefined;

describe("lib/README.md examples", () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "asynclab-readme-"));
    const lib = (await import(INDEX_URL)) as typeof import("../src/index.js");
    restoreSink = lib.setDisplaySink((bundle) => {
      sinkCalls++;
      output.push(...(bundle["text/plain"] ?? "").split("\n"));
    });
    hook.enable();
  });

  after(() => {
    hook.disable();
    restoreSink?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every section of the README has an example", () => {
    const sections = [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    const withExample = new Set(examples.map((b) => b.heading));
    const without = sections.filter((h) => !withExample.has(h) && !NO_EXAMPLE.includes(h));
    assert.deepEqual(without, []);
  });

  examples.forEach((block, n) => {
    test(`${block.heading} (README line ${block.line})`, async () => {
      const file = join(dir, `example-${String(n + 1).padStart(2, "0")}.mts`);
      // The index's own URL: the examples share the test's instance (and its display sink).
      const code = block.code.replace(/from\s*["']asynclab["']/g, `from "${INDEX_URL}"`);
      writeFileSync(file, `${code}\n`);
      output.length = 0;
      await runBlock(file);
      const open = await settled();
      release();
      assert.deepEqual(open, [], `the example left running: ${open.join(", ")}`);
      assertOutput(block);
    });
  });

  test("display output of the examples went to the test's sink, not the console", () => {
    assert.ok(sinkCalls > 0, "no example output reached setDisplaySink");
  });

  // Running is not enough: an option given a wrong name is ignored at run time.
  test("the examples type-check against the library's source (strict)", () => {
    const types = join(dir, "types");
    mkdirSync(types);
    const tsconfig = {
      extends: join(ROOT, "tsconfig.base.json"),
      compilerOptions: { noEmit: true, typeRoots: [join(ROOT, "node_modules", "@types")] },
      include: ["*.mts"],
    };
    writeFileSync(join(types, "tsconfig.json"), JSON.stringify(tsconfig));
    const index = JSON.stringify(join(SRC, "index.js"));
    examples.forEach((block, n) => {
      const code = block.code.replace(/from\s*["']asynclab["']/g, `from ${index}`);
      writeFileSync(join(types, `example-${n}.mts`), `${code}\n`);
    });
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    // Not under coverage (c8 sets NODE_V8_COVERAGE): tsc's own coverage is megabytes of noise.
    const env = { ...process.env };
    delete env.NODE_V8_COVERAGE;
    const run = spawnSync(process.execPath, [tsc, "-p", types, "--pretty", "false"], {
      encoding: "utf8",
      env,
    });
    // example-N.mts(line,col): error ... → README line numbers.
    const errors = run.stdout.replace(
      /\S*example-(\d+)\.mts\((\d+),(\d+)\)/g,
      (_, n, line, col) => {
        const block = examples[Number(n)]!;
        return `README.md:${block.line + Number(line)}:${col}`;
      },
    );
    assert.equal(run.status, 0, errors || run.stderr);
  });
});

describe("the doc test's reading of Markdown", () => {
  const sample = [
    "# One",
    "```ts",
    'console.log("a"); // → a',
    "```",
    "## Two",
    "```ts no-run",
    "jupyterOnly();",
    "```",
    "```typescript",
    "declare function f(): void;",
    "```",
  ].join("\n");

  test("finds fenced blocks with their info string and heading; runs only plain ts ones", () => {
    const found = codeBlocks(sample);
    assert.deepEqual(
      found.map((b) => [b.line, b.heading, b.info, isExample(b)]),
      [
        [2, "One", "ts", true],
        [6, "Two", "ts no-run", false],
        [9, "Two", "typescript", false],
      ],
    );
  });

  test("→ comments match exactly (… is a wildcard), ≈ comments with any numbers", () => {
    const [exact, loose, wild] = expectations(
      "f(); // → 3 1 2\ng(); // ≈ two workers: 170 ms\nh(); // → data:image/svg+xml;base64,…",
    );
    assert.ok(exact?.pattern.test("3 1 2") && !exact.pattern.test("3 1 23"));
    assert.ok(loose?.pattern.test("two workers: 183.5 ms") && !loose.pattern.test("one: 170 ms"));
    assert.ok(wild?.pattern.test("data:image/svg+xml;base64,PHN2Zz4="));
  });
});
