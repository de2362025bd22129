import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { describe, test } from "node:test";
import {
  type BlockingServerResponse,
  startBlockingServer,
  startServerThread,
} from "../src/blocking-server.js";
import { now } from "../src/clock.js";

const moduleUrl = new URL("../src/blocking-server.ts", import.meta.url).href;

async function get(url: string): Promise<BlockingServerResponse> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return (await response.json()) as BlockingServerResponse;
}

describe("startBlockingServer()", () => {
  test("listens on 127.0.0.1 on an ephemeral port and answers with JSON", async () => {
    const server = await startBlockingServer({ workMs: 20 });
    try {
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
      assert.ok(server.port > 0);
      assert.equal(server.workMs, 20);
      const response = await fetch(`${server.url}client-1`);
      assert.equal(response.headers.get("content-type"), "application/json");
      const reply = (await response.json()) as BlockingServerResponse;
      assert.equal(reply.request, 1);
      assert.equal(reply.path, "GET /client-1");
      assert.equal(reply.workMs, 20);
    } finally {
      await server.close();
    }
  });

  test("blocks for workMs per request, reported on the caller's clock", async () => {
    const server = await startBlockingServer({ workMs: 60 });
    try {
      const t0 = now();
      const reply = await get(server.url);
      const t1 = now();
      // The worker converts its times to this thread's clock: they fall inside [t0, t1].
      assert.ok(reply.startedAt >= t0 - 2, `startedAt ${reply.startedAt} before ${t0}`);
      assert.ok(reply.finishedAt <= t1 + 2, `finishedAt ${reply.finishedAt} after ${t1}`);
      const blocked = reply.finishedAt - reply.startedAt;
      assert.ok(blocked >= 59 && blocked < 1000, `blocked ${blocked} ms`);
    } finally {
      await server.close();
    }
  });

  test("serves concurrent requests one at a time: 4 × 100 ms take about 400 ms", async () => {
    const server = await startBlockingServer({ workMs: 100 });
    try {
      await get(server.url); // warm up the connection machinery outside the measurement
      const t0 = now();
      const replies = await Promise.all([1, 2, 3, 4].map((i) => get(`${server.url}c${i}`)));
      const elapsed = now() - t0;
      assert.ok(elapsed >= 390 && elapsed < 2000, `4 requests took ${elapsed.toFixed(0)} ms`);
      const order = [...replies].sort((a, b) => a.startedAt - b.startedAt);
      assert.deepEqual(
        order.map((r) => r.request),
        [2, 3, 4, 5],
      );
      // Never two at once: each starts after the previous one finished.
      for (let i = 1; i < order.length; i++) {
        const previous = order[i - 1]!;
        assert.ok(order[i]!.startedAt >= previous.finishedAt - 0.5);
      }
    } finally {
      await server.close();
    }
  });

  test("uses 300 ms of work per request by default", async () => {
    const server = await startBlockingServer();
    try {
      assert.equal(server.workMs, 300);
    } finally {
      await server.close();
    }
  });

  test("rejects bad options with the library's error shape", async () => {
    await assert.rejects(startBlockingServer({ workMs: -1 }), {
      name: "TypeError",
      message: "Expected `workMs` to be a finite number from 0 to 60000, got -1",
    });
    await assert.rejects(startBlockingServer({ workMs: Number.NaN }), TypeError);
    await assert.rejects(startBlockingServer(null as never), {
      name: "TypeError",
      message: "Expected `options` to be an options object, got null",
    });
  });
});

describe("BlockingServer.close()", () => {
  test("stops the server: nothing answers and the port is free again", async () => {
    const server = await startBlockingServer({ workMs: 10 });
    await get(server.url);
    await server.close();
    await assert.rejects(fetch(server.url), TypeError); // fetch failed: connection refused
    const again = createServer();
    await new Promise<void>((resolve) => again.listen(server.port, "127.0.0.1", resolve));
    await new Promise((resolve) => again.close(resolve));
  });

  test("leaves nothing running: a process that used a server exits by itself", async () => {
    const script = `
      import { startBlockingServer } from ${JSON.stringify(moduleUrl)};
      const server = await startBlockingServer({ workMs: 10 });
      await Promise.all([fetch(server.url), fetch(server.url)]);
      await server.close();
      console.log("closed");
    `;
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    const killer = setTimeout(() => child.kill(), 15_000);
    const code = await new Promise((resolve) =>
      child.on("exit", (c, signal) => resolve(c ?? signal)),
    );
    clearTimeout(killer);
    assert.equal(output.trim(), "closed");
    assert.equal(code, 0, "the process should exit on its own once the server is closed");
  });

  test("returns the same promise when called twice", async () => {
    const server = await startBlockingServer({ workMs: 10 });
    const first = server.close();
    assert.equal(server.close(), first);
    await first;
  });

  test("drops requests still waiting for their turn", async () => {
    const server = await startBlockingServer({ workMs: 150 });
    const pending = [1, 2, 3].map(() =>
      fetch(server.url).then(
        (r) => r.status,
        () => "dropped",
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    const outcomes = await Promise.all(pending);
    assert.ok(outcomes.includes("dropped"), `outcomes: ${outcomes.join(", ")}`);
  });
});

describe("startServerThread()", () => {
  test("rejects bad arguments with the library's error shape", async () => {
    await assert.rejects(startServerThread("", undefined), {
      name: "TypeError",
      message: 'Expected `source` to be a non-empty string, got ""',
    });
    await assert.rejects(startServerThread("1", undefined, { graceMs: -5 }), {
      name: "TypeError",
      message: "Expected `graceMs` to be a finite number ≥ 0, got -5",
    });
  });

  test("resolves with the port the script posts, and closes a thread that already exited", async () => {
    const thread = await startServerThread(
      `require("node:worker_threads").parentPort.postMessage({ port: 1234 });`,
      undefined,
    );
    assert.equal(thread.port, 1234);
    await thread.close();
  });

  test("rejects when the script throws before listening", async () => {
    await assert.rejects(startServerThread("throw new Error('cannot bind')", undefined), {
      message: "cannot bind",
    });
  });

  test("rejects when the thread exits before listening", async () => {
    await assert.rejects(startServerThread("process.exit(3)", undefined), {
      message: "The server thread exited before listening (code 3)",
    });
  });

  test("terminates a thread that ignores the close request after the grace period", async () => {
    const stubborn = `
      const { parentPort } = require("node:worker_threads");
      setInterval(() => {}, 1000);
      parentPort.postMessage({ port: 1234 });
    `;
    const thread = await startServerThread(stubborn, undefined, { graceMs: 50 });
    assert.equal(thread.port, 1234);
    const t0 = now();
    await thread.close();
    const took = now() - t0;
    assert.ok(took >= 45 && took < 2000, `close took ${took.toFixed(0)} ms`);
  });

  test("close() resolves when the thread has already died after start-up", async () => {
    const fragile = `
      const { parentPort } = require("node:worker_threads");
      parentPort.postMessage({ port: 1 });
      setTimeout(() => { throw new Error("crash after start-up"); }, 10);
    `;
    const thread = await startServerThread(fragile, undefined, { graceMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const t0 = now();
    await thread.close();
    assert.ok(now() - t0 < 1000);
  });
});
