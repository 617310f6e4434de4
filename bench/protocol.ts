/** The requests the benchmark's orchestrator sends its load generator, and what comes back. */

/** What the load generator's own clients send in their handshakes. */
export interface Dialled {
  /** Extra request headers for every handshake (a settings A/B's token); none when absent. */
  headers?: Record<string, string>;
}

export interface EchoCase extends Dialled {
  kind: "echo";
  url: string;
  clients: number;
  /** Messages each client keeps in flight. */
  inflight: number;
  payloadBytes: number;
  /** Each message a JSON object with the payload in `payload`, as a whole-message client sends; plain text otherwise. */
  json?: boolean;
  warmupMs: number;
  durationMs: number;
}

export interface BroadcastCase extends Dialled {
  kind: "broadcast";
  /** Where the trigger client sends the messages to broadcast. */
  triggerUrl: string;
  /** Where the receiving clients connect. */
  listenUrl: string;
  clients: number;
  /** How many broadcasts may be ahead of the slowest client. */
  window: number;
  warmupMs: number;
  durationMs: number;
  /**
   * When set, client i joins room r(i % rooms) by sending a join frame, and
   * the flow sends every message to one room (ROOM_SENT_TO): only its
   * members count, and a frame to any other client fails the case.
   */
  rooms?: number;
}

export interface IdleCase extends Dialled {
  kind: "idle";
  url: string;
  count: number;
  /** Handshakes under way at once. */
  concurrency: number;
  /**
   * How long the orchestrator keeps the connections open and idle after
   * reading the memory, to read the server's CPU meanwhile (0: not at all).
   */
  holdMs: number;
}

export interface FloodCase {
  kind: "flood";
  /** Which client connection of Node-RED's (by its path on the flood server) to flood. */
  path: string;
  /** Sent first, unmeasured, as the other cases' warm-up. */
  warmupMessages: number;
  messages: number;
  payloadBytes: number;
}

/**
 * An echo the other way round: the load generator's permessage-deflate
 * server sends compressible messages to one of Node-RED's client
 * connections, whose in node is wired (through a change node) to its out
 * node, and times each message's return.
 */
export interface CompressedEchoCase {
  kind: "compressed-echo";
  /** Which client connection of Node-RED's (by its path on the deflate server). */
  path: string;
  /** Messages kept in flight. */
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export type BenchCase = EchoCase | BroadcastCase | IdleCase | FloodCase | CompressedEchoCase;

export interface Measured {
  /** Round trips, deliveries, connections or messages counted in the window. */
  count: number;
  seconds: number;
  /** Round-trip times in milliseconds, for echo. */
  p50?: number;
  p99?: number;
  /** Bytes on the wire from Node-RED per message counted, frame headers included (compressed echo). */
  wireBytes?: number;
}

/** Where the load generator's servers listen on 127.0.0.1, for Node-RED's client connections. */
export interface GeneratorPorts {
  /** Plain `ws`, no compression: the inbound flood. */
  flood: number;
  /** `ws` with permessage-deflate on: the compressed echo. */
  deflate: number;
}

/** Messages from the load generator to the orchestrator. */
export type GeneratorEvent =
  | { event: "ready"; ports: GeneratorPorts }
  /** One of Node-RED's client connections is up, on the flood or the deflate server, at this path. */
  | { event: "peer-connected"; path: string }
  | { event: "window-start" }
  /** Counting has stopped; the result follows (percentiles take a moment to work out). */
  | { event: "window-closed" }
  | { event: "window-end"; result: Measured }
  | { event: "idle-open"; result: Measured }
  /** The idle clients are closed; `lost` of them the server had closed before. */
  | { event: "idle-closed"; lost: number }
  | { event: "failed"; message: string };

/** Messages from the orchestrator to the load generator. */
export type GeneratorCommand = { run: BenchCase } | { closeIdle: true } | { quit: true };
