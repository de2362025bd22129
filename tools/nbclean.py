"""Keep committed notebooks clean: no outputs, no execution counts, the tslab kernel.

Usage:
    python tools/nbclean.py check [PATH ...]   exit 1 and say why for every notebook that is not clean
    python tools/nbclean.py strip [PATH ...]   make them clean, in place

PATH may be a notebook, a folder or a glob; the default is notebooks/**/*.ipynb relative
to the current directory. ``strip`` removes outputs and execution counts, sets the
kernelspec to tslab and language_info to typescript, and drops per-cell metadata that
editors add (execution timings, collapsed/scrolled state...) while keeping cell tags.
It writes the way Jupyter does (nbformat: 1-space indent, trailing newline) and only
touches files that change.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_PATTERN = "notebooks/**/*.ipynb"
KERNELSPEC = {"name": "tslab", "display_name": "TypeScript (tslab)", "language": "typescript"}
LANGUAGE_INFO = {"name": "typescript"}
# Per-cell metadata that records editor state or run history, not content.
CELL_METADATA_NOISE = ("execution", "collapsed", "scrolled", "ExecuteTime", "jupyter", "vscode", "trusted")


def find_notebooks(patterns: list[str]) -> list[Path]:
    """Notebooks named by paths, folders or globs (default notebooks/**/*.ipynb), sorted."""
    found: set[Path] = set()
    for pattern in patterns or [DEFAULT_PATTERN]:
        path = Path(pattern)
        if path.is_dir():
            matches = glob.glob(str(path / "**" / "*.ipynb"), recursive=True)
        elif path.is_file():
            matches = [str(path)]
        else:
            matches = glob.glob(pattern, recursive=True)
        found.update(Path(m) for m in matches if ".ipynb_checkpoints" not in Path(m).parts)
    return sorted(found)


def problems(path: Path) -> list[str]:
    """Why the notebook at path is not clean; empty when it is."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"cannot read: {exc}"]
    except json.JSONDecodeError as exc:
        return [f"invalid JSON: {exc}"]
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return ["not a notebook: no list of cells"]
    found = []
    kernel = (data.get("metadata") or {}).get("kernelspec") or {}
    if kernel.get("name") != "tslab":
        found.append(f"kernelspec name is {kernel.get('name')!r}, not 'tslab'")
    for number, cell in enumerate(data["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {number} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {number} has an execution count ({cell['execution_count']})")
    return found


def clean(nb: Any) -> None:
    """Strip one notebook in memory (an nbformat NotebookNode)."""
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = dict(LANGUAGE_INFO)
    for cell in nb.cells:
        for key in CELL_METADATA_NOISE:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def strip(path: Path) -> bool:
    """Clean the notebook at path in place; True when the file changed."""
    import nbformat  # here, not at the top: it takes ~1 s to import and check needs none of it

    before = path.read_text(encoding="utf-8")
    nb = nbformat.reads(before, as_version=4)
    clean(nb)
    after = nbformat.writes(nb)
    if not after.endswith("\n"):
        after += "\n"
    if after == before:
        return False
    path.write_text(after, encoding="utf-8")
    return True


def run_check(paths: list[Path]) -> int:
    """Print every problem; 1 when any notebook is not clean."""
    bad = 0
    for path in paths:
        found = problems(path)
        if found:
            bad += 1
            print(f"{path}: " + "; ".join(found))
    if bad:
        print(
            f"{bad} of {len(paths)} notebooks are not clean: run `make strip` (python tools/nbclean.py strip)"
        )
        return 1
    print(f"{len(paths)} notebooks clean")
    return 0


def run_strip(paths: list[Path]) -> int:
    """Strip every notebook; 1 when one could not be read."""
    failed = 0
    for path in paths:
        try:
            changed = strip(path)
        except Exception as exc:  # noqa: BLE001 - invalid JSON, not a notebook...
            failed += 1
            print(f"{path}: cannot strip: {exc}")
            continue
        print(f"{path}: {'stripped' if changed else 'already clean'}")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: check or strip."""
    parser = argparse.ArgumentParser(description="Check or strip notebook outputs and metadata.")
    parser.add_argument("mode", choices=["check", "strip"])
    parser.add_argument("paths", nargs="*", help=f"notebooks, folders or globs (default: {DEFAULT_PATTERN})")
    args = parser.parse_args(argv)
    paths = find_notebooks(args.paths)
    if not paths:
        print(f"no notebooks found ({', '.join(args.paths) or DEFAULT_PATTERN})")
        return 0 if not args.paths else 1
    return run_check(paths) if args.mode == "check" else run_strip(paths)


if __name__ == "__main__":
    sys.exit(main())
