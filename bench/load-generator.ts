/**
 * The benchmark's load generator: a child process of the orchestrator that
 * runs one case at a time against a WebSocket endpoint on 127.0.0.1 and
 * reports what it counted. It also serves the flood endpoint that Node-RED's
 * client connections connect to.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import WebSocket, { WebSocketServer } from "ws";
import { runBroadcast } from "./broadcast-load";
import { measuringWindow, report } from "./load-window";
import { closeAll, openMany } from "./open-many";
import type { EchoCase, FloodCase, GeneratorCommand, IdleCase } from "./protocol";
import { type RawClient, textFrame } from "./raw-client";
import { SourceAddresses } from "./source-addresses";

/**
 * Where the generator's connections come from: 5,000 from each address
 * before the next (source-addresses.ts), so that 50,000 sessions take ten.
 */
const addresses = new SourceAddresses(5000);

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/** Every client keeps `inflight` messages going; each echo sends the next one. */
async function runEcho(spec: EchoCase): Promise<void> {
  const frame = textFrame("x".repeat(spec.payloadBytes));
  const burst = Buffer.concat(Array.from({ length: spec.inflight }, () => frame));
  const clients = await openMany(spec.url, spec.clients, 64, addresses);
  let counting = false;
  let stopped = false;
  let count = 0;
  const rtts: number[] = [];
  for (const client of clients) {
    // The echo keeps each client's order, so send times queue up in order.
    const sentAt: number[] = [];
    const send = (frames: number): void => {
      const now = performance.now();
      for (let i = 0; i < frames; i++) {
        sentAt.push(now);
      }
      client.send(frames === spec.inflight ? burst : burst.subarray(0, frames * frame.length));
    };
    client.onFrames = (frames) => {
      const now = performance.now();
      for (let i = 0; i < frames; i++) {
        const start = sentAt.shift()!;
        if (counting) {
          count++;
          rtts.push(now - start);
        }
      }
      if (!stopped) {
        send(frames);
      }
    };
    send(spec.inflight);
  }
  const seconds = await measuringWindow(spec, (on) => (counting = on));
  stopped = true;
  const sorted = Float64Array.from(rtts).sort();
  report({ event: "window-end", result: { count, seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) } });
  await closeAll(clients);
}

let idleClients: RawClient[] = [];

async function runIdle(spec: IdleCase): Promise<void> {
  report({ event: "window-start" });
  const started = performance.now();
  idleClients = await openMany(spec.url, spec.count, spec.concurrency, addresses);
  report({ event: "idle-open", result: { count: idleClients.length, seconds: (performance.now() - started) / 1000 } });
}

/** Node-RED's client connections, by the path they connected to. */
const floodPeers = new Map<string, WebSocket>();

/**
 * Sends `messages` frames to one of Node-RED's client connections and waits
 * for its "END" reply. The frames are prebuilt and written straight to the
 * TCP socket in large chunks, with backpressure, so the generator is not what
 * limits the rate.
 */
async function runFlood(spec: FloodCase): Promise<void> {
  // A tenth of the flood first, unmeasured, as the other cases' warm-up.
  await flood(spec.path, Math.ceil(spec.messages / 10), spec.payloadBytes);
  report({ event: "window-start" });
  const started = performance.now();
  await flood(spec.path, spec.messages, spec.payloadBytes);
  report({ event: "window-closed" });
  report({ event: "window-end", result: { count: spec.messages, seconds: (performance.now() - started) / 1000 } });
}

async function flood(path: string, messages: number, payloadBytes: number): Promise<void> {
  const peer = floodPeers.get(path);
  if (!peer || peer.readyState !== WebSocket.OPEN) {
    throw new Error(`Node-RED is not connected to ${path}`);
  }
  const tcp = (peer as unknown as { _socket: Socket })._socket;
  const payload = Buffer.from("f".repeat(payloadBytes));
  const frame = Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  const chunkFrames = 1000;
  const chunk = Buffer.concat(Array.from({ length: chunkFrames }, () => frame));
  const ended = new Promise<void>((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      if (String(data) === "END") {
        peer.off("message", onMessage);
        resolve();
      }
    };
    peer.on("message", onMessage);
  });
  for (let sent = 0; sent < messages; sent += chunkFrames) {
    const frames = Math.min(chunkFrames, messages - sent);
    if (!tcp.write(frames === chunkFrames ? chunk : chunk.subarray(0, frames * frame.length))) {
      await once(tcp, "drain");
    }
  }
  peer.send("END");
  await ended;
}

async function main(): Promise<void> {
  const http = createServer();
  const floodServer = new WebSocketServer({ server: http });
  floodServer.on("connection", (socket, request) => {
    const path = request.url ?? "/";
    floodPeers.set(path, socket);
    socket.on("error", () => socket.terminate());
    report({ event: "flood-connected", path });
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  process.on("message", (command: GeneratorCommand) => {
    void handle(command).catch((error: Error) => report({ event: "failed", message: error.stack ?? error.message }));
  });
  // The orchestrator gone (it failed or was stopped), nothing is left to do.
  process.on("disconnect", () => process.exit(0));
  report({ event: "ready", floodPort: (http.address() as AddressInfo).port });

  async function handle(command: GeneratorCommand): Promise<void> {
    if ("quit" in command) {
      await closeAll(idleClients);
      floodPeers.forEach((peer) => peer.terminate());
      floodServer.close();
      http.close();
      process.disconnect();
      return;
    }
    if ("closeIdle" in command) {
      // A socket the server ended is destroyed by now; the generator never ends one before this.
      const lost = idleClients.filter((client) => client.socket.destroyed).length;
      await closeAll(idleClients);
      idleClients = [];
      report({ event: "idle-closed", lost });
      return;
    }
    const spec = command.run;
    switch (spec.kind) {
      case "echo":
        return runEcho(spec);
      case "broadcast":
        return runBroadcast(spec, addresses);
      case "idle":
        return runIdle(spec);
      case "flood":
        return runFlood(spec);
    }
  }
}

void main();
