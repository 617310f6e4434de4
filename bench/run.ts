/**
 * `npm run bench`: core's WebSocket nodes and ours, side by side in one real
 * Node-RED process, driven by a load generator in another process, with a
 * bare `ws` server as the limit. Prints medians with min-max over the repeats
 * and the ratio ours/core. Loopback only; every case is bounded in time.
 *
 *   npm run bench                 every case, 3 repeats
 *   npm run bench -- --quick      every case once, shorter windows
 *   npm run bench -- --only echo  cases whose name contains "echo"
 *   npm run bench -- --only "flood|echo, 256"
 *                                 cases whose name contains one of the two
 *   npm run bench -- --targets ours --profile DIR
 *                                 ours alone, with a CPU profile of Node-RED in DIR
 *   npm run bench -- --against main
 *                                 A/B: ours as built now against ours as built at a
 *                                 git ref (here main), without core or the bare server
 *   npm run bench -- --settings-ab
 *                                 A/B: ours with its listeners' limits, high-water mark
 *                                 and a token check at their defaults against ours with
 *                                 them off, on the echo and broadcast cases
 *   npm run bench -- --against main --instructions
 *                                 the same A/B with Node-RED under callgrind: the
 *                                 instructions per message, not time
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
 * A settings A/B runs the same way, with the working tree's build in both
 * processes and the settings of each side's listeners (settings-ab.ts) as
 * the only difference, and marks a loss over 3% instead of 5%.
 *
 * With --instructions, every Node-RED process runs under valgrind's callgrind
 * (instructions.ts) and the run reports the instructions the server executed
 * per message or delivery: a count that the rest of the machine does not
 * move, where CPU time moves by 10-20% between neighbouring runs. Only the
 * cases with such a figure run (the message path's, and opening idle
 * connections), with longer windows and a shorter flood (Node runs some 50
 * times slower), and two repeats by default.
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
import { abTable, AGAINST_REF, SETTINGS_AB, type Comparison, type PairedRow } from "./ab-report";
import { startBenchNodeRed } from "./bench-node-red";
import { benchCases, casesToRun, type CaseDefinition, type Endpoints, type Result, type RunKind } from "./cases";
import { benchFlows, endpoints, type Implementation } from "./flows";
import { Generator } from "./generator";
import { COUNTED_STOP_GRACE_MS, expectValgrind, InstructionCounter } from "./instructions";
import { measure, type Target, type TargetName } from "./measure";
import { connectionsThatFit, forkOptionsFor, openFilesFor, RESERVED_FILES, type OpenFiles } from "./open-files";
import type { GeneratorPorts } from "./protocol";
import { buildCommit, resolveCommit } from "./ref-build";
import { table, type Row } from "./report";
import { scalingTables, type ScaledCase } from "./scaling";
import { inTurn, schedule } from "./schedule";
import { DEFAULTS, expectTokenAsked, OFF, type SettingsSide } from "./settings-ab";

const ROOT = resolve(__dirname, "..", "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] ?? "" : "";
/** A git ref to run ours against (`--against main`), instead of core and the bare server. */
const against = args.includes("--against") ? args[args.indexOf("--against") + 1] ?? "" : undefined;
/** Ours with its listener settings at their defaults against off (`--settings-ab`), instead of core and the bare server. */
const settingsAb = args.includes("--settings-ab");
const kind: RunKind = against !== undefined ? "against-ref" : settingsAb ? "settings-ab" : "side-by-side";
/** Node-RED under callgrind, and instructions per message as the figures (`--instructions`). */
const counting = args.includes("--instructions");
/** How long a Node-RED process of the run may take to stop before it is killed; the default when not counted. */
const stopGraceMs = counting ? COUNTED_STOP_GRACE_MS : undefined;
/**
 * Runs of each case per target: three (four in a paired run), one with
 * --quick, or as --repeats says (which wins over --quick). A paired run of
 * more than one takes an even number, so that each side goes first, and has
 * its process started first, equally often (see runCases).
 */
const asked = args.includes("--repeats")
  ? Number(args[args.indexOf("--repeats") + 1])
  : quick
    ? 1
    : kind === "side-by-side"
      ? 3
      : counting
        ? 2
        : 4;
const repeats = kind !== "side-by-side" && asked > 1 && asked % 2 === 1 ? asked + 1 : asked;
/**
 * Under callgrind a window must still hold tens of thousands of messages,
 * and the warm-up must leave V8 done optimising the case's path: with a
 * third of the window's length, V8's compiler still took 7% of the
 * instructions of a measured flood, and a fifth of the first case's.
 */
const warmupMs = counting ? 30000 : quick ? 500 : 1000;
const durationMs = (quick ? 1500 : 3000) * (counting ? 10 : 1);
const floodMessages = counting ? 200000 : quick ? 300000 : 1000000;
/** A tenth of the flood outside a counted run, as before; a counted run's flood, at some 7,000 messages a second, warms up as long as the other cases do. */
const floodWarmupMessages = counting ? 200000 : floodMessages / 10;
/** Which targets to run (`--targets ours` to profile ours alone). */
const targetFilter = args.includes("--targets") ? (args[args.indexOf("--targets") + 1] ?? "").split(",") : undefined;
/** Where to write a CPU profile of Node-RED (`--profile DIR`), to see what bounds a case. */
const profileDir = args.includes("--profile") ? resolve(args[args.indexOf("--profile") + 1] ?? "profiles") : "";

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
  /** What its listeners of ours get, and its targets' clients send (a settings A/B). */
  side?: SettingsSide;
}

/** What a run starts and how it reports: ours/core, or the sides of a paired run. */
interface Plan {
  deployments: Deployment[];
  heading: string;
  /** Set for a paired run (against a ref, or a settings A/B). */
  comparison?: Comparison;
}

/** One side of a paired run: the build it loads and, in a settings A/B, its listeners' settings. */
type PairedSide = Omit<Deployment, "label" | "targets">;

/** What the run has started, for the clean-up on the way out and for the output on failure. */
const started: { generator?: Generator; bare?: ChildProcess; reds: { label: string; red: NodeRedProcess }[] } = { reds: [] };

/**
 * Ours twice, each side in a Node-RED process of its own, started the same
 * way: one process cannot load two copies of the same node types, and the
 * two sides of a settings A/B must not share a process's load either.
 */
function oursTwice(comparison: Comparison, tested: PairedSide, baseline: PairedSide): Deployment[] {
  return [
    { label: comparison.tested, ...tested, targets: [{ impl: "ours", as: comparison.tested }] },
    { label: comparison.baseline, ...baseline, targets: [{ impl: "ours", as: comparison.baseline }] },
  ];
}

/** The Node-RED processes the run needs; in an A/B run against a ref, the ref is built first, into `tmp`. */
function plan(tmp: string): Plan {
  if (kind === "settings-ab") {
    return {
      deployments: oursTwice(SETTINGS_AB, { packageDir: ROOT, side: DEFAULTS }, { packageDir: ROOT, side: OFF }),
      heading:
        "defaults: this working tree, its listeners' limits, high-water mark and a token check at their defaults\n" +
        "off: this working tree, maxPayload 100 MiB, highWaterMark 2^31 - 1, no token\n" +
        "Only the echo and broadcast cases on listeners run.\n",
      comparison: SETTINGS_AB,
    };
  }
  if (against === undefined) {
    const targets: Deployment["targets"] = [{ impl: "core", as: "core" }, { impl: "ours", as: "ours" }];
    return { deployments: [{ label: "side-by-side", packageDir: ROOT, targets }], heading: "" };
  }
  const commit = resolveCommit(ROOT, against);
  const refDir = join(tmp, "ref");
  process.stderr.write(`building ${against} (${commit.slice(0, 7)}) in ${refDir}\n`);
  buildCommit(ROOT, commit, refDir);
  return {
    deployments: oursTwice(AGAINST_REF, { packageDir: ROOT }, { packageDir: refDir }),
    heading:
      `now: this working tree; ref: ${against} (${commit.slice(0, 7)})\n` +
      (only === "" ? "The cases that need newer options (rooms, the server heartbeat, compression) are left out: --only picks them.\n" : ""),
    comparison: AGAINST_REF,
  };
}

/**
 * Starts and deploys the Node-RED processes, and the bare server outside an
 * A/B run; resolves once every client connection is up. `round` names the
 * processes of one repeat of a paired run apart from the others'.
 */
async function startTargets(
  tmp: string,
  { deployments, comparison }: Plan,
  generator: Generator,
  ports: GeneratorPorts,
  round = "",
  startFirst: "tested" | "baseline" = "tested",
): Promise<Target[]> {
  const targets: Target[] = [];
  /** The paths of every client connection deployed, whether or not its target runs: all have to be up before the first case. */
  const peerPaths = new Set<string>();
  for (const { label: sideLabel, packageDir, targets: deployed, side } of startFirst === "baseline" ? [...deployments].reverse() : deployments) {
    const label = `${sideLabel}${round}`;
    const memoryFile = join(tmp, `memory-${label}.json`);
    const userDir = join(tmp, `user-${label}`);
    const countedTo = counting ? join(tmp, `callgrind-${label}`) : undefined;
    const red = await startBenchNodeRed({ packageDir, userDir, memoryFile, profileDir, launcher: openFiles.launcher, countedTo });
    started.reds.push({ label, red });
    const counter = countedTo ? new InstructionCounter(red.pid, countedTo) : undefined;
    const floodPrefix = `/${label}`;
    await red.deploy(benchFlows(ports, { implementations: deployed.map(({ impl }) => impl), floodPrefix, listeners: side?.listeners }));
    for (const { impl, as } of deployed) {
      const at = endpoints(`ws://127.0.0.1:${red.port}`, impl, floodPrefix);
      targets.push({ name: as, impl, pid: red.pid, at, memoryFile, headers: side?.headers, counter });
      peerPaths.add(at.flood).add(at.deflate);
      if (side?.headers) {
        await expectTokenAsked(at.echo);
      }
    }
  }
  if (!comparison) {
    const bare = fork(join(__dirname, "bare-server.js"), { stdio: "inherit", ...forkOptionsFor(openFiles.launcher) });
    started.bare = bare;
    const barePort = await new Promise<number>((resolvePromise) => bare.once("message", (m: { port: number }) => resolvePromise(m.port)));
    targets.push({ name: "bare", impl: "bare", pid: bare.pid!, at: bareEndpoints(`ws://127.0.0.1:${barePort}`) });
  }
  while (peerPaths.size > 0) {
    peerPaths.delete((await generator.expect("peer-connected")).path);
  }
  // In the plan's order, whichever started first: the order of the runs is schedule's to decide.
  const order = deployments.flatMap((deployment) => deployment.targets.map(({ as }) => as));
  return targets.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

/** What every run of each case measured, by target. */
type Results = Map<CaseDefinition, Partial<Record<TargetName, Result[]>>>;

/**
 * Runs every case asked for on every target that runs it, and returns the
 * report: ours/core, or tested/baseline in a paired run.
 *
 * Outside a paired run, core and ours share one Node-RED process, started
 * once. In a paired run each side has a process of its own, and a process
 * keeps a bias of its own for as long as it runs (two processes of the same
 * build and settings came out 10-20% apart, the same way in every repeat),
 * and the process started first of a pair came out slower in most repeats:
 * so each repeat starts a fresh pair, the side started first changing every
 * two repeats, and both are things the repeats average out.
 */
async function runCases(generator: Generator, plan: Plan, tmp: string, ports: GeneratorPorts): Promise<string> {
  const timing = { warmupMs, durationMs, floodMessages, floodWarmupMessages, heartbeatBeats: quick ? 3 : 6, fileLimit: openFiles.limit };
  const definitions = casesToRun(benchCases(timing), only, kind, counting);
  const results: Results = new Map(definitions.map((definition) => [definition, {}]));
  const runRepeat = async (targets: Target[], repeat: number | undefined): Promise<void> => {
    const servers = [...new Set(targets.map((target) => target.pid))];
    const running = targets.filter((target) => !targetFilter || targetFilter.includes(target.name));
    for (const definition of definitions) {
      const runnable = running.filter((t) => definition.targets.includes(t.impl));
      for (const run of repeat === undefined ? schedule(runnable, repeats) : inTurn(runnable, repeat)) {
        const result = await measure(generator, servers, run.target, definition.spec(run.target.at));
        (results.get(definition)![run.target.name] ??= []).push(result);
        process.stderr.write(`${definition.name} / ${run.target.name} #${run.repeat + 1}: ${Math.round(result.measured.count / result.measured.seconds)}/s\n`);
      }
    }
  };
  if (plan.comparison) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      const reds = started.reds.length;
      // Who runs first flips every repeat, whose process starts first every two: in four repeats, each pairing once.
      const targets = await startTargets(tmp, plan, generator, ports, `-${repeat + 1}`, Math.floor(repeat / 2) % 2 === 0 ? "tested" : "baseline");
      process.stderr.write(`repeat ${repeat + 1} of ${repeats}: fresh Node-RED processes ${started.reds.slice(reds).map(({ red }) => red.pid).join(", ")}\n`);
      if (repeat === 0) {
        printHeading(plan);
      }
      await runRepeat(targets, repeat);
      await Promise.all(started.reds.splice(reds).map(({ red }) => red.stop("SIGTERM", stopGraceMs)));
    }
  } else {
    const targets = await startTargets(tmp, plan, generator, ports);
    printHeading(plan);
    await runRepeat(targets, undefined);
  }
  return report(results, plan.comparison);
}

/** The report's first lines: what ran, and what limits the machine set. */
function printHeading(plan: Plan): void {
  console.log(`Node-RED ${started.reds[0]!.red.version} on Node ${process.versions.node}, ${repeats} repeat(s), ${durationMs} ms windows\n${plan.heading}`);
  if (counting) {
    console.log("Node-RED ran under valgrind's callgrind (node --predictable): the figures are instructions, which the rest of the machine does not move.\n");
  }
  if (openFiles.shortfall) {
    // Said with the report, not only on stderr: it changes what the cases count.
    const most = connectionsThatFit(MOST_CONNECTIONS, openFiles.limit).toLocaleString("en-US");
    console.log(`Note: ${openFiles.shortfall}; no case opens more than ${most} connections (${MOST_CONNECTIONS.toLocaleString("en-US")} asked).\n`);
  }
}

/** The tables of a run: ours/core with the scaling table, or tested/baseline. */
function report(results: Results, comparison: Comparison | undefined): string {
  const rows: Row[] = [];
  const pairedRows: PairedRow[] = [];
  const scaled: ScaledCase[] = [];
  for (const [definition, byTarget] of results) {
    for (const metric of definition.metrics.filter((candidate) => (candidate.counted ?? false) === counting)) {
      const runs = (name: TargetName): number[] => (metric.nodeRedOnly && name === "bare" ? [] : (byTarget[name] ?? []).map(metric.read));
      const row = { caseName: definition.name, metric: metric.metric, higherIsBetter: metric.higherIsBetter };
      if (comparison) {
        pairedRows.push({ ...row, tested: runs(comparison.tested), baseline: runs(comparison.baseline) });
      } else {
        rows.push({ ...row, samples: { core: runs("core"), ours: runs("ours"), bare: runs("bare") }, growsWithCount: metric.growsWithCount ?? false });
      }
    }
    if (definition.scaling) {
      scaled.push({ caseName: definition.name, ...definition.scaling });
    }
  }
  if (comparison) {
    return abTable(pairedRows, comparison);
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
    if (against !== undefined && settingsAb) {
      throw new Error("--against and --settings-ab are two different A/B runs: take one");
    }
    if (counting) {
      expectValgrind();
    }
    const planned = plan(tmp);
    const generator = new Generator(fork(join(__dirname, "load-generator.js"), { stdio: "inherit", ...forkOptionsFor(openFiles.launcher) }));
    started.generator = generator;
    const { ports } = await generator.expect("ready");
    if (profileDir) {
      await mkdir(profileDir, { recursive: true });
    }
    console.log(await runCases(generator, planned, tmp, ports));
  } finally {
    started.generator?.send({ quit: true });
    started.bare?.kill();
    await Promise.all(started.reds.map(({ red }) => red.stop("SIGTERM", stopGraceMs)));
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
