import type { Session } from "./session";

/**
 * Which sessions are in which rooms. A room exists while it has members; a
 * session's own `rooms` set mirrors its memberships, so leaving all of them
 * (or closing) costs as much as the rooms it is in, not as all rooms.
 */
export class Rooms {
  private readonly members = new Map<string, Set<Session>>();

  join(session: Session, room: string): void {
    let members = this.members.get(room);
    if (!members) {
      members = new Set();
      this.members.set(room, members);
    }
    members.add(session);
    session.enterRoom(room);
  }

  leave(session: Session, room: string): void {
    const members = this.members.get(room);
    if (members?.delete(session) && members.size === 0) {
      this.members.delete(room);
    }
    session.exitRoom(room);
  }

  /** Takes a session out of every room it is in (when it closes, say). */
  leaveAll(session: Session): void {
    for (const room of [...session.rooms]) {
      this.leave(session, room);
    }
  }

  /** The members of a room, or none. */
  of(room: string): ReadonlySet<Session> {
    return this.members.get(room) ?? EMPTY;
  }

  /** The names of the rooms that have members. */
  names(): IterableIterator<string> {
    return this.members.keys();
  }
}

const EMPTY: ReadonlySet<Session> = new Set();
