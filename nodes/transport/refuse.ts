import type { Duplex } from "node:stream";

/**
 * Answers an upgrade request with an HTTP error and ends the connection, as
 * `ws` does for the ones it refuses; `headers` are extra header lines, each
 * ending in CRLF.
 */
export function refuse(socket: Duplex, status: number, text: string, headers = ""): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${headers}Content-Length: 0\r\n\r\n`);
  // A client that does not read cannot hold the socket open.
  socket.once("finish", () => socket.destroy());
}
