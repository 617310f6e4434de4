import type { ChannelHandlers } from "./channel";
import { Rooms } from "./rooms";
import type { CloseCause, Session, SessionHandlers } from "./session";
import type { Target } from "./target";

/** The sessions a target names that are open, and the ids it names that are not. */
export interface Resolved {
  readonly sessions: Session[];
  readonly gone: string[];
}

/** The same for a send, which only goes through the sessions once. */
export interface Selected {
  readonly sessions: Iterable<Session>;
  readonly gone: readonly string[];
}

/** What a target that names no ids reports gone: nobody. */
const NONE_GONE: readonly string[] = Object.freeze([]);

/** The open sessions of one endpoint, by id, and the rooms they are in. */
export class SessionRegistry {
  private readonly byId = new Map<string, Session>();
  readonly rooms = new Rooms();

  /** Number of open sessions. */
  get size(): number {
    return this.byId.size;
  }

  add(session: Session): void {
    this.byId.set(session.id, session);
  }

  /** Forgets a session, taking it out of every room. @returns whether it was registered. */
  delete(session: Session): boolean {
    this.rooms.leaveAll(session);
    return this.byId.delete(session.id);
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Session> {
    return this.byId.values();
  }

  /** Closes the open sessions `target` names; resolves, with the named ids that were not open, once they have closed. */
  async close(target: Target, code: number, reason: string, cause: CloseCause): Promise<readonly string[]> {
    const { sessions, gone } = this.resolve(target);
    await Promise.all(sessions.map((session) => session.close(code, reason, cause)));
    return gone;
  }

  /**
   * Handlers for the sessions of this registry: they tell `handlers`
   * everything, and forget a session before its close is told, so counts
   * read then are already right.
   */
  handlersFor(handlers: ChannelHandlers): SessionHandlers {
    return {
      onMessage: handlers.onMessage.bind(handlers),
      onError: handlers.onError.bind(handlers),
      onDrops: (session, dropped, ended) => handlers.onDrops?.(session, dropped, ended),
      onClose: (session, code, reason, cause) => {
        this.delete(session);
        handlers.onClose(session, code, reason, cause);
      },
    };
  }

  /**
   * As resolve, for a send: one session by id, and everyone with no
   * exceptions (core's reply and broadcast, most messages), go without a
   * set or a list made per message.
   */
  select(target: Target): Selected {
    if (target.except && target.except.length > 0) {
      return this.resolve(target);
    }
    if (target.kind === "session") {
      const session = this.byId.get(target.id);
      return session ? { sessions: [session], gone: NONE_GONE } : { sessions: [], gone: [target.id] };
    }
    return target.kind === "all" ? { sessions: this.byId.values(), gone: NONE_GONE } : this.resolve(target);
  }

  /** The open sessions `target` names, each once, and the named ids that are not open. */
  resolve(target: Target): Resolved {
    const except = target.except && target.except.length > 0 ? new Set(target.except) : undefined;
    const sessions: Session[] = [];
    const gone: string[] = [];
    if (target.kind === "all") {
      for (const session of this.byId.values()) {
        if (!except?.has(session.id)) {
          sessions.push(session);
        }
      }
      return { sessions, gone };
    }
    const ids = target.kind === "session" ? [target.id] : new Set(target.ids);
    const chosen = new Set<Session>();
    for (const id of ids) {
      const session = this.byId.get(id);
      if (!session) {
        gone.push(id);
      } else if (!except?.has(id)) {
        chosen.add(session);
      }
    }
    if (target.kind === "sessions") {
      for (const room of target.rooms ?? []) {
        for (const session of this.rooms.of(room)) {
          if (!except?.has(session.id)) {
            chosen.add(session);
          }
        }
      }
    }
    sessions.push(...chosen);
    return { sessions, gone };
  }
}
