import type { RawData } from "ws";

/** What a frame carries once decoded: text frames as strings, binary frames as Buffers. */
export type FrameData = string | Buffer;

/** A Node-RED-shaped message, without depending on Node-RED's types. */
export type MessageObject = Record<string, unknown>;

/**
 * Decodes what `ws` 8 hands to a `'message'` listener. `ws` 8 gives text frames
 * as Buffers too; only the `isBinary` flag tells them apart, so text is turned
 * back into a string here, once per frame.
 */
export function decodeFrame(data: RawData, isBinary: boolean): FrameData {
  const buffer = Array.isArray(data)
    ? Buffer.concat(data)
    : Buffer.isBuffer(data)
      ? data
      : Buffer.from(data);
  return isBinary ? buffer : buffer.toString("utf8");
}

/**
 * Builds the message an in node emits for one frame.
 *
 * With `wholemsg`, a text frame holding a JSON object becomes the message
 * itself; JSON of any other kind (number, string, array, null) becomes
 * `payload`, and text that is not JSON is passed through as `payload`.
 * Binary frames are never parsed: they always arrive as a Buffer payload.
 */
export function frameToMessage(frame: FrameData, wholemsg: boolean): MessageObject {
  const parsed = wholemsg && typeof frame === "string" ? parseJson(frame) : NOT_JSON;
  if (parsed === NOT_JSON) {
    return { payload: frame };
  }
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    return parsed as MessageObject;
  }
  return { payload: parsed };
}

/** What parseJson gives for text that is not JSON. */
export const NOT_JSON: unique symbol = Symbol("not JSON");

/**
 * The value of JSON text, or NOT_JSON. Text that JSON.parse would refuse at
 * its first character is not handed to it: the refusal throws an error,
 * whose stack trace cost several times what the rest of a message does
 * (over 100,000 instructions, counted under callgrind, for a plain-text
 * frame in whole-message mode).
 */
export function parseJson(text: string): unknown {
  if (!mayBeJson(text)) {
    return NOT_JSON;
  }
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/** Whether text can be JSON, by its first character past JSON's white space (an object, array, string, number, true, false or null). */
function mayBeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      continue;
    }
    // { [ " - 0-9 t f n
    return c === 0x7b || c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
  }
  return false;
}

/**
 * Turns a message into the frame an out node sends, or `undefined` when the
 * message has nothing to send (no `payload`, and not in whole-message mode).
 *
 * Strings go as text frames and Buffers as binary frames; objects go as JSON
 * text and other values (numbers, booleans) as their string form, so `0`,
 * `false` and `""` are sent. With `wholemsg`, the whole message except
 * `_session` goes as JSON text.
 *
 * @throws TypeError when the value cannot be turned into JSON (a circular
 *   structure or a BigInt).
 */
export function messageToFrame(msg: MessageObject, wholemsg: boolean): FrameData | undefined {
  if (wholemsg) {
    return withoutSession(msg);
  }
  const payload = msg.payload;
  if (payload === undefined) {
    return undefined;
  }
  if (typeof payload === "string" || Buffer.isBuffer(payload)) {
    return payload;
  }
  if (typeof payload === "object") {
    return JSON.stringify(payload);
  }
  return String(payload);
}

/**
 * A whole message as JSON, without `_session`: the session says where a
 * message came from, not what it is, and the peer never sees it. Nor does it
 * see `receivedAt` when `_session` carries a session's details (an in node
 * with `metadata` on put both there): a peer gets the message it would get
 * with the option off. JSON leaves out a property whose value is undefined,
 * so those are set aside for the call and put back, the message unchanged
 * after it (order of properties too), rather than the message copied without
 * them on every send. A message whose properties cannot be written is copied
 * instead.
 */
function withoutSession(msg: MessageObject): string {
  const session = msg._session;
  if (session === undefined) {
    return JSON.stringify(msg);
  }
  const receivedAt = msg.receivedAt;
  const stamped = receivedAt !== undefined && typeof (session as { openedAt?: unknown }).openedAt === "number";
  try {
    msg._session = undefined;
    if (stamped) {
      msg.receivedAt = undefined;
    }
  } catch {
    // Frozen, or a property made read-only: the message is put back as it was, and copied.
    if (msg._session !== session) {
      msg._session = session;
    }
    const { _session: _omitted, ...rest } = msg;
    if (stamped) {
      delete rest.receivedAt;
    }
    return JSON.stringify(rest);
  }
  try {
    return JSON.stringify(msg);
  } finally {
    msg._session = session;
    if (stamped) {
      msg.receivedAt = receivedAt;
    }
  }
}
