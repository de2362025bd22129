import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { expectNumber, expectOptions, expectString } from "./errors.js";

/**
 * A deliberately synchronous HTTP server, for lesson 01: every request is handled by a
 * blocking call (`workMs` of `Atomics.wait`, like Python's `time.sleep`), so while one
 * request is served the others queue up and wait their turn. Several clients at once
 * draw a staircase.
 *
 * The server runs in its own `node:worker_threads` Worker (like Python's
 * `threading.Thread` running `http.server`), so the blocking happens in *another* thread:
 * the caller's event loop stays free and its clients measure their waiting honestly. It
 * binds 127.0.0.1 on an ephemeral port (port 0) and never listens beyond this machine.
 *
 * Each response is JSON, {@link BlockingServerResponse}: which request it was and when
 * the server started and finished it, on the caller's clock (`now()`), so a timeline can
 * draw the server's side next to the clients'.
 *
 * @example
 * ```ts
 * const server = await startBlockingServer({ workMs: 300 });
 * try {
 *   const t0 = now();
 *   await Promise.all([1, 2, 3, 4].map(() => fetch(server.url)));
 *   console.log(now() - t0); // about 1200 ms: 4 requests × 300 ms, one at a time
 * } finally {
 *   await server.close();
 * }
 * ```
 * @module
 */

/** Options for {@link startBlockingServer}. */
export interface BlockingServerOptions {
  /** How long each request blocks the server, in ms (default 300, at most 60 000). */
  workMs?: number;
}

/** A running blocking server. */
export interface BlockingServer {
  /** The base URL, `http://127.0.0.1:<port>/`. Any path is served the same way. */
  readonly url: string;
  /** The ephemeral port the server listens on. */
  readonly port: number;
  /** How long each request blocks the server, in ms. */
  readonly workMs: number;
  /**
   * Stops the server and its thread; resolves once both are gone. Requests still queued
   * are dropped. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The JSON body of every response. Times are readings of the caller's `now()` clock. */
export interface BlockingServerResponse {
  /** 1 for the first request served, 2 for the second, ... */
  request: number;
  /** The request's method and path, e.g. `GET /client-2`. */
  path: string;
  /** How long the server blocked on it, in ms. */
  workMs: number;
  /** When the server started the blocking work (caller's `now()`, ms). */
  startedAt: number;
  /** When the server finished it (caller's `now()`, ms). */
  finishedAt: number;
}

/**
 * The worker's program, a plain CommonJS script evaluated in the new thread. Kept as
 * source text (not a separate file) so it runs the same from `src` under tsx and from
 * `dist` in a notebook; the thread gets no `execArgv` of ours, so flags such as
 * `--input-type=module` or `--import tsx` cannot change how it is read. Times are converted to the caller's clock through the two
 * threads' `performance.timeOrigin`, which differ.
 */
const WORKER_SOURCE = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const { performance } = require("node:perf_hooks");
const { workMs, callerOrigin } = workerData;
const cell = new Int32Array(new SharedArrayBuffer(4));
const callerNow = () => performance.timeOrigin + performance.now() - callerOrigin;
let served = 0;
const server = http.createServer((req, res) => {
  served += 1;
  const startedAt = callerNow();
  Atomics.wait(cell, 0, 0, workMs); // the blocking call: this thread does nothing else
  const finishedAt = callerNow();
  const body = JSON.stringify({
    request: served, path: req.method + " " + req.url, workMs, startedAt, finishedAt,
  });
  res.writeHead(200, { "content-type": "application/json", connection: "close" });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  parentPort.postMessage({ port: server.address().port });
});
parentPort.on("message", (message) => {
  if (message !== "close") return;
  server.close(() => parentPort.close());
  server.closeAllConnections();
});
`;

/** A server running in its own thread: where it listens, and how to stop it. */
export interface ServerThread {
  /** The port the thread's server listens on. */
  readonly port: number;
  /** Asks the thread to stop, waits `graceMs`, then terminates it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Runs `source` (a CommonJS script) in a worker thread that must post `{ port }` once its
 * server listens, and stop by itself when it receives the message `"close"`. Internal:
 * the building block of {@link startBlockingServer}, exported for its tests (not from the
 * package index). Like `new Worker(source, { eval: true })` plus the start/stop handshake.
 *
 * @example
 * ```ts
 * const thread = await startServerThread(
 *   `require("node:worker_threads").parentPort.postMessage({ port: 1234 });`,
 *   undefined,
 * );
 * thread.port;          // 1234
 * await thread.close(); // the script has nothing left to do: it has already exited
 * ```
 */
export async function startServerThread(
  source: string,
  workerData: unknown,
  options: { graceMs?: number } = {},
): Promise<ServerThread> {
  expectString("source", source);
  expectOptions("options", options);
  const graceMs =
    options.graceMs === undefined ? 2000 : expectNumber("graceMs", options.graceMs, { min: 0 });
  const worker = new Worker(source, {
    eval: true,
    execArgv: [],
    workerData,
    stdout: false,
    stderr: false,
  });
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  let port: number;
  try {
    port = await listening(worker);
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  // After start-up an error in the thread only ends it: close() then finds it gone.
  worker.on("error", () => undefined);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      worker.postMessage("close");
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((resolve) => {
        timer = setTimeout(() => resolve("late"), graceMs);
      });
      try {
        if ((await Promise.race([exited, late])) === "late") await worker.terminate();
      } finally {
        clearTimeout(timer);
      }
      await exited;
    })();
    return closing;
  };
  return { port, close };
}

/** Resolves with the port once the thread listens; rejects if it fails or exits first. */
function listening(worker: Worker): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onMessage = (message: { port: number }) => {
      detach();
      resolve(message.port);
    };
    const onError = (error: Error) => {
      detach();
      reject(error);
    };
    const onExit = (code: number) => {
      detach();
      reject(new Error(`The server thread exited before listening (code ${code})`));
    };
    // Start-up listeners only: none is left on the worker once it has answered.
    const detach = () => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
  });
}

/**
 * Starts a synchronous HTTP server in a worker thread on 127.0.0.1, port 0. Each request
 * blocks the server for `workMs`, so concurrent requests are served one after another.
 * Like Python's `http.server.HTTPServer` (not the threading one) with a `time.sleep` in
 * the handler.
 *
 * @example
 * ```ts
 * const server = await startBlockingServer({ workMs: 100 });
 * const reply = await (await fetch(server.url)).json(); // { request: 1, workMs: 100, ... }
 * await server.close();
 * ```
 */
export async function startBlockingServer(
  options: BlockingServerOptions = {},
): Promise<BlockingServer> {
  expectOptions("options", options);
  const workMs =
    options.workMs === undefined
      ? 300
      : expectNumber("workMs", options.workMs, { min: 0, max: 60_000 });
  const thread = await startServerThread(WORKER_SOURCE, {
    workMs,
    callerOrigin: performance.timeOrigin,
  });
  return {
    url: `http://127.0.0.1:${thread.port}/`,
    port: thread.port,
    workMs,
    close: thread.close,
  };
}
