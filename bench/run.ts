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
 *   npm run bench -- --against main
 *                                 A/B: ours as built now against ours as built at a
 *                                 git ref (here main), without core or the bare server
 *
 * An A/B run builds the ref with its own scripts/build.mjs in a temporary
 * folder (ref-build.ts), starts one Node-RED process per build, runs each
 * case on both in turn, who goes first alternating between repeats, and
 * prints now/ref per repeat as a median with its range (ab-report.ts). Ratios
 * to core move by 10-30% between runs on a small shared machine; now/ref of
 * neighbouring runs is what shows a few percent on the message path. It
 * combines with --only, --quick and --repeats; the temporary folder is
 * removed at the end, on failure, and on SIGINT or SIGTERM. Cases that need
 * newer options (rooms, the server heartbeat, compression) run in an A/B
 * run only when --only picks them.
 *
 * The processes it starts get an open-file limit for 50,000 connections
 * where the machine allows raising it (open-files.ts); where it does not, the
 * cases open what fits and the report says so.
 */
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { NodeRedProcess } from "../test/support/node-red-process";
import { abTable, type PairedRow } from "./ab-report";
import { startBenchNodeRed } from "./bench-node-red";
import { benchCases, casesToRun, type Endpoints, type Result } from "./cases";
import { benchFlows, endpoints, type Implementation } from "./flows";
import { Generator } from "./generator";
import { measure, type Target, type TargetName } from "./measure";
import { connectionsThatFit, forkOptionsFor, openFilesFor, RESERVED_FILES, type OpenFiles } from "./open-files";
import type { GeneratorPorts } from "./protocol";
import { buildCommit, resolveCommit } from "./ref-build";
import { table, type Row } from "./report";
import { scalingTables, type ScaledCase } from "./scaling";
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
/** A git ref to run ours against (`--against main`), instead of core and the bare server. */
const against = args.includes("--against") ? args[args.indexOf("--against") + 1] ?? "" : undefined;

/** The most connections a case asks for (the larger heartbeat case): the limit is raised for them if it can be. */
const MOST_CONNECTIONS = 50000;
const openFiles: OpenFiles = openFilesFor(MOST_CONNECTIONS + RESERVED_FILES);

/**
 * Where the bare server serves the cases (bare-server.ts). It has no
 * whole-message echo and no client connection: no case it runs asks for them.
 */
function bareEndpoints(url: string): Endpoints {
  return {
    echo: `${url}/echo`,
    wholeEcho: "",
    broadcast: `${url}/bcast`,
    broadcastTrigger: `${url}/bcast-trigger`,
    idle: `${url}/idle`,
    flood: "",
    deflate: "",
    rooms: `${url}/rooms`,
    roomsTrigger: `${url}/rooms-trigger`,
    // Nothing to tell a flow: opening is its idle path.
    open: `${url}/idle`,
    idleHeartbeat: `${url}/idle-hb`,
  };
}

/** One Node-RED process of a run: the build of this package it loads, and which implementations in it are targets. */
interface Deployment {
  /** Names its user directory and its client connections' paths on the load generator's servers. */
  label: string;
  packageDir: string;
  targets: { impl: Implementation; as: TargetName }[];
}

/** What the run has started, for the clean-up on the way out and for the output on failure. */
const started: { generator?: Generator; bare?: ChildProcess; reds: { label: string; red: NodeRedProcess }[] } = { reds: [] };

/** The Node-RED processes the run needs; in an A/B run, the ref is built first, into `tmp`. */
function plan(tmp: string): { deployments: Deployment[]; heading: string } {
  if (against === undefined) {
    const targets: Deployment["targets"] = [{ impl: "core", as: "core" }, { impl: "ours", as: "ours" }];
    return { deployments: [{ label: "side-by-side", packageDir: ROOT, targets }], heading: "" };
  }
  const commit = resolveCommit(ROOT, against);
  const refDir = join(tmp, "ref");
  process.stderr.write(`building ${against} (${commit.slice(0, 7)}) in ${refDir}\n`);
  buildCommit(ROOT, commit, refDir);
  return {
    // One Node-RED process cannot load two copies of the same node types: each build gets its own.
    deployments: [
      { label: "now", packageDir: ROOT, targets: [{ impl: "ours", as: "now" }] },
      { label: "ref", packageDir: refDir, targets: [{ impl: "ours", as: "ref" }] },
    ],
    heading:
      `now: this working tree; ref: ${against} (${commit.slice(0, 7)})\n` +
      (only === "" ? "The cases that need newer options (rooms, the server heartbeat, compression) are left out: --only picks them.\n" : ""),
  };
}

/** Starts and deploys the Node-RED processes, and the bare server outside an A/B run; resolves once every client connection is up. */
async function startTargets(tmp: string, deployments: Deployment[], generator: Generator, ports: GeneratorPorts): Promise<Target[]> {
  const targets: Target[] = [];
  /** The paths of every client connection deployed, whether or not its target runs: all have to be up before the first case. */
  const peerPaths = new Set<string>();
  for (const { label, packageDir, targets: deployed } of deployments) {
    const memoryFile = join(tmp, `memory-${label}.json`);
    const userDir = join(tmp, `user-${label}`);
    const red = await startBenchNodeRed({ packageDir, userDir, memoryFile, profileDir, launcher: openFiles.launcher });
    started.reds.push({ label, red });
    const floodPrefix = `/${label}`;
    await red.deploy(benchFlows(ports, { implementations: deployed.map(({ impl }) => impl), floodPrefix }));
    for (const { impl, as } of deployed) {
      const at = endpoints(`ws://127.0.0.1:${red.port}`, impl, floodPrefix);
      targets.push({ name: as, impl, pid: red.pid, at, memoryFile });
      peerPaths.add(at.flood).add(at.deflate);
    }
  }
  if (against === undefined) {
    const bare = fork(join(__dirname, "bare-server.js"), { stdio: "inherit", ...forkOptionsFor(openFiles.launcher) });
    started.bare = bare;
    const barePort = await new Promise<number>((resolvePromise) => bare.once("message", (m: { port: number }) => resolvePromise(m.port)));
    targets.push({ name: "bare", impl: "bare", pid: bare.pid!, at: bareEndpoints(`ws://127.0.0.1:${barePort}`) });
  }
  while (peerPaths.size > 0) {
    peerPaths.delete((await generator.expect("peer-connected")).path);
  }
  return targets;
}

/** Runs every case asked for on every target that runs it, and returns the report: ours/core, or now/ref in an A/B run. */
async function runCases(generator: Generator, targets: Target[]): Promise<string> {
  const servers = [...new Set(targets.map((target) => target.pid))];
  const running = targets.filter((target) => !targetFilter || targetFilter.includes(target.name));
  const rows: Row[] = [];
  const pairedRows: PairedRow[] = [];
  const scaled: ScaledCase[] = [];
  const timing = { warmupMs, durationMs, floodMessages: quick ? 300000 : 1000000, heartbeatBeats: quick ? 3 : 6, fileLimit: openFiles.limit };
  for (const definition of casesToRun(benchCases(timing), only, against !== undefined)) {
    const results: Record<TargetName, Result[]> = { core: [], ours: [], bare: [], now: [], ref: [] };
    for (const { target, repeat } of schedule(running.filter((t) => definition.targets.includes(t.impl)), repeats)) {
      const result = await measure(generator, servers, target, definition.spec(target.at));
      results[target.name].push(result);
      process.stderr.write(`${definition.name} / ${target.name} #${repeat + 1}: ${Math.round(result.measured.count / result.measured.seconds)}/s\n`);
    }
    for (const metric of definition.metrics) {
      const runs = (name: TargetName): number[] => (metric.nodeRedOnly && name === "bare" ? [] : results[name].map(metric.read));
      const row = { caseName: definition.name, metric: metric.metric, higherIsBetter: metric.higherIsBetter };
      if (against === undefined) {
        rows.push({ ...row, samples: { core: runs("core"), ours: runs("ours"), bare: runs("bare") }, growsWithCount: metric.growsWithCount ?? false });
      } else {
        pairedRows.push({ ...row, now: runs("now"), ref: runs("ref") });
      }
    }
    if (definition.scaling) {
      scaled.push({ caseName: definition.name, ...definition.scaling });
    }
  }
  if (against !== undefined) {
    return abTable(pairedRows);
  }
  const scaling = scalingTables(rows, scaled);
  return scaling === "" ? table(rows) : `${table(rows)}\n\nHow the figures grow with the number of connections:\n\n${scaling}`;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), "flowsocket-bench-"));
  const stopNow = (exitCode: number) => (): void => {
    // Stopped by hand: take the processes and the temporary directory (with an A/B run's ref build) along.
    started.generator?.child.kill();
    started.bare?.kill();
    started.reds.forEach(({ red }) => red.kill());
    rmSync(tmp, { recursive: true, force: true });
    process.exit(exitCode);
  };
  process.once("SIGINT", stopNow(130));
  process.once("SIGTERM", stopNow(143));
  try {
    const { deployments, heading } = plan(tmp);
    const generator = new Generator(fork(join(__dirname, "load-generator.js"), { stdio: "inherit", ...forkOptionsFor(openFiles.launcher) }));
    started.generator = generator;
    const { ports } = await generator.expect("ready");
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
    }
    const targets = await startTargets(tmp, deployments, generator, ports);
    console.log(`Node-RED ${started.reds[0]!.red.version} on Node ${process.versions.node}, ${repeats} repeat(s), ${durationMs} ms windows\n${heading}`);
    if (openFiles.shortfall) {
      // Said with the report, not only on stderr: it changes what the cases count.
      const most = connectionsThatFit(MOST_CONNECTIONS, openFiles.limit).toLocaleString("en-US");
      console.log(`Note: ${openFiles.shortfall}; no case opens more than ${most} connections (${MOST_CONNECTIONS.toLocaleString("en-US")} asked).\n`);
    }
    console.log(await runCases(generator, targets));
  } finally {
    started.generator?.send({ quit: true });
    started.bare?.kill();
    await Promise.all(started.reds.map(({ red }) => red.stop()));
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  console.error(error);
  for (const { label, red } of started.reds) {
    console.error(`--- output of Node-RED "${label}" (last 4000 characters) ---\n${red.output().slice(-4000)}`);
  }
  process.exit(1);
});
