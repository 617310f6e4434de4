import type { Socket } from "node:net";

/**
 * Writes in one turn from which on the next turn counts as busy. One client
 * with a few messages in flight stays under it; a server with many clients,
 * or a broadcast, goes over it at once.
 */
const BUSY_WRITES_PER_TURN = 32;

/**
 * Batches the writes to each socket within one turn of the event loop: they
 * are held (the socket is corked) and leave together, in one system call,
 * when the turn ends. Replies to messages in flight and broadcasts in a row
 * come in bursts like that, and a write per frame is most of what they cost.
 * The turn ends with a `setImmediate` queued at its first write. Node-RED
 * delivers messages between nodes in `setImmediate` callbacks, so a write made
 * in a delivery is flushed at the next check phase, after the next poll for
 * I/O: every write of the deliveries that ran together goes in one batch.
 *
 * While traffic is light (the last turn had few writes), the first frame for
 * each socket goes out at once and only the ones after it are held, so a lone
 * reply waits for nothing.
 */
export class WriteBatch {
  /** Sockets written to in this turn. */
  private readonly touched = new Set<Socket>();
  /** Sockets this batch has corked. */
  private corked: Socket[] = [];
  private scheduled = false;
  private writes = 0;
  private busy = false;
  private readonly flush = (): void => {
    this.scheduled = false;
    this.busy = this.writes >= BUSY_WRITES_PER_TURN;
    this.writes = 0;
    this.touched.clear();
    const corked = this.corked;
    this.corked = [];
    for (const socket of corked) {
      socket.uncork();
    }
  };

  /**
   * Call just before sending on a `ws` socket over `socket` (its TCP or TLS
   * socket), in the same synchronous block: the send that follows may be
   * held until the turn ends. Without a socket, nothing is held.
   */
  hold(socket: Socket | undefined): void {
    if (!socket) {
      return;
    }
    this.writes++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    if (!this.busy && !this.touched.has(socket)) {
      this.touched.add(socket);
      return;
    }
    // Corked already means held by this batch: `ws` only corks within a send.
    if (socket.writableCorked === 0) {
      socket.cork();
      this.corked.push(socket);
    }
  }
}
