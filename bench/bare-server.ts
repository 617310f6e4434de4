/**
 * The limit to compare with: a bare `ws` 8 server with nothing on top, doing
 * the benchmark's echo, broadcast, rooms and heartbeat the plainest way. Runs
 * as its own process and tells its parent the port.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { HEARTBEAT_SECONDS, ROOM_SENT_TO } from "./session-fixtures";

/** A set of sockets that forgets each one as it closes. */
function tracked(set: Set<WebSocket>, socket: WebSocket): void {
  set.add(socket);
  socket.on("close", () => set.delete(socket));
}

async function main(): Promise<void> {
  const http = createServer();
  const server = new WebSocketServer({ server: http });
  const audience = new Set<WebSocket>();
  const rooms = new Map<string, Set<WebSocket>>();
  /** The heartbeat's sockets, with whether each answered since the last ping (the `ws` README's pattern). */
  const beating = new Map<WebSocket, boolean>();
  setInterval(() => {
    for (const [socket, alive] of beating) {
      if (!alive) {
        socket.terminate();
        continue;
      }
      beating.set(socket, false);
      socket.ping();
    }
  }, HEARTBEAT_SECONDS * 1000);
  server.on("connection", (socket, request) => {
    socket.on("error", () => socket.terminate());
    switch (request.url) {
      case "/echo":
        socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
        break;
      case "/bcast":
        tracked(audience, socket);
        break;
      case "/bcast-trigger":
        socket.on("message", (data, isBinary) => {
          for (const listener of audience) {
            listener.send(data, { binary: isBinary });
          }
        });
        break;
      case "/rooms":
        // The load generator sends these clients nothing but their join.
        socket.on("message", (data) => {
          const { type, room } = JSON.parse(String(data)) as { type?: string; room?: string };
          if (type === "join" && room) {
            const members = rooms.get(room) ?? new Set();
            rooms.set(room, members);
            tracked(members, socket);
          }
        });
        break;
      case "/rooms-trigger":
        socket.on("message", (data, isBinary) => {
          for (const member of rooms.get(ROOM_SENT_TO) ?? []) {
            member.send(data, { binary: isBinary });
          }
        });
        break;
      case "/idle-hb":
        beating.set(socket, true);
        socket.on("pong", () => beating.set(socket, true));
        socket.on("close", () => beating.delete(socket));
        break;
    }
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  process.send?.({ port: (http.address() as AddressInfo).port });
  process.on("disconnect", () => process.exit(0));
}

void main();
