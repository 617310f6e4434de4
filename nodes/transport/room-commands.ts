/**
 * The small protocol by which a client may join and leave rooms itself, when
 * its listener allows it: a text frame that is exactly a JSON object
 * `{"type": "join" | "leave", "room": name | [names]}`. Anything else,
 * including JSON of another shape, is ordinary data.
 */
export interface RoomCommand {
  readonly type: "join" | "leave";
  readonly rooms: readonly string[];
}

/** The command a text frame holds, or undefined when it is data. */
export function parseRoomCommand(frame: string): RoomCommand | undefined {
  // Cheap test first: most frames are data and need no JSON parse.
  if (frame.charCodeAt(0) !== 0x7b /* { */ || !frame.includes('"type"')) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return undefined;
  }
  const { type, room, ...rest } = value as { type?: unknown; room?: unknown };
  if ((type !== "join" && type !== "leave") || Object.keys(rest).length > 0) {
    return undefined;
  }
  const rooms = roomNames(room);
  return rooms ? { type, rooms } : undefined;
}

/** Room names as a list: one non-empty string or an array of them; undefined for anything else. */
export function roomNames(room: unknown): string[] | undefined {
  const names = Array.isArray(room) ? room : [room];
  return names.length > 0 && names.every((name): name is string => typeof name === "string" && name !== "") ? names : undefined;
}
