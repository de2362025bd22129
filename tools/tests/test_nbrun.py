"""Tests for tools/nbrun.py: one verdict and message per fixture notebook, plus the CLI.

The fixture runs are the slow part (a tslab kernel takes ~1.2 s to start), so the
module fixture ``runs`` starts three runner processes at once and every fixture test
reads their --json reports and output:

- ``batch``: all fixtures but slow.ipynb, three at a time, --shutdown-timeout 1.5
- ``slow``: slow.ipynb with --timeout 2
- ``nowait``: abort.ipynb with the test hook --no-wait-after-error
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbrun
import pytest
from conftest import FIXTURES, ROOT, pid_is_gone, run_tool, start_tool

REL = FIXTURES.relative_to(ROOT).as_posix()  # tools/tests/fixtures


@dataclass
class Run:
    """One finished runner process: exit code, printed output, parsed --json report."""

    code: int
    output: str
    report: dict[str, Any]

    def notebook(self, name: str) -> dict[str, Any]:
        """The report entry for fixtures/<name>.ipynb."""
        path = f"{REL}/{name}.ipynb"
        found = [n for n in self.report["notebooks"] if n["path"] == path]
        assert found, f"{path} not in report: {[n['path'] for n in self.report['notebooks']]}"
        return found[0]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Run the fixture notebooks through the CLI, three runner processes in parallel."""
    out = tmp_path_factory.mktemp("reports")
    batch = [f"{REL}/{p.name}" for p in sorted(FIXTURES.glob("*.ipynb")) if p.name != "slow.ipynb"]
    commands = {
        "batch": [*batch, "--jobs", "3", "--shutdown-timeout", "1.5"],
        "slow": [f"{REL}/slow.ipynb", "--timeout", "2"],
        "nowait": [f"{REL}/abort.ipynb", "--no-wait-after-error"],
    }
    procs = {
        name: start_tool("nbrun.py", *args, "--json", str(out / f"{name}.json"))
        for name, args in commands.items()
    }
    results = {}
    for name, proc in procs.items():
        try:
            output, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            for other in procs.values():
                other.kill()
            pytest.fail(f"nbrun run {name!r} did not finish in 120 s")
        report = json.loads((out / f"{name}.json").read_text())
        results[name] = Run(proc.returncode, output, report)
    return results


# --- one verdict per fixture ------------------------------------------------------------

FAILURES = {
    # fixture: (1-based cell the failure is pinned on, text the error must contain)
    "error_cell": (2, "cell 2 failed: Error: boom"),
    "type_error": (1, "cell 1 failed: TypeScript: 1:7 - Type 'string' is not assignable to type 'number'."),
    "tagged_no_raise": (1, "cell 1 is tagged raises-exception but ran without an error"),
    "late_rejection": (1, "error after cell 1 finished: UnhandledPromiseRejection: Error: late"),
    "late_throw": (1, "error after cell 1 finished: UncaughtException: Error: late throw"),
    "late_during_cell": (2, "unhandled error while cell 2 was running: UncaughtException: Error: late throw"),
    "open_server": (None, "kernel did not exit within 1.5 s of shutdown: something is still running"),
    "interval": (None, "kernel did not exit within 1.5 s of shutdown: something is still running"),
    "dies": (2, "kernel died while running cell 2 (exit code 3)"),
}


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_failing_fixture_fails_with_its_message(runs: dict[str, Run], name: str) -> None:
    entry = runs["batch"].notebook(name)
    cell, message = FAILURES[name]
    assert entry["ok"] is False
    assert message in entry["error"]
    assert entry["cell"] == cell


def test_good_passes_and_runs_every_code_cell(runs: dict[str, Run]) -> None:
    entry = runs["batch"].notebook("good")
    assert entry["ok"] is True, entry["error"]
    assert entry["error"] is None
    # 5 non-empty code cells; the markdown, raw and empty cells are skipped
    assert entry["code_cells"] == 5
    assert entry["cells_run"] == 5


def test_abort_fixture_passes_because_the_runner_waits_after_the_expected_error(runs: dict[str, Run]) -> None:
    entry = runs["batch"].notebook("abort")
    assert entry["ok"] is True, entry["error"]
    assert entry["cells_run"] == entry["code_cells"] == 4


def test_an_aborted_cell_is_a_failure_never_a_pass(runs: dict[str, Run]) -> None:
    run = runs["nowait"]
    entry = run.notebook("abort")
    assert entry["ok"] is False
    assert entry["error"].startswith("cell 3 was aborted by the kernel: it did not run")
    assert entry["cell"] == 3
    assert entry["cells_run"] == 1  # only the tagged cell ran; the aborted one does not count
    assert run.code == 1
    assert run.output.splitlines()[-1] == "0 passed, 1 failed"


def test_time_limit(runs: dict[str, Run]) -> None:
    run = runs["slow"]
    entry = run.notebook("slow")
    assert entry["ok"] is False
    assert entry["error"] == "timed out after 2 s in cell 2"
    assert entry["seconds"] < 30
    assert "await new Promise((resolve) => setTimeout(resolve, 5000));" in run.output
    assert run.code == 1


# --- what the CLI prints and writes -----------------------------------------------------


def test_batch_summary_line_and_exit_code(runs: dict[str, Run]) -> None:
    run = runs["batch"]
    assert run.output.splitlines()[-1] == "2 passed, 9 failed"
    assert run.code == 1
    assert run.report["passed"] == 2 and run.report["failed"] == 9


def test_json_report_fields(runs: dict[str, Run]) -> None:
    for entry in runs["batch"].report["notebooks"]:
        assert {"path", "ok", "seconds", "cells_run", "error"} <= entry.keys()
        assert isinstance(entry["seconds"], float) and entry["seconds"] > 0
        assert (entry["error"] is None) == entry["ok"]


def test_pass_line_shows_duration_and_cells(runs: dict[str, Run]) -> None:
    assert re.search(rf"^PASS {REL}/good\.ipynb \(\d+\.\d s, 5 cells\)$", runs["batch"].output, re.M)


def test_failure_shows_path_cell_source_and_stderr(runs: dict[str, Run]) -> None:
    output = runs["batch"].output
    block = output.split(f"FAIL {REL}/error_cell.ipynb", 1)[1].split("\nPASS ", 1)[0].split("\nFAIL ", 1)[0]
    assert "error: cell 2 failed: Error: boom" in block
    assert "cell 2 source:" in block
    assert 'throw new Error("boom");' in block
    assert "cell 2 stderr:" in block
    assert "Error: boom" in block.split("cell 2 stderr:", 1)[1]


def test_failure_of_a_late_error_shows_the_late_stderr(runs: dict[str, Run]) -> None:
    block = runs["batch"].output.split(f"FAIL {REL}/late_throw.ipynb", 1)[1].split("\nPASS ", 1)[0]
    assert "cell 1 source:" in block
    assert "UncaughtException: Error: late throw" in block


def test_expected_error_is_not_printed(runs: dict[str, Run]) -> None:
    assert "expected failure" not in runs["batch"].output


def test_every_kernel_process_is_gone(runs: dict[str, Run]) -> None:
    pids = [e["kernel_pid"] for run in runs.values() for e in run.report["notebooks"]]
    assert len(pids) == 13 and all(pids)
    assert [p for p in pids if not pid_is_gone(p)] == []


# --- the Python API ---------------------------------------------------------------------


def test_kernel_starts_with_an_empty_path_and_runs_every_cell() -> None:
    result = nbrun.run_notebook(FIXTURES / "good.ipynb", timeout=30, env={"PATH": ""})
    assert result.ok, result.error
    assert 'PATH=""' in result.record(5).stdout
    assert "sum 2" in result.record(5).stdout
    assert "last cell ran" in result.record(8).stdout
    # the tagged cell's error is kept, not reported
    tagged = result.record(3)
    assert tagged.tagged and tagged.status == "error"
    assert "Error: expected failure" in tagged.stderr
    assert pid_is_gone(result.kernel_pid)


# --- finding notebooks ------------------------------------------------------------------


def _notebook(path: Path, *sources: str) -> None:
    """Write a minimal nbformat 4 notebook with one code cell per source."""
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": f"c{i}",
            "metadata": {},
            "outputs": [],
            "source": src,
        }
        for i, src in enumerate(sources)
    ]
    kernelspec = {"name": "tslab", "display_name": "TypeScript (tslab)", "language": "typescript"}
    nb = {"cells": cells, "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1) + "\n")


def test_no_args_runs_nested_notebooks_in_their_own_folder(tmp_path: Path) -> None:
    cwd_check = (
        'import * as fs from "fs";\n'
        'if (!fs.existsSync("marker.txt")) throw new Error("cwd is " + process.cwd());'
    )
    _notebook(tmp_path / "notebooks" / "a" / "b" / "deep.ipynb", cwd_check)
    (tmp_path / "notebooks" / "a" / "b" / "marker.txt").write_text("here\n")
    _notebook(tmp_path / "notebooks" / "solutions" / "sol.ipynb", 'throw new Error("nested boom");')
    _notebook(tmp_path / "notebooks" / "top.ipynb", "1 + 1")
    _notebook(tmp_path / "notebooks" / ".ipynb_checkpoints" / "top-checkpoint.ipynb", "1")
    _notebook(tmp_path / "elsewhere" / "x.ipynb", "1")

    result = run_tool("nbrun.py", "--jobs", "3", cwd=tmp_path)

    verdicts = [
        line.split(" (")[0] for line in result.stdout.splitlines() if line.startswith(("PASS", "FAIL"))
    ]
    assert verdicts == [
        "PASS notebooks/a/b/deep.ipynb",
        "FAIL notebooks/solutions/sol.ipynb",
        "PASS notebooks/top.ipynb",
    ], result.stdout
    assert "error: cell 1 failed: Error: nested boom" in result.stdout
    assert result.stdout.splitlines()[-1] == "2 passed, 1 failed"
    assert result.returncode == 1


def test_find_notebooks_expands_folders_globs_and_skips_checkpoints(tmp_path: Path) -> None:
    for rel in [
        "notebooks/b.ipynb",
        "notebooks/a/c.ipynb",
        "notebooks/.ipynb_checkpoints/b-checkpoint.ipynb",
        "x/d.ipynb",
    ]:
        _notebook(tmp_path / rel, "1")
    default, _ = nbrun.find_notebooks([], root=tmp_path)
    assert [p.as_posix() for p in default] == ["notebooks/a/c.ipynb", "notebooks/b.ipynb"]
    found, unmatched = nbrun.find_notebooks(["x", "notebooks/*.ipynb", "nothing/*.ipynb"], root=tmp_path)
    assert [p.as_posix() for p in found] == ["x/d.ipynb", "notebooks/b.ipynb"]
    assert unmatched == ["nothing/*.ipynb"]


def test_no_notebooks_found_fails_unless_allowed(tmp_path: Path) -> None:
    empty = run_tool("nbrun.py", cwd=tmp_path)
    assert empty.stdout.splitlines()[-1] == "0 passed, 0 failed"
    assert "no notebooks found" in empty.stdout
    assert empty.returncode == 1
    allowed = run_tool("nbrun.py", "--allow-empty", cwd=tmp_path)
    assert allowed.stdout.splitlines()[-1] == "0 passed, 0 failed"
    assert allowed.returncode == 0


def test_a_path_matching_nothing_is_a_failure(tmp_path: Path) -> None:
    result = run_tool("nbrun.py", "missing/*.ipynb", cwd=tmp_path)
    assert "FAIL missing/*.ipynb: no notebook matches this path or glob" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 1 failed"
    assert result.returncode == 1


def test_a_file_that_is_not_a_notebook_fails_plainly(tmp_path: Path) -> None:
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    result = run_tool("nbrun.py", "broken.ipynb", cwd=tmp_path)
    assert "FAIL broken.ipynb" in result.stdout
    assert "error: cannot read notebook: invalid JSON" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 1 failed"


def test_unknown_kernel_name_fails_plainly() -> None:
    result = run_tool("nbrun.py", f"{REL}/good.ipynb", "--kernel", "no-such-kernel")
    assert "kernel 'no-such-kernel' did not start" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 1 failed"
    assert result.returncode == 1


# --- small pieces -----------------------------------------------------------------------


def test_error_summary_picks_the_error_line() -> None:
    runtime = (
        'evalmachine.<anonymous>:2\nthrow new Error("boom");\n^\n\n'
        "Error: boom\n    at evalmachine.<anonymous>:2:7\n"
    )
    assert nbrun.error_summary(runtime) == "Error: boom"
    assert nbrun.error_summary("1:7 - Type 'string' is not assignable to type 'number'.\n") == (
        "TypeScript: 1:7 - Type 'string' is not assignable to type 'number'."
    )
    assert nbrun.error_summary("TypeError: x is not a function\n") == "TypeError: x is not a function"
    assert nbrun.error_summary("") == "no message on stderr"


def test_late_error_pattern() -> None:
    assert nbrun.LATE_ERROR.search("UnhandledPromiseRejection: Error: late\n    at x")
    assert nbrun.LATE_ERROR.search("UncaughtException: Error: late throw\n")
    assert not nbrun.LATE_ERROR.search("Error: boom\n")


def test_describe_lists_stdout_tail_only_for_the_failing_cell() -> None:
    record = nbrun.CellRecord(
        index=4,
        source="doIt()",
        tagged=False,
        status="error",
        stdout="".join(f"line {i}\n" for i in range(30)),
        stderr="Error: x\n",
    )
    result = nbrun.Result(
        path="n.ipynb",
        ok=False,
        seconds=1.3,
        cells_run=2,
        code_cells=3,
        error="cell 4 failed: Error: x",
        cell=4,
        cells=[record],
    )
    text = nbrun.describe(result)
    assert text.splitlines()[0] == "FAIL n.ipynb (1.3 s, 2 of 3 cells)"
    assert "cell 4 stdout (last 20 lines):" in text
    assert "line 29" in text and "line 9\n" not in text


def test_fixtures_are_clean() -> None:
    """Fixtures are committed like the course's notebooks: tslab, no outputs."""
    for path in FIXTURES.glob("*.ipynb"):
        nb = json.loads(path.read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "tslab", path
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path
