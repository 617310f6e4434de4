import type { Channel } from "../transport/channel";
import type { ConnectionControl } from "./endpoint-config";
import { CommandError, type Command, type Messages } from "./messages";

/** What an action did: the result for the out node's output, and the ids it named that were not open. */
export interface ActionResult {
  readonly payload: unknown;
  readonly gone: readonly string[];
}

/**
 * Carries out an action on an endpoint: `join`, `leave`, `close` or
 * `getSessions` on its sessions, `connect` or `disconnect` on a client's
 * connection (`connection`, undefined on a listener).
 *
 * @throws CommandError `not-client` for connect or disconnect on a listener;
 *   what the connection throws for a connect it cannot make.
 */
export async function runAction(
  channel: Channel,
  connection: ConnectionControl | undefined,
  command: Exclude<Command, { action: "send" }>,
  messages: Messages,
): Promise<ActionResult> {
  switch (command.action) {
    case "connect":
    case "disconnect": {
      if (!connection) {
        throw new CommandError("not-client", { action: command.action });
      }
      if (command.action === "connect") {
        await connection.connect(command);
      } else {
        await connection.disconnect();
      }
      return { payload: { action: command.action }, gone: [] };
    }
    case "join":
    case "leave": {
      const { sessions, gone } = channel.resolve(command.target);
      for (const session of sessions) {
        const rooms = command.rooms === true ? [...session.rooms] : command.rooms;
        for (const room of rooms) {
          if (command.action === "join") {
            channel.rooms.join(session, room);
          } else {
            channel.rooms.leave(session, room);
          }
        }
      }
      return { payload: { rooms: command.rooms, sessions: sessions.map((session) => session.id), gone }, gone };
    }
    case "close": {
      const { sessions } = channel.resolve(command.target);
      const gone = await channel.close(command.target, command.code, command.reason);
      return { payload: { sessions: sessions.map((session) => session.id), gone }, gone };
    }
    case "getSessions": {
      const filter = command.rooms;
      const sessions = filter ? channel.resolve({ kind: "sessions", ids: [], rooms: filter }).sessions : channel.list();
      return { payload: messages.list(sessions), gone: [] };
    }
  }
}
