import { frameToMessage, messageToFrame, NOT_JSON, parseJson, type FrameData, type MessageObject } from "../transport/codec";
import { ConnectError } from "../transport/connect-failure";
import { FlowsocketError, LimitError, RefusedError } from "../transport/errors";
import { IdSequence } from "../transport/ids";
import { roomNames } from "../transport/room-commands";
import { NOT_YET_A_NUMBER } from "../transport/shared-numbers";
import type { CloseCause, Session } from "../transport/session";
import { copyDetails, type SessionDetails } from "../transport/session-details";
import { sessionOrAll, type Target } from "../transport/target";

/** `msg._session` as core's nodes set it, which flows test with `type === "websocket"`. */
export interface SessionRef {
  type: "websocket";
  id: string;
}

/**
 * What `msg.payload` an in node makes of a frame in payload mode: `auto` as
 * core does (text as a string, binary as a Buffer), always a `string`
 * (binary read as UTF-8), always a `buffer`, or `json` parsed.
 */
export type ReceiveFormat = "auto" | "string" | "buffer" | "json";

/** What frame an out node makes of `msg.payload`: `auto` as core does, always `text`, always `binary`. */
export type SendFormat = "auto" | "text" | "binary";

/** How an in node wants its messages: the options it has. */
export interface Delivery {
  /** `_session` with the session's details and `receivedAt` on every message. */
  readonly metadata: boolean;
  /** Lifecycle events as messages too; a peer's own `event` is then taken off its messages. */
  readonly events: boolean;
  /** In payload mode, what the payload is; `auto` when absent. */
  readonly format?: ReceiveFormat;
}

/** A frame that the in node's format cannot read (JSON that is not): `msg` carries the raw text as `payload`. */
export class FrameFormatError extends Error {
  constructor(
    message: string,
    readonly msg: MessageObject,
  ) {
    super(message);
    this.name = "FrameFormatError";
  }
}

/**
 * Every Node-RED message the package builds or reads, in one place: the
 * message an in node emits for a frame or a lifecycle event, and the frame and
 * target an out node makes of a message.
 */
export class Messages {
  private readonly ids = new IdSequence();

  constructor(private readonly wholemsg: boolean) {}

  /**
   * The message for one frame from `session`. Built whole, in one shape; the
   * id is made here because Node-RED's own generator costs more than the rest
   * of this path.
   */
  fromFrame(session: Session, frame: FrameData, delivery: Delivery): MessageObject {
    const _session = this.sessionOf(session, delivery.metadata);
    if (!this.wholemsg) {
      const format = delivery.format;
      const payload = format === undefined || format === "auto" ? frame : formatted(frame, format);
      const msg = delivery.metadata ? payloadMessage(this.ids.next(), payload, session.readAt, _session) : { _msgid: this.ids.next(), payload, _session };
      if (payload === NOT_JSON) {
        msg.payload = typeof frame === "string" ? frame : frame.toString("utf8");
        throw new FrameFormatError("not JSON", msg);
      }
      return msg;
    }
    const msg = frameToMessage(frame, true);
    // A peer's message may bring its own id; a peer cannot pass for a
    // lifecycle event; the real session replaces any a peer sent, added last
    // as in payloadMessage.
    msg._msgid ??= this.ids.next();
    if (delivery.events) {
      delete msg.event;
    }
    if (delivery.metadata) {
      msg.receivedAt = session.readAt;
    }
    msg._session = _session;
    return msg;
  }

  /** The `connect` event of a session. */
  connected(session: Session, delivery: Delivery): MessageObject {
    return this.event("connect", session, delivery);
  }

  /** The `disconnect` event of a session: the close code and reason, and why, in a word. */
  disconnected(session: Session, code: number, reason: string, cause: CloseCause, delivery: Delivery): MessageObject {
    const msg = this.event("disconnect", session, delivery);
    msg.code = code;
    msg.reason = reason;
    msg.cause = cause;
    if (session.limit) {
      msg.limit = session.limit;
    }
    return msg;
  }

  /**
   * The `error` event: of a session, or of a client's connection attempt, with
   * what failed (`failure`, and the HTTP `status` of a refused upgrade); of a
   * listener's refusal of a handshake, with the `status` it answered (a
   * failed check) or the `limit` it was over (`maxSessions`).
   */
  failed(error: Error, session: Session | undefined, delivery: Delivery): MessageObject {
    const msg = this.event("error", session, delivery);
    const detail: Record<string, unknown> = { message: error.message };
    if (error instanceof ConnectError) {
      detail.failure = error.failure;
      if (error.status !== undefined) {
        detail.status = error.status;
      }
    } else if (error instanceof RefusedError) {
      detail.status = error.status;
    } else if (error instanceof LimitError) {
      detail.limit = error.limit;
    } else if (error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_GAVE_UP") {
      detail.failure = "gave-up";
    }
    msg.error = detail;
    return msg;
  }

  /**
   * `msg._session` with what is known of the session (an in node's `metadata`
   * option): each message gets a copy of its own of the details built once
   * per session, whose nested objects are frozen, so a flow that changes one
   * message's session cannot change another's.
   */
  info(session: Session): SessionDetails {
    return copyDetails(session.details);
  }

  /** The open sessions for `getSessions`: each one's details and the rooms it is in. */
  list(sessions: Iterable<Session>): (SessionDetails & { rooms: string[] })[] {
    return [...sessions].map((session) => ({ ...session.details, rooms: [...session.rooms] }));
  }

  /**
   * The frame for a message, or undefined when it has nothing to send (no
   * payload).
   *
   * @throws TypeError when the payload or message cannot be turned into JSON.
   */
  toFrame(msg: MessageObject, format: SendFormat = "auto"): FrameData | undefined {
    // An in node's lifecycle event wired back to an out node is not data. In
    // payload mode it has no payload, so only whole-message mode has to look.
    if (this.wholemsg && isLifecycleEvent(msg)) {
      return undefined;
    }
    const frame = messageToFrame(msg, this.wholemsg);
    if (frame === undefined || format === "auto") {
      return frame;
    }
    if (format === "text") {
      return typeof frame === "string" ? frame : frame.toString("utf8");
    }
    return typeof frame === "string" ? Buffer.from(frame) : frame;
  }

  private sessionOf(session: Session, metadata: boolean): SessionRef {
    return metadata ? this.info(session) : { type: "websocket", id: session.id };
  }

  /** An event message has no `payload`, so nothing takes it for data. */
  private event(event: string, session: Session | undefined, delivery: Delivery): MessageObject {
    const msg: MessageObject = { _msgid: this.ids.next(), event };
    if (session) {
      msg._session = this.sessionOf(session, delivery.metadata);
    }
    if (delivery.metadata) {
      msg.receivedAt = Date.now();
    }
    return msg;
  }
}

/**
 * Whether a message is one of an in node's lifecycle events: `event` set to
 * one of theirs, no `payload`, and a WebSocket `_session` (a peer's own
 * `event` is taken off its messages when events are on).
 */
function isLifecycleEvent(msg: MessageObject): boolean {
  const { event } = msg;
  return (
    (event === "connect" || event === "disconnect" || event === "error") &&
    !("payload" in msg) &&
    (msg._session as { type?: unknown } | undefined)?.type === "websocket"
  );
}

/**
 * A payload message with the session's details: `_session` last, so that a
 * Change node that deletes it (to broadcast a reply) leaves a message of the
 * usual kind; V8 makes an object whose property other than the last is
 * deleted a slow one.
 */
function payloadMessage(_msgid: string, payload: unknown, receivedAt: number, _session: SessionRef): MessageObject {
  return { _msgid, payload, receivedAt, _session };
}

// `receivedAt` a pointer to the read turn's one number, not a box per message (see shared-numbers.ts).
payloadMessage("", undefined, NOT_YET_A_NUMBER, { type: "websocket", id: "" });

/** A frame's payload in a format other than `auto`. */
function formatted(frame: FrameData, format: Exclude<ReceiveFormat, "auto">): unknown {
  switch (format) {
    case "string":
      return typeof frame === "string" ? frame : frame.toString("utf8");
    case "buffer":
      return typeof frame === "string" ? Buffer.from(frame) : frame;
    case "json":
      return parseJson(typeof frame === "string" ? frame : frame.toString("utf8"));
  }
}

/**
 * Which sessions a message is for: the one in `msg._session` (set by an in
 * node, as `{type: "websocket", id}`), else every session.
 */
export function targetOf(msg: MessageObject): Target {
  const session = msg._session as { type?: unknown; id?: unknown } | undefined;
  return sessionOrAll(session?.type === "websocket" && typeof session.id === "string" ? session.id : undefined);
}

/** What an out node with `control` on is asked to do by a message (see commandOf). */
export type Command =
  /** Without a target, as core's nodes send: to `msg._session`'s session, or to everyone (see targetOf). */
  | { readonly action: "send"; readonly target?: Target }
  | { readonly action: "join"; readonly rooms: readonly string[]; readonly target: Target }
  | { readonly action: "leave"; readonly rooms: readonly string[] | true; readonly target: Target }
  | { readonly action: "close"; readonly target: Target; readonly code: number; readonly reason: string }
  | { readonly action: "getSessions"; readonly rooms: readonly string[] | undefined }
  | { readonly action: "connect"; readonly url?: string; readonly headers?: unknown[]; readonly subprotocol?: string; readonly force: boolean }
  | { readonly action: "disconnect" };

/** A message an out node cannot act on: `key` names the `flowsocket.errors` text, with its parameters. */
export class CommandError extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string> = {},
  ) {
    super(key);
    this.name = "CommandError";
  }
}

/** A send that names no target, the usual reply or broadcast: one object for all of them. */
const SEND_AS_CORE: Command = Object.freeze({ action: "send" });

/** The longest close reason RFC 6455 allows: 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/**
 * What a message asks of an out node whose `control` option is on, after
 * Node-RED's own convention for steering a connection (the MQTT nodes'
 * `msg.action`): no action sends; `join`, `leave`, `close` and `getSessions`
 * act on sessions; `connect` and `disconnect` on a client's connection. Targets come from `msg.to` (an id, a list, or "*"),
 * `msg.room` and `msg.except`; without them, from `msg._session`.
 *
 * @throws CommandError for an unknown action or a property of the wrong kind.
 */
export function commandOf(msg: MessageObject): Command {
  const action = msg.action;
  switch (action) {
    case undefined: {
      const target = explicitTarget(msg, true);
      return target ? { action: "send", target } : SEND_AS_CORE;
    }
    case "join":
      return { action, rooms: roomsOf(msg.room, "join"), target: memberTarget(msg, action) };
    case "leave":
      return { action, rooms: msg.room === true ? true : roomsOf(msg.room, "leave"), target: memberTarget(msg, action) };
    case "close": {
      const target = explicitTarget(msg, true) ?? replyTo(msg);
      if (!target) {
        throw new CommandError("close-target");
      }
      return { action, target, code: closeCode(msg.code), reason: closeReason(msg.reason) };
    }
    case "getSessions":
      return { action, rooms: msg.room === undefined ? undefined : roomsOf(msg.room, "getSessions") };
    case "connect":
      return { action, ...connectRequest(msg), force: msg.force === true };
    case "disconnect":
      return { action };
    default:
      throw new CommandError("unknown-action", { action: String(action) });
  }
}

/** What a connect action changes: `msg.url`, `msg.headers` (as the config stores them) and `msg.subprotocol`, each optional. */
function connectRequest(msg: MessageObject): { url?: string; headers?: unknown[]; subprotocol?: string } {
  const request: { url?: string; headers?: unknown[]; subprotocol?: string } = {};
  if (msg.url !== undefined) {
    if (typeof msg.url !== "string" || msg.url.trim() === "") {
      throw new CommandError("bad-connect", { property: "url" });
    }
    request.url = msg.url;
  }
  if (msg.headers !== undefined) {
    if (!Array.isArray(msg.headers)) {
      throw new CommandError("bad-connect", { property: "headers" });
    }
    request.headers = msg.headers;
  }
  if (msg.subprotocol !== undefined) {
    if (typeof msg.subprotocol !== "string") {
      throw new CommandError("bad-connect", { property: "subprotocol" });
    }
    request.subprotocol = msg.subprotocol;
  }
  return request;
}

/** Whose rooms `join` and `leave` change: `msg.to`, else the session the message came from. */
function memberTarget(msg: MessageObject, action: string): Target {
  const target = explicitTarget(msg, false) ?? replyTo(msg);
  if (!target) {
    throw new CommandError("member-target", { action });
  }
  return target;
}

/** The session in `msg._session`, if it is one of ours. */
function replyTo(msg: MessageObject): Target | undefined {
  const target = targetOf(msg);
  return target.kind === "session" ? target : undefined;
}

/**
 * The target `msg.to`, `msg.room` (when `byRoom`) and `msg.except` name, or
 * undefined when the message names none.
 */
function explicitTarget(msg: MessageObject, byRoom: boolean): Target | undefined {
  const { to } = msg;
  const except = msg.except === undefined ? undefined : idList(msg.except, "except");
  const rooms = byRoom && msg.room !== undefined ? roomsOf(msg.room, "room") : undefined;
  if (to === "*") {
    return { kind: "all", except };
  }
  const ids = to === undefined ? undefined : idList(to, "to");
  if (ids || rooms) {
    return { kind: "sessions", ids: ids ?? [], rooms, except };
  }
  return except ? { kind: "all", except } : undefined;
}

function idList(value: unknown, property: string): string[] {
  const ids = Array.isArray(value) ? value : [value];
  if (!ids.every((id): id is string => typeof id === "string" && id !== "")) {
    throw new CommandError("bad-ids", { property });
  }
  return ids;
}

function roomsOf(value: unknown, property: string): string[] {
  const rooms = roomNames(value);
  if (!rooms) {
    throw new CommandError("bad-room", { property });
  }
  return rooms;
}

/** `msg.code` for a close: 1000 when absent; else 1000 or an application code, 3000-4999 (RFC 6455 7.4). */
function closeCode(value: unknown): number {
  if (value === undefined) {
    return 1000;
  }
  const code = Number(value);
  if (!Number.isInteger(code) || (code !== 1000 && (code < 3000 || code > 4999))) {
    throw new CommandError("bad-close-code", { code: String(value) });
  }
  return code;
}

function closeReason(value: unknown): string {
  const reason = value === undefined ? "" : String(value);
  if (Buffer.byteLength(reason) > MAX_REASON_BYTES) {
    throw new CommandError("bad-close-reason");
  }
  return reason;
}
