import type { Socket } from "node:net";
import type WebSocket from "ws";

/**
 * Holds back the writes to each socket during one turn of the event loop and
 * lets them all go at the start of the next, so several frames for one peer
 * (replies to messages in flight, broadcasts in a row) leave in one system
 * call instead of one each. Node-RED delivers messages between nodes in
 * `setImmediate` callbacks, so the flush is one too: it runs after every
 * delivery already queued.
 */
export class WriteBatch {
  private corked: Socket[] = [];
  private scheduled = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    const corked = this.corked;
    this.corked = [];
    for (const socket of corked) {
      socket.uncork();
    }
  };

  /** Call before sending on `websocket`: its writes wait for the end of this turn. */
  hold(websocket: WebSocket): void {
    const socket = rawSocket(websocket);
    // Corked already means held by this batch: `ws` only corks within a send.
    if (!socket || socket.writableCorked > 0) {
      return;
    }
    socket.cork();
    this.corked.push(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }
}

/**
 * The TCP socket under a `ws` WebSocket. `ws` keeps it in `_socket` and has no
 * public way to cork it; without it (not yet connected) nothing is held.
 */
function rawSocket(websocket: WebSocket): Socket | undefined {
  return (websocket as unknown as { _socket?: Socket })._socket;
}
