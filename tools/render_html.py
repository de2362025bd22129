"""Render the whole course to HTML, plots included, for reading without a kernel.

Executes every notebook with tools/nbrun.py (saving executed copies under
build/executed), then converts each copy with nbconvert into build/html, keeping the
folder layout (notebooks/solutions/ stays a subfolder). Prints the index page's path.

Usage: python tools/html.py [notebooks...]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "build" / "executed"
HTML = ROOT / "build" / "html"


def to_html(executed: Path, executed_root: Path = EXECUTED, html_root: Path = HTML) -> Path:
    """Convert one executed notebook (under executed_root/notebooks); returns the HTML file."""
    import nbformat
    from nbconvert import HTMLExporter  # imported here: it takes a second to load

    relative = executed.relative_to(executed_root / "notebooks")
    target = (html_root / relative).with_suffix(".html")
    target.parent.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    run = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "nbrun.py"), "--output-dir", str(EXECUTED), *argv],
        cwd=ROOT,
    )
    pages = [to_html(p) for p in sorted((EXECUTED / "notebooks").rglob("*.ipynb"))]
    links = "\n".join(
        f'<li><a href="{p.relative_to(HTML)}">{p.relative_to(HTML).with_suffix("")}</a></li>' for p in pages
    )
    index = HTML / "index.html"
    index.write_text(
        f"<!doctype html><meta charset=utf-8><title>Async TypeScript</title>"
        f"<h1>Async TypeScript</h1><ul>\n{links}\n</ul>\n",
        encoding="utf-8",
    )
    print(f"{len(pages)} pages; open {index}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
