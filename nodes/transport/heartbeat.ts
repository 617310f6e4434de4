import { FlowsocketError } from "./errors";
import type { Session } from "./session";

/** The longest interval a Node.js timer can wait; longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Pings the sessions of one endpoint every interval, with one timer however
 * many sessions there are, and ends each session from which nothing (no pong,
 * no ping, no frame) arrived during a whole interval.
 */
export class Heartbeat {
  private readonly timer: NodeJS.Timeout;

  /**
   * @param intervalMs at most MAX_TIMER_MS.
   * @param sessions the sessions to watch, read at every beat.
   */
  constructor(intervalMs: number, sessions: () => Iterable<Session>) {
    const ms = Math.min(intervalMs, MAX_TIMER_MS);
    this.timer = setInterval(() => {
      for (const session of sessions()) {
        if (!session.beat()) {
          session.expire(new FlowsocketError("FLOWSOCKET_ERR_HEARTBEAT_TIMEOUT", `No answer to a ping within ${ms} ms`));
        }
      }
    }, ms);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
