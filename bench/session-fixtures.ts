/** What the session cases' three sides agree on: the flows, the bare server and the load generator. */

/** The room the rooms case's flow (and the bare server) sends every message to. */
export const ROOM_SENT_TO = "r3";

/** The server heartbeat of the heartbeat cases, in seconds. */
export const HEARTBEAT_SECONDS = 5;

/** The room the client at `index` joins, when clients are spread over `rooms` rooms in turn. */
export function roomOf(index: number, rooms: number): string {
  return `r${index % rooms}`;
}
