import WebSocket from "ws";

/** How long a peer gets to answer a close frame before its socket is destroyed. */
export const CLOSE_GRACE_MS = 1000;

/**
 * Closes a socket with a close frame and resolves once it has closed. A peer
 * that does not answer within `graceMs` is cut off, so a redeploy never waits
 * on a silent client.
 */
export function closeSocket(
  socket: WebSocket,
  code: number,
  reason: string,
  graceMs: number = CLOSE_GRACE_MS,
): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => socket.terminate(), graceMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) {
      // A close frame cannot be sent before the handshake ends: abort it.
      socket.terminate();
    } else if (socket.readyState === WebSocket.OPEN) {
      socket.close(code, reason);
    }
  });
}
