"""Test `make lab` (tools/lab.py): JupyterLab on 127.0.0.1 with a token, listing the tslab kernel.

The requested port is held busy by the test, so the launcher's fallback to the next
free port is checked in the same run (one JupyterLab start, ~3 s).
"""

from __future__ import annotations

import json
import os
import queue
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import lab
import pytest
from conftest import ROOT

START_TIMEOUT = 90.0


def _busy_port() -> socket.socket:
    """A listening socket on a free 127.0.0.1 port; close it to release the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


def _read_lines(stream: object, sink: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.put(line)
    sink.put("")  # EOF


def _wait_for_url(lines: queue.Queue[str], seen: list[str], timeout: float) -> str:
    """The http://127.0.0.1:PORT/lab?token=... URL the launcher prints once the server is up."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line == "":
            break
        seen.append(line)
        found = re.search(r"^\s+(http://127\.0\.0\.1:\d+/lab\?token=\S+)$", line)
        if found:
            return found.group(1)
    pytest.fail("lab.py printed no URL:\n" + "".join(seen))


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def test_lab_serves_the_tslab_kernelspec_with_token_auth(tmp_path: Path) -> None:
    token = secrets.token_urlsafe(16)
    busy = _busy_port()
    wanted = busy.getsockname()[1]
    log = (tmp_path / "lab.log").open("w")
    # The README's command itself: make lab (its setup steps are done, so it goes straight on).
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"LAB_ARGS=--port {wanted} --token {token}"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,  # JupyterLab's own log
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        start_new_session=True,  # one process group: make, lab.py and JupyterLab
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        url = _wait_for_url(lines, seen, START_TIMEOUT)
        port = int(re.search(r":(\d+)/", url).group(1))  # type: ignore[union-attr]

        assert f"port {wanted} is in use; using port {port} instead" in "".join(seen)
        assert port != wanted
        assert url == f"http://127.0.0.1:{port}/lab?token={token}"

        base = f"http://127.0.0.1:{port}"
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{base}/api/kernelspecs", timeout=10)
        assert denied.value.code == 403  # token auth is on

        specs = _get_json(f"{base}/api/kernelspecs?token={token}")["kernelspecs"]
        assert "tslab" in specs, sorted(specs)
        spec = specs["tslab"]["spec"]
        assert spec["display_name"] == "TypeScript (tslab)"
        assert spec["language"] == "typescript"
        for arg in spec["argv"][:2]:
            assert os.path.isabs(arg) and os.path.exists(arg), arg

        contents = _get_json(f"{base}/api/contents?token={token}")
        assert contents["path"] == ""  # root_dir is notebooks/
        names = {item["name"] for item in contents["content"]}
        assert names and names <= {p.name for p in (ROOT / "notebooks").iterdir()}
    finally:
        busy.close()
        os.killpg(proc.pid, signal.SIGTERM)  # Ctrl+C in a terminal reaches the whole group too
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail("make lab did not stop within 20 s of SIGTERM")
        log.close()
    # the server is gone, not just the launcher
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert lab.port_is_free(port)


def test_choose_port_skips_a_busy_port() -> None:
    busy = _busy_port()
    try:
        port = busy.getsockname()[1]
        assert not lab.port_is_free(port)
        assert lab.choose_port(port) > port
    finally:
        busy.close()


def test_lab_command_keeps_the_server_on_loopback_with_exact_port(tmp_path: Path) -> None:
    command = lab.lab_command(9999, tmp_path)
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=9999" in command
    assert "--ServerApp.port_retries=0" in command
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--no-browser" in command
    assert not any("token" in arg.lower() for arg in command)  # the token goes by environment
