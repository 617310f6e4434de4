import { frameToMessage, messageToFrame, type FrameData, type MessageObject } from "../transport/codec";
import { IdSequence } from "../transport/ids";
import type { Session } from "../transport/session";
import { sessionOrAll, type Target } from "../transport/target";

/** `msg._session` as core's nodes set it, which flows test with `type === "websocket"`. */
export interface SessionRef {
  type: "websocket";
  id: string;
}

/**
 * Every Node-RED message the package builds or reads, in one place: the
 * message an in node emits for a frame, and the frame and target an out node
 * makes of a message.
 */
export class Messages {
  private readonly ids = new IdSequence();

  constructor(private readonly wholemsg: boolean) {}

  /**
   * The message for one frame from `session`. Built whole, in one shape; the
   * id is made here because Node-RED's own generator costs more than the rest
   * of this path.
   */
  fromFrame(session: Session, frame: FrameData): MessageObject {
    const _session: SessionRef = { type: "websocket", id: session.id };
    if (!this.wholemsg) {
      return { _msgid: this.ids.next(), payload: frame, _session };
    }
    const msg = frameToMessage(frame, true);
    // The real session replaces any a peer sent; a peer's message may bring its own id.
    msg._session = _session;
    msg._msgid ??= this.ids.next();
    return msg;
  }

  /**
   * The frame for a message, or undefined when it has nothing to send (no
   * payload).
   *
   * @throws TypeError when the payload or message cannot be turned into JSON.
   */
  toFrame(msg: MessageObject): FrameData | undefined {
    return messageToFrame(msg, this.wholemsg);
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
