/**
 * The benchmark's load generator: a child process of the orchestrator that
 * runs one case at a time against a WebSocket endpoint on 127.0.0.1 and
 * reports what it counted. It also serves the endpoints that Node-RED's
 * client connections connect to: the flood's, and the compressed echo's
 * with permessage-deflate on.
 */
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import type WebSocket from "ws";
import { runBroadcast } from "./broadcast-load";
import { COMPRESSION_THRESHOLD } from "./compressible";
import { runCompressedEcho } from "./compressed-echo";
import { measuringWindow, report } from "./load-window";
import { closeAll, openMany } from "./open-many";
import { PeerServer } from "./peer-server";
import type { EchoCase, FloodCase, GeneratorCommand, IdleCase } from "./protocol";
import { type RawClient, textFrame } from "./raw-client";
import { RoundTrips } from "./round-trips";
import { SourceAddresses } from "./source-addresses";

/**
 * Where the generator's connections come from: 5,000 from each address
 * before the next (source-addresses.ts), so that 50,000 sessions take ten.
 */
const addresses = new SourceAddresses(5000);

/** Every client keeps `inflight` messages going; each echo sends the next one. */
async function runEcho(spec: EchoCase): Promise<void> {
  const payload = "x".repeat(spec.payloadBytes);
  const frame = textFrame(spec.json ? JSON.stringify({ payload }) : payload);
  const burst = Buffer.concat(Array.from({ length: spec.inflight }, () => frame));
  const clients = await openMany(spec.url, spec.clients, 64, addresses, spec.headers);
  const trips = new RoundTrips();
  let stopped = false;
  for (const client of clients) {
    const inFlight = trips.connection();
    const send = (frames: number): void => {
      inFlight.sent(frames);
      client.send(frames === spec.inflight ? burst : burst.subarray(0, frames * frame.length));
    };
    client.onFrames = (frames) => {
      inFlight.returned(frames);
      if (!stopped) {
        send(frames);
      }
    };
    send(spec.inflight);
  }
  const seconds = await measuringWindow(spec, (on) => (trips.counting = on));
  stopped = true;
  report({ event: "window-end", result: trips.measured(seconds) });
  await closeAll(clients);
}

let idleClients: RawClient[] = [];

async function runIdle(spec: IdleCase): Promise<void> {
  report({ event: "window-start" });
  const started = performance.now();
  idleClients = await openMany(spec.url, spec.count, spec.concurrency, addresses, spec.headers);
  report({ event: "idle-open", result: { count: idleClients.length, seconds: (performance.now() - started) / 1000 } });
}

/**
 * Sends `messages` frames to one of Node-RED's client connections and waits
 * for its "END" reply. The frames are prebuilt and written straight to the
 * TCP socket in large chunks, with backpressure, so the generator is not what
 * limits the rate.
 */
async function runFlood(spec: FloodCase, peers: PeerServer): Promise<void> {
  await flood(peers, spec.path, spec.warmupMessages, spec.payloadBytes);
  report({ event: "window-start" });
  const started = performance.now();
  await flood(peers, spec.path, spec.messages, spec.payloadBytes);
  report({ event: "window-closed" });
  report({ event: "window-end", result: { count: spec.messages, seconds: (performance.now() - started) / 1000 } });
}

async function flood(peers: PeerServer, path: string, messages: number, payloadBytes: number): Promise<void> {
  const { socket: peer, tcp } = peers.peer(path);
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
  // Two servers, not one: core's client offers permessage-deflate, and the flood must not take it.
  const floodServer = await PeerServer.listen(false);
  const deflateServer = await PeerServer.listen({ threshold: COMPRESSION_THRESHOLD });
  for (const server of [floodServer, deflateServer]) {
    server.onConnected = (path) => report({ event: "peer-connected", path });
  }
  process.on("message", (command: GeneratorCommand) => {
    void handle(command).catch((error: Error) => report({ event: "failed", message: error.stack ?? error.message }));
  });
  // The orchestrator gone (it failed or was stopped), nothing is left to do.
  process.on("disconnect", () => process.exit(0));
  report({ event: "ready", ports: { flood: floodServer.port, deflate: deflateServer.port } });

  async function handle(command: GeneratorCommand): Promise<void> {
    if ("quit" in command) {
      await closeAll(idleClients);
      floodServer.close();
      deflateServer.close();
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
        return runFlood(spec, floodServer);
      case "compressed-echo":
        return runCompressedEcho(spec, deflateServer.peer(spec.path));
    }
  }
}

void main();
