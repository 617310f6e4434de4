import type { FrameData } from "./codec";
import type { CloseCause, Session } from "./session";
import type { Rooms } from "./rooms";
import type { Resolved } from "./sessions";
import type { Target } from "./target";

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
  /** A session that had opened has closed, for `cause`. */
  onClose(session: Session, code: number, reason: string, cause: CloseCause): void;
  /**
   * Something failed: a session (when given) or, for a client, a connection
   * attempt. It is reported once; a session that had opened is then closed too.
   */
  onError(error: Error, session: Session | undefined): void;
  /** Messages for a session that reads too slowly are being dropped: an episode starts, or ends (see SessionHandlers). */
  onDrops?(session: Session, dropped: number, ended: boolean): void;
}

/**
 * Called once a send is queued (a large one: written), or with why it could
 * not be (see Channel.send). As with `ws`, success may come as `undefined` or
 * `null`. `gone` lists the ids a
 * target named that are not open (a send to the others still went out).
 */
export type SendCallback = (error?: Error | null, gone?: readonly string[]) => void;

/** A close code and reason, as a close frame carries them. */
export interface CloseFrame {
  readonly code: number;
  readonly reason: string;
}

/** What in and out nodes need of a listener or a client connection. */
export interface Channel {
  /** Number of open sessions (0 or 1 for a client connection). */
  readonly sessionCount: number;
  /**
   * Sends a frame to the sessions `target` names. The callback is called
   * exactly once: for a single session, once the frame is queued (a large
   * one, or one to a peer that reads slowly: once written, see
   * Session.send), or with why it could not be: `FLOWSOCKET_ERR_SESSION_GONE`
   * when the session named is not open (on a client connection, a reply
   * meant for an earlier connection), `FLOWSOCKET_ERR_NOT_CONNECTED` when a
   * client connection is down or closing. For anything wider, once queued
   * for every session named, with the ids that were not open.
   */
  send(frame: FrameData, target: Target, callback: SendCallback): void;
  /**
   * Closes the sessions `target` names with `code` and `reason`; resolves,
   * with the named ids that were not open, once they have closed.
   */
  close(target: Target, code: number, reason: string): Promise<readonly string[]>;
  /** The rooms of this endpoint's sessions: join, leave, members. */
  readonly rooms: Rooms;
  /** The open sessions. */
  list(): IterableIterator<Session>;
  /** The open sessions `target` names, each once, and the ids it names that are not open. */
  resolve(target: Target): Resolved;
  /** Closes every session and releases every resource; resolves once all sockets have closed. */
  stop(): Promise<void>;
  /** The close code and reason `stop` closes sessions with. */
  readonly stopClose: CloseFrame;
}
