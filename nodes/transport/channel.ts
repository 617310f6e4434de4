import type { FrameData } from "./codec";
import type { Session } from "./sessions";

/**
 * What an endpoint (listener or client connection) reports. Plain callbacks
 * rather than an EventEmitter: there is exactly one consumer, the config node,
 * and these sit on the path of every message.
 */
export interface ChannelHandlers {
  /** A session is open and can be sent to. */
  onOpen(session: Session): void;
  /** A frame arrived on a session. */
  onMessage(session: Session, frame: FrameData): void;
  /** A session that had opened has closed. */
  onClose(session: Session, code: number, reason: string): void;
  /**
   * Something failed: a session (when given) or, for a client, a connection
   * attempt. It is reported once; a session that had opened is then closed too.
   */
  onError(error: Error, session: Session | undefined): void;
}

/**
 * Called once a send has been written out, or with why it could not be. As
 * with `ws`, success may come as `undefined` or `null`.
 */
export type SendCallback = (error?: Error | null) => void;

/** What in and out nodes need of a listener or a client connection. */
export interface Channel {
  /** Number of open sessions (0 or 1 for a client connection). */
  readonly sessionCount: number;
  /**
   * Sends a frame to one session, or to every open session when `sessionId`
   * is undefined. The callback is called exactly once: for one session, when
   * the frame has been written or with why it could not be; for a broadcast,
   * once the frame is queued for every session.
   */
  send(frame: FrameData, sessionId: string | undefined, callback: SendCallback): void;
  /** Closes every session and releases every resource; resolves once all sockets have closed. */
  close(): Promise<void>;
}
