import type WebSocket from "ws";

/**
 * Pings a socket every `intervalMs` and calls `onTimeout` when a whole
 * interval passes without a pong, a ping or a message from the peer: a peer
 * that has vanished without closing (a pulled cable, a suspended laptop) is
 * otherwise only noticed when the operating system gives up, minutes later.
 */
export class Heartbeat {
  private awaiting = false;
  private readonly timer: NodeJS.Timeout;
  private readonly alive = (): void => {
    this.awaiting = false;
  };

  constructor(
    private readonly socket: WebSocket,
    intervalMs: number,
    private readonly onTimeout: () => void,
  ) {
    socket.on("pong", this.alive);
    socket.on("ping", this.alive);
    socket.on("message", this.alive);
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.socket.off("pong", this.alive);
    this.socket.off("ping", this.alive);
    this.socket.off("message", this.alive);
  }

  private tick(): void {
    if (this.awaiting) {
      this.stop();
      this.onTimeout();
      return;
    }
    this.awaiting = true;
    this.socket.ping();
  }
}
