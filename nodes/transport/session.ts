import WebSocket from "ws";
import type { SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import { decodeFrame, type FrameData } from "./codec";
import { sessionGone, toError } from "./errors";
import type { ReadPacer } from "./read-pacer";
import type { WriteBatch } from "./write-batch";

/**
 * What the opening handshake told about a session, kept for its whole life
 * so that flows can be told who is on the other end without the request.
 */
export interface Handshake {
  /** The peer's address and port as the TCP connection saw them. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** The request target (path and query) on a listener, the URL on a client. */
  readonly url: string;
  /** The subprotocol agreed on, or "" for none. */
  readonly protocol: string;
  /** When the session opened, in ms since the epoch. */
  readonly openedAt: number;
  /** The request headers the endpoint was told to keep (lower-case names), and only those. */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Why a session closed, in one word:
 * - `peer`: the other side closed it or the connection dropped;
 * - `flow`: a flow closed it;
 * - `heartbeat`: the peer stopped answering pings;
 * - `stopping`: the endpoint stopped (a redeploy, or Node-RED stopping);
 * - `error`: the session failed (a protocol error, say);
 * - `limit`: it went over one of the endpoint's limits.
 */
export type CloseCause = "peer" | "flow" | "heartbeat" | "stopping" | "error" | "limit";

/** What a session tells its endpoint. */
export interface SessionHandlers {
  onMessage(session: Session, frame: FrameData): void;
  /** The session failed; it closes next. Called at most once. */
  onError(error: Error, session: Session): void;
  onClose(session: Session, code: number, reason: string, cause: CloseCause): void;
}

/** The write batch and read pacer an endpoint shares among its sessions. */
export interface SessionIo {
  readonly batch: WriteBatch;
  readonly pacer: ReadPacer;
}

/**
 * One open WebSocket connection, on either side: it owns its `ws` socket
 * (nobody else touches it), decodes and paces what arrives, batches what
 * leaves, answers for its heartbeat, and closes with a code. Listeners and
 * client connections differ in how a session starts, not in how it runs.
 */
export class Session {
  readonly #socket: WebSocket;
  /** Set by every sign of life, cleared by each heartbeat ping. */
  #alive = true;
  #failed = false;
  readonly #handlers: SessionHandlers;
  readonly #quiet: () => boolean;
  /** Why it is closing, once something on this side decided it; else the peer did. */
  #cause: CloseCause | undefined;
  /** The rooms it is in; kept by the endpoint's room registry. */
  readonly rooms = new Set<string>();

  /**
   * @param socket an open socket; the session takes it over.
   * @param quiet when it returns true, errors are not reported (the endpoint is stopping).
   */
  constructor(
    readonly id: string,
    socket: WebSocket,
    readonly handshake: Handshake,
    private readonly io: SessionIo,
    handlers: SessionHandlers,
    quiet: () => boolean,
  ) {
    this.#socket = socket;
    this.#handlers = handlers;
    this.#quiet = quiet;
    const paced = io.pacer.track(socket);
    const alive = (): void => {
      this.#alive = true;
    };
    socket.on("message", (data, isBinary) => {
      this.#alive = true;
      paced();
      handlers.onMessage(this, decodeFrame(data, isBinary));
    });
    socket.on("pong", alive);
    socket.on("ping", alive);
    socket.on("error", (error) => {
      this.#cause ??= "error";
      this.report(toError(error));
    });
    socket.on("close", (code, reason) => handlers.onClose(this, code, reason.toString(), this.#cause ?? "peer"));
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one frame. The callback, when given, is called once the frame has
   * been written, or with why it could not be: a session that closed while
   * the frame waited in a write batch reports itself gone.
   */
  send(frame: FrameData, callback?: SendCallback): void {
    this.io.batch.hold(this.#socket);
    if (callback) {
      this.#socket.send(frame, (error) => callback(error && (this.isOpen ? error : sessionGone(this.id))));
    } else {
      this.#socket.send(frame);
    }
  }

  /** Sends data already encoded once for many sessions (a broadcast); `binary: false` keeps text a text frame. */
  sendEncoded(data: Buffer, binary: boolean): void {
    this.io.batch.hold(this.#socket);
    this.#socket.send(data, { binary });
  }

  /**
   * Closes with `code` and `reason`, for `cause`; resolves once closed (see
   * closeSocket for the grace period).
   */
  close(code: number, reason: string, cause: CloseCause): Promise<void> {
    this.#cause ??= cause;
    return closeSocket(this.#socket, code, reason);
  }

  /**
   * One heartbeat: reports `false` when nothing came from the peer since the
   * last beat (the caller ends the session), else pings and reports `true`.
   */
  beat(): boolean {
    if (!this.#alive) {
      return false;
    }
    this.#alive = false;
    this.#socket.ping();
    return true;
  }

  /** Ends a session whose peer stopped answering: reported as its failure, then cut. */
  expire(error: Error): void {
    this.#cause ??= "heartbeat";
    this.report(error);
    this.#socket.terminate();
  }

  /** Reports the session's failure once: `ws` emits an error and then closes. */
  private report(error: Error): void {
    if (!this.#failed && !this.#quiet()) {
      this.#failed = true;
      this.#handlers.onError(error, this);
    }
  }
}
