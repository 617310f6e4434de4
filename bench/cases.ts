/** The benchmark's cases: what each asks the load generator to do, which targets run it, and which figures it reads from a run. */
import type { Implementation } from "./flows";
import { connectionsThatFit } from "./open-files";
import type { BenchCase, Measured } from "./protocol";
import { HEARTBEAT_SECONDS } from "./session-fixtures";

/** What one run of a case measured. */
export interface Result {
  measured: Measured;
  /** Server CPU over the measuring window, in microseconds. */
  cpu: number;
  /** Server RSS and V8 heap growth, in bytes (idle cases). */
  rss?: number;
  heap?: number;
  /** Server CPU in microseconds while the connections were held idle, and over how long (heartbeat cases). */
  idle?: { cpu: number; seconds: number };
  /** Instructions the server executed over the window, where they are counted (`--instructions`). */
  instructions?: number;
}

/** Where one target serves the cases: WebSocket URLs, and the path its client connection took on the flood server. */
export interface Endpoints {
  echo: string;
  wholeEcho: string;
  broadcast: string;
  broadcastTrigger: string;
  idle: string;
  flood: string;
  /** The path Node-RED's compressing client connection took on the deflate server. */
  deflate: string;
  /** A listener whose clients join rooms themselves, and the trigger whose messages the flow sends to one room. */
  rooms: string;
  roomsTrigger: string;
  /** A listener whose in node's connect events go on into the flow. */
  open: string;
  /** A listener with the server heartbeat on. */
  idleHeartbeat: string;
}

/** One figure read from each run of a case. */
export interface Metric {
  metric: string;
  higherIsBetter: boolean;
  read(result: Result): number;
  /** Set where the bare server cannot report the figure. */
  nodeRedOnly?: true;
  /** Set for a total that should grow in proportion to the connections (read in the scaling table). */
  growsWithCount?: true;
  /**
   * Set on the figures read from instruction counts: a run with
   * `--instructions` reports these alone (under callgrind, times and rates
   * say nothing), and other runs leave them out.
   */
  counted?: true;
}

/** Who runs a case: core's nodes, ours (in an A/B run both builds), the bare `ws` server. */
export type TargetKind = Implementation | "bare";

export interface CaseDefinition {
  name: string;
  targets: readonly TargetKind[];
  /**
   * Set when the case needs options a build before them ignores (rooms,
   * the server heartbeat, compression): an A/B run against a ref leaves it
   * out unless --only picks it.
   */
  usesNewerOptions?: true;
  /** Set on the cases on ours' listeners that a settings A/B runs (`--settings-ab`): the echo and broadcast cases. */
  listenerLoad?: true;
  /** Cases of one group differ only in their number of connections: the scaling table compares them. */
  scaling?: { group: string; count: number };
  spec(at: Endpoints): BenchCase;
  metrics: Metric[];
}

export interface Timing {
  warmupMs: number;
  durationMs: number;
  /** Messages in the measured part of the inbound flood, and sent before it, unmeasured. */
  floodMessages: number;
  floodWarmupMessages: number;
  /** How long the heartbeat cases hold their sessions idle: a whole number of heartbeat intervals. */
  heartbeatBeats: number;
  /** The open-file limit of the processes: no case opens more connections than fit under it. */
  fileLimit: number;
}

const ALL: readonly TargetKind[] = ["core", "ours", "bare"];
/** Core has no rooms and no server heartbeat: those cases compare ours with the bare server only. */
const WITHOUT_CORE: readonly TargetKind[] = ["ours", "bare"];

const rate = (result: Result): number => result.measured.count / result.measured.seconds;
const cpuPerCount = (result: Result): number => result.cpu / result.measured.count;
/** The server's instructions per message (or delivery), a counted metric. */
const instructionsPer = (unit: string): Metric => ({
  metric: `server instructions/${unit}`,
  higherIsBetter: false,
  read: (result) => (result.instructions ?? 0) / result.measured.count,
  counted: true,
});
const thousands = (count: number): string => count.toLocaleString("en-US");

const ECHO_METRICS: Metric[] = [
  { metric: "round trips/s", higherIsBetter: true, read: rate },
  { metric: "p50 RTT ms", higherIsBetter: false, read: (r) => r.measured.p50 ?? 0 },
  { metric: "p99 RTT ms", higherIsBetter: false, read: (r) => r.measured.p99 ?? 0 },
  { metric: "server CPU µs/msg", higherIsBetter: false, read: cpuPerCount },
  instructionsPer("msg"),
];

/**
 * An echo through an in node wired to an out node. In whole-message mode
 * (`whole`), the clients send plain text, which the in node cannot parse and
 * puts in `payload`, or with `json` what a whole-message client sends, a JSON
 * object.
 */
function echoCase(timing: Timing, clients: number, whole: "text" | "json" | false = false): CaseDefinition {
  return {
    name: whole === "json" ? `wholemsg echo, JSON, ${clients} clients` : whole ? `wholemsg echo, ${clients} clients` : `echo, ${clients} client${clients > 1 ? "s" : ""}`,
    targets: whole ? ["core", "ours"] : ALL,
    listenerLoad: true,
    spec: (at) => ({
      kind: "echo",
      url: whole ? at.wholeEcho : at.echo,
      clients,
      inflight: 8,
      payloadBytes: 64,
      ...(whole === "json" ? { json: true } : {}),
      warmupMs: timing.warmupMs,
      durationMs: timing.durationMs,
    }),
    metrics: ECHO_METRICS,
  };
}

/**
 * The echo with permessage-deflate on, on a client connection (core
 * compresses only as a client, see compressed-echo.ts): core's client as it
 * comes, ours with `compression` on, both at `ws`'s threshold of 1 KiB. The
 * load generator fails the case if the extension was not agreed on or
 * Node-RED's replies did not come out smaller than the messages.
 */
function compressedEchoCase(timing: Timing): CaseDefinition {
  return {
    name: "compressed echo, 1 KiB JSON, client connection",
    targets: ["core", "ours"],
    // A ref from before `compression` connects uncompressed, and the case fails.
    usesNewerOptions: true,
    spec: (at) => ({ kind: "compressed-echo", path: at.deflate, inflight: 8, warmupMs: timing.warmupMs, durationMs: timing.durationMs }),
    metrics: [...ECHO_METRICS, { metric: "wire bytes/msg from Node-RED", higherIsBetter: false, read: (r) => r.measured.wireBytes ?? 0 }],
  };
}

function broadcastCase(timing: Timing, name: string, clients: number, rooms?: number): CaseDefinition {
  return {
    name,
    targets: rooms ? WITHOUT_CORE : ALL,
    listenerLoad: true,
    ...(rooms ? { usesNewerOptions: true as const } : {}),
    spec: (at) => ({
      kind: "broadcast",
      triggerUrl: rooms ? at.roomsTrigger : at.broadcastTrigger,
      listenUrl: rooms ? at.rooms : at.broadcast,
      clients,
      window: 8,
      warmupMs: timing.warmupMs,
      durationMs: timing.durationMs,
      ...(rooms ? { rooms } : {}),
    }),
    metrics: [
      { metric: "deliveries/s", higherIsBetter: true, read: rate },
      { metric: "server CPU µs/delivery", higherIsBetter: false, read: cpuPerCount },
      instructionsPer("delivery"),
    ],
  };
}

/** Memory per connection after full garbage collections: RSS, and V8's heap and external memory (Node-RED only). */
function memoryMetrics(unit: string): Metric[] {
  return [
    { metric: `RSS KiB/${unit}`, higherIsBetter: false, read: (r) => (r.rss ?? 0) / 1024 / r.measured.count },
    // The bare server has no hook to report its heap.
    {
      metric: `V8 heap+external KiB/${unit}`,
      higherIsBetter: false,
      read: (r) => (r.heap ?? 0) / 1024 / r.measured.count,
      nodeRedOnly: true,
    },
  ];
}

const timeToOpen: Metric = { metric: "time to open s", higherIsBetter: false, read: (r) => r.measured.seconds };

function heartbeatCase(timing: Timing, count: number): CaseDefinition {
  return {
    name: `heartbeat ${HEARTBEAT_SECONDS} s, ${thousands(count)} idle sessions`,
    targets: WITHOUT_CORE,
    usesNewerOptions: true,
    scaling: { group: "heartbeat", count },
    spec: (at) => ({
      kind: "idle",
      url: at.idleHeartbeat,
      count,
      concurrency: 100,
      // Whole intervals: any window of that length holds the same number of beats.
      holdMs: timing.heartbeatBeats * HEARTBEAT_SECONDS * 1000,
    }),
    metrics: [
      { ...timeToOpen, growsWithCount: true },
      ...memoryMetrics("session"),
      {
        metric: "server CPU ms/s while idle",
        higherIsBetter: false,
        read: (r) => (r.idle ? r.idle.cpu / 1000 / r.idle.seconds : 0),
        growsWithCount: true,
      },
    ],
  };
}

export function benchCases(timing: Timing): CaseDefinition[] {
  const fit = (asked: number): number => connectionsThatFit(asked, timing.fileLimit);
  const idle = fit(10000);
  // A second count only where it differs from the first: a low limit can fit both to the same.
  const heartbeatCounts = [...new Set([fit(10000), fit(50000)])];
  return [
    echoCase(timing, 1),
    echoCase(timing, 16),
    echoCase(timing, 256),
    echoCase(timing, 16, "text"),
    echoCase(timing, 16, "json"),
    compressedEchoCase(timing),
    broadcastCase(timing, "broadcast to 1,000 clients", 1000),
    {
      name: `${thousands(idle)} idle connections`,
      targets: ALL,
      spec: (at) => ({ kind: "idle", url: at.idle, count: idle, concurrency: 100, holdMs: 0 }),
      metrics: [timeToOpen, { metric: "server CPU µs/conn", higherIsBetter: false, read: cpuPerCount }, ...memoryMetrics("conn"), instructionsPer("conn")],
    },
    {
      name: "connect-mode inbound flood",
      targets: ["core", "ours"],
      spec: (at) => ({ kind: "flood", path: at.flood, warmupMessages: timing.floodWarmupMessages, messages: timing.floodMessages, payloadBytes: 64 }),
      metrics: [
        { metric: "messages/s", higherIsBetter: true, read: rate },
        { metric: "server CPU µs/msg", higherIsBetter: false, read: cpuPerCount },
        instructionsPer("msg"),
      ],
    },
    broadcastCase(timing, "broadcast to 100 clients", 100),
    broadcastCase(timing, "room of 100 (1,000 clients in 10 rooms)", 1000, 10),
    {
      name: `opening ${thousands(idle)} connections, events on`,
      targets: ALL,
      spec: (at) => ({ kind: "idle", url: at.open, count: idle, concurrency: 100, holdMs: 0 }),
      metrics: [
        { metric: "connections/s", higherIsBetter: true, read: rate },
        timeToOpen,
        { metric: "server CPU µs/conn", higherIsBetter: false, read: cpuPerCount },
        ...memoryMetrics("conn"),
        instructionsPer("conn"),
      ],
    },
    ...heartbeatCounts.map((count) => heartbeatCase(timing, count)),
  ];
}

/** What a run compares: core, ours and the bare server; ours now against ours at a git ref; ours with its listener settings at their defaults against off. */
export type RunKind = "side-by-side" | "against-ref" | "settings-ab";

/**
 * The cases a run takes: those whose name contains `only`, or one of its
 * parts between `|` (`--only "flood|echo, 256"`). A run against a
 * ref leaves out the cases that use newer options unless `only` picks them:
 * a ref from before those options ignores them and would measure something
 * else. A settings A/B takes the echo and broadcast cases on listeners
 * alone: the settings it compares are the listener's. A run that counts
 * instructions takes the cases with a counted figure: the message path's,
 * and the opening of idle connections; not the heartbeat's, whose tens of
 * thousands of sessions are held for whole intervals.
 */
export function casesToRun(cases: readonly CaseDefinition[], only: string, kind: RunKind, counting: boolean): CaseDefinition[] {
  const parts = only.split("|");
  return cases.filter(
    (definition) =>
      parts.some((part) => definition.name.includes(part)) &&
      !(kind === "against-ref" && definition.usesNewerOptions && only === "") &&
      !(kind === "settings-ab" && !definition.listenerLoad) &&
      !(counting && !definition.metrics.some((metric) => metric.counted)),
  );
}
