"""Open the course in JupyterLab: 127.0.0.1 only, token auth on, serving notebooks/.

Usage: python tools/lab.py [--port N] [--token TOKEN] [--root DIR]

This is the one place that knows how JupyterLab is launched (``make lab`` runs it and
the tools' tests run it). It picks the port itself so that the URL it prints is the
real one: the requested port (default 8888) or, when that is taken, the next free one,
and says so. The token comes from --token or is generated; it reaches the server
through the JUPYTER_TOKEN environment variable, so it does not show in the process
list. Once the server answers, the URL with the token is printed in a box; Ctrl-C (or
SIGTERM) stops the server and its kernels.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_PORT = 8888
PORT_TRIES = 50
START_TIMEOUT = 90.0  # seconds to wait for the server to answer


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when nothing listens on host:port (we can bind it as the server will)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like tornado: connections of a stopped server in TIME_WAIT do not make the port busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(wanted: int, tries: int = PORT_TRIES) -> int:
    """wanted if it is free, else the next free port after it."""
    for port in range(wanted, wanted + tries):
        if port_is_free(port):
            return port
    raise SystemExit(f"lab: ports {wanted}-{wanted + tries - 1} are all in use; pass --port")


def lab_command(port: int, root: Path) -> list[str]:
    """The JupyterLab command line (token auth stays on; the token is in the environment)."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # fail rather than move silently: the printed URL must be right
        f"--ServerApp.root_dir={root}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root
    return command


def wait_until_up(proc: subprocess.Popen[bytes], port: int, token: str, timeout: float) -> bool:
    """Poll /api/status until the server answers; False if it exited or never answered."""
    url = f"http://{HOST}:{port}/api/status?token={token}"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    return False


def stop(proc: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM the server (it shuts its kernels down), SIGKILL it after grace seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def banner(url: str, root: Path) -> str:
    """The lines that tell the user where to go."""
    rule = "=" * max(60, len(url) + 8)
    return "\n".join(
        [
            "",
            rule,
            "JupyterLab is running. Open this URL in your browser:",
            "",
            f"    {url}",
            "",
            f"Serving {root}. Press Ctrl-C to stop.",
            rule,
            "",
        ]
    )


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM handler: stop like Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Start JupyterLab, print its URL, wait until it stops."""
    parser = argparse.ArgumentParser(description="Open the course in JupyterLab on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to try first (default 8888)")
    parser.add_argument("--token", default=None, help="auth token (default: a new random one)")
    parser.add_argument(
        "--root", default=str(ROOT / "notebooks"), help="folder to serve (default notebooks/)"
    )
    args = parser.parse_args(argv)

    root = Path(args.root).resolve()
    if not root.is_dir():
        print(f"lab: {root} is not a folder", file=sys.stderr)
        return 1
    token = args.token or secrets.token_urlsafe(24)
    port = choose_port(args.port)
    if port != args.port:
        print(f"lab: port {args.port} is in use; using port {port} instead", flush=True)
    env = dict(os.environ, JUPYTER_TOKEN=token)
    # Own session: a Ctrl-C in the terminal reaches only us, and we stop the server
    # with SIGTERM (no "Shutdown this Jupyter server (y/[n])?" prompt).
    proc = subprocess.Popen(lab_command(port, root), cwd=root, env=env, start_new_session=True)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not wait_until_up(proc, port, token, START_TIMEOUT):
            code = proc.poll()
            why = (
                f"exited with status {code}"
                if code is not None
                else f"did not answer within {START_TIMEOUT:g} s"
            )
            print(f"lab: JupyterLab {why}; see its log above", file=sys.stderr, flush=True)
            return 1
        print(banner(f"http://{HOST}:{port}/lab?token={token}", root), flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        print("\nlab: stopping JupyterLab...", flush=True)
        return 0
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())
