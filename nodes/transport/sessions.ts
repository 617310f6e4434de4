import type WebSocket from "ws";

/** One WebSocket connection as the flows see it: the socket and the id carried in `msg._session.id`. */
export interface Session {
  readonly id: string;
  readonly socket: WebSocket;
}

/** The open sessions of one endpoint, by id. */
export class SessionRegistry {
  private readonly byId = new Map<string, Session>();

  /** Number of open sessions. */
  get size(): number {
    return this.byId.size;
  }

  add(session: Session): void {
    this.byId.set(session.id, session);
  }

  /** @returns whether the session was registered. */
  delete(id: string): boolean {
    return this.byId.delete(id);
  }

  get(id: string): Session | undefined {
    return this.byId.get(id);
  }

  values(): IterableIterator<Session> {
    return this.byId.values();
  }
}
