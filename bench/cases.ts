/** The benchmark's cases: what each asks the load generator to do, and which figures it reads from a run. */
import { connectionsThatFit } from "./open-files";
import type { BenchCase, Measured } from "./protocol";

/** What one run of a case measured. */
export interface Result {
  measured: Measured;
  /** Server CPU over the measuring window, in microseconds. */
  cpu: number;
  /** Server RSS and V8 heap growth, in bytes (idle cases). */
  rss?: number;
  heap?: number;
  /** Server CPU in microseconds while the connections were held idle, and over how long. */
  idle?: { cpu: number; seconds: number };
}

/** Where one target serves the cases: WebSocket URLs, and the path its client connection took on the flood server. */
export interface Endpoints {
  echo: string;
  wholeEcho: string;
  broadcast: string;
  broadcastTrigger: string;
  idle: string;
  flood: string;
}

/** One figure read from each run of a case. */
export interface Metric {
  metric: string;
  higherIsBetter: boolean;
  read(result: Result): number;
  /** Set where the bare server cannot report the figure. */
  nodeRedOnly?: true;
}

export interface CaseDefinition {
  name: string;
  /** Whether the bare `ws` server runs it too: it has no whole-message mode and no client connection. */
  bare: boolean;
  spec(at: Endpoints): BenchCase;
  metrics: Metric[];
}

export interface Timing {
  warmupMs: number;
  durationMs: number;
  /** Messages in the measured part of the inbound flood. */
  floodMessages: number;
  /** The open-file limit of the processes: no case opens more connections than fit under it. */
  fileLimit: number;
}

const rate = (result: Result): number => result.measured.count / result.measured.seconds;
const cpuPerCount = (result: Result): number => result.cpu / result.measured.count;

function echoCase(timing: Timing, clients: number, whole = false): CaseDefinition {
  return {
    name: whole ? `wholemsg echo, ${clients} clients` : `echo, ${clients} client${clients > 1 ? "s" : ""}`,
    bare: !whole,
    spec: (at) => ({
      kind: "echo",
      url: whole ? at.wholeEcho : at.echo,
      clients,
      inflight: 8,
      payloadBytes: 64,
      warmupMs: timing.warmupMs,
      durationMs: timing.durationMs,
    }),
    metrics: [
      { metric: "round trips/s", higherIsBetter: true, read: rate },
      { metric: "p50 RTT ms", higherIsBetter: false, read: (r) => r.measured.p50 ?? 0 },
      { metric: "p99 RTT ms", higherIsBetter: false, read: (r) => r.measured.p99 ?? 0 },
      { metric: "server CPU µs/msg", higherIsBetter: false, read: cpuPerCount },
    ],
  };
}

const thousands = (count: number): string => count.toLocaleString("en-US");

export function benchCases(timing: Timing): CaseDefinition[] {
  const idle = connectionsThatFit(10000, timing.fileLimit);
  return [
    echoCase(timing, 1),
    echoCase(timing, 16),
    echoCase(timing, 256),
    echoCase(timing, 16, true),
    {
      name: "broadcast to 1,000 clients",
      bare: true,
      spec: (at) => ({
        kind: "broadcast",
        triggerUrl: at.broadcastTrigger,
        listenUrl: at.broadcast,
        clients: 1000,
        window: 8,
        warmupMs: timing.warmupMs,
        durationMs: timing.durationMs,
      }),
      metrics: [
        { metric: "deliveries/s", higherIsBetter: true, read: rate },
        { metric: "server CPU µs/delivery", higherIsBetter: false, read: cpuPerCount },
      ],
    },
    {
      name: `${thousands(idle)} idle connections`,
      bare: true,
      spec: (at) => ({ kind: "idle", url: at.idle, count: idle, concurrency: 100, holdMs: 0 }),
      metrics: [
        { metric: "time to open s", higherIsBetter: false, read: (r) => r.measured.seconds },
        { metric: "server CPU µs/conn", higherIsBetter: false, read: cpuPerCount },
        { metric: "RSS KiB/conn", higherIsBetter: false, read: (r) => (r.rss ?? 0) / 1024 / r.measured.count },
        // The bare server has no hook to report its heap.
        { metric: "V8 heap+external KiB/conn", higherIsBetter: false, read: (r) => (r.heap ?? 0) / 1024 / r.measured.count, nodeRedOnly: true },
      ],
    },
    {
      name: "connect-mode inbound flood",
      bare: false,
      spec: (at) => ({ kind: "flood", path: at.flood, messages: timing.floodMessages, payloadBytes: 64 }),
      metrics: [
        { metric: "messages/s", higherIsBetter: true, read: rate },
        { metric: "server CPU µs/msg", higherIsBetter: false, read: cpuPerCount },
      ],
    },
  ];
}
