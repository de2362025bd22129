"""00-welcome runs headless under the runner and its plots survive nbconvert's HTML export."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbrun
import render_html
from conftest import ROOT

WELCOME = ROOT / "notebooks" / "00-welcome.ipynb"
IMG = re.compile(r'<img[^>]*\ssrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def test_welcome_runs_under_20_s_and_its_timelines_show_in_the_html_export(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = nbrun.run_notebook(WELCOME, output_dir=tmp_path)
    assert result.ok, result.error
    cells_seconds = sum(cell.seconds for cell in result.cells)
    assert cells_seconds < 20, f"00-welcome's cells took {cells_seconds:.1f} s (limit 20 s)"

    executed = tmp_path / "notebooks" / "00-welcome.ipynb"
    page = render_html.to_html(executed, executed_root=tmp_path, html_root=tmp_path / "html")
    assert page == tmp_path / "html" / "00-welcome.html"
    body = page.read_text(encoding="utf-8")
    images = IMG.findall(body)
    assert len(images) >= 2, "expected the two timelines of 00-welcome as <img> data URIs"
    svg = base64.b64decode(images[0]).decode("utf-8")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"'), svg[:120]
    assert svg.count("<rect") >= 2 and "One" in svg and "Two" in svg
    assert "Two tasks waiting at the same time" in svg
