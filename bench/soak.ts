/**
 * `npm run soak`: a long run, not part of `npm test`. A real Node-RED with an
 * echo listener; N clients each send numbered messages for M minutes and check
 * that every echo comes back once, in order. Prints Node-RED's memory (after
 * a full collection) every 30 s, and at the end what was lost or duplicated.
 * Loopback only; bounded by the minutes given.
 *
 *   npm run soak -- --clients 50 --minutes 10 --rate 20
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import WebSocket from "ws";
import { startBenchNodeRed } from "./bench-node-red";

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const clients = option("clients", 20);
const minutes = option("minutes", 2);
/** Messages each client sends a second. */
const rate = option("rate", 10);

interface Tally {
  sent: number;
  received: number;
  duplicated: number;
  outOfOrder: number;
}

/** One client: sends `n` every tick and checks that the echoes come back as 0, 1, 2 … */
function soakClient(url: string, tally: Tally): { socket: WebSocket; tick(): void } {
  const socket = new WebSocket(url);
  let next = 0;
  let expected = 0;
  socket.on("message", (data) => {
    const n = Number(String(data));
    tally.received++;
    if (n === expected) {
      expected++;
    } else if (n < expected) {
      tally.duplicated++;
    } else {
      tally.outOfOrder++;
      expected = n + 1;
    }
  });
  socket.on("error", () => undefined);
  return {
    socket,
    tick: () => {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(String(next++));
        tally.sent++;
      }
    },
  };
}

async function main(): Promise<void> {
  const root = resolve(__dirname, "..", "..");
  const tmp = await mkdtemp(join(tmpdir(), "flowsocket-soak-"));
  const memoryFile = join(tmp, "memory.json");
  // A soak opens few connections: no raised open-file limit, no launcher.
  const red = await startBenchNodeRed({ packageDir: root, userDir: join(tmp, "user"), memoryFile, profileDir: "", launcher: [] });
  const stopAll = async (): Promise<void> => {
    await red.stop();
    await rm(tmp, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));
  try {
    await red.deploy([
      { id: "tab", type: "tab", label: "soak" },
      { id: "listener", type: "flowsocket-listener", path: "/ws/soak", wholemsg: "false" },
      { id: "in", type: "flowsocket-in", z: "tab", x: 100, y: 100, server: "listener", events: true, metadata: true, wires: [["out"]] },
      { id: "out", type: "flowsocket-out", z: "tab", x: 300, y: 100, server: "listener", control: true, wires: [] },
    ]);
    const tally: Tally = { sent: 0, received: 0, duplicated: 0, outOfOrder: 0 };
    const url = `ws://127.0.0.1:${red.port}/ws/soak`;
    const peers = Array.from({ length: clients }, () => soakClient(url, tally));
    await Promise.all(peers.map(({ socket }) => new Promise((ready) => socket.once("open", ready))));
    console.log(`soak: ${clients} clients, ${rate} messages/s each, ${minutes} min, Node-RED on port ${red.port}`);
    const ticker = setInterval(() => peers.forEach((peer) => peer.tick()), 1000 / rate);
    const memory = async (): Promise<string> => {
      // The preload collects garbage and, half a second later, writes memoryUsage() on SIGWINCH.
      process.kill(red.pid, "SIGWINCH");
      await new Promise((settle) => setTimeout(settle, 1000));
      const { heapUsed, external, rss } = JSON.parse(await readFile(memoryFile, "utf8")) as Record<string, number>;
      const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
      return `heap ${mib(heapUsed)} MiB, external ${mib(external)} MiB, rss ${mib(rss)} MiB`;
    };
    const end = Date.now() + minutes * 60_000;
    while (Date.now() < end) {
      await new Promise((settle) => setTimeout(settle, Math.min(30_000, end - Date.now())));
      console.log(`${new Date().toISOString()}  sent ${tally.sent}, echoed ${tally.received}  ${await memory()}`);
    }
    clearInterval(ticker);
    // The last echoes are still on their way.
    await new Promise((settle) => setTimeout(settle, 1000));
    peers.forEach(({ socket }) => socket.close());
    // Each message sent and not echoed once is lost, wherever it went missing.
    const lost = Math.max(0, tally.sent - (tally.received - tally.duplicated));
    console.log(`soak done: sent ${tally.sent}, echoed ${tally.received}, lost ${lost}, duplicated ${tally.duplicated}, out of order ${tally.outOfOrder}`);
    process.exitCode = lost > 0 || tally.duplicated > 0 || tally.outOfOrder > 0 ? 1 : 0;
  } finally {
    await stopAll();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
