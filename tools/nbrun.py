"""Execute the course's notebooks headless on the tslab kernel and say which ones fail.

Usage: python tools/nbrun.py [PATH_OR_GLOB ...] [--timeout S] [--cell-timeout S]
                             [--settle S] [--shutdown-timeout S] [--jobs N]
                             [--kernel NAME] [--json REPORT] [--allow-empty]

With no paths it runs every ``notebooks/**/*.ipynb`` under the current directory
(subfolders included, sorted). Each notebook runs in a fresh kernel whose working
directory is the notebook's folder. The last line printed is exactly
``N passed, N failed`` (counting notebooks); the exit status is non-zero when any
notebook failed, or when no notebook was found (unless ``--allow-empty``).

Why not ``jupyter nbconvert --execute``: tslab 1.0.22 does things nbclient does not
expect, and each of them makes a broken notebook look fine. This runner talks to the
kernel with jupyter_client directly and handles them:

- A failed cell's execute_reply has status ``error`` but no ename/evalue/traceback;
  the message is only on the iopub stderr stream. We collect that stream per cell.
- For 200 ms after an error (tslab's ``execQueue.reset(200)``) every execute_request
  is answered with status ``abort`` and nothing runs. An aborted cell is a failure
  here, never a pass. After an expected error (a cell tagged ``raises-exception``)
  we probe with silent empty execute_requests every 25 ms until one answers ``ok``
  and only then send the next cell. Measured: 8 probes are aborted and the first ok
  one comes 230-245 ms after the error reply (the 200 ms timer plus message trips).
- An unhandled rejection or a throw in a timer after a cell finished is printed to
  iopub stderr as ``UnhandledPromiseRejection: ...`` / ``UncaughtException: ...``,
  after the cell's idle status. We keep reading iopub between cells and for a settle
  period after the last cell, and fail on such text. tslab sends it with the parent
  header of the execute_request whose stream writer is installed at that moment:
  the cell that started it when nothing ran since, otherwise the cell running now.
- A cell that leaves a server or an interval running keeps node alive: tslab answers
  shutdown_request by closing its sockets, not by exiting. So we send shutdown_request
  and fail the notebook if the process has not exited within --shutdown-timeout
  (measured: a clean kernel exits in 0.05-0.25 s; one with an open server or an
  interval is still alive after 5 s), then kill it. (A probe of
  process.getActiveResourcesInfo() would also work, but tslab's bundled Node types
  lack it and the exit test is the real thing.)
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import json
import os
import re
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.manager import AsyncKernelManager

RAISES_TAG = "raises-exception"
DEFAULT_PATTERN = "notebooks/**/*.ipynb"
# tslab prints these (main.js: process.on("uncaughtException"/"unhandledRejection")).
LATE_ERROR = re.compile(r"^(UnhandledPromiseRejection|UncaughtException):", re.M)
PROBE_INTERVAL = 0.025  # seconds between readiness probes after an expected error
PROBE_LIMIT = 10.0  # give up waiting for the kernel to accept work after this long
POLL = 0.25  # how often a wait checks that the kernel process is still alive
STDOUT_TAIL = 20  # lines of stdout shown for a failed cell


class NotebookFailure(Exception):
    """The notebook failed; ``cell`` is the 1-based index of the cell it is pinned on."""

    def __init__(self, message: str, cell: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cell = cell


@dataclass
class CellRecord:
    """What one executed code cell did."""

    index: int  # 1-based among all cells of the notebook, markdown included
    source: str
    tagged: bool  # carries the raises-exception tag
    msg_id: str = ""
    status: str = ""  # execute_reply status: ok, error, abort
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0


@dataclass
class LateError:
    """UnhandledPromiseRejection / UncaughtException text seen on iopub stderr."""

    text: str
    parent: str  # parent msg_id tslab put on the stream message


@dataclass
class Result:
    """The verdict on one notebook."""

    path: str
    ok: bool
    seconds: float = 0.0
    cells_run: int = 0
    code_cells: int = 0
    error: str | None = None
    cell: int | None = None  # 1-based index of the cell the failure is pinned on
    kernel_pid: int | None = None
    cells: list[CellRecord] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """The machine-readable summary written by --json."""
        keep = ("path", "ok", "seconds", "cells_run", "code_cells", "error", "cell", "kernel_pid")
        data = {k: v for k, v in asdict(self).items() if k in keep}
        data["seconds"] = round(self.seconds, 3)
        return data

    def record(self, index: int | None) -> CellRecord | None:
        """The executed cell with this 1-based index, if it ran."""
        return next((c for c in self.cells if c.index == index), None)


@dataclass
class Options:
    """How to run notebooks; the CLI flags map onto these one to one."""

    timeout: float = 60.0  # for the cells, from when the kernel is ready
    cell_timeout: float | None = None
    startup_timeout: float = 60.0
    kernel_name: str = "tslab"
    env: dict[str, str] | None = None
    settle: float = 0.4
    shutdown_timeout: float = 5.0
    wait_after_error: bool = True  # False only to prove that aborts are caught
    output_dir: Path | None = None  # where to save executed copies, outputs included


@dataclass
class Cell:
    """A code cell to execute."""

    index: int  # 1-based among all cells of the notebook, markdown included
    source: str
    tagged: bool  # carries the raises-exception tag


def read_cells(path: str | Path) -> list[Cell]:
    """The non-empty code cells of a notebook (nbformat 4 JSON), in order.

    Plain json rather than nbformat: importing nbformat costs ~1 s per run and
    the runner needs only cell types, sources and tags. Raises ValueError with a
    plain message when the file is not a notebook it can run.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError("not an nbformat 4 notebook: no list of cells")
    cells = []
    for index, cell in enumerate(data["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if source.strip():
            tags = (cell.get("metadata") or {}).get("tags") or []
            cells.append(Cell(index=index, source=source, tagged=RAISES_TAG in tags))
    return cells


def error_summary(stderr: str) -> str:
    """One line that says what went wrong, from tslab's stderr for a cell."""
    for line in stderr.splitlines():
        if re.match(r"^\d+:\d+ - ", line):  # a TypeScript diagnostic: "1:7 - Type ..."
            return f"TypeScript: {line.strip()}"
    for line in stderr.splitlines():
        if re.match(r"^(\w+\.)*\w*(Error|Exception|Rejection)\b", line):
            return line.strip()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[0] if lines else "no message on stderr"


class KernelSession:
    """One running kernel: sends cells, reads iopub in the background, checks liveness."""

    def __init__(self, km: AsyncKernelManager, kc: Any) -> None:
        self.km = km
        self.kc = kc
        self.outputs: dict[str, dict[str, list[str]]] = {}
        self.nb_outputs: dict[str, list[dict[str, Any]]] = {}  # parent msg_id -> nbformat outputs
        self.displays: dict[str, list[dict[str, Any]]] = {}  # display_id -> outputs showing it
        self.idle: dict[str, asyncio.Event] = {}
        self.late_errors: list[LateError] = []
        self._reader: asyncio.Task[None] | None = None

    def start_reading(self) -> None:
        """Start the background task that reads every iopub message."""
        self._reader = asyncio.create_task(self._read_iopub())

    async def stop_reading(self) -> None:
        """Stop the iopub reader."""
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass
            self._reader = None

    async def _read_iopub(self) -> None:
        while True:
            try:
                msg = await self.kc.get_iopub_msg(timeout=POLL)
            except Empty:
                continue
            try:
                self._dispatch(msg)
            except Exception:  # noqa: BLE001 - one odd message must not stop the reader
                continue

    def _dispatch(self, msg: dict[str, Any]) -> None:
        parent = msg.get("parent_header", {}).get("msg_id", "")
        kind = msg.get("msg_type")
        content = msg.get("content", {})
        if kind == "status" and content.get("execution_state") == "idle":
            if parent in self.idle:
                self.idle[parent].set()
            return
        self._keep_output(parent, kind, content)
        text = self._text_of(kind, content)
        if text is None:
            return
        name = content.get("name", "stdout") if kind == "stream" else "stdout"
        if kind == "error":
            name = "stderr"
        bucket = self.outputs.setdefault(parent, {"stdout": [], "stderr": []})
        bucket[name].append(text)
        if name == "stderr" and LATE_ERROR.search(text):
            self.late_errors.append(LateError(text=text, parent=parent))

    def _keep_output(self, parent: str, kind: str | None, content: dict[str, Any]) -> None:
        """Keep the message as an nbformat output, for the executed copy (--output-dir)."""
        outputs = self.nb_outputs.setdefault(parent, [])
        if kind == "stream":
            name, text = content.get("name", "stdout"), str(content.get("text", ""))
            last = outputs[-1] if outputs else None
            if last and last["output_type"] == "stream" and last["name"] == name:
                last["text"] += text
            else:
                outputs.append({"output_type": "stream", "name": name, "text": text})
        elif kind in ("display_data", "execute_result"):
            output = {
                "output_type": "display_data",
                "data": content.get("data", {}),
                "metadata": content.get("metadata", {}),
            }
            outputs.append(output)
            display_id = (content.get("transient") or {}).get("display_id")
            if display_id:
                self.displays.setdefault(display_id, []).append(output)
        elif kind == "update_display_data":
            display_id = (content.get("transient") or {}).get("display_id")
            for output in self.displays.get(display_id, []):
                output["data"] = content.get("data", {})
                output["metadata"] = content.get("metadata", {})

    @staticmethod
    def _text_of(kind: str | None, content: dict[str, Any]) -> str | None:
        if kind == "stream":
            return str(content.get("text", ""))
        if kind in ("execute_result", "display_data"):
            data = content.get("data", {})
            return str(data.get("text/plain", "")) + "\n" if data else None
        if kind == "error":  # tslab does not send these, other kernels do
            return (
                "\n".join(content.get("traceback", [])) or f"{content.get('ename')}: {content.get('evalue')}"
            )
        return None

    def output(self, msg_id: str, name: str) -> str:
        """All text of one stream (stdout or stderr) sent with this parent msg_id."""
        return "".join(self.outputs.get(msg_id, {}).get(name, []))

    async def alive(self) -> bool:
        """True while the kernel process runs."""
        return bool(await self.km.is_alive())

    def exit_code(self) -> int | None:
        """The kernel process's exit status, once it has exited."""
        process = getattr(self.km.provisioner, "process", None)
        return process.poll() if process is not None else None

    async def execute(self, code: str, deadline: float, *, silent: bool = False) -> tuple[str, str]:
        """Run code; return (msg_id, reply status) once the reply and idle both arrived.

        Raises TimeoutError at the deadline (a monotonic time) and ConnectionError when
        the kernel process dies while we wait.
        """
        msg_id = self.kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False)
        self.idle[msg_id] = asyncio.Event()
        reply = await self._shell_reply(msg_id, deadline)
        await self._wait_idle(msg_id, deadline)
        return msg_id, str(reply["content"].get("status", "missing"))

    async def _shell_reply(self, msg_id: str, deadline: float) -> dict[str, Any]:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                msg = await self.kc.get_shell_msg(timeout=min(POLL, remaining))
            except Empty:
                if not await self.alive():
                    raise ConnectionError from None
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg

    async def _wait_idle(self, msg_id: str, deadline: float) -> None:
        event = self.idle[msg_id]
        while not event.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                await asyncio.wait_for(event.wait(), timeout=min(POLL, remaining))
            except asyncio.TimeoutError:
                if not await self.alive():
                    raise ConnectionError from None

    async def wait_until_ready(self, deadline: float) -> int:
        """After an error: probe with silent empty cells until one is not aborted.

        Returns how many probes were answered ``abort`` first.
        """
        aborted = 0
        give_up = min(deadline, time.monotonic() + PROBE_LIMIT)
        while True:
            _, status = await self.execute("", give_up, silent=True)
            if status != "abort":
                return aborted
            aborted += 1
            await asyncio.sleep(PROBE_INTERVAL)

    async def shutdown_exits(self, grace: float) -> bool:
        """Send shutdown_request; True if the process exited within grace seconds."""
        self.kc.shutdown()
        end = time.monotonic() + grace
        while time.monotonic() < end:
            if not await self.alive():
                return True
            await asyncio.sleep(0.05)
        return not await self.alive()


class NotebookRun:
    """Runs the cells of one notebook on one kernel and pins failures on cells."""

    def __init__(self, session: KernelSession, result: Result, options: Options, deadline: float):
        self.session = session
        self.result = result
        self.options = options
        self.deadline = deadline
        self.by_msg: dict[str, int] = {}  # msg_id -> cell index (probes map to the cell before)
        self.last_index: int | None = None
        self.seen_late = 0

    async def run_cells(self, cells: list[Cell]) -> None:
        """Execute every cell in order; raise NotebookFailure at the first failure."""
        for cell in cells:
            record = CellRecord(index=cell.index, source=cell.source, tagged=cell.tagged)
            self.result.cells.append(record)
            await self._run_cell(record)
            self.last_index = cell.index
            if record.tagged and record.status == "error" and self.options.wait_after_error:
                await self._wait_after_error(record)

    async def _run_cell(self, record: CellRecord) -> None:
        started = time.monotonic()
        deadline = self.deadline
        if self.options.cell_timeout is not None:
            deadline = min(deadline, started + self.options.cell_timeout)
        try:
            record.msg_id, record.status = await self.session.execute(record.source, deadline)
        except TimeoutError:
            self._collect(record)
            raise NotebookFailure(self._timeout_message(record.index, deadline), record.index) from None
        except ConnectionError:
            self._collect(record)
            raise NotebookFailure(
                self._died_message(f"while running cell {record.index}"), record.index
            ) from None
        finally:
            record.seconds = time.monotonic() - started
        self.by_msg[record.msg_id] = record.index
        if record.status != "abort":
            self.result.cells_run += 1  # an aborted cell never ran
        self._collect(record)
        self.check_late_errors(current=record)
        self._check_status(record)

    def _collect(self, record: CellRecord) -> None:
        if record.msg_id:
            record.stdout = self.session.output(record.msg_id, "stdout")
            record.stderr = self.session.output(record.msg_id, "stderr")

    def _check_status(self, record: CellRecord) -> None:
        where = f"cell {record.index}"
        if record.status == "abort":
            raise NotebookFailure(
                f"{where} was aborted by the kernel: it did not run "
                "(tslab refuses work for ~200 ms after an error)",
                record.index,
            )
        if record.tagged:
            if record.status == "ok":
                raise NotebookFailure(
                    f"{where} is tagged {RAISES_TAG} but ran without an error", record.index
                )
            if record.status != "error":
                raise NotebookFailure(f"{where}: unexpected reply status {record.status!r}", record.index)
            return
        if record.status == "error":
            raise NotebookFailure(f"{where} failed: {error_summary(record.stderr)}", record.index)
        if record.status != "ok":
            raise NotebookFailure(f"{where}: unexpected reply status {record.status!r}", record.index)

    def check_late_errors(self, current: CellRecord | None = None) -> None:
        """Fail on UnhandledPromiseRejection / UncaughtException text seen so far.

        Text whose parent is a cell that had finished (or a probe after it) is an
        "error after cell N finished". Text that came with the parent of the cell
        running at the time counts against that cell unless it is tagged
        raises-exception (then it is part of the error that cell expects).
        """
        new = self.session.late_errors[self.seen_late :]
        self.seen_late = len(self.session.late_errors)
        for late in new:
            summary = late.text.strip().splitlines()[0]
            during = current is not None and late.parent == current.msg_id
            if during and current is not None:
                if current.tagged:
                    continue
                raise NotebookFailure(
                    f"unhandled error while cell {current.index} was running: {summary} "
                    "(it can come from a timer or promise that this or an earlier cell started)",
                    current.index,
                )
            cell = self.by_msg.get(late.parent, self.last_index)
            if cell is None:
                raise NotebookFailure(f"error before the first cell ran: {summary}")
            self._attach_late(cell, late.text)
            raise NotebookFailure(f"error after cell {cell} finished: {summary}", cell)

    def _attach_late(self, cell: int, text: str) -> None:
        record = self.result.record(cell)
        if record is not None and text not in record.stderr:
            record.stderr += text

    async def _wait_after_error(self, record: CellRecord) -> None:
        """Wait out tslab's abort window after an expected error, probing until ready."""
        try:
            await self.session.wait_until_ready(self.deadline)
        except TimeoutError:
            if time.monotonic() >= self.deadline:
                message = f"timed out after {self.options.timeout:g} s after cell {record.index}"
            else:
                message = (
                    f"kernel still refused work {PROBE_LIMIT:g} s "
                    f"after the expected error in cell {record.index}"
                )
            raise NotebookFailure(message, record.index) from None
        except ConnectionError:
            raise NotebookFailure(self._died_message(f"after cell {record.index}"), record.index) from None
        for msg_id in self.session.idle:
            self.by_msg.setdefault(msg_id, record.index)

    async def settle(self) -> None:
        """Keep reading iopub for a while after the last cell, then check for late errors."""
        end = min(self.deadline, time.monotonic() + self.options.settle)
        while time.monotonic() < end:
            await asyncio.sleep(min(0.05, max(0.0, end - time.monotonic())))
            self.check_late_errors()
            if not await self.session.alive():
                raise NotebookFailure(self._died_message(f"after cell {self.last_index}"), self.last_index)
        self.check_late_errors()

    def _timeout_message(self, index: int, deadline: float) -> str:
        if self.options.cell_timeout is not None and deadline < self.deadline:
            return f"cell {index} timed out after {self.options.cell_timeout:g} s (--cell-timeout)"
        return f"timed out after {self.options.timeout:g} s in cell {index}"

    def _died_message(self, when: str) -> str:
        code = self.session.exit_code()
        how = f" (exit code {code})" if code is not None else ""
        return f"kernel died {when}{how}"


async def run_notebook_async(path: str | Path, options: Options | None = None) -> Result:
    """Execute one notebook in a fresh kernel; never raises for notebook problems."""
    options = options or Options()
    started = time.monotonic()
    result = Result(path=str(path), ok=False)
    try:
        cells = read_cells(path)
    except ValueError as exc:
        result.error = f"cannot read notebook: {exc}"
        return result
    result.code_cells = len(cells)
    km = AsyncKernelManager(kernel_name=options.kernel_name)
    session: KernelSession | None = None
    try:
        session = await _start(km, Path(path).resolve().parent, options, result)
        run = NotebookRun(session, result, options, time.monotonic() + options.timeout)
        await run.run_cells(cells)
        await run.settle()
        if not await session.shutdown_exits(options.shutdown_timeout):
            raise NotebookFailure(
                f"kernel did not exit within {options.shutdown_timeout:g} s of shutdown: "
                "something is still running (an open server, an interval?)"
            )
        result.ok = True
    except NotebookFailure as failure:
        result.error = failure.message
        result.cell = failure.cell
    finally:
        await _cleanup(km, session)
        result.seconds = time.monotonic() - started
    if options.output_dir is not None and session is not None:
        save_executed(Path(path), options.output_dir, result, session)
    return result


def save_executed(path: Path, output_dir: Path, result: Result, session: KernelSession) -> Path:
    """Write a copy of the notebook with the outputs of this run, under output_dir.

    The copy keeps the notebook's path relative to the current folder (notebooks/x.ipynb
    goes to <output_dir>/notebooks/x.ipynb), so nbconvert can turn the tree into HTML.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    by_index = {record.index: record for record in result.cells}
    count = 0
    for index, cell in enumerate(data.get("cells", []), start=1):
        if cell.get("cell_type") != "code":
            continue
        record = by_index.get(index)
        if record is None or not record.msg_id:
            continue
        count += 1
        cell["execution_count"] = count
        cell["outputs"] = session.nb_outputs.get(record.msg_id, [])
        if (
            record.status == "error"
            and record.stderr
            and not any(o.get("name") == "stderr" for o in cell["outputs"])
        ):
            cell["outputs"].append({"output_type": "stream", "name": "stderr", "text": record.stderr})
    target = output_dir / _relative(path, Path.cwd())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


async def _start(km: AsyncKernelManager, cwd: Path, options: Options, result: Result) -> KernelSession:
    """Start the kernel in cwd and wait until it answers on shell and iopub."""
    kwargs: dict[str, Any] = {"cwd": str(cwd)}
    if options.env is not None:
        kwargs["env"] = dict(options.env)
    else:
        # A headless run is not the learner trying exercises: keep their progress file out of it.
        kwargs["env"] = {**os.environ, "ASYNCLAB_PROGRESS": os.environ.get("ASYNCLAB_PROGRESS", "off")}
    try:
        await km.start_kernel(**kwargs)
    except Exception as exc:  # noqa: BLE001 - a missing kernelspec, a bad argv...
        raise NotebookFailure(f"kernel {options.kernel_name!r} did not start: {exc}") from None
    result.kernel_pid = getattr(km.provisioner, "pid", None)
    kc = km.client()
    kc.start_channels()
    session = KernelSession(km, kc)
    try:
        await asyncio.wait_for(kc.wait_for_ready(), timeout=options.startup_timeout)
    except asyncio.TimeoutError:
        raise NotebookFailure(
            f"kernel did not answer within {options.startup_timeout:g} s of starting"
        ) from None
    except RuntimeError as exc:
        raise NotebookFailure(f"kernel died while starting: {exc}") from None
    session.start_reading()
    return session


async def _cleanup(km: AsyncKernelManager, session: KernelSession | None) -> None:
    """Stop reading, kill the kernel's process group if it still runs, drop its files."""
    if session is not None:
        await session.stop_reading()
        session.kc.stop_channels()
    if not km.has_kernel:
        return
    try:
        if await km.is_alive():
            await km.shutdown_kernel(now=True)
        else:
            await km.cleanup_resources()
    except Exception:  # noqa: BLE001 - best effort: make sure the process is gone
        provisioner = km.provisioner
        if provisioner is not None and getattr(provisioner, "pgid", None):
            try:
                os.killpg(provisioner.pgid, signal.SIGKILL)
            except OSError:
                pass


def run_notebook(
    path: str | Path,
    *,
    timeout: float = 60.0,
    kernel_name: str = "tslab",
    env: dict[str, str] | None = None,
    cell_timeout: float | None = None,
    startup_timeout: float = 60.0,
    settle: float = 0.4,
    shutdown_timeout: float = 5.0,
    wait_after_error: bool = True,
    output_dir: Path | None = None,
) -> Result:
    """Execute one notebook and return its Result (the Python API of this tool).

    ``env`` replaces the kernel's whole environment when given (jupyter_client adds
    JPY_PARENT_PID). ``wait_after_error=False`` sends the next cell right after an
    expected error, which makes tslab abort it: use it only to test abort handling.
    ``output_dir`` saves an executed copy of the notebook, outputs included, under it.
    """
    options = Options(
        timeout=timeout,
        cell_timeout=cell_timeout,
        startup_timeout=startup_timeout,
        kernel_name=kernel_name,
        env=env,
        settle=settle,
        shutdown_timeout=shutdown_timeout,
        wait_after_error=wait_after_error,
        output_dir=output_dir,
    )
    return asyncio.run(run_notebook_async(path, options))


# --- finding notebooks and reporting ------------------------------------------------------


def find_notebooks(patterns: list[str], root: Path | None = None) -> tuple[list[Path], list[str]]:
    """Expand paths, folders and globs to notebooks; return (notebooks, patterns matching none).

    With no patterns: every notebooks/**/*.ipynb under root (default: cwd), sorted.
    Checkpoint copies in .ipynb_checkpoints are never included.
    """
    root = root or Path.cwd()
    if not patterns:
        found = _glob(str(root / DEFAULT_PATTERN))
        return [_relative(p, root) for p in found], []
    notebooks: list[Path] = []
    unmatched: list[str] = []
    for pattern in patterns:
        base = Path(pattern) if Path(pattern).is_absolute() else root / pattern
        if base.is_dir():
            found = _glob(str(base / "**" / "*.ipynb"))
        elif base.is_file():
            found = [base]
        else:
            found = _glob(str(base))
        if not found:
            unmatched.append(pattern)
        for path in found:
            rel = _relative(path, root)
            if rel not in notebooks:
                notebooks.append(rel)
    return notebooks, unmatched


def _glob(pattern: str) -> list[Path]:
    return sorted(
        Path(p)
        for p in glob.glob(pattern, recursive=True)
        if p.endswith(".ipynb") and ".ipynb_checkpoints" not in Path(p).parts
    )


def _relative(path: Path, root: Path) -> Path:
    try:
        return path.resolve().relative_to(root.resolve())
    except ValueError:
        return path


def describe(result: Result) -> str:
    """The PASS/FAIL line and, on failure, where and why with the cell's output."""
    verdict = "PASS" if result.ok else "FAIL"
    cells = f"{result.cells_run} cells" if result.ok else f"{result.cells_run} of {result.code_cells} cells"
    lines = [f"{verdict} {result.path} ({result.seconds:.1f} s, {cells})"]
    if result.ok:
        return lines[0]
    lines.append(f"    error: {result.error}")
    record = result.record(result.cell)
    if record is not None:
        lines.append(f"    cell {record.index} source:")
        lines.extend(_indent(record.source))
        if record.stderr.strip():
            lines.append(f"    cell {record.index} stderr:")
            lines.extend(_indent(record.stderr))
        if record.stdout.strip():
            tail = record.stdout.rstrip("\n").splitlines()[-STDOUT_TAIL:]
            lines.append(f"    cell {record.index} stdout (last {len(tail)} lines):")
            lines.extend(_indent("\n".join(tail)))
    return "\n".join(lines)


def _indent(text: str) -> list[str]:
    return [f"      | {line}" for line in text.rstrip("\n").splitlines()] or ["      |"]


async def run_many(paths: list[Path], options: Options, jobs: int) -> list[Result]:
    """Run notebooks, at most ``jobs`` at once, printing each verdict in path order."""
    gate = asyncio.Semaphore(max(1, jobs))

    async def one(path: Path) -> Result:
        async with gate:
            return await run_notebook_async(path, options)

    tasks = [asyncio.create_task(one(p)) for p in paths]
    results = []
    try:
        for task in tasks:
            result = await task
            print(describe(result), flush=True)
            results.append(result)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return results


async def run_all(paths: list[Path], options: Options, jobs: int) -> list[Result]:
    """run_many, cancelled cleanly (kernels killed) when the runner gets SIGTERM."""
    task = asyncio.current_task()
    if task is not None:
        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # no signal handlers here (not the main thread, or Windows)
    return await run_many(paths, options, jobs)


def write_json(path: str, results: list[Result]) -> None:
    """Write the --json report."""
    passed = sum(r.ok for r in results)
    data = {
        "passed": passed,
        "failed": len(results) - passed,
        "notebooks": [r.report() for r in results],
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Execute notebooks on the tslab kernel; ends with 'N passed, N failed'."
    )
    parser.add_argument("paths", nargs="*", help=f"notebooks, folders or globs (default: {DEFAULT_PATTERN})")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds for all cells of a notebook, kernel start not included (default 60)",
    )
    parser.add_argument("--cell-timeout", type=float, default=None, help="seconds per cell (default: none)")
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=60.0,
        help="seconds the kernel gets to start and answer (default 60)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=0.4,
        help="seconds to keep listening for late errors after the last cell (default 0.4)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=5.0,
        help="seconds the kernel gets to exit after shutdown_request (default 5)",
    )
    parser.add_argument("--kernel", default="tslab", help="kernel name (default tslab)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="notebooks run at once (default 1)")
    parser.add_argument("--json", metavar="PATH", help="write a machine-readable report here")
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="save an executed copy of each notebook (with outputs) under DIR",
    )
    parser.add_argument("--allow-empty", action="store_true", help="exit 0 when no notebook is found")
    parser.add_argument(
        "--no-wait-after-error",
        dest="wait_after_error",
        action="store_false",
        help=argparse.SUPPRESS,  # test hook: send the next cell into tslab's abort window
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks named on the command line; return the exit status."""
    args = parse_args(argv)
    options = Options(
        timeout=args.timeout,
        cell_timeout=args.cell_timeout,
        startup_timeout=args.startup_timeout,
        kernel_name=args.kernel,
        settle=args.settle,
        shutdown_timeout=args.shutdown_timeout,
        wait_after_error=args.wait_after_error,
        output_dir=args.output_dir,
    )
    paths, unmatched = find_notebooks(args.paths)
    for pattern in unmatched:
        print(f"FAIL {pattern}: no notebook matches this path or glob", flush=True)
    if not paths and not unmatched:
        where = ", ".join(args.paths) if args.paths else DEFAULT_PATTERN
        print(f"no notebooks found ({where}, relative to {Path.cwd()})", flush=True)
    try:
        results = asyncio.run(run_all(paths, options, args.jobs)) if paths else []
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted: every kernel started was stopped", file=sys.stderr, flush=True)
        return 130
    if args.json:
        write_json(args.json, results)
    passed = sum(r.ok for r in results)
    failed = len(results) - passed + len(unmatched)
    print(f"{passed} passed, {failed} failed", flush=True)
    if failed:
        return 1
    if not results and not args.allow_empty:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
