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
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { NodeRedProcess } from "../test/support/node-red-process";
import { startBenchNodeRed } from "./bench-node-red";
import { benchCases, type Endpoints, type Result } from "./cases";
import { benchFlows, endpoints, type Implementation } from "./flows";
import { Generator } from "./generator";
import { cpuMicros, rssBytes, waitUntilQuiet } from "./proc";
import type { BenchCase } from "./protocol";
import { table, type Row } from "./report";
import { schedule } from "./schedule";

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

type TargetName = Implementation | "bare";

/** What a case runs against: one implementation in a Node-RED process, or the bare server. */
interface Target {
  name: TargetName;
  /** The server process, to read its CPU time and memory. */
  pid: number;
  at: Endpoints;
  /** Where its Node-RED process writes its memory; none for the bare server. */
  memoryFile?: string;
}

/** What Node-RED's process.memoryUsage() said after a full garbage collection. */
interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/**
 * Memory after a full garbage collection: Node-RED preloads node-red-preload,
 * which collects and writes process.memoryUsage() on SIGWINCH. The bare
 * server has no such hook: its memory is read from /proc, without a collection.
 */
async function memoryAfterGc(target: Target): Promise<Memory> {
  const memoryFile = target.memoryFile;
  if (!memoryFile) {
    return { rss: rssBytes(target.pid), heapUsed: 0, external: 0 };
  }
  await rm(memoryFile, { force: true });
  process.kill(target.pid, "SIGWINCH");
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

/**
 * Runs one case and reads the server's CPU at the window's edges. Each case
 * first waits until all the `servers` processes have settled from the last one.
 */
async function measure(generator: Generator, servers: number[], target: Target, spec: BenchCase): Promise<Result> {
  await Promise.all(servers.map((server) => waitUntilQuiet(server)));
  const before = spec.kind === "idle" ? await memoryAfterGc(target) : undefined;
  generator.send({ run: spec });
  await generator.expect("window-start");
  const cpuBefore = cpuMicros(target.pid);
  if (spec.kind === "idle") {
    const open = await generator.expect("idle-open");
    const cpu = cpuMicros(target.pid) - cpuBefore;
    await waitUntilQuiet(target.pid);
    const after = await memoryAfterGc(target);
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
  const cpu = cpuMicros(target.pid) - cpuBefore;
  const end = await generator.expect("window-end");
  return { measured: end.result, cpu };
}

/**
 * Where the bare server serves the cases (bare-server.ts). It has no
 * whole-message echo and no client connection: no case it runs asks for them.
 */
function bareEndpoints(url: string): Endpoints {
  return { echo: `${url}/echo`, wholeEcho: "", broadcast: `${url}/bcast`, broadcastTrigger: `${url}/bcast-trigger`, idle: `${url}/idle`, flood: "" };
}

/** One Node-RED process of a run: the build of this package it loads, and which implementations in it are targets. */
interface Deployment {
  /** Names its user directory and its client connections' flood paths. */
  label: string;
  packageDir: string;
  targets: { impl: Implementation; as: TargetName }[];
}

/** The Node-RED processes started so far, to stop them and to show their output when the benchmark fails. */
const started: { label: string; red: NodeRedProcess }[] = [];

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), "flowsocket-bench-"));
  let generator: Generator | undefined;
  let bare: ChildProcess | undefined;
  const stopNow = (exitCode: number) => (): void => {
    // Stopped by hand: take the processes and the temporary directory along.
    generator?.child.kill();
    bare?.kill();
    started.forEach(({ red }) => red.kill());
    rmSync(tmp, { recursive: true, force: true });
    process.exit(exitCode);
  };
  process.once("SIGINT", stopNow(130));
  process.once("SIGTERM", stopNow(143));
  try {
    const deployments: Deployment[] = [
      { label: "side-by-side", packageDir: ROOT, targets: [{ impl: "core", as: "core" }, { impl: "ours", as: "ours" }] },
    ];
    generator = new Generator(fork(join(__dirname, "load-generator.js"), { stdio: "inherit" }));
    const { floodPort } = await generator.expect("ready");
    const targets: Target[] = [];
    /** The paths of every client connection deployed, whether or not its target runs: all have to be up before the first case. */
    const floodPaths = new Set<string>();
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
    }
    for (const { label, packageDir, targets: deployed } of deployments) {
      const memoryFile = join(tmp, `memory-${label}.json`);
      const red = await startBenchNodeRed({ packageDir, userDir: join(tmp, `user-${label}`), memoryFile, profileDir });
      started.push({ label, red });
      const floodPrefix = `/${label}`;
      await red.deploy(benchFlows(floodPort, { implementations: deployed.map(({ impl }) => impl), floodPrefix }));
      for (const { impl, as } of deployed) {
        const at = endpoints(`ws://127.0.0.1:${red.port}`, impl, floodPrefix);
        targets.push({ name: as, pid: red.pid, at, memoryFile });
        floodPaths.add(at.flood);
      }
    }
    bare = fork(join(__dirname, "bare-server.js"), { stdio: "inherit" });
    const bareServer = bare;
    const barePort = await new Promise<number>((resolvePromise) => bareServer.once("message", (m: { port: number }) => resolvePromise(m.port)));
    targets.push({ name: "bare", pid: bare.pid!, at: bareEndpoints(`ws://127.0.0.1:${barePort}`) });
    while (floodPaths.size > 0) {
      floodPaths.delete((await generator.expect("flood-connected")).path);
    }
    console.log(`Node-RED ${started[0]!.red.version} on Node ${process.versions.node}, ${repeats} repeat(s), ${durationMs} ms windows\n`);

    const servers = [...new Set(targets.map((target) => target.pid))];
    const running = targets.filter((target) => !targetFilter || targetFilter.includes(target.name));
    const rows: Row[] = [];
    for (const definition of benchCases({ warmupMs, durationMs, floodMessages: quick ? 300000 : 1000000 })) {
      if (!definition.name.includes(only)) {
        continue;
      }
      const results: Record<TargetName, Result[]> = { core: [], ours: [], bare: [] };
      for (const { target, repeat } of schedule(running.filter((t) => definition.bare || t.name !== "bare"), repeats)) {
        const result = await measure(generator, servers, target, definition.spec(target.at));
        results[target.name].push(result);
        process.stderr.write(`${definition.name} / ${target.name} #${repeat + 1}: ${Math.round(result.measured.count / result.measured.seconds)}/s\n`);
      }
      for (const metric of definition.metrics) {
        const runs = (name: TargetName): number[] => (metric.nodeRedOnly && name === "bare" ? [] : results[name].map(metric.read));
        rows.push({ caseName: definition.name, metric: metric.metric, higherIsBetter: metric.higherIsBetter, samples: { core: runs("core"), ours: runs("ours"), bare: runs("bare") } });
      }
    }
    console.log(table(rows));
  } finally {
    generator?.send({ quit: true });
    bare?.kill();
    await Promise.all(started.map(({ red }) => red.stop()));
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  for (const { label, red } of started) {
    console.error(`--- output of Node-RED "${label}" (last 4000 characters) ---\n${red.output().slice(-4000)}`);
  }
  process.exit(1);
});
