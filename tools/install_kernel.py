"""Register the tslab kernel inside the project's virtual environment.

Writes ``.venv/share/jupyter/kernels/tslab/kernel.json`` with absolute paths to the
node binary and to the project's own ``node_modules/tslab/bin/tslab``, so that the kernel
starts even with an empty PATH and nothing global is touched. JupyterLab run from
``.venv`` finds it through ``sys.prefix``; VS Code finds kernels in a Python
environment's ``share/jupyter/kernels`` when that environment is selected.

Usage: python tools/install_kernel.py [--node /abs/node] [--prefix .venv]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def node_binary(explicit: str | None) -> Path:
    """The absolute path of the node executable to run the kernel with."""
    candidate = explicit or shutil.which("node")
    if not candidate:
        sys.exit("install_kernel: node was not found on PATH; install Node >= 20.19 or pass --node")
    # Ask node itself: follows version-manager shims to the real binary.
    real = subprocess.run(
        [candidate, "-p", "process.execPath"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return Path(real).resolve()


def kernel_spec(node: Path, tslab: Path) -> dict:
    """The kernel.json contents."""
    return {
        "argv": [str(node), str(tslab), "kernel", "--config-path", "{connection_file}"],
        "display_name": "TypeScript (tslab)",
        "language": "typescript",
        "metadata": {"debugger": False},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node", help="node binary (default: the one on PATH)")
    parser.add_argument("--prefix", default=str(ROOT / ".venv"), help="environment prefix")
    args = parser.parse_args()

    tslab = ROOT / "node_modules" / "tslab" / "bin" / "tslab"
    if not tslab.is_file():
        sys.exit(f"install_kernel: {tslab} is missing; run `npm ci` first")
    spec = kernel_spec(node_binary(args.node), tslab)
    target = Path(args.prefix).resolve() / "share" / "jupyter" / "kernels" / "tslab"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "kernel.json"
    text = json.dumps(spec, indent=2) + "\n"
    if not path.exists() or path.read_text() != text:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
    print(f"kernel tslab -> {path}")


if __name__ == "__main__":
    main()
