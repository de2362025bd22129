"""Tests for tools/nbclean.py: check finds every kind of dirt, strip removes it and only it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import nbclean
import nbformat
import pytest
from conftest import FIXTURES, run_tool


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cwd: Path, *args: str
) -> tuple[int, str]:
    """Run nbclean's main in-process from cwd; (exit status, printed output)."""
    monkeypatch.chdir(cwd)
    code = nbclean.main(list(args))
    return code, capsys.readouterr().out


def _write(path: Path, nb: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=2))
    return path


def _dirty() -> dict[str, Any]:
    """A notebook as JupyterLab saves it after a run in a Python kernel."""
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python", "version": "3.11.7"},
        },
        "cells": [
            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": ["# Title"]},
            {
                "cell_type": "code",
                "id": "c1",
                "execution_count": 3,
                "metadata": {
                    "tags": ["raises-exception"],
                    "execution": {"iopub.execute_input": "2026-01-01T00:00:00Z"},
                    "collapsed": False,
                    "scrolled": True,
                },
                "outputs": [{"output_type": "stream", "name": "stdout", "text": ["2\n"]}],
                "source": ["1 + 1"],
            },
        ],
    }


def test_fixtures_and_a_stripped_notebook_pass_check() -> None:
    result = run_tool("nbclean.py", "check", str(FIXTURES))
    assert result.returncode == 0, result.stdout
    assert "notebooks clean" in result.stdout


def test_check_names_each_problem_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path / "notebooks" / "dirty.ipynb", _dirty())
    (tmp_path / "notebooks" / "sub").mkdir()
    (tmp_path / "notebooks" / "sub" / "broken.ipynb").write_text('{"cells": [')
    shutil.copy(FIXTURES / "good.ipynb", tmp_path / "notebooks" / "good.ipynb")

    code, out = _main(monkeypatch, capsys, tmp_path, "check")

    assert code == 1
    lines = out.splitlines()
    dirty = next(line for line in lines if line.startswith("notebooks/dirty.ipynb:"))
    assert "kernelspec name is 'python3', not 'tslab'" in dirty
    assert "cell 2 has outputs" in dirty
    assert "cell 2 has an execution count (3)" in dirty
    assert any(line.startswith("notebooks/sub/broken.ipynb: invalid JSON") for line in lines)
    assert not any(line.startswith("notebooks/good.ipynb") for line in lines)
    assert "2 of 3 notebooks are not clean" in out


def test_strip_cleans_keeps_tags_and_writes_like_jupyter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "notebooks" / "deep" / "n.ipynb", _dirty())

    code, out = _main(monkeypatch, capsys, tmp_path, "strip")

    assert code == 0, out
    assert "notebooks/deep/n.ipynb: stripped" in out
    text = path.read_text()
    assert text.endswith("}\n")
    assert text.startswith('{\n "cells": [\n  {\n')  # 1-space indent, sorted keys
    assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"  # what Jupyter writes
    nb = json.loads(text)
    assert nb["metadata"]["kernelspec"] == {
        "name": "tslab",
        "display_name": "TypeScript (tslab)",
        "language": "typescript",
    }
    assert nb["metadata"]["language_info"] == {"name": "typescript"}
    code = nb["cells"][1]
    assert code["outputs"] == [] and code["execution_count"] is None
    assert code["metadata"] == {"tags": ["raises-exception"]}
    assert nb["cells"][0]["source"] == ["# Title"]
    assert _main(monkeypatch, capsys, tmp_path, "check")[0] == 0


def test_strip_twice_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path / "n.ipynb", _dirty())
    assert nbclean.strip(path) is True
    first = path.read_text()
    assert nbclean.strip(path) is False
    assert path.read_text() == first


def test_strip_leaves_clean_fixtures_byte_for_byte(tmp_path: Path) -> None:
    for fixture in FIXTURES.glob("*.ipynb"):
        copy = tmp_path / fixture.name
        shutil.copy(fixture, copy)
        assert nbclean.strip(copy) is False, fixture.name
        assert copy.read_bytes() == fixture.read_bytes()


def test_strip_reports_a_broken_file_and_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.ipynb").write_text("not json")
    code, out = _main(monkeypatch, capsys, tmp_path, "strip", "broken.ipynb")
    assert code == 1
    assert "broken.ipynb: cannot strip" in out


def test_find_notebooks_default_is_recursive_and_skips_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for rel in [
        "notebooks/a.ipynb",
        "notebooks/solutions/b.ipynb",
        "notebooks/.ipynb_checkpoints/a-checkpoint.ipynb",
        "other/c.ipynb",
    ]:
        _write(tmp_path / rel, _dirty())
    monkeypatch.chdir(tmp_path)
    found = nbclean.find_notebooks([])
    assert [p.as_posix() for p in found] == ["notebooks/a.ipynb", "notebooks/solutions/b.ipynb"]
