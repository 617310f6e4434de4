/**
 * `npm run bench`: core's WebSocket nodes and ours, side by side in one real
 * Node-RED process, driven by a load generator in another process, with a
 * bare `ws` server as the limit. Prints medians with min-max over the repeats
 * and the ratio ours/core. Loopback only; every case is bounded in time.
 *
 *   npm run bench                 every case, 3 repeats
 *   npm run bench -- --quick      every case once, shorter windows
 *   npm run bench -- --only echo  cases whose name contains "echo"
 *   npm run bench -- --targets ours --profile DIR
 *                                 ours alone, with a CPU profile of Node-RED in DIR
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NodeRedProcess } from "../test/support/node-red-process";
import { benchFlows, paths, type Implementation } from "./flows";
import { cpuMicros, rssBytes, waitUntilQuiet } from "./proc";
import type { BenchCase, GeneratorCommand, GeneratorEvent, Measured } from "./protocol";
import { table, type Row } from "./report";

const ROOT = resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] ?? "" : "";
const repeats = quick ? 1 : Number(args.includes("--repeats") ? args[args.indexOf("--repeats") + 1] : 3);
const warmupMs = quick ? 500 : 1000;
const durationMs = quick ? 1500 : 3000;
/** Which targets to run (`--targets ours` to profile ours alone). */
const targetFilter = args.includes("--targets") ? (args[args.indexOf("--targets") + 1] ?? "").split(",") : undefined;
/** Where to write a CPU profile of Node-RED (`--profile DIR`), to see what bounds a case. */
const profileDir = args.includes("--profile") ? resolve(args[args.indexOf("--profile") + 1] ?? "profiles") : "";

type Target = Implementation | "bare";

/** The load generator, driven over IPC: one case at a time. */
class Generator {
  private waiting: ((event: GeneratorEvent) => void)[] = [];
  private readonly backlog: GeneratorEvent[] = [];

  private failure: Error | undefined;

  constructor(readonly child: ChildProcess) {
    child.on("message", (event: GeneratorEvent) => {
      if (event.event === "failed") {
        // Fails whoever waits now or next, so the run unwinds through its clean-up.
        this.failure = new Error(`load generator failed: ${event.message}`);
      }
      const waiter = this.waiting.shift();
      if (waiter) {
        waiter(event);
      } else {
        this.backlog.push(event);
      }
    });
  }

  next(ms = 120000): Promise<GeneratorEvent> {
    const queued = this.backlog.shift();
    if (queued) {
      return Promise.resolve(queued);
    }
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`the load generator said nothing for ${ms} ms`)), ms);
      this.waiting.push((event) => {
        clearTimeout(timer);
        resolvePromise(event);
      });
    });
  }

  async expect<E extends GeneratorEvent["event"]>(name: E): Promise<Extract<GeneratorEvent, { event: E }>> {
    const event = await this.next();
    if (this.failure) {
      throw this.failure;
    }
    if (event.event !== name) {
      throw new Error(`expected '${name}' from the load generator, got ${JSON.stringify(event)}`);
    }
    return event as Extract<GeneratorEvent, { event: E }>;
  }

  send(command: GeneratorCommand): void {
    this.child.send(command);
  }
}

interface Result {
  measured: Measured;
  /** Server CPU over the measuring window, in microseconds. */
  cpu: number;
  /** Server RSS and V8 heap growth, in bytes (idle case). */
  rss?: number;
  heap?: number;
}

/** What Node-RED's process.memoryUsage() said after a full garbage collection. */
interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

let memoryFile = "";

/**
 * Memory after a full garbage collection: Node-RED preloads node-red-preload,
 * which collects and writes process.memoryUsage() on SIGWINCH. The bare
 * server has no such hook: its memory is read from /proc, without a collection.
 */
async function memoryAfterGc(pid: number, isNodeRed: boolean): Promise<Memory> {
  if (!isNodeRed) {
    return { rss: rssBytes(pid), heapUsed: 0, external: 0 };
  }
  await rm(memoryFile, { force: true });
  process.kill(pid, "SIGWINCH");
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
    try {
      return JSON.parse(await readFile(memoryFile, "utf8")) as Memory;
    } catch {
      // not written yet
    }
  }
  throw new Error("Node-RED did not report its memory");
}

/** Runs one case and reads the server's CPU at the window's edges. */
/** The server processes: each case waits until all of them have settled from the last one. */
const servers: number[] = [];

async function measure(generator: Generator, pid: number, isNodeRed: boolean, spec: BenchCase): Promise<Result> {
  await Promise.all(servers.map((server) => waitUntilQuiet(server)));
  const before = spec.kind === "idle" ? await memoryAfterGc(pid, isNodeRed) : undefined;
  generator.send({ run: spec });
  await generator.expect("window-start");
  const cpuBefore = cpuMicros(pid);
  if (spec.kind === "idle") {
    const open = await generator.expect("idle-open");
    const cpu = cpuMicros(pid) - cpuBefore;
    await waitUntilQuiet(pid);
    const after = await memoryAfterGc(pid, isNodeRed);
    generator.send({ closeIdle: true });
    await generator.expect("window-end");
    return {
      measured: open.result,
      cpu,
      rss: after.rss - before!.rss,
      heap: after.heapUsed + after.external - (before!.heapUsed + before!.external),
    };
  }
  await generator.expect("window-closed");
  const cpu = cpuMicros(pid) - cpuBefore;
  const end = await generator.expect("window-end");
  return { measured: end.result, cpu };
}

interface CaseDefinition {
  name: string;
  targets: Target[];
  spec(target: Target): BenchCase;
  rows(results: Record<Target, Result[]>): Omit<Row, "caseName">[];
}

function pick(results: Record<Target, Result[]>, read: (result: Result) => number): Row["samples"] {
  return { core: results.core.map(read), ours: results.ours.map(read), bare: results.bare.map(read) };
}

function echoCase(clients: number, whole = false): CaseDefinition {
  return {
    name: whole ? `wholemsg echo, ${clients} clients` : `echo, ${clients} client${clients > 1 ? "s" : ""}`,
    targets: whole ? ["core", "ours"] : ["core", "ours", "bare"],
    spec: (target) => ({
      kind: "echo",
      url: target === "bare" ? `${bareUrl}/echo` : `${redUrl}${whole ? paths(target).wholeEcho : paths(target).echo}`,
      clients,
      inflight: 8,
      payloadBytes: 64,
      warmupMs,
      durationMs,
    }),
    rows: (results) => [
      { metric: "round trips/s", higherIsBetter: true, samples: pick(results, (r) => r.measured.count / r.measured.seconds) },
      { metric: "p50 RTT ms", higherIsBetter: false, samples: pick(results, (r) => r.measured.p50 ?? 0) },
      { metric: "p99 RTT ms", higherIsBetter: false, samples: pick(results, (r) => r.measured.p99 ?? 0) },
      { metric: "server CPU µs/msg", higherIsBetter: false, samples: pick(results, (r) => r.cpu / r.measured.count) },
    ],
  };
}

const CASES: CaseDefinition[] = [
  echoCase(1),
  echoCase(16),
  echoCase(256),
  echoCase(16, true),
  {
    name: "broadcast to 1,000 clients",
    targets: ["core", "ours", "bare"],
    spec: (target) => ({
      kind: "broadcast",
      triggerUrl: target === "bare" ? `${bareUrl}/bcast-trigger` : `${redUrl}${paths(target).broadcastTrigger}`,
      listenUrl: target === "bare" ? `${bareUrl}/bcast` : `${redUrl}${paths(target).broadcast}`,
      clients: 1000,
      window: 8,
      warmupMs,
      durationMs,
    }),
    rows: (results) => [
      { metric: "deliveries/s", higherIsBetter: true, samples: pick(results, (r) => r.measured.count / r.measured.seconds) },
      { metric: "server CPU µs/delivery", higherIsBetter: false, samples: pick(results, (r) => r.cpu / r.measured.count) },
    ],
  },
  {
    name: "10,000 idle connections",
    targets: ["core", "ours", "bare"],
    spec: (target) => ({
      kind: "idle",
      url: target === "bare" ? `${bareUrl}/idle` : `${redUrl}${paths(target).idle}`,
      count: 10000,
      concurrency: 100,
    }),
    rows: (results) => [
      { metric: "time to open s", higherIsBetter: false, samples: pick(results, (r) => r.measured.seconds) },
      { metric: "server CPU µs/conn", higherIsBetter: false, samples: pick(results, (r) => r.cpu / r.measured.count) },
      { metric: "RSS KiB/conn", higherIsBetter: false, samples: pick(results, (r) => (r.rss ?? 0) / 1024 / r.measured.count) },
      {
        metric: "V8 heap+external KiB/conn",
        higherIsBetter: false,
        // The bare server has no hook to report its heap.
        samples: { ...pick(results, (r) => (r.heap ?? 0) / 1024 / r.measured.count), bare: [] },
      },
    ],
  },
  {
    name: "connect-mode inbound flood",
    targets: ["core", "ours"],
    spec: (target) => ({ kind: "flood", path: paths(target as Implementation).flood, messages: quick ? 300000 : 1000000, payloadBytes: 64 }),
    rows: (results) => [
      { metric: "messages/s", higherIsBetter: true, samples: pick(results, (r) => r.measured.count / r.measured.seconds) },
      { metric: "server CPU µs/msg", higherIsBetter: false, samples: pick(results, (r) => r.cpu / r.measured.count) },
    ],
  },
];

let redUrl = "";
/** Node-RED's output so far, to show when the benchmark fails. */
let nodeRedOutput: (() => string) | undefined;
let bareUrl = "";

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), "flowsocket-bench-"));
  const userDir = join(tmp, "user");
  await mkdir(join(userDir, "node_modules", "@flowsocket"), { recursive: true });
  // The package as built in this checkout, linked in as `npm start` does.
  await symlink(ROOT, join(userDir, "node_modules", "@flowsocket", "node-red"), "dir");
  await writeFile(join(userDir, "package.json"), '{"name":"flowsocket-bench","private":true}\n');

  const generator = new Generator(fork(join(__dirname, "load-generator.js"), { stdio: "inherit" }));
  const bare = fork(join(__dirname, "bare-server.js"), { stdio: "inherit" });
  let red: NodeRedProcess | undefined;
  try {
    process.once("SIGINT", () => {
      // Stopped by hand: take the processes and the temporary directory along.
      generator.child.kill();
      bare.kill();
      red?.kill();
      rmSync(tmp, { recursive: true, force: true });
      process.exit(130);
    });
    const { floodPort } = await generator.expect("ready");
    const barePort = await new Promise<number>((resolvePromise) => bare.once("message", (m: { port: number }) => resolvePromise(m.port)));
    bareUrl = `ws://127.0.0.1:${barePort}`;
    memoryFile = join(tmp, "memory.json");
    process.env.FLOWSOCKET_MEMORY_FILE = memoryFile;
    process.env.NODE_OPTIONS = `--expose-gc --require=${join(__dirname, "node-red-preload.js")}`;
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
      process.env.FLOWSOCKET_CPU_PROFILE_DIR = profileDir;
    }
    red = await NodeRedProcess.start({
      userDir,
      settings: { logging: { console: { level: "warn", metrics: false, audit: false } } },
    });
    delete process.env.NODE_OPTIONS;
    delete process.env.FLOWSOCKET_MEMORY_FILE;
    delete process.env.FLOWSOCKET_CPU_PROFILE_DIR;
    redUrl = `ws://127.0.0.1:${red.port}`;
    servers.push(red.pid, bare.pid!);
    const started = red;
    nodeRedOutput = () => started.output();
    await red.deploy(benchFlows(floodPort));
    const connected = new Set<string>();
    while (connected.size < 2) {
      const event = await generator.expect("flood-connected");
      connected.add(event.path);
    }
    console.log(`Node-RED ${red.version} on Node ${process.versions.node}, ${repeats} repeat(s), ${durationMs} ms windows\n`);

    const rows: Row[] = [];
    for (const definition of CASES.filter((c) => c.name.includes(only))) {
      const results: Record<Target, Result[]> = { core: [], ours: [], bare: [] };
      for (let repeat = 0; repeat < repeats; repeat++) {
        // Rotate who goes first, so no one always runs on a warmer machine.
        const targets = definition.targets.filter((target) => !targetFilter || targetFilter.includes(target));
        const order = targets.map((_, i) => targets[(i + repeat) % targets.length]!);
        for (const target of order) {
          const pid = target === "bare" ? bare.pid! : red.pid;
          const result = await measure(generator, pid, target !== "bare", definition.spec(target));
          results[target].push(result);
          process.stderr.write(`${definition.name} / ${target} #${repeat + 1}: ${Math.round(result.measured.count / result.measured.seconds)}/s\n`);
        }
      }
      rows.push(...definition.rows(results).map((row) => ({ caseName: definition.name, ...row })));
    }
    console.log(table(rows));
  } finally {
    generator.send({ quit: true });
    bare.kill();
    await red?.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  if (nodeRedOutput) {
    console.error(`--- Node-RED output (last 4000 characters) ---\n${nodeRedOutput().slice(-4000)}`);
  }
  process.exit(1);
});
