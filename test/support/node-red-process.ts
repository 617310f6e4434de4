import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { dirname, join, resolve } from "node:path";
import { nextCommsMessage } from "./comms";

// Not imported from red.ts: that module starts node-red-node-test-helper and
// loads dist/ as soon as it is imported, and this one needs neither.
/** The repository's root, from .build/test/support. */
const ROOT = resolve(__dirname, "..", "..", "..");
/** The Node-RED under test: `node-red` (4.x) unless FLOWSOCKET_NODE_RED names another package. */
const NODE_RED_PACKAGE = process.env.FLOWSOCKET_NODE_RED ?? "node-red";

export interface NodeRedProcessOptions {
  /** The user directory: settings.js is written here, and Node-RED loads modules from its node_modules. */
  userDir: string;
  /** How long to wait for the admin API to answer, in milliseconds. */
  startTimeoutMs?: number;
  /** The port to listen on, such as the one of a run before with the same user directory; a free one when absent. */
  port?: number;
  /** Settings merged over the defaults below; they must survive JSON.stringify. */
  settings?: Record<string, unknown>;
  /** See NodeRedCommand.launcher. */
  launcher?: readonly string[];
  /** Flags to `node` itself, before red.js: V8's, which NODE_OPTIONS does not take. */
  nodeArgs?: readonly string[];
}

/** A command that runs Node-RED: red.js itself, or a script that starts it, such as scripts/dev.mjs. */
export interface NodeRedCommand {
  /** The arguments to `node` (this test run's Node binary). */
  args: string[];
  cwd: string;
  /** Variables set over this process's environment. */
  env?: Record<string, string>;
  /** The port the command makes Node-RED listen on. */
  port: number;
  /** The version in the package.json of the Node-RED it runs. */
  version: string;
  /** How long to wait for the admin API to answer, in milliseconds (30 s). */
  startTimeoutMs?: number;
  /**
   * A command that starts `node` with the arguments after its own, such as
   * `sh -c 'ulimit -n N && exec "$@"' sh`, for what Node cannot set for
   * itself; by its `exec` the process id stays Node's. None by default.
   */
  launcher?: readonly string[];
}

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What an admin API request answered. */
export interface AdminResponse {
  status: number;
  body: unknown;
}

/** How long `stop()` waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5000;
/** A guard on each admin API request. */
const REQUEST_TIMEOUT_MS = 15000;
/** How long deployed flows may take to start. */
const DEPLOY_START_TIMEOUT_MS = 30000;

/**
 * A real Node-RED process, on 127.0.0.1 and a free port, with no admin
 * authentication: started with `node <node-red>/red.js` from the package
 * FLOWSOCKET_NODE_RED names (`start`), or by another command (`spawn`). Its
 * output is kept for a failing test to print.
 */
export class NodeRedProcess {
  private readonly chunks: string[] = [];
  private readonly exited: Promise<ProcessExit>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    /** The version in the started Node-RED package's package.json. */
    readonly version: string,
  ) {
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => this.chunks.push(chunk));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.chunks.push(chunk));
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ code: child.exitCode, signal: child.signalCode });
      } else {
        child.once("exit", (code, signal) => resolve({ code, signal }));
      }
    });
  }

  /**
   * Writes settings.js into the user directory, starts Node-RED and resolves
   * once `GET /settings` answers 200. Rejects, with the process's output, if
   * it exits first or does not answer within `startTimeoutMs` (30 s).
   */
  static async start(options: NodeRedProcessOptions): Promise<NodeRedProcess> {
    const port = options.port ?? (await freePort());
    const settings = {
      uiHost: "127.0.0.1",
      uiPort: port,
      flowFile: "flows.json",
      credentialSecret: false,
      // Nothing reaches out from a test: no telemetry or update checks.
      telemetry: { enabled: false, updateNotification: false },
      logging: { console: { level: "info", metrics: false, audit: false } },
      ...options.settings,
    };
    await writeFile(
      join(options.userDir, "settings.js"),
      `// Written by test/support/node-red-process.ts\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`,
    );
    const packageJson = require.resolve(`${NODE_RED_PACKAGE}/package.json`, { paths: [ROOT] });
    return NodeRedProcess.spawn({
      args: [...(options.nodeArgs ?? []), join(dirname(packageJson), "red.js"), "--userDir", options.userDir, "--port", String(port)],
      cwd: options.userDir,
      env: { NODE_RED_DISABLE_TELEMETRY: "1" },
      port,
      version: (require(packageJson) as { version: string }).version,
      startTimeoutMs: options.startTimeoutMs,
      launcher: options.launcher,
    });
  }

  /**
   * Runs `node <args>` and resolves once Node-RED answers `GET /settings` on
   * the command's port. Rejects, with the output, if the process exits first
   * or Node-RED does not answer within `startTimeoutMs`.
   */
  static async spawn(command: NodeRedCommand): Promise<NodeRedProcess> {
    const [launcher, ...launcherArgs] = command.launcher ?? [];
    const child = spawn(launcher ?? process.execPath, launcher ? [...launcherArgs, process.execPath, ...command.args] : command.args, {
      cwd: command.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...command.env },
    });
    const red = new NodeRedProcess(child, command.port, command.version);
    try {
      await red.waitUntilAnswering(command.startTimeoutMs ?? 30000);
    } catch (error) {
      await red.stop();
      throw new Error(`${(error as Error).message}\n--- Node-RED output ---\n${red.output()}`);
    }
    return red;
  }

  /** Ends the process at once, without waiting (for an interrupted run). */
  kill(): void {
    this.child.kill("SIGKILL");
  }

  /** The process id, to read its CPU time and memory from /proc. */
  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** The admin API's and HTTP nodes' base URL, without a trailing slash. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Everything the process has written to stdout and stderr so far. */
  output(): string {
    return this.chunks.join("");
  }

  /** Resolves with the first match of `pattern` in the output, waiting up to `ms` for it. */
  waitForOutput(pattern: RegExp, ms = 10000): Promise<RegExpExecArray> {
    const streams = [this.child.stdout, this.child.stderr].filter((stream) => stream !== null);
    return new Promise((resolvePromise, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.output());
        if (match) {
          finish();
          resolvePromise(match);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${String(pattern)} in the output within ${ms} ms\n--- output ---\n${this.output()}`));
      }, ms);
      const finish = (): void => {
        clearTimeout(timer);
        streams.forEach((stream) => stream.off("data", check));
      };
      streams.forEach((stream) => stream.on("data", check));
      check();
    });
  }

  /** GET an admin API path, as JSON (`Accept: application/json`) unless `accept` says otherwise. */
  async get(path: string, accept = "application/json"): Promise<AdminResponse> {
    return this.request("GET", path, { Accept: accept });
  }

  /**
   * Replaces the running flows (a full deploy) and resolves with the new
   * revision once they have started. The admin API answers when the old
   * flows have stopped, before the new ones start (setFlows in
   * @node-red/runtime/lib/flows/index.js), and a client that connects in
   * between reaches no listener and is never answered.
   */
  async deploy(flows: unknown[]): Promise<string> {
    const response = await this.request(
      "POST",
      "/flows",
      { "Content-Type": "application/json", "Node-RED-Deployment-Type": "full" },
      JSON.stringify(flows),
    );
    if (response.status !== 200 && response.status !== 204) {
      throw new Error(`deploy answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    // The runtime state is a retained comms message: the stop this deploy
    // made has set it to "stop" by now, and the start sets it to "start" once
    // every node has started, or to "stop" with an error (missing types).
    const state = await nextCommsMessage(
      this.port,
      "notification/runtime-state",
      (data) => data.state === "start" || data.error !== undefined,
      DEPLOY_START_TIMEOUT_MS,
    );
    if (state.state !== "start") {
      throw new Error(`the deployed flows did not start: ${JSON.stringify(state)}`);
    }
    return (response.body as { rev?: string } | undefined)?.rev ?? "";
  }

  /**
   * Sends `signal` (SIGTERM), then SIGKILL after `graceMs` (5 s); resolves
   * once the process has exited, with how it ended.
   */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = STOP_GRACE_MS): Promise<ProcessExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill(signal);
    }
    const timer = setTimeout(() => {
      this.child.kill("SIGKILL");
      // A process it started (scripts/dev.mjs's Node-RED) would outlive it
      // holding the output pipes, and keep this test run from exiting.
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  private async request(method: string, path: string, headers: Record<string, string>, body?: string): Promise<AdminResponse> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if ((response.headers.get("content-type") ?? "").includes("json") && text !== "") {
      parsed = JSON.parse(text);
    }
    return { status: response.status, body: parsed };
  }

  /** Polls `GET /settings` until it answers 200; the process exiting ends the wait at once. */
  private async waitUntilAnswering(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    let lastProblem = "no answer yet";
    let hasExited = false;
    void this.exited.then(() => (hasExited = true));
    while (!hasExited) {
      if (Date.now() > deadline) {
        throw new Error(`Node-RED did not answer GET /settings within ${ms} ms (${lastProblem})`);
      }
      try {
        const response = await fetch(`${this.url}/settings`, {
          headers: { Accept: "application/json" },
          signal: AbortSignal.timeout(Math.max(1, Math.min(2000, deadline - Date.now()))),
        });
        await response.arrayBuffer();
        if (response.status === 200) {
          return;
        }
        lastProblem = `status ${response.status}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      // Not up yet: wait a little or until the process exits, whichever comes first.
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    throw new Error(`Node-RED exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) before it answered`);
  }
}

/** A port that was free on 127.0.0.1 a moment ago: the kernel's pick for port 0. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}
