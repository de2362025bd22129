"""Shared paths and helpers for the tools' tests (run with the project's .venv python)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / "tools"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

sys.path.insert(0, str(TOOLS))  # import nbrun, nbclean, lab as modules


def start_tool(script: str, *args: str, cwd: Path = ROOT) -> subprocess.Popen[str]:
    """Start tools/<script> with this python (the venv's), output captured as text."""
    return subprocess.Popen(
        [sys.executable, str(TOOLS / script), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, FORCE_COLOR="0"),
    )


def run_tool(
    script: str, *args: str, cwd: Path = ROOT, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run tools/<script> to completion; stdout and stderr together in .stdout."""
    proc = start_tool(script, *args, cwd=cwd)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        pytest.fail(f"{script} {' '.join(args)} did not finish in {timeout} s:\n{out}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, None)


def pid_is_gone(pid: int | None) -> bool:
    """True when no process with this pid runs (a zombie counts as gone)."""
    if pid is None:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True
