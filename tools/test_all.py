"""Run every check of the course and end with one line: ``N passed, N failed``.

Stages, in order (each runs even when an earlier one failed, so one run shows
everything that is wrong):

- notebook hygiene: committed notebooks carry no outputs, no execution counts, kernel tslab
- format and lint (Biome for TypeScript, Ruff for the Python tools)
- type check of the library, its tests and benchmarks (tsc)
- the library's tests under node's test runner, with the coverage gate (c8)
- the tools' tests (pytest): the notebook runner and its fixtures, the lab launcher
- every notebook executed headless by tools/nbrun.py

Test counts come from each runner's own summary; a stage without counts (lint, type
check, coverage gate) counts as one check. Exit status is non-zero on any failure.

Usage: python tools/test_all.py [--only STAGE ...] [--skip STAGE ...]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "node_modules" / ".bin"
PY = sys.executable


@dataclass
class Stage:
    name: str
    command: list[str]
    counts: Callable[[str, int], tuple[int, int]]


def single(_output: str, code: int) -> tuple[int, int]:
    """A stage that is one check: pass or fail by exit code."""
    return (1, 0) if code == 0 else (0, 1)


def node_test_counts(output: str, code: int) -> tuple[int, int]:
    """node --test TAP summary lines, plus the coverage gate as one more check."""
    passed = _last_int(r"^ℹ pass (\d+)$", output)
    failed = _last_int(r"^ℹ fail (\d+)$", output)
    if passed is None or failed is None:
        return (0, 1)
    cancelled = _last_int(r"^ℹ cancelled (\d+)$", output) or 0
    failed += cancelled
    gate_failed = "ERROR: Coverage for" in output
    passed += 0 if gate_failed else 1
    failed += 1 if gate_failed else 0
    if code != 0 and failed == 0:
        failed = 1  # the runner failed for a reason its counts do not show
    return (passed, failed)


def pytest_counts(output: str, code: int) -> tuple[int, int]:
    """pytest's closing line: '3 passed, 1 failed, 2 errors in 4.2s'."""
    tail = output.strip().splitlines()[-1] if output.strip() else ""
    passed = _last_int(r"(\d+) passed", tail) or 0
    failed = (_last_int(r"(\d+) failed", tail) or 0) + (_last_int(r"(\d+) errors?", tail) or 0)
    if code != 0 and failed == 0:
        failed = 1
    return (passed, failed)


def plain_counts(output: str, code: int) -> tuple[int, int]:
    """The runner's own 'N passed, N failed' closing line."""
    match = re.findall(r"^(\d+) passed, (\d+) failed$", output, re.M)
    if not match:
        return (0, 1)
    passed, failed = (int(x) for x in match[-1])
    if code != 0 and failed == 0:
        failed = 1
    return (passed, failed)


def _last_int(pattern: str, text: str) -> int | None:
    found = re.findall(pattern, text, re.M)
    return int(found[-1]) if found else None


def lib_test_files() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "lib" / "test").rglob("*.test.ts"))


def stages() -> list[Stage]:
    coverage = [
        str(BIN / "c8"),
        "--check-coverage",
        "--lines=90",
        "--branches=90",
        "--include=lib/src/**",
        "--exclude=lib/src/bin/**",
        "--reporter=text-summary",
        "--reports-dir=build/coverage",
        "--temp-directory=build/coverage/tmp",
    ]
    return [
        Stage("notebook hygiene", [PY, "tools/nbclean.py", "check"], single),
        Stage("format and lint", [str(BIN / "biome"), "ci", "--colors=off"], single),
        Stage("python lint", [str(Path(PY).parent / "ruff"), "check", "--no-cache", "tools"], single),
        Stage(
            "python format",
            [str(Path(PY).parent / "ruff"), "format", "--check", "--no-cache", "tools"],
            single,
        ),
        Stage("type check", [str(BIN / "tsc"), "-p", "lib/tsconfig.check.json"], single),
        Stage(
            "library tests",
            [*coverage, "node", "--import", "tsx", "--test", "--test-reporter=spec", *lib_test_files()],
            node_test_counts,
        ),
        Stage(
            "tools tests", [PY, "-m", "pytest", "tools/tests", "-q", "-p", "no:cacheprovider"], pytest_counts
        ),
        Stage("notebooks", [PY, "tools/nbrun.py"], plain_counts),
    ]


def run(stage: Stage) -> tuple[int, int, float]:
    print(f"\n=== {stage.name} ===", flush=True)
    started = time.monotonic()
    proc = subprocess.Popen(
        stage.command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line)
        sys.stdout.write(line)
    code = proc.wait()
    passed, failed = stage.counts("".join(lines), code)
    seconds = time.monotonic() - started
    verdict = "ok" if failed == 0 else "FAILED"
    print(f"--- {stage.name}: {passed} passed, {failed} failed ({seconds:.1f} s) {verdict}", flush=True)
    return passed, failed, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description="Run every check of the course.")
    parser.add_argument("--only", nargs="*", default=None, help="stage names to run")
    parser.add_argument("--skip", nargs="*", default=[], help="stage names to skip")
    args = parser.parse_args()
    os.environ.setdefault("FORCE_COLOR", "0")
    chosen = [s for s in stages() if (args.only is None or s.name in args.only) and s.name not in args.skip]
    total_passed = total_failed = 0
    summary = []
    for stage in chosen:
        passed, failed, seconds = run(stage)
        total_passed += passed
        total_failed += failed
        summary.append((stage.name, passed, failed, seconds))
    print("\n=== summary ===")
    for name, passed, failed, seconds in summary:
        mark = "ok" if failed == 0 else "FAILED"
        print(f"{name:<18} {passed:>4} passed {failed:>3} failed {seconds:>6.1f} s  {mark}")
    print(f"{total_passed} passed, {total_failed} failed")
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
