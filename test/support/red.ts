import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The parts of node-red-node-test-helper these tests use. */
export interface TestNode extends EventEmitter {
  id: string;
  receive(msg: Record<string, unknown>): void;
  [key: string]: unknown;
}

export interface TestHelper {
  init(runtimePath: string, settings?: Record<string, unknown>): void;
  settings(settings: Record<string, unknown>): Record<string, unknown>;
  load(nodes: unknown[], flow: FlowNode[], credentials?: Record<string, unknown>): Promise<void>;
  /** Deploys `flow` to the loaded runtime as the editor would ("full", "nodes" or "flows"); resolves once started. */
  setFlows(flow: FlowNode[], type: "full" | "nodes" | "flows"): Promise<void>;
  unload(): Promise<void>;
  startServer(): Promise<void>;
  stopServer(): Promise<void>;
  getNode(id: string): TestNode;
  url(): string;
}

export type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The repository's root, from .build/test/support. */
export const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * Which Node-RED the tests run against: `node-red` (4.x) by default, or the
 * package named by FLOWSOCKET_NODE_RED (`node-red-5`, run under Node 22).
 */
export const NODE_RED_PACKAGE = process.env.FLOWSOCKET_NODE_RED ?? "node-red";

export function nodeRedRuntimePath(): string {
  return require.resolve(NODE_RED_PACKAGE, { paths: [ROOT] });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper: TestHelper = require("node-red-node-test-helper");
helper.init(nodeRedRuntimePath());

/** The built node set, as Node-RED loads it from the package. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const flowsocketNodes: unknown = require(join(ROOT, "dist", "flowsocket.js"));

/**
 * A core node module of the Node-RED under test, such as
 * `core/network/05-tls.js` (tls-config) or `core/common/24-complete.js`.
 * Loaded from that Node-RED's own @node-red/nodes, so the test helper sees the
 * same module it may preload itself.
 */
export function coreNode(file: string): unknown {
  const runtimeDir = resolve(nodeRedRuntimePath(), "..", "..");
  const candidates = [
    join(runtimeDir, "node_modules", "@node-red", "nodes", file),
    join(runtimeDir, "..", "@node-red", "nodes", file),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) {
    throw new Error(`core node ${file} not found near ${runtimeDir}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(found);
}

/**
 * A fresh copy of a core node module. Core's WebSocket nodes add their
 * `upgrade` listener to the first HTTP server they see and never again, so a
 * test file that starts its own server needs a copy of its own.
 */
export function freshCoreNode(file: string): unknown {
  const module = coreNode(file);
  for (const [path, cached] of Object.entries(require.cache)) {
    if (cached?.exports === module) {
      delete require.cache[path];
    }
  }
  return coreNode(file);
}

/** Resolves with the next value an event delivers, or rejects after `ms` (a guard, not a timing). */
export function nextEvent<T = unknown>(emitter: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const listener = (value: T): void => {
      clearTimeout(timer);
      resolvePromise(value);
    };
    emitter.once(event, listener);
  });
}

/** Collects what a helper node receives. */
export class Sink {
  readonly messages: Record<string, unknown>[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(node: TestNode) {
    node.on("input", (msg: Record<string, unknown>) => {
      this.messages.push(msg);
      this.waiters = this.waiters.filter((waiter) => {
        if (this.messages.length >= waiter.count) {
          waiter.resolve();
          return false;
        }
        return true;
      });
    });
  }

  /** The messages of one kind so far: an in node's `event` value, or "data" for a frame's message. */
  of(kind: string): Record<string, unknown>[] {
    return this.messages.filter((msg) => (msg.event ?? "data") === kind);
  }

  /** Resolves with the `count`-th message of a kind (see `of`), waiting up to `ms` for each message. */
  async waitForKind(kind: string, count = 1, ms = 5000): Promise<Record<string, unknown>> {
    for (let seen = this.messages.length + 1; this.of(kind).length < count; seen++) {
      await this.waitFor(seen, ms);
    }
    return this.of(kind)[count - 1]!;
  }

  /** Resolves once `count` messages have arrived in all. */
  waitFor(count: number, ms = 5000): Promise<Record<string, unknown>[]> {
    if (this.messages.length >= count) {
      return Promise.resolve(this.messages.slice(0, count));
    }
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${this.messages.length} of ${count} messages within ${ms} ms`)),
        ms,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolvePromise(this.messages.slice(0, count));
        },
      });
    });
  }
}

/** Types that are config nodes: they sit outside any flow tab. */
const CONFIG_TYPES = new Set(["flowsocket-listener", "flowsocket-client", "tls-config", "websocket-listener", "websocket-client"]);

/**
 * Puts the flow nodes of a test flow on one tab, as the editor does. The
 * runtime treats nodes without a tab as config nodes, which matters for nodes
 * such as Complete that refer to other nodes.
 */
export function onTab(nodes: FlowNode[]): FlowNode[] {
  return [
    { id: "tab", type: "tab" },
    ...nodes.map((node) => (CONFIG_TYPES.has(node.type) ? node : { z: "tab", x: 100, y: 100, ...node })),
  ];
}
