import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";

/**
 * Sends one WebSocket upgrade request over raw TCP and counts the
 * `HTTP/1.1 101` answers it gets. Two servers that both take the request
 * write both answers while handling it, before they read anything, so once
 * a pong comes back for a ping sent after the first answer, every answer is
 * in. Resolves with the count and the HTTP status line of the first answer.
 */
export function countUpgradeAnswers(url: string, ms = 5000): Promise<{ answers: number; statusLine: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let pinged = false;
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`no pong within ${ms} ms; got ${JSON.stringify(received.toString("latin1"))}`)), ms);
    function finish(error?: Error): void {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) {
        reject(error);
        return;
      }
      const text = received.toString("latin1");
      resolve({ answers: text.split("HTTP/1.1 101").length - 1, statusLine: text.slice(0, text.indexOf("\r\n")) });
    }
    socket.on("error", (error) => finish(error));
    socket.on("close", () => finish(new Error(`closed after ${JSON.stringify(received.toString("latin1"))}`)));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const headerEnd = received.indexOf("\r\n\r\n");
      if (headerEnd === -1) {
        return;
      }
      if (!pinged) {
        pinged = true;
        // A masked ping with no payload, as a client must send it (RFC 6455 5.3).
        socket.write(Buffer.concat([Buffer.from([0x89, 0x80]), randomBytes(4)]));
      }
      // A pong with no payload: opcode 0xA with FIN, length 0.
      if (received.indexOf(Buffer.from([0x8a, 0x00]), headerEnd) !== -1) {
        finish();
      }
    });
    socket.write(upgradeRequest(url));
  });
}

/** A valid upgrade request for `url`, as raw HTTP. */
export function upgradeRequest(url: string): string {
  const { host, pathname, search } = new URL(url);
  return [
    `GET ${pathname}${search} HTTP/1.1`,
    `Host: ${host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
}

/**
 * A raw client after a completed handshake, for frames no `ws` client would
 * send: resolves with its socket and the close code the server sends next
 * (1006 when it just drops the connection), within `ms`.
 */
export async function rawPeer(url: string, ms = 5000): Promise<{ socket: Socket; closeCode: Promise<number> }> {
  const socket = await silentPeer(url, ms);
  const closeCode = new Promise<number>((resolve) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => done(0), ms);
    const done = (code: number): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(code);
    };
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      // A server's close frame: FIN + opcode 8, an unmasked length, then the code.
      const at = received.indexOf(0x88);
      if (at !== -1 && received.length >= at + 4) {
        done(received.readUInt16BE(at + 2));
      }
    });
    socket.on("close", () => done(1006));
    socket.on("error", () => done(1006));
  });
  socket.resume();
  return { socket, closeCode };
}

/**
 * A client that completes the handshake and then never reads or answers
 * anything: a peer gone silent, whose pings go unanswered. Resolves with the
 * socket once the server has answered 101; the caller destroys it.
 */
export function silentPeer(url: string, ms = 5000): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no 101 within ${ms} ms`));
    }, ms);
    let received = "";
    const onData = (chunk: Buffer): void => {
      received += chunk.toString("latin1");
      if (received.includes("\r\n\r\n")) {
        clearTimeout(timer);
        socket.off("data", onData);
        socket.pause();
        if (received.startsWith("HTTP/1.1 101")) {
          resolve(socket);
        } else {
          socket.destroy();
          reject(new Error(`refused: ${received.slice(0, received.indexOf("\r\n"))}`));
        }
      }
    };
    socket.on("data", onData);
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(upgradeRequest(url));
  });
}
