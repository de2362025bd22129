/**
 * The proof that every exercise's check fails on the stub as shipped and passes on the
 * reference solution, read straight from the notebooks.
 *
 * Convention (see "How to add an exercise" in lib/src/exercises/registry.ts):
 * - notebooks/<nb>.ipynb: a code cell tagged `exercise` (the stub), and as the next code
 *   cell the check: `await check("<id>", <name>);`
 * - notebooks/solutions/<nb>.ipynb: a code cell tagged `solution`, and as the next code
 *   cell `await check("<id>", <name>, { strict: true });`
 *
 * Each stub or solution cell becomes a small ES module: every export of the library's
 * index bound to its name, then the cell inside a block (so it may shadow those names),
 * then a quiet check that keeps no progress. The module is written to a temporary folder
 * and imported: tsx, which runs these tests, compiles it (`.mts`, so it is an ES module
 * wherever it lives).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { CheckResult } from "../src/check.js";
import { exercises, getExercise } from "../src/exercises/registry.js";
import "../src/exercises/index.js";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const indexUrl = new URL("../src/index.ts", import.meta.url).href;
const checkUrl = new URL("../src/check.ts", import.meta.url).href;
// Belt and braces: checks here pass `progress: false`, and nothing may touch the real file.
process.env.ASYNCLAB_PROGRESS = "off";
const work = mkdtempSync(join(tmpdir(), "asynclab-both-ways-"));
after(() => rmSync(work, { recursive: true, force: true }));

interface Notebook {
  cells: { cell_type: string; source: string | string[]; metadata?: { tags?: string[] } }[];
}

/** One stub or solution cell and the check cell after it. */
export interface ExerciseCell {
  id: string;
  name: string;
  source: string;
  strict: boolean;
  /** The notebook's name without `.ipynb`. */
  notebook: string;
  /** Where it was found, relative to the repository: for messages. */
  where: string;
}

const CHECK_CALL =
  /\bcheck\(\s*(["'`])([^"'`]+)\1\s*,\s*([A-Za-z_$][\w$]*)\s*(?:,\s*(\{[^}]*\})\s*)?\)/;

/**
 * The cells tagged `tag` in a notebook, each with the id and name of the check cell that
 * follows it, plus what breaks the convention.
 */
export function exerciseCells(
  notebook: Notebook,
  tag: "exercise" | "solution",
  name: string,
  where: string,
): { cells: ExerciseCell[]; problems: string[] } {
  const code = notebook.cells.filter((c) => c.cell_type === "code");
  const cells: ExerciseCell[] = [];
  const problems: string[] = [];
  code.forEach((cell, i) => {
    if (!cell.metadata?.tags?.includes(tag)) return;
    const source = [cell.source].flat().join("");
    const next = code[i + 1];
    const call = next ? CHECK_CALL.exec([next.source].flat().join("")) : null;
    if (!call) {
      const firstLine = source.split("\n").find((l) => l.trim() !== "") ?? "";
      problems.push(
        `${where}: the cell tagged "${tag}" (${firstLine.trim()}) must be followed by a check cell ` +
          `such as \`await check("00.1", name)\``,
      );
      return;
    }
    cells.push({
      id: call[2]!,
      name: call[3]!,
      source,
      strict: /\bstrict\s*:\s*true\b/.test(call[4] ?? ""),
      notebook: name,
      where,
    });
  });
  return { cells, problems };
}

function readNotebooks(folder: string, tag: "exercise" | "solution") {
  const found: ExerciseCell[] = [];
  const problems: string[] = [];
  if (!existsSync(folder)) return { found, problems };
  for (const file of readdirSync(folder)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()) {
    const path = join(folder, file);
    const notebook = JSON.parse(readFileSync(path, "utf8")) as Notebook;
    const { cells, problems: p } = exerciseCells(
      notebook,
      tag,
      basename(file, ".ipynb"),
      relative(repoRoot, path),
    );
    found.push(...cells);
    problems.push(...p);
  }
  return { found, problems };
}

/** Moves a cell's `import` statements to the top of the module; drops imports of asynclab. */
export function hoistImports(source: string): { imports: string[]; body: string } {
  const imports: string[] = [];
  const pattern = /^[ \t]*import\s(?:[^;'"]*?\sfrom\s*)?(["'])([^"']+)\1[ \t]*;?[ \t]*$/gm;
  const body = source.replace(pattern, (statement, _q, specifier: string) => {
    if (specifier !== "asynclab") imports.push(statement.trim());
    return "";
  });
  return { imports, body };
}

let labNames: string[] | undefined;

/** The ES module that runs one cell and checks it, quietly and without keeping progress. */
export async function moduleFor(cell: ExerciseCell): Promise<string> {
  labNames ??= Object.keys(await import(indexUrl)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const { imports, body } = hoistImports(cell.source);
  return [
    `import * as __lab from ${JSON.stringify(indexUrl)};`,
    `import { check as __check } from ${JSON.stringify(checkUrl)};`,
    ...imports,
    `const { ${labNames.join(", ")} } = __lab;`,
    "let __result;",
    "{",
    body,
    `;__result = await __check(${JSON.stringify(cell.id)}, ${cell.name}, { quiet: true, progress: false });`,
    "}",
    "export { __result as result };",
  ].join("\n");
}

let serial = 0;
async function runCell(cell: ExerciseCell, kind: string): Promise<CheckResult> {
  const file = join(work, `${cell.id}-${kind}-${serial++}.mts`);
  writeFileSync(file, await moduleFor(cell));
  const module = (await import(pathToFileURL(file).href)) as { result: CheckResult };
  return module.result;
}

function describeFailures(result: CheckResult): string {
  return result.cases
    .filter((c) => !c.passed)
    .map((c) => `${c.name}: expected ${c.expected ?? "?"}, got ${c.got ?? "?"}`)
    .join("; ");
}

/** The whole proof for one folder of notebooks (the course's, or a fixture). */
function bothWays(folder: string, options: { onlyWritten?: boolean } = {}) {
  const stubs = readNotebooks(folder, "exercise");
  const solutions = readNotebooks(join(folder, "solutions"), "solution");
  const shown = relative(repoRoot, folder);

  test("stub and solution cells follow the convention", () => {
    const problems = [...stubs.problems, ...solutions.problems];
    for (const cell of stubs.found) {
      if (cell.strict)
        problems.push(
          `${cell.where}: the check of ${cell.id} must not be strict in a lesson notebook`,
        );
    }
    for (const cell of solutions.found) {
      if (!cell.strict) {
        problems.push(
          `${cell.where}: the check of ${cell.id} must be \`check("${cell.id}", ${cell.name}, { strict: true })\``,
        );
      }
    }
    const seen = new Set<string>();
    for (const cell of [...stubs.found, ...solutions.found]) {
      const key = `${cell.where} ${cell.id}`;
      if (seen.has(key)) problems.push(`${cell.where}: exercise ${cell.id} appears twice`);
      seen.add(key);
      const exercise = getExercise(cell.id);
      if (!exercise)
        problems.push(`${cell.where}: exercise ${cell.id} is not registered (lib/src/exercises)`);
      else if (exercise.notebook !== cell.notebook) {
        problems.push(
          `${cell.where}: exercise ${cell.id} belongs to ${exercise.notebook}, not ${cell.notebook}`,
        );
      }
    }
    assert.deepEqual(problems, []);
  });

  // An exercise whose notebook is not written yet (neither lesson nor solutions) is skipped.
  const notebooks = new Set(exercises().map((e) => e.notebook));
  for (const notebook of notebooks) {
    const lesson = join(folder, `${notebook}.ipynb`);
    const solution = join(folder, "solutions", `${notebook}.ipynb`);
    const written = existsSync(lesson) || existsSync(solution);
    if (!written && options.onlyWritten) continue;
    test(
      `every exercise of ${notebook} has a stub and a solution`,
      written ? {} : { skip: `${shown}/${notebook}.ipynb is not written yet` },
      () => {
        const missing: string[] = [];
        for (const { id } of exercises(notebook)) {
          if (!stubs.found.some((c) => c.id === id)) {
            missing.push(
              `${id} has no stub cell (tagged "exercise") in ${shown}/${notebook}.ipynb`,
            );
          }
          if (!solutions.found.some((c) => c.id === id)) {
            missing.push(
              `${id} has no solution cell (tagged "solution") in ${shown}/solutions/${notebook}.ipynb`,
            );
          }
        }
        assert.deepEqual(missing, []);
      },
    );
  }

  for (const cell of stubs.found) {
    test(`${cell.id} fails on the stub as shipped (${cell.where})`, async () => {
      const result = await runCell(cell, "stub");
      assert.equal(result.id, cell.id);
      const broken = result.cases.find(
        (c) => c.name === "the answer" || c.name === "the check itself",
      );
      assert.equal(
        broken,
        undefined,
        `the check of ${cell.id} did not run its cases: ${broken?.got}`,
      );
      assert.equal(result.passed, false, `the stub of ${cell.id} passes its check`);
    });
  }
  for (const cell of solutions.found) {
    test(`${cell.id} passes on the reference solution (${cell.where})`, async () => {
      const result = await runCell(cell, "solution");
      assert.equal(
        result.passed,
        true,
        `the solution of ${cell.id} fails: ${describeFailures(result)}`,
      );
    });
  }
  return { stubs: stubs.found, solutions: solutions.found };
}

describe("exercises both ways: the fixture notebooks (lib/test/fixtures/notebooks)", () => {
  const { stubs, solutions } = bothWays(
    fileURLToPath(new URL("./fixtures/notebooks", import.meta.url)),
    { onlyWritten: true },
  );
  test("the fixture holds the welcome exercises", () => {
    assert.deepEqual(
      stubs.map((c) => c.id),
      ["00.1", "00.2"],
    );
    assert.deepEqual(
      solutions.map((c) => c.id),
      ["00.1", "00.2"],
    );
  });
});

describe("exercises both ways: the course (notebooks/)", () => {
  bothWays(join(repoRoot, "notebooks"));
});

describe("the machinery", () => {
  const nb = (cells: [string, string, string[]?][]): Notebook => ({
    cells: cells.map(([cell_type, source, tags]) => ({
      cell_type,
      source,
      metadata: tags ? { tags } : {},
    })),
  });

  test("exerciseCells() pairs each tagged cell with the check after it", () => {
    const { cells, problems } = exerciseCells(
      nb([
        ["code", "function f() {}", ["exercise"]],
        ["markdown", "between"],
        ["code", "await check('01.2', f, { strict: true });"],
        ["code", "// alone\nconst g = 1;", ["exercise"]],
        ["code", "g"],
        ["code", "const h = 1;", ["exercise"]],
      ]),
      "exercise",
      "01-x",
      "x.ipynb",
    );
    assert.deepEqual(cells, [
      {
        id: "01.2",
        name: "f",
        source: "function f() {}",
        strict: true,
        notebook: "01-x",
        where: "x.ipynb",
      },
    ]);
    assert.deepEqual(problems, [
      'x.ipynb: the cell tagged "exercise" (// alone) must be followed by a check cell such as `await check("00.1", name)`',
      'x.ipynb: the cell tagged "exercise" (const h = 1;) must be followed by a check cell such as `await check("00.1", name)`',
    ]);
  });

  test("hoistImports() lifts imports out of the cell and drops asynclab's", () => {
    const source = [
      'import { sleep } from "asynclab";',
      "import {",
      "  setTimeout as wait,",
      '} from "node:timers/promises";',
      "import 'node:assert';",
      "const importance = 1; // import x from 'y' in a comment stays",
    ].join("\n");
    const { imports, body } = hoistImports(source);
    assert.deepEqual(imports, [
      'import {\n  setTimeout as wait,\n} from "node:timers/promises";',
      "import 'node:assert';",
    ]);
    assert.equal(body.trim(), "const importance = 1; // import x from 'y' in a comment stays");
  });

  test("a generated module can shadow the library's names and use hoisted imports", async () => {
    const cell: ExerciseCell = {
      id: "00.1",
      name: "slowDouble",
      source: [
        'import { setTimeout as realWait } from "node:timers/promises";',
        "const now = () => realWait; // shadows asynclab's now",
        "async function slowDouble(x: number, sleep: (ms: number) => Promise<void>) {",
        "  await sleep(100);",
        "  return x * 2;",
        "}",
      ].join("\n"),
      strict: false,
      notebook: "00-welcome",
      where: "inline",
    };
    const result = await runCell(cell, "inline");
    assert.equal(result.passed, true);
  });
});
