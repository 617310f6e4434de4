/**
 * The limit to compare with: a bare `ws` 8 server with nothing on top, doing
 * the benchmark's echo and broadcast the plainest way. Runs as its own process
 * and tells its parent the port.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";

async function main(): Promise<void> {
  const http = createServer();
  const server = new WebSocketServer({ server: http });
  const audience = new Set<WebSocket>();
  server.on("connection", (socket, request) => {
    socket.on("error", () => socket.terminate());
    switch (request.url) {
      case "/echo":
        socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
        break;
      case "/bcast":
        audience.add(socket);
        socket.on("close", () => audience.delete(socket));
        break;
      case "/bcast-trigger":
        socket.on("message", (data, isBinary) => {
          for (const listener of audience) {
            listener.send(data, { binary: isBinary });
          }
        });
        break;
    }
  });
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  process.send?.({ port: (http.address() as AddressInfo).port });
  process.on("disconnect", () => process.exit(0));
}

void main();
