import type { ChannelHandlers } from "./channel";
import { DEFAULT_LIMITS, type SessionLimits } from "./limits";
import { ReadPacer } from "./read-pacer";
import type { Rooms } from "./rooms";
import type { Session, SessionIo } from "./session";
import { WriteBatch } from "./write-batch";
import { SessionRegistry, type Resolved } from "./sessions";
import type { Target } from "./target";

/**
 * What listeners and client connections do alike with the sessions they own:
 * count, list, resolve targets, keep rooms and close on a flow's request.
 */
export abstract class SessionEndpoint {
  protected readonly sessions = new SessionRegistry();
  private stopping: Promise<void> | undefined;
  /** Set before shutDown() runs, so that what its first steps set off already sees it. */
  private stopCalled = false;

  /** Number of open sessions (0 or 1 for a client connection). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The rooms of this endpoint's sessions: join, leave, members. */
  get rooms(): Rooms {
    return this.sessions.rooms;
  }

  /** The open sessions. */
  list(): IterableIterator<Session> {
    return this.sessions.values();
  }

  /** The open sessions `target` names, each once, and the ids it names that are not open. */
  resolve(target: Target): Resolved {
    return this.sessions.resolve(target);
  }

  /** Whether stop() was called: the endpoint takes no new session, and makes no new connection. */
  protected get isStopping(): boolean {
    return this.stopCalled;
  }

  /** Closes every session and lets go of what the endpoint holds; resolves once done. Once: later calls get the same promise. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopCalled = true;
      this.stopping = this.shutDown();
    }
    return this.stopping;
  }

  /** What stop() does, once. */
  protected abstract shutDown(): Promise<void>;

  /**
   * What this endpoint's sessions share (see SessionIo). Once the endpoint
   * is stopping, sockets cut off by the close are expected to fail, and
   * sessions keep quiet about it.
   */
  protected sessionIo(handlers: ChannelHandlers, limits: SessionLimits | undefined, heartbeatMs: number | undefined): SessionIo {
    return {
      batch: new WriteBatch(),
      pacer: new ReadPacer(),
      limits: limits ?? DEFAULT_LIMITS,
      handlers: this.sessions.handlersFor(handlers),
      quiet: () => this.isStopping,
      heartbeat: (heartbeatMs ?? 0) > 0,
    };
  }

  /** Closes the sessions `target` names for a flow; resolves with the named ids that were not open. */
  close(target: Target, code: number, reason: string): Promise<readonly string[]> {
    return this.sessions.close(target, code, reason, "flow");
  }
}
